import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { AssessmentView } from "../src/bindings/AssessmentView";
import type { Ctx } from "../src/app";
import { api, IpcFailure } from "../src/ipc";
import { Editor } from "../src/editor";
import { suggest } from "../src/combobox";

afterEach(() => clearMocks());

function view(systolic?: number): AssessmentView {
  return {
    record: {
      id: 7, patient_id: 1, version: 1, amends: null, amended_by: null, status: "draft", acknowledgements: {}, acknowledged_for: {}, created_at: "", updated_at: "",
      answers: { schema: "trdcheck/assessment/v2", patient: { id: "X" }, episode: {}, cardiovascular: systolic === undefined ? {} : { systolic_mmhg: systolic }, respiratory: {}, pregnancy: {}, substance_use: {}, psychiatric: {}, medical: {} },
    },
    patient: { id: 1, mrn: "X", name: "Test", created_at: "" },
    evaluation: { determination: "incomplete", failed_adequate_trials: 0, required_failed_trials: 2, findings: [], ruleset: { id: "r", version: "1", sha256: "" }, policy: { min_weeks_at_dose: 6, failure_threshold_percent: 50, bp_stop_systolic_mmhg: 180, bp_stop_diastolic_mmhg: 110, active_sud_level: "contraindication" }, trials: [], medications: [] },
    steps: [],
    editable: true,
    stale_acknowledgements: {},
  };
}

describe("IPC layer", () => {
  it("calls the command with its arguments", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return view(120);
    });
    const v = await api.saveAnswers(7, view(120).record.answers);
    expect(v.record.answers.cardiovascular.systolic_mmhg).toBe(120);
    expect(calls[0][0]).toBe("save_answers");
    expect((calls[0][1] as { id: number }).id).toBe(7);
  });

  it("turns {code, message, field} into an IpcFailure naming the field", async () => {
    mockIPC(() => {
      throw { code: "invalid_field", message: "400 is out of range; allowed 50–300 mmHg", field: "cardiovascular.systolic_mmhg" };
    });
    const e = await api.saveAnswers(7, view().record.answers).catch((x) => x);
    expect(e).toBeInstanceOf(IpcFailure);
    expect(e.code).toBe("invalid_field");
    expect(e.field).toBe("cardiovascular.systolic_mmhg");
  });
});

describe("the editor saves each answer on the last saved state", () => {
  const ctx = { alert: (e: unknown) => { throw e; } } as unknown as Ctx;

  it("shows a rejected answer beside its field and does not save it", async () => {
    mockIPC((_cmd, args) => {
      const a = (args as { answers: AssessmentView["record"]["answers"] }).answers;
      const s = a.cardiovascular.systolic_mmhg;
      if (typeof s === "number" && s > 300) throw { code: "invalid_field", message: `${s} is out of range; allowed 50–300 mmHg`, field: "cardiovascular.systolic_mmhg" };
      return view(s ?? undefined);
    });
    const ed = new Editor(view(), ctx);
    const error = document.createElement("p");
    const input = document.createElement("input");
    document.body.append(input, error);
    ed.register("cardiovascular.systolic_mmhg", error, input);
    await ed.edit("cardiovascular.systolic_mmhg", 400);
    expect(error.textContent).toContain("out of range");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(ed.answers.cardiovascular.systolic_mmhg).toBeUndefined();
    await ed.edit("cardiovascular.systolic_mmhg", 146);
    expect(error.textContent).toBe("");
    expect(ed.answers.cardiovascular.systolic_mmhg).toBe(146);
  });
});

describe("list changes go through the save queue", () => {
  const ctx = { alert: (e: unknown) => { throw e; } } as unknown as Ctx;

  it("a field typed just before Add is not lost", async () => {
    // The mock saves slowly and returns what it was given, as the app does.
    mockIPC(async (_cmd, args) => {
      await new Promise((r) => setTimeout(r, 20));
      const v = view();
      v.record.answers = (args as { answers: AssessmentView["record"]["answers"] }).answers;
      return v;
    });
    const ed = new Editor(view(), ctx);
    const typed = ed.edit("trials", [{ drug: "sertraline" }]);
    // Add pressed at once, while the first save is still on its way.
    const added = ed.editWith((saved) => [["trials", [...(saved.trials ?? []), {}]]]);
    await Promise.all([typed, added]);
    expect(ed.answers.trials).toEqual([{ drug: "sertraline" }, {}]);
  });
});

describe("drug completion", () => {
  it("suggests names that start with the text first, then those that contain it", () => {
    const all = [{ value: "Zoloft", note: "(sertraline)" }, { value: "sertraline", note: "" }, { value: "escitalopram", note: "" }, { value: "citalopram", note: "" }];
    expect(suggest(all, "cital").map((s) => s.value)).toEqual(["citalopram", "escitalopram"]);
    expect(suggest(all, "ZOL").map((s) => s.value)).toEqual(["Zoloft"]);
    expect(suggest(all, "  ")).toEqual([]);
  });
});
