// Start: load the app info and the rule set catalog, then show where the clinician was.

import "./style.css";
import { banner, errorText, rememberLocation, savedLocation, type Ctx, type Route } from "./app";
import { h, replace } from "./dom";
import type { Catalog } from "./bindings/Catalog";
import { api } from "./ipc";
import { renderAssessment } from "./views/checklist";
import { renderHome } from "./views/home";
import { renderSettings } from "./views/settings";
import { installTextSizeKeys } from "./textSize";

async function start(root: HTMLElement): Promise<void> {
  // The rule-set catalog is large and the patient list does not need it: fetch it beside the
  // first screen, and wait for it only where it is used (the checklist and the settings).
  const catalogLoading = api.catalog();
  const info = await api.appInfo();
  const alertHost = h("div", { class: "alerts", "aria-live": "assertive" });
  const ctx: Ctx = {
    info,
    catalog: null as unknown as Catalog,
    go: (route: Route) => void navigate(route),
    setInfo: (i) => (ctx.info = i),
    alert: (e: unknown) => replace(alertHost, banner(errorText(e))),
  };
  installTextSizeKeys(ctx);
  const screen = h("div", { class: "screen" });
  replace(root, alertHost, screen);
  async function navigate(route: Route) {
    replace(alertHost);
    rememberLocation(route);
    try {
      if (route.name !== "home" && !ctx.catalog) ctx.catalog = await catalogLoading;
      if (route.name === "assessment") await renderAssessment(screen, ctx, route.id, route.step);
      else if (route.name === "settings") renderSettings(screen, ctx);
      else await renderHome(screen, ctx, route.patientId);
    } catch (e) {
      ctx.alert(e);
      if (route.name !== "home") await renderHome(screen, ctx);
    }
  }
  await navigate(info.database_error ? { name: "home" } : savedLocation());
  await api.uiReady();
  ctx.catalog = await catalogLoading;
}

const root = document.getElementById("app");
if (root) {
  start(root).catch((e) => replace(root, banner(`trdcheck could not start: ${errorText(e)}`)));
}
