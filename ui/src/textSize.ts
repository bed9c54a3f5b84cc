// Text size: the whole page is zoomed by the shell (100–200 %), chosen in Settings or with
// Ctrl + / Ctrl − / Ctrl 0 anywhere. The sizes offered come from the shell; this only steps through them.

import type { Ctx } from "./app";
import { api } from "./ipc";

export type TextSizeStep = "larger" | "smaller" | "normal";

/** The size one step from `current` (staying at the ends); "normal" is the first size offered. */
export function nextTextSize(sizes: readonly number[], current: number, step: TextSizeStep): number {
  if (sizes.length === 0) return current;
  if (step === "normal") return sizes[0];
  const sorted = [...sizes].sort((a, b) => a - b);
  if (step === "larger") return sorted.find((s) => s > current) ?? sorted[sorted.length - 1];
  return [...sorted].reverse().find((s) => s < current) ?? sorted[0];
}

/** The step a key press asks for: Ctrl (or ⌘) with + / = , − , or 0. */
export function textSizeStepOf(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey">): TextSizeStep | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  if (e.key === "+" || e.key === "=") return "larger";
  if (e.key === "-" || e.key === "_") return "smaller";
  if (e.key === "0") return "normal";
  return null;
}

/** Applies a size through the shell and keeps the app's info (and an open Settings form) in step. */
export async function applyTextSize(ctx: Ctx, percent: number): Promise<void> {
  const info = await api.setTextSize(percent);
  ctx.setInfo(info);
  const select = document.querySelector<HTMLSelectElement>("select[data-text-size]");
  if (select) select.value = String(info.text_size_percent);
}

/** Once, at start: the keys act on the app signed in at the time (none while locked). */
export function installTextSizeKeys(currentCtx: () => Ctx | null): void {
  window.addEventListener("keydown", (e) => {
    const step = textSizeStepOf(e);
    const ctx = currentCtx();
    if (!step || !ctx) return;
    e.preventDefault();
    const next = nextTextSize(ctx.info.text_sizes, ctx.info.text_size_percent, step);
    if (next !== ctx.info.text_size_percent) applyTextSize(ctx, next).catch(ctx.alert);
  });
}
