// The one way the UI calls a command (the generated wrappers in bindings/commands.ts use it).
// Errors arrive as {code, message, field}.

import { invoke } from "@tauri-apps/api/core";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { IpcError } from "./bindings/IpcError";

/** A command failed: the core's code and message, and the field at fault when there is one. */
export class IpcFailure extends Error {
  readonly code: ErrorCode;
  readonly field: string | null;
  constructor(e: IpcError) {
    super(e.message);
    this.code = e.code;
    this.field = e.field ?? null;
  }
}

function isIpcError(e: unknown): e is IpcError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/** Sent on `window` when a command finds the app locked (the shell locked an idle session). */
export const LOCKED_EVENT = "trdcheck:locked";

export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    if (isIpcError(e)) {
      if (e.code === "locked") window.dispatchEvent(new Event(LOCKED_EVENT));
      throw new IpcFailure(e);
    }
    throw new IpcFailure({ code: "ipc", message: String(e) });
  }
}
