import { describe, expect, it } from "vitest";
import type { Assessment } from "../src/bindings/Assessment";
import { boolToTri, getAnswer, parseNumber, parsePath, setAnswer, triToBool } from "../src/answers";

const blank = (): Assessment => ({
  schema: "trdcheck/assessment/v2",
  patient: { id: "X" },
  episode: {}, cardiovascular: {}, respiratory: {}, pregnancy: {}, substance_use: {}, psychiatric: {}, medical: {},
});

describe("answers by path", () => {
  it("parses nested and list paths", () => {
    expect(parsePath("cardiovascular.systolic_mmhg")).toEqual(["cardiovascular", "systolic_mmhg"]);
    expect(parsePath("trials[2].dose_mg_per_day")).toEqual(["trials", 2, "dose_mg_per_day"]);
    expect(() => parsePath("trials[x]")).toThrow();
    // Names with digits (rule set version 2).
    expect(parsePath("respiratory.spo2_percent")).toEqual(["respiratory", "spo2_percent"]);
    expect(parsePath("episode.phq9_total")).toEqual(["episode", "phq9_total"]);
    expect(() => parsePath("9lives")).toThrow();
  });

  it("sets a medication's classes: a list, [] for none, null for not classified", () => {
    const a = setAnswer(blank(), "medications", [{ name: "lorazapam" }]);
    const b = setAnswer(a, "medications[0].classes", ["benzodiazepine"]);
    expect(b.medications?.[0]?.classes).toEqual(["benzodiazepine"]);
    const none = setAnswer(b, "medications[0].classes", []);
    expect(none.medications?.[0]?.classes).toEqual([]);
    const cleared = setAnswer(none, "medications[0].classes", null);
    expect("classes" in (cleared.medications?.[0] ?? {})).toBe(false);
  });

  it("sets without changing the original, and null removes the answer (unknown)", () => {
    const a = blank();
    const b = setAnswer(a, "cardiovascular.systolic_mmhg", 146);
    expect(getAnswer(b, "cardiovascular.systolic_mmhg")).toBe(146);
    expect(getAnswer(a, "cardiovascular.systolic_mmhg")).toBeUndefined();
    const c = setAnswer(b, "cardiovascular.systolic_mmhg", null);
    expect("systolic_mmhg" in c.cardiovascular).toBe(false);
  });

  it("sets inside list entries", () => {
    const a = setAnswer(blank(), "trials", [{}, {}]);
    const b = setAnswer(a, "trials[1].drug", "Zoloft");
    expect(b.trials?.[1]?.drug).toBe("Zoloft");
    expect(b.trials?.[0]).toEqual({});
  });

  it("maps yes/no/unknown and numbers; empty is unknown, never zero", () => {
    expect(boolToTri(true)).toBe("yes");
    expect(boolToTri(false)).toBe("no");
    expect(boolToTri(null)).toBe("unknown");
    expect(boolToTri(undefined)).toBe("unknown");
    expect(triToBool("unknown")).toBeNull();
    expect(parseNumber("")).toEqual({ value: null });
    expect(parseNumber(" 12,5 ")).toEqual({ value: 12.5 });
    expect(parseNumber("abc")).toHaveProperty("error");
  });
});
