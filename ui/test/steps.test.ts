import { describe, expect, it } from "vitest";
import type { StepState } from "../src/bindings/StepState";
import { nextStep, previousStep, progress, resolveStep, REVIEW, stepOfQuestion, visibleSteps } from "../src/steps";

const step = (id: string, applies = true, questions: string[] = [], missing = 0): StepState => ({
  id, title: id, applies, missing, questions: questions.map((q) => ({ id: q, applies, shown: applies, required: true, unknown: true })),
});

const steps: StepState[] = [
  step("patient", true, ["patient.age_years"]),
  step("treatment_history", true, ["trials"]),
  step("cardiovascular", true, ["cardiovascular.systolic_mmhg"], 2),
  step("pregnancy", false, ["pregnancy.pregnant"]),
  step("substance_use"),
];

describe("steps", () => {
  it("skips a step the core says does not apply, and ends with Review", () => {
    expect(visibleSteps(steps).map((s) => s.id)).toEqual(["patient", "treatment_history", "cardiovascular", "substance_use", REVIEW]);
    expect(visibleSteps(steps)[2].missing).toBe(2);
  });

  it("moves forward and back over a skipped step", () => {
    expect(nextStep(steps, "cardiovascular")).toBe("substance_use");
    expect(previousStep(steps, "substance_use")).toBe("cardiovascular");
    expect(nextStep(steps, "substance_use")).toBe(REVIEW);
    expect(nextStep(steps, REVIEW)).toBeNull();
    expect(previousStep(steps, "patient")).toBeNull();
  });

  it("lands on the next shown step when asked for a skipped one", () => {
    expect(resolveStep(steps, "pregnancy")).toBe("substance_use");
    expect(resolveStep(steps, "nonsense")).toBe(REVIEW);
    expect(resolveStep(steps, "patient")).toBe("patient");
  });

  it("counts progress over the shown steps", () => {
    expect(progress(steps, "cardiovascular")).toEqual({ index: 3, total: 5 });
  });

  it("finds the step of a question, also for list entries", () => {
    expect(stepOfQuestion(steps, "trials[2]")).toBe("treatment_history");
    expect(stepOfQuestion(steps, "cardiovascular.systolic_mmhg")).toBe("cardiovascular");
    expect(stepOfQuestion(steps, "unknown.question")).toBeNull();
  });
});
