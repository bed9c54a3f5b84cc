// Moving through the checklist. Which steps apply is decided by the core (StepState.applies);
// here only the order and the Review step at the end.

import type { StepState } from "./bindings/StepState";

export const REVIEW = "review";

export interface StepLink {
  id: string;
  title: string;
  missing: number;
}

/** The steps to walk through: those that apply, then Review. */
export function visibleSteps(steps: StepState[]): StepLink[] {
  const shown = steps.filter((s) => s.applies).map((s) => ({ id: s.id, title: s.title, missing: s.missing }));
  return [...shown, { id: REVIEW, title: "Review", missing: 0 }];
}

/** Where a step id lands: itself when shown, else the next shown step (a skipped step's place). */
export function resolveStep(steps: StepState[], id: string): string {
  const visible = visibleSteps(steps);
  if (visible.some((s) => s.id === id)) return id;
  const order = steps.map((s) => s.id);
  const at = order.indexOf(id);
  if (at >= 0) {
    for (const s of steps.slice(at + 1)) if (s.applies) return s.id;
  }
  return REVIEW;
}

export function nextStep(steps: StepState[], current: string): string | null {
  const visible = visibleSteps(steps);
  const i = visible.findIndex((s) => s.id === current);
  return i >= 0 && i + 1 < visible.length ? visible[i + 1].id : null;
}

export function previousStep(steps: StepState[], current: string): string | null {
  const visible = visibleSteps(steps);
  const i = visible.findIndex((s) => s.id === current);
  return i > 0 ? visible[i - 1].id : null;
}

/** "Step 3 of 9" */
export function progress(steps: StepState[], current: string): { index: number; total: number } {
  const visible = visibleSteps(steps);
  return { index: Math.max(0, visible.findIndex((s) => s.id === current)) + 1, total: visible.length };
}

/** The step that asks a question (for "go to the question" from a finding). */
export function stepOfQuestion(steps: StepState[], question: string): string | null {
  const base = question.replace(/\[\d+\].*$/, "");
  for (const s of steps) if (s.questions.some((q) => q.id === base)) return s.id;
  return null;
}
