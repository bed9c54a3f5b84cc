// The one state store of the app: what the shell says of itself (AppInfo: settings, policy,
// labels, text size) and the rule set catalog. Screens read it through their Ctx and change it
// only here; what they show of one assessment lives in its Editor.

import type { AppInfo } from "./bindings/AppInfo";
import type { Catalog } from "./bindings/Catalog";

export type Listener = (store: AppStore) => void;

export class AppStore {
  #info: AppInfo;
  #catalog: Catalog | null = null;
  readonly #catalogLoading: Promise<Catalog>;
  readonly #listeners = new Set<Listener>();

  /** The catalog is large and the patient list does not need it: it loads beside the first screen. */
  constructor(info: AppInfo, catalogLoading: Promise<Catalog>) {
    this.#info = info;
    this.#catalogLoading = catalogLoading.then((c) => (this.#catalog = c));
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
    return this.#catalogLoading;
  }

  /** Called after every change; returns the function that stops it. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
