// Start: the sign-in screen (nothing of the records before a clinician signs in), then the app:
// the app info in the store, the screen where the clinician was, then the rule set catalog (a
// large answer the patient list does not need). Locking (idle, "Lock", or the shell saying the
// session is locked) saves what is typed, clears the page and shows the sign-in screen again.

import "./style.css";
import type { Access } from "./bindings/Access";
import type { LockReason } from "./bindings/LockReason";
import { banner, errorText, type Ctx, type Route } from "./app";
import { showAccess } from "./access";
import { LOCKED_EVENT } from "./call";
import { h, replace } from "./dom";
import { IdleLock, saveBeforeLock } from "./idle";
import { api } from "./ipc";
import { rememberLocation, savedLocation } from "./location";
import { isRoute, render } from "./router";
import { AppStore } from "./store";
import { installTextSizeKeys } from "./textSize";

let idle: IdleLock | null = null;
let idleMinutes = 0;
/** Who was signed in when the app locked: the same clinician comes back to where they were. */
let lockedBy: string | null = null;
let firstScreenShown = false;
let locking = false;
/** The signed-in app's context (none while locked): the text-size keys, installed once, use it. */
let current: Ctx | null = null;

async function firstScreenReady(): Promise<void> {
  if (firstScreenShown) return;
  firstScreenShown = true;
  await api.uiReady();
}

function startIdle(root: HTMLElement, minutes: number): void {
  idle?.stop();
  idleMinutes = minutes;
  idle = new IdleLock(minutes, () => void lock(root, "idle"));
  idle.start();
}

/** Locks: saves what is typed, removes every patient detail from the page, shows sign-in.
 * `reason` null: the shell locked the session already (it was idle past its time). */
async function lock(root: HTMLElement, reason: LockReason | null): Promise<void> {
  if (locking) return;
  locking = true;
  try {
    idle?.stop();
    idle = null;
    current = null;
    if (reason) await saveBeforeLock();
    for (const d of document.querySelectorAll("dialog")) d.remove();
    replace(root);
    document.title = "trdcheck — locked";
    const access = reason ? await api.lock(reason) : await api.accessStatus();
    const notice = reason === "sign_out" ? "Signed out." : `Locked after ${idleMinutes} minutes without input. Sign in to continue.`;
    showAccess(root, access, (a) => void enter(root, a), notice);
  } catch (e) {
    replace(root, banner(`trdcheck could not lock properly: ${errorText(e)}`));
  } finally {
    locking = false;
  }
}

/** The app, for the clinician signed in. */
async function enter(root: HTMLElement, access: Access): Promise<void> {
  const store = new AppStore(await api.appInfo(), api.catalog);
  const alertHost = h("div", { class: "alerts", "aria-live": "assertive" });
  const ctx: Ctx = {
    store,
    get info() {
      return store.info;
    },
    get catalog() {
      return store.catalog;
    },
    go: (route: Route) => void navigate(route),
    setInfo: (i) => store.setInfo(i),
    alert: (e: unknown) => replace(alertHost, banner(errorText(e))),
    lock: () => void lock(root, "sign_out"),
  };
  current = ctx;
  const screen = h("div", { class: "screen" });
  replace(root, alertHost, screen);
  document.title = "trdcheck — TRD ketamine/esketamine eligibility";
  // One screen at a time, in the order asked: a screen still loading (the one the clinician was
  // on, restored at sign-in) never replaces the one they chose after it.
  let rendering: Promise<void> = Promise.resolve();
  function navigate(route: Route): Promise<void> {
    rendering = rendering.catch(() => undefined).then(async () => {
      replace(alertHost);
      rememberLocation(route);
      try {
        await render(screen, ctx, route);
      } catch (e) {
        ctx.alert(e);
        if (route.name !== "home") await render(screen, ctx, { name: "home" });
      }
    });
    return rendering;
  }
  startIdle(root, access.lock_after_minutes ?? 5);
  store.subscribe((s) => {
    const minutes = s.info.settings?.lock_after_minutes;
    if (minutes && minutes !== idleMinutes) startIdle(root, minutes);
  });
  // The same clinician comes back to where they were; another starts at the patient list.
  const resume = lockedBy === null || lockedBy === access.clinician;
  lockedBy = access.clinician ?? null;
  await navigate(store.info.database_error || !resume ? { name: "home" } : savedLocation(isRoute));
  await firstScreenReady();
  await store.loadCatalog();
}

async function start(root: HTMLElement): Promise<void> {
  // Only while signed in: a late answer to a call made before the lock must not clear the
  // sign-in screen being typed into.
  window.addEventListener(LOCKED_EVENT, () => {
    if (current) void lock(root, null);
  });
  installTextSizeKeys(() => current);
  const access = await api.accessStatus();
  if (access.state === "signed_in") {
    await enter(root, access);
    return;
  }
  showAccess(root, access, (a) => void enter(root, a).catch((e) => replace(root, banner(errorText(e)))));
  await firstScreenReady();
}

const root = document.getElementById("app");
if (root) {
  start(root).catch((e) => replace(root, banner(`trdcheck could not start: ${errorText(e)}`)));
}
