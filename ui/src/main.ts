// Start: load the app info into the store, show where the clinician was, then fetch the rule set
// catalog (a large answer the patient list does not need) for the screens that use it.

import "./style.css";
import { banner, errorText, type Ctx, type Route } from "./app";
import { h, replace } from "./dom";
import { api } from "./ipc";
import { rememberLocation, savedLocation } from "./location";
import { isRoute, render } from "./router";
import { AppStore } from "./store";
import { installTextSizeKeys } from "./textSize";

async function start(root: HTMLElement): Promise<void> {
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
  };
  installTextSizeKeys(ctx);
  const screen = h("div", { class: "screen" });
  replace(root, alertHost, screen);
  async function navigate(route: Route) {
    replace(alertHost);
    rememberLocation(route);
    try {
      await render(screen, ctx, route);
    } catch (e) {
      ctx.alert(e);
      if (route.name !== "home") await render(screen, ctx, { name: "home" });
    }
  }
  await navigate(store.info.database_error ? { name: "home" } : savedLocation(isRoute));
  await api.uiReady();
  await store.loadCatalog();
}

const root = document.getElementById("app");
if (root) {
  start(root).catch((e) => replace(root, banner(`trdcheck could not start: ${errorText(e)}`)));
}
