// The screen lock: after the clinic's number of minutes without input, what is typed is saved,
// every patient detail is removed from the page and the sign-in screen is shown. Input is
// reported to the shell at most every 30 s, so that it knows the clinician is there.

import { api } from "./ipc";

const REPORT_EVERY_MS = 30_000;
const INPUT_EVENTS = ["keydown", "pointerdown", "pointermove", "wheel", "input", "touchstart"] as const;

/** What must happen before the page is cleared (the open assessment saves what is typed). */
let beforeLock: (() => Promise<void>) | null = null;

export function setBeforeLock(hook: (() => Promise<void>) | null): void {
  beforeLock = hook;
}

/** Saves what is pending (errors are not allowed to stop the lock). */
export async function saveBeforeLock(): Promise<void> {
  const hook = beforeLock;
  beforeLock = null;
  if (hook) {
    try {
      await hook();
    } catch {
      // The lock goes ahead: an answer that could not be saved was shown as an error already.
    }
  }
}

export class IdleLock {
  #timer: number | undefined;
  #lastReport = 0;
  readonly #onInput = () => this.#activity();

  constructor(private readonly minutes: number, private readonly onIdle: () => void) {}

  start(): void {
    for (const e of INPUT_EVENTS) document.addEventListener(e, this.#onInput, { capture: true, passive: true });
    this.#lastReport = Date.now();
    this.#arm();
  }

  stop(): void {
    for (const e of INPUT_EVENTS) document.removeEventListener(e, this.#onInput, { capture: true });
    window.clearTimeout(this.#timer);
  }

  #arm(): void {
    window.clearTimeout(this.#timer);
    this.#timer = window.setTimeout(() => this.onIdle(), this.minutes * 60_000);
  }

  #activity(): void {
    this.#arm();
    const now = Date.now();
    if (now - this.#lastReport >= REPORT_EVERY_MS) {
      this.#lastReport = now;
      // A session the shell locked meanwhile is reported by the next command (code "locked").
      api.touch().catch(() => {});
    }
  }
}
