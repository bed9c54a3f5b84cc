// The one state store of the app: what the shell says of itself (AppInfo: settings, policy,
// labels, text size) and the rule set catalog. Screens read it through their Ctx and change it
// only here; what they show of one assessment lives in its Editor.

import type { AppInfo } from "./bindings/AppInfo";
import type { Catalog } from "./bindings/Catalog";

export type Listener = (store: AppStore) => void;

export class AppStore {
  #info: AppInfo;
  #catalog: Catalog | null = null;
  readonly #fetchCatalog: () => Promise<Catalog>;
  #catalogLoading: Promise<Catalog> | null = null;
  readonly #listeners = new Set<Listener>();

  /** The catalog is large and the patient list does not need it: it is fetched when a screen
   * first needs it, or (main.ts) once the first screen is shown. */
  constructor(info: AppInfo, fetchCatalog: () => Promise<Catalog>) {
    this.#info = info;
    this.#fetchCatalog = fetchCatalog;
  }

  get info(): AppInfo {
    return this.#info;
  }

  setInfo(info: AppInfo): void {
    this.#info = info;
    for (const l of this.#listeners) l(this);
  }

  /** The catalog; screens that use it are opened after [`loadCatalog`]. */
  get catalog(): Catalog {
    if (!this.#catalog) throw new Error("the rule set catalog is not loaded yet");
    return this.#catalog;
  }

  loadCatalog(): Promise<Catalog> {
    this.#catalogLoading ??= this.#fetchCatalog().then((c) => (this.#catalog = c));
    return this.#catalogLoading;
  }

  /** Called after every change; returns the function that stops it. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
