// The IPC layer: the generated wrapper of every command (from src-tauri/commands.toml).

export { commands as api } from "./bindings/commands";
export { IpcFailure } from "./call";
export type { ExportFormat } from "./bindings/ExportFormat";
