// Where the clinician was (the route), kept across restarts so that the app resumes there.

import type { Route } from "./app";

const LOCATION_KEY = "trdcheck.location";

/** The saved route, when it is one `valid` accepts (the route table's check). */
export function savedLocation(valid: (r: unknown) => r is Route): Route {
  try {
    const raw = localStorage.getItem(LOCATION_KEY);
    const r: unknown = raw ? JSON.parse(raw) : null;
    if (valid(r)) return r;
  } catch {
    // No saved location: start at home.
  }
  return { name: "home" };
}

export function rememberLocation(route: Route): void {
  try {
    localStorage.setItem(LOCATION_KEY, JSON.stringify(route));
  } catch {
    // Storage unavailable: the home screen still lists drafts to resume.
  }
}
