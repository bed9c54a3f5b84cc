import { defineConfig } from "vite";

// Everything is bundled into dist/ and embedded in the app: no CDN, no remote font.
export default defineConfig({
  clearScreen: false,
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false, assetsInlineLimit: 0 },
  test: { environment: "jsdom", globals: true, include: ["test/**/*.test.ts"] },
});
