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

/** How often the time since the last input is checked: by the wall clock, so that the time a
 * laptop spent asleep counts (a timer would not count it). */
const CHECK_EVERY_MS = 5_000;

export class IdleLock {
  #timer: number | undefined;
  #lastInput = 0;
  #lastReport = 0;
  readonly #onInput = () => this.#activity();
  readonly #onVisible = () => this.#check();

  constructor(private readonly minutes: number, private readonly onIdle: () => void) {}

  start(): void {
    for (const e of INPUT_EVENTS) document.addEventListener(e, this.#onInput, { capture: true, passive: true });
    document.addEventListener("visibilitychange", this.#onVisible);
    this.#lastInput = this.#lastReport = Date.now();
    this.#timer = window.setInterval(() => this.#check(), CHECK_EVERY_MS);
  }

  stop(): void {
    for (const e of INPUT_EVENTS) document.removeEventListener(e, this.#onInput, { capture: true });
    document.removeEventListener("visibilitychange", this.#onVisible);
    window.clearInterval(this.#timer);
  }

  #check(): void {
    if (Date.now() - this.#lastInput >= this.minutes * 60_000) {
      this.stop();
      this.onIdle();
    }
  }

  #activity(): void {
    // Input after the time is up (the first key after waking the laptop) does not count.
    this.#check();
    this.#lastInput = Date.now();
    const now = this.#lastInput;
    if (now - this.#lastReport >= REPORT_EVERY_MS) {
      this.#lastReport = now;
      // A session the shell locked meanwhile is reported by the next command (code "locked").
      api.touch().catch(() => {});
    }
  }
}
