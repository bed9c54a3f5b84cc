// The route table: every screen of the app, what it is given, and whether it needs the catalog.

import type { Ctx, Route } from "./app";
import { renderAdministration } from "./screens/administration";
import { renderAssessment } from "./screens/checklist";
import { renderCourse } from "./screens/course";
import { renderSession } from "./screens/session";
import { renderHome } from "./screens/home";
import { renderSettings } from "./screens/settings";

type RouteOf<N extends Route["name"]> = Extract<Route, { name: N }>;

interface Screen<N extends Route["name"]> {
  /** The rule set catalog must be loaded first. */
  catalog: boolean;
  render(root: HTMLElement, ctx: Ctx, route: RouteOf<N>): Promise<void> | void;
  /** The route's own fields are what this screen can be given. */
  valid(route: Record<string, unknown>): boolean;
}

export const ROUTES: { [N in Route["name"]]: Screen<N> } = {
  home: {
    catalog: false,
    render: (root, ctx, r) => renderHome(root, ctx, r.patientId),
    valid: (r) => r.patientId === undefined || typeof r.patientId === "number",
  },
  assessment: {
    catalog: true,
    render: (root, ctx, r) => renderAssessment(root, ctx, r.id, r.step),
    valid: (r) => typeof r.id === "number" && (r.step === undefined || typeof r.step === "string"),
  },
  course: {
    catalog: true,
    render: (root, ctx, r) => renderCourse(root, ctx, r.id),
    valid: (r) => typeof r.id === "number",
  },
  session: {
    catalog: true,
    render: (root, ctx, r) => renderSession(root, ctx, r.id),
    valid: (r) => typeof r.id === "number",
  },
  administration: {
    catalog: true,
    render: (root, ctx, r) => renderAdministration(root, ctx, r.id),
    valid: (r) => typeof r.id === "number",
  },
  settings: { catalog: true, render: (root, ctx) => renderSettings(root, ctx), valid: () => true },
};

export function isRoute(r: unknown): r is Route {
  if (typeof r !== "object" || r === null) return false;
  const name = (r as { name?: unknown }).name;
  return typeof name === "string" && Object.hasOwn(ROUTES, name) && ROUTES[name as Route["name"]].valid(r as Record<string, unknown>);
}

/** Shows the screen of `route` in `root`. */
export async function render(root: HTMLElement, ctx: Ctx, route: Route): Promise<void> {
  const screen = ROUTES[route.name] as Screen<Route["name"]>;
  if (screen.catalog) await ctx.store.loadCatalog();
  await screen.render(root, ctx, route as never);
}
