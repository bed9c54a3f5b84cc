// What every screen is given (Ctx), and the parts they share: header, banner, errors.

import type { AppInfo } from "./bindings/AppInfo";
import type { Catalog } from "./bindings/Catalog";
import { h, replace } from "./dom";
import { IpcFailure } from "./ipc";
import type { AppStore } from "./store";

export type Route =
  | { name: "home"; patientId?: number }
  | { name: "assessment"; id: number; step?: string }
  | { name: "course"; id: number }
  | { name: "session"; id: number }
  | { name: "administration"; id: number }
  | { name: "settings" };

/** A screen's view of the app: the one store (and its info and catalog), and navigation. */
export interface Ctx {
  readonly store: AppStore;
  readonly info: AppInfo;
  readonly catalog: Catalog;
  go(route: Route): void;
  setInfo(info: AppInfo): void;
  /** Shows an error that belongs to no field. */
  alert(e: unknown): void;
  /** Signs the clinician out (saves what is typed, clears the page). */
  lock(): void;
}

export function errorText(e: unknown): string {
  return e instanceof IpcFailure ? e.message : e instanceof Error ? e.message : String(e);
}

export function header(ctx: Ctx, current: Route["name"]): HTMLElement {
  const nav = (label: string, route: Route, key: string) =>
    h("button", { type: "button", class: "nav", "aria-current": current === route.name ? "page" : null, onclick: () => ctx.go(route), "data-nav": key }, label);
  return h(
    "header",
    { class: "top" },
    h("div", { class: "brand" }, h("strong", {}, "trdcheck"), " ", h("span", { class: "muted" }, `TRD ketamine/esketamine eligibility · rule set ${ctx.info.ruleset.id} v${ctx.info.ruleset.version}`)),
    h("nav", { "aria-label": "Main" }, nav("Patients", { name: "home" }, "home"), nav("Settings", { name: "settings" }, "settings"),
      h("span", { class: "who", "data-signed-in": "" }, ctx.info.signed_in ?? ""),
      h("button", { type: "button", class: "nav", "data-action": "lock", title: "Lock the app (the page is cleared; sign in again to continue)", onclick: () => ctx.lock() }, "Lock")),
  );
}

/** Replaces the screen; focuses its heading so keyboard and screen-reader users start there. */
export function show(root: HTMLElement, ...content: (Node | null)[]): void {
  replace(root, ...content);
  const heading = root.querySelector<HTMLElement>("main h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

export function banner(message: string, kind: "error" | "info" = "error"): HTMLElement {
  return h("p", { class: `banner ${kind}`, role: kind === "error" ? "alert" : "status" }, message);
}
