import { describe, expect, it } from "vitest";
import { isRoute, ROUTES } from "../src/router";
import { AppStore } from "../src/store";
import type { AppInfo } from "../src/bindings/AppInfo";
import type { Catalog } from "../src/bindings/Catalog";

describe("the route table", () => {
  it("accepts the routes of its screens and nothing else (a saved location from an older version)", () => {
    expect(Object.keys(ROUTES).sort()).toEqual(["administration", "assessment", "course", "home", "session", "settings"]);
    expect(isRoute({ name: "administration", id: 3 })).toBe(true);
    expect(isRoute({ name: "administration" })).toBe(false);
    expect(isRoute({ name: "home" })).toBe(true);
    expect(isRoute({ name: "home", patientId: 3 })).toBe(true);
    expect(isRoute({ name: "assessment", id: 4, step: "medications" })).toBe(true);
    expect(isRoute({ name: "assessment" })).toBe(false);
    expect(isRoute({ name: "assessment", id: "4" })).toBe(false);
    expect(isRoute({ name: "toString" })).toBe(false);
    expect(isRoute({ name: "course", id: 2 })).toBe(true);
    expect(isRoute({ name: "session", id: 7 })).toBe(true);
    expect(isRoute({ name: "session" })).toBe(false);
    expect(isRoute({ name: "course", id: "2" })).toBe(false);
    expect(isRoute({ name: "sessions", id: 1 })).toBe(false);
    expect(isRoute(null)).toBe(false);
  });
});

describe("the state store", () => {
  it("tells its listeners of a change and gives the catalog once it is loaded", async () => {
    const info = { version: "a" } as unknown as AppInfo;
    let resolve: (c: Catalog) => void = () => {};
    let fetched = 0;
    const store = new AppStore(info, () => {
      fetched += 1;
      return new Promise<Catalog>((r) => (resolve = r));
    });
    expect(() => store.catalog).toThrow(/not loaded/);
    expect(fetched).toBe(0);
    const seen: string[] = [];
    const stop = store.subscribe((s) => seen.push(s.info.version));
    store.setInfo({ version: "b" } as unknown as AppInfo);
    stop();
    store.setInfo({ version: "c" } as unknown as AppInfo);
    expect(seen).toEqual(["b"]);
    const loading = store.loadCatalog();
    void store.loadCatalog();
    expect(fetched).toBe(1);
    resolve({ steps: [] } as unknown as Catalog);
    expect((await loading).steps).toEqual([]);
    expect(store.catalog.steps).toEqual([]);
  });
});
