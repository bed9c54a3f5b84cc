// The words the core gives each determination and source strength (the UI repeats none).

import type { Ctx } from "./app";

/** The words for a determination ("Deferred — not today"), as the core names it. */
export function determinationTitle(ctx: Ctx, determination: string): string {
  return ctx.info.labels.determinations.find((d) => d.id === determination)?.title ?? determination;
}

export function strengthLabel(ctx: Ctx, strength: string): string {
  return ctx.info.labels.strengths.find((s) => s.id === strength)?.title ?? strength;
}

/** The words for a label the core names (`gate_decisions`, `session_outcomes`, `phases`). */
export function labelOf(ctx: Ctx, kind: "gate_decisions" | "session_outcomes" | "phases", id: string): string {
  return ctx.info.labels[kind].find((l) => l.id === id)?.title ?? id;
}
