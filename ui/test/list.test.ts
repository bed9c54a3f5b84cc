import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { Assessment } from "../src/bindings/Assessment";
import type { AssessmentView } from "../src/bindings/AssessmentView";
import type { Ctx } from "../src/app";
import { replace } from "../src/dom";
import { Editor } from "../src/editor";
import { trialsStep } from "../src/screens/trials";

afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

function view(answers: Partial<Assessment>): AssessmentView {
  return {
    record: {
      id: 7, patient_id: 1, version: 1, amends: null, amended_by: null, status: "draft", acknowledgements: {}, acknowledged_for: {}, created_at: "", updated_at: "",
      answers: { schema: "trdcheck/assessment/v2", patient: { id: "X" }, episode: {}, cardiovascular: {}, respiratory: {}, pregnancy: {}, substance_use: {}, psychiatric: {}, medical: {}, ...answers },
    },
    patient: { id: 1, mrn: "X", name: "Test", created_at: "" },
    evaluation: { determination: "incomplete", failed_adequate_trials: 0, required_failed_trials: 2, findings: [], ruleset: { id: "r", version: "1", sha256: "" }, policy: { min_weeks_at_dose: 6, failure_threshold_percent: 50, bp_stop_systolic_mmhg: 180, bp_stop_diastolic_mmhg: 110, active_sud_level: "contraindication" }, trials: [], medications: [] },
    steps: [],
    editable: true,
    stale_acknowledgements: {},
  };
}

const ctx = {
  catalog: { ranges: [], drugs: [], questions: [], classes: {} },
  alert: (e: unknown) => {
    throw e;
  },
} as unknown as Ctx;

/** The trials step on the page, redrawn after each list change as the screen does. */
function mount(ed: Editor): void {
  const draw = () => replace(document.body, trialsStep(ed, ctx, draw));
  draw();
}

function type(path: string, text: string): void {
  const input = document.querySelector<HTMLInputElement>(`input[data-question='${path}']`);
  if (!input) throw new Error(`no field ${path}`);
  input.value = text;
  input.dispatchEvent(new Event("input"));
}

async function settle(ed: Editor): Promise<void> {
  await new Promise((r) => setTimeout(r, 0));
  await ed.settled();
}

describe("typing in a field and pressing Add or Remove at once loses nothing", () => {
  // The shell saves what it is given and returns it, slowly, as the app does.
  const saveSlowly = () =>
    mockIPC(async (_cmd, args) => {
      await new Promise((r) => setTimeout(r, 20));
      return view((args as { answers: Assessment }).answers);
    });

  it("a dose typed just before Add (no pause, no leaving the field) is saved with the new entry", async () => {
    saveSlowly();
    const ed = new Editor(view({ trials: [{ drug: "sertraline" }] }), ctx);
    mount(ed);
    type("trials[0].dose_mg_per_day", "150");
    document.querySelector<HTMLButtonElement>("[data-action='add-trial']")!.click();
    await settle(ed);
    expect(ed.answers.trials).toEqual([{ drug: "sertraline", dose_mg_per_day: 150 }, {}]);
  });

  it("a dose typed in the second trial stays with it when the first is removed at once", async () => {
    saveSlowly();
    const ed = new Editor(view({ trials: [{ drug: "sertraline" }, { drug: "escitalopram" }] }), ctx);
    mount(ed);
    type("trials[1].dose_mg_per_day", "20");
    [...document.querySelectorAll<HTMLButtonElement>("button")].find((b) => b.textContent === "Remove trial 1")!.click();
    await settle(ed);
    expect(ed.answers.trials).toEqual([{ drug: "escitalopram", dose_mg_per_day: 20 }]);
    // The field's own pause ends later: it saves nothing more (and nothing in the wrong entry).
    await new Promise((r) => setTimeout(r, 450));
    await ed.settled();
    expect(ed.answers.trials).toEqual([{ drug: "escitalopram", dose_mg_per_day: 20 }]);
  });

  it("a field redrawn while its pause runs never saves into the entry that took its place", async () => {
    saveSlowly();
    const ed = new Editor(view({ trials: [{ drug: "sertraline" }, { drug: "escitalopram" }] }), ctx);
    const draw = () => replace(document.body, trialsStep(ed, ctx, draw));
    draw();
    type("trials[1].dose_mg_per_day", "20");
    // The step is redrawn (a save changed what it shows) before the pause ends, then the first
    // trial is removed: the old input's pending save must not land in the new trials[1].
    draw();
    [...document.querySelectorAll<HTMLButtonElement>("button")].find((b) => b.textContent === "Remove trial 1")!.click();
    await settle(ed);
    await new Promise((r) => setTimeout(r, 450));
    await ed.settled();
    expect(ed.answers.trials).toEqual([{ drug: "escitalopram" }]);
  });
});
