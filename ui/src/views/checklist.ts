// The checklist: one step at a time, each answer saved as it is given, the result beside it.

import type { Assessment } from "../bindings/Assessment";
import type { AssessmentView } from "../bindings/AssessmentView";
import type { Finding } from "../bindings/Finding";
import type { MedicationResult } from "../bindings/MedicationResult";
import type { Question } from "../bindings/Question";
import { banner, errorText, header, rememberLocation, show, type Ctx } from "../app";
import { boolToTri, getAnswer, parseNumber, setAnswer, triToBool, type Json, type TriValue } from "../answers";
import { combobox, type Suggestion } from "../combobox";
import { h, replace, uid } from "../dom";
import { api, IpcFailure } from "../ipc";
import { nextStep, previousStep, progress, resolveStep, REVIEW, stepOfQuestion, visibleSteps } from "../steps";
import { renderReview } from "./review";

/** The words for a determination ("Deferred — not today"), as the core names it. */
export function determinationTitle(ctx: Ctx, determination: string): string {
  return ctx.info.labels.determinations.find((d) => d.id === determination)?.title ?? determination;
}

function strengthLabel(ctx: Ctx, strength: string): string {
  return ctx.info.labels.strengths.find((s) => s.id === strength)?.title ?? strength;
}

/** The editor's state: the last saved view, and the fields on screen by path. */
export class Editor {
  view: AssessmentView;
  private chain: Promise<void> = Promise.resolve();
  private fields = new Map<string, { error: HTMLElement; input?: HTMLElement }>();
  /** Called after each save with the new view and the one before it. */
  onSaved: (v: AssessmentView, before: AssessmentView) => void = () => {};

  constructor(view: AssessmentView, private readonly ctx: Ctx) {
    this.view = view;
  }

  get answers(): Assessment {
    return this.view.record.answers;
  }

  register(path: string, error: HTMLElement, input?: HTMLElement): void {
    this.fields.set(path, { error, input });
  }

  private showError(path: string, message: string): boolean {
    const f = this.fields.get(path);
    if (!f) return false;
    f.error.textContent = message;
    f.input?.setAttribute("aria-invalid", "true");
    return true;
  }

  clearError(path: string): void {
    const f = this.fields.get(path);
    if (!f) return;
    f.error.textContent = "";
    f.input?.removeAttribute("aria-invalid");
  }

  /** Applies one change to the last saved answers and saves it. A rejected change is shown
   * beside its field and is not saved. Changes are saved in the order they were made. */
  edit(path: string, value: Json): Promise<void> {
    return this.editMany([[path, value]]);
  }

  /** Several answers saved together (a repeat blood pressure: both values or neither). */
  editMany(changes: [string, Json][]): Promise<void> {
    return this.editWith(() => changes);
  }

  /** A change computed from the answers as saved when its turn comes (a list entry added or
   * removed after a field change still in the queue): nothing saved before it is overwritten. */
  editWith(compute: (saved: Assessment) => [string, Json][]): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (!this.view.editable) return;
      const changes = compute(this.view.record.answers);
      if (changes.length === 0) return;
      const path = changes[0][0];
      const candidate = changes.reduce((a, [p, value]) => setAnswer(a, p, value), this.view.record.answers);
      try {
        const v = await api.saveAnswers(this.view.record.id, candidate);
        const before = this.view;
        this.view = v;
        for (const [p] of changes) this.clearError(p);
        this.onSaved(v, before);
      } catch (e) {
        if (!(e instanceof IpcFailure && e.field && (this.showError(e.field, e.message) || this.showError(path, `${e.field}: ${e.message}`)))) {
          this.ctx.alert(e);
        }
      }
    });
    return this.chain;
  }

  /** Waits for every pending save (before leaving the screen). */
  settled(): Promise<void> {
    return this.chain;
  }
}

function requiredMark(q: Question): HTMLElement | null {
  return q.gap_rule ? h("span", { class: "required", title: "Required: unknown makes the result incomplete" }, " (required)") : null;
}

function radios(name: string, options: { value: string; label: string }[], current: string, disabled: boolean, onChange: (v: string) => void): HTMLElement[] {
  return options.map((o) => {
    const id = uid("r");
    const input = h("input", { type: "radio", id, name, value: o.value, checked: current === o.value, disabled, "data-value": o.value });
    input.addEventListener("change", () => input.checked && onChange(o.value));
    return h("span", { class: `choice${o.value === "unknown" ? " unknown" : ""}` }, input, h("label", { for: id }, o.label));
  });
}

const YES_NO_UNKNOWN = [
  { value: "yes", label: "Yes" },
  { value: "no", label: "No" },
  { value: "unknown", label: "Unknown" },
];

/** A yes/no/unknown question at `path`. */
export function triField(ed: Editor, path: string, text: string, q: Question | null): HTMLElement {
  const errorId = uid("err");
  const error = h("p", { class: "error", id: errorId, role: "alert" });
  const legend = h("legend", {}, text, q ? requiredMark(q) : null);
  const current = boolToTri(getAnswer(ed.answers, path));
  const set = h("fieldset", { class: "question", "aria-describedby": errorId, "data-question": path },
    legend,
    h("div", { class: "choices" }, radios(uid(path), YES_NO_UNKNOWN, current, !ed.view.editable, (v) => void ed.edit(path, triToBool(v as TriValue)))),
    error,
  );
  ed.register(path, error, set);
  return set;
}

/** A choice question (options from the rule set) plus Unknown. */
function choiceField(ed: Editor, q: Question): HTMLElement {
  const errorId = uid("err");
  const error = h("p", { class: "error", id: errorId, role: "alert" });
  const value = getAnswer(ed.answers, q.id);
  const current = typeof value === "string" ? value : "unknown";
  const options = [...q.options.map((o) => ({ value: o.value, label: o.label })), { value: "unknown", label: "Unknown" }];
  const set = h("fieldset", { class: "question", "aria-describedby": errorId, "data-question": q.id },
    h("legend", {}, q.text, requiredMark(q)),
    h("div", { class: "choices" }, radios(uid(q.id), options, current, !ed.view.editable, (v) => void ed.edit(q.id, v === "unknown" ? null : v))),
    q.help ? h("p", { class: "muted" }, q.help) : null,
    error,
  );
  ed.register(q.id, error, set);
  return set;
}

/** A number; empty means unknown. Saved as it is typed (after a short pause) and on leaving it,
 * or handed to `save` (a pair of questions saved together). */
export function numberField(ed: Editor, ctx: Ctx, path: string, label: string, unit: string, q: Question | null, rangePath = path, save?: (value: number | null) => void): HTMLElement {
  const id = uid("n");
  const errorId = uid("err");
  const error = h("p", { class: "error", id: errorId, role: "alert" });
  const value = getAnswer(ed.answers, path);
  const range = ctx.catalog.ranges.find((r) => r.path === rangePath);
  const hint = range ? `${range.min}${range.max !== null && range.max !== undefined ? `–${range.max}` : " or more"} ${unit}` : unit;
  const input = h("input", { id, type: "text", inputmode: "decimal", autocomplete: "off", value: typeof value === "number" ? String(value) : "", placeholder: "Unknown", "aria-describedby": errorId, disabled: !ed.view.editable, "data-question": path, size: 8 });
  let timer: number | undefined;
  let last = input.value;
  const commit = () => {
    window.clearTimeout(timer);
    if (input.value === last) return;
    last = input.value;
    const parsed = parseNumber(input.value);
    if ("error" in parsed) {
      error.textContent = parsed.error;
      input.setAttribute("aria-invalid", "true");
      return;
    }
    if (save) save(parsed.value);
    else void ed.edit(path, parsed.value);
  };
  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(commit, 400);
  });
  input.addEventListener("change", commit);
  input.addEventListener("blur", commit);
  ed.register(path, error, input);
  return h("div", { class: "field question" },
    h("label", { for: id }, label, q ? requiredMark(q) : null),
    h("span", { class: "with-unit" }, input, h("span", { class: "unit" }, unit)),
    h("span", { class: "muted hint" }, `Allowed ${hint}; leave empty if unknown`),
    q?.help ? h("p", { class: "muted" }, q.help) : null,
    error,
  );
}

/** Two numbers answered together (the repeat blood pressure): saved when both are given or both
 * are empty; with one only, the other says it is needed and nothing is saved yet. */
function pairField(ed: Editor, ctx: Ctx, first: Question, second: Question): HTMLElement {
  const value = (path: string) => {
    const input = document.querySelector<HTMLInputElement>(`input[data-question='${path}']`);
    const parsed = parseNumber(input?.value ?? "");
    return "error" in parsed ? undefined : parsed.value;
  };
  const save = () => {
    const a = value(first.id);
    const b = value(second.id);
    if (a === undefined || b === undefined) return;
    if ((a === null) !== (b === null)) {
      const missing = a === null ? first : second;
      const error = document.querySelector(`input[data-question='${missing.id}']`)?.closest(".field")?.querySelector(".error");
      if (error) error.textContent = `Enter the ${missing.text.toLowerCase()} too: a repeat reading needs both values (not saved yet).`;
      return;
    }
    void ed.editMany([[first.id, a], [second.id, b]]);
  };
  return h("div", { class: "pair" },
    numberField(ed, ctx, first.id, first.text, first.unit ?? "", first, first.id, save),
    numberField(ed, ctx, second.id, second.text, second.unit ?? "", second, second.id, save),
  );
}

function questionWidget(ed: Editor, ctx: Ctx, q: Question): HTMLElement {
  switch (q.answer) {
    case "bool":
      return triField(ed, q.id, q.text, q);
    case "choice":
      return choiceField(ed, q);
    case "number":
      return numberField(ed, ctx, q.id, q.text, q.unit ?? "", q);
    default:
      return h("p", {}, q.text);
  }
}

// ------------------------------------------------------------------ trials and medications

/** Generic and brand names from the drug catalog, for completion. */
function drugSuggestions(ctx: Ctx): Suggestion[] {
  return ctx.catalog.drugs.map((d) => ({ value: d.name, note: d.name === d.generic ? "" : `(${d.generic})` }));
}

/** A drug or medication name, completing from the catalog; empty means unknown. Decisions the
 * clinician made for the old name (its classes, an equivalent, a confirmation: `clears`, paths
 * beside this one) are cleared with a new name, in the same save. */
function nameField(ed: Editor, ctx: Ctx, path: string, label: string, clears: string[] = []): HTMLElement {
  const id = uid("t");
  const errorId = uid("err");
  const error = h("p", { class: "error", id: errorId, role: "alert" });
  const value = getAnswer(ed.answers, path);
  const input = h("input", { id, type: "text", autocomplete: "off", value: typeof value === "string" ? value : "", placeholder: "Unknown", "aria-describedby": errorId, disabled: !ed.view.editable, "data-question": path });
  let last = input.value;
  const commit = () => {
    if (input.value === last) return;
    last = input.value;
    const base = path.slice(0, path.lastIndexOf(".") + 1);
    const name = input.value.trim() === "" ? null : input.value.trim();
    void ed.editWith((saved) => [[path, name], ...clears.filter((c) => getAnswer(saved, base + c) !== undefined).map((c): [string, Json] => [base + c, null])]);
  };
  const list = combobox(input, drugSuggestions(ctx), commit);
  input.addEventListener("change", commit);
  input.addEventListener("blur", commit);
  ed.register(path, error, input);
  return h("div", { class: "field combo" }, h("label", { for: id }, label), input, list, error);
}

/** What differs between the two list steps (trials, current medications). */
interface ListSpec {
  key: "trials" | "medications";
  /** The singular, as in "Add a trial", "Trial 2", "Remove trial 2". */
  noun: string;
  /** `data-action` of the add button and of the "none" button. */
  addAction: string;
  noneAction: string;
  noneLabel: string;
  noneText: string;
  /** The field focused in a newly added entry (its path ends with this). */
  firstField: string;
  /** The fields and status of entry `i`. */
  entry: (i: number) => (HTMLElement | null)[];
  /** Attributes of each entry's fieldset. */
  entryAttrs: (i: number) => Record<string, string | number>;
}

/** A list answer: unknown until recorded, "none", or entries that can be added and removed. */
function listStep(ed: Editor, spec: ListSpec, rerender: () => void): HTMLElement {
  const items = ed.answers[spec.key];
  const container = h("div", { class: "list-step" });
  /** Changes the list from its saved state when its turn in the save queue comes. */
  const editList = async (change: (list: unknown[]) => unknown[] | null) => {
    await ed.editWith((saved) => {
      const next = change([...(saved[spec.key] ?? [])]);
      return next ? [[spec.key, next as unknown as Json]] : [];
    });
    rerender();
  };
  const add = h("button", { type: "button", disabled: !ed.view.editable, "data-action": spec.addAction, onclick: async () => {
    await editList((list) => [...list, {}]);
    const inputs = document.querySelectorAll<HTMLInputElement>(`[data-question$='.${spec.firstField}']`);
    inputs[inputs.length - 1]?.focus();
  } }, `Add a ${spec.noun}`);
  if (items === null || items === undefined) {
    container.append(
      h("p", { class: "unknown-state" }, "Not recorded yet (unknown)."),
      h("div", { class: "actions" }, add, h("button", { type: "button", disabled: !ed.view.editable, "data-action": spec.noneAction, onclick: () => editList(() => []) }, spec.noneLabel)),
    );
    return container;
  }
  if (items.length === 0) container.append(h("p", {}, spec.noneText));
  const title = spec.noun[0].toUpperCase() + spec.noun.slice(1);
  items.forEach((_, i) => {
    container.append(h("fieldset", spec.entryAttrs(i),
      h("legend", {}, `${title} ${i + 1}`),
      ...spec.entry(i),
      h("button", { type: "button", class: "secondary", disabled: !ed.view.editable, onclick: () => {
        return editList((list) => {
          list.splice(i, 1);
          return list;
        });
      } }, `Remove ${spec.noun} ${i + 1}`),
    ));
  });
  container.append(h("div", { class: "actions" }, add));
  return container;
}

function trialsStep(ed: Editor, ctx: Ctx, rerender: () => void): HTMLElement {
  const q = ctx.catalog.questions.find((x) => x.id === "trials");
  const list = listStep(ed, {
    key: "trials", noun: "trial", addAction: "add-trial", noneAction: "no-trials",
    noneLabel: "No antidepressant trials in this episode", noneText: "No trials (none).", firstField: "drug",
    entryAttrs: (i) => ({ class: "trial", "data-trial": i }),
    entry: (i) => {
      const p = (f: string) => `trials[${i}].${f}`;
      const result = ed.view.evaluation.trials[i];
      // Asked only where it can change the count (a drug outside the catalog, or an augmentation
      // agent without a cited minimum when the site counts augmentation): decided by the core.
      const confirm = result?.needs_confirmation
        ? triField(ed, p("adequacy_confirmed_by_clinician"), `Not in the dose table${result.suggestion ? ` (did you mean ${result.suggestion}?)` : ""}: is it an antidepressant, given at an adequate dose, in your judgement?`, null)
        : null;
      return [
        h("div", { class: "grid" },
          nameField(ed, ctx, p("drug"), "Drug (generic or brand)", ["adequacy_confirmed_by_clinician"]),
          numberField(ed, ctx, p("dose_mg_per_day"), "Dose", "mg/day", null, "trials[].dose_mg_per_day"),
          numberField(ed, ctx, p("weeks_at_dose"), "Weeks at or above that dose", "weeks", null, "trials[].weeks_at_dose"),
          numberField(ed, ctx, p("improvement_percent"), "Improvement during the trial", "%", null, "trials[].improvement_percent"),
        ),
        h("div", { class: "grid" },
          triField(ed, p("adherent"), "Taken as prescribed", null),
          triField(ed, p("current_episode"), "In the current episode", null),
          triField(ed, p("stopped_for_intolerance"), "Stopped for intolerance", null),
        ),
        confirm,
        h("p", { class: `trial-status ${result?.counted ? "counts" : ""}`, role: "status", "data-trial-status": i }, result?.explanation ?? ""),
      ];
    },
  }, rerender);
  list.prepend(h("p", { class: "muted" }, q?.help ?? ""));
  return list;
}

/** "Benzodiazepine · diazepam equivalent 10 mg/day", from the core's classification. */
function medicationStatus(ctx: Ctx, m: MedicationResult | undefined): string {
  if (!m) return "";
  const names = m.classes.map((c) => ctx.catalog.classes[c] ?? c).join(", ");
  let classes: string;
  if (isUnrecognised(m)) classes = m.suggestion ? `Not recognised (did you mean ${m.suggestion}?): choose its classes below` : "Not recognised: choose its classes below";
  else if (m.classified_by_clinician) classes = names ? `${names} (chosen by you)` : "Reviewed: none of the interacting classes";
  else classes = m.name ? names || "None of the interacting classes" : "";
  const dz = m.diazepam_equivalent_mg;
  return dz !== null && dz !== undefined ? `${classes} · diazepam equivalent ${Math.round(dz * 10) / 10} mg/day` : classes;
}

/** What decides which extra fields the list steps show (class picker, confirmation, equivalent). */
function listShape(v: AssessmentView): string {
  const meds = v.evaluation.medications.map((m) => [!!m.name && !m.generic, m.suggestion ?? "", m.classes.includes("benzodiazepine"), m.diazepam_equivalent_mg === null || m.diazepam_equivalent_mg === undefined, m.dose_mg_per_day !== null && m.dose_mg_per_day !== undefined]);
  const trials = v.evaluation.trials.map((t) => [!!t.needs_confirmation, t.suggestion ?? ""]);
  return JSON.stringify([meds, trials]);
}

/** Named, not in the catalog and not classified yet: the result stays incomplete. */
function isUnrecognised(m: MedicationResult | undefined): boolean {
  return !!m && !!m.name && !m.generic && !m.classified_by_clinician;
}

/** For a name the catalog does not know: "did you mean …", and its classes as checkboxes with
 * "none of these". Keyboard: Tab between the boxes, Space to tick. */
function classPicker(ed: Editor, ctx: Ctx, i: number, m: MedicationResult, rerender: () => void): HTMLElement {
  const path = `medications[${i}].classes`;
  const chosen = getAnswer(ed.answers, path);
  const current: string[] | null = Array.isArray(chosen) ? (chosen as string[]) : null;
  // Each tick changes the classes as saved when its turn comes: quick ticks are never lost.
  const save = async (change: (saved: string[] | null) => string[] | null) => {
    await ed.editWith((saved) => {
      const now = getAnswer(saved, path);
      return [[path, change(Array.isArray(now) ? (now as string[]) : null)]];
    });
    rerender();
  };
  const classes = Object.entries(ctx.catalog.classes).sort(([, a], [, b]) => a.localeCompare(b));
  const boxes = classes.map(([id, name]) => {
    const boxId = uid("c");
    const box = h("input", { type: "checkbox", id: boxId, checked: !!current?.includes(id), disabled: !ed.view.editable, "data-class": id, "data-focus": `${path}:${id}` });
    box.addEventListener("change", () => {
      const checked = box.checked;
      void save((saved) => {
        const next = new Set(saved ?? []);
        if (checked) next.add(id);
        else next.delete(id);
        return next.size ? [...next] : null;
      });
    });
    return h("span", { class: "choice" }, box, h("label", { for: boxId }, name));
  });
  const noneId = uid("c");
  const none = h("input", { type: "checkbox", id: noneId, checked: current !== null && current.length === 0, disabled: !ed.view.editable, "data-class": "none", "data-focus": `${path}:none` });
  none.addEventListener("change", () => {
    const checked = none.checked;
    void save(() => (checked ? [] : null));
  });
  const errorId = uid("err");
  const error = h("p", { class: "error", id: errorId, role: "alert" });
  ed.register(path, error);
  const suggestion = m.suggestion;
  const offer = suggestion && ed.view.editable
    ? h("p", {}, `Did you mean ${suggestion}? `,
      h("button", { type: "button", class: "secondary", "data-action": "use-suggestion", onclick: async () => {
        await ed.edit(`medications[${i}].name`, suggestion);
        rerender();
      } }, `Use ${suggestion}`))
    : null;
  return h("fieldset", { class: "class-picker question", "aria-describedby": errorId, "data-question": path },
    h("legend", {}, `${m.name ?? "This medication"} is not in the catalog: which of these classes is it in?`),
    offer,
    h("div", { class: "choices classes" }, boxes, h("span", { class: "choice none" }, none, h("label", { for: noneId }, "None of these"))),
    current === null ? h("p", { class: "muted" }, "Until you answer, the result stays incomplete: an unreviewed benzodiazepine, opioid or MAOI must not end in eligible.") : null,
    error,
  );
}

function medicationsStep(ed: Editor, ctx: Ctx, rerender: () => void): HTMLElement {
  return listStep(ed, {
    key: "medications", noun: "medication", addAction: "add-medication", noneAction: "no-medications",
    noneLabel: "Takes no medication", noneText: "No current medication (none).", firstField: "name",
    entryAttrs: (i) => ({ class: "medication", "data-medication": i }),
    entry: (i) => {
      const p = (f: string) => `medications[${i}].${f}`;
      const m = ed.view.evaluation.medications[i];
      const outsideCatalog = !!m && !!m.name && !m.generic;
      // A benzodiazepine without an equivalent in the catalog: the clinician may give one.
      const needsEquivalent = !!m && m.classes.includes("benzodiazepine") && m.dose_mg_per_day !== null && (m.diazepam_equivalent_mg === null || m.diazepam_equivalent_mg === undefined || getAnswer(ed.answers, p("diazepam_equivalent_mg_per_day")) !== undefined);
      return [
        h("div", { class: "grid" },
          nameField(ed, ctx, p("name"), "Medication (generic or brand)", ["classes", "diazepam_equivalent_mg_per_day"]),
          // The clinician's equivalent was given for the old dose: a new dose clears it.
          numberField(ed, ctx, p("dose_mg_per_day"), "Dose", "mg/day", null, "medications[].dose_mg_per_day", (dose) =>
            void ed.editWith((saved) => [[p("dose_mg_per_day"), dose], ...(getAnswer(saved, p("diazepam_equivalent_mg_per_day")) !== undefined ? [[p("diazepam_equivalent_mg_per_day"), null] as [string, Json]] : [])])),
          needsEquivalent ? numberField(ed, ctx, p("diazepam_equivalent_mg_per_day"), "Diazepam equivalent (your estimate)", "mg/day", null, "medications[].diazepam_equivalent_mg_per_day") : null,
        ),
        outsideCatalog && m ? classPicker(ed, ctx, i, m, rerender) : null,
        h("p", { class: `med-status${isUnrecognised(m) ? " unrecognised" : ""}`, role: "status", "data-med-status": i }, medicationStatus(ctx, m)),
      ];
    },
  }, rerender);
}

// ------------------------------------------------------------------ result panel

function findingItem(ctx: Ctx, f: Finding, goTo: (question: string) => void): HTMLElement {
  const rule = ctx.catalog.rules.find((r) => r.id === f.rule);
  const detailsId = uid("why");
  const details = h("div", { id: detailsId, class: "why", hidden: true },
    rule ? h("p", {}, h("strong", {}, "Rule: "), rule.trigger) : null,
    h("p", {}, h("strong", {}, "Source: "), `${f.source} (${strengthLabel(ctx, f.strength)})`),
  );
  const why = h("button", { type: "button", class: "link", "aria-expanded": "false", "aria-controls": detailsId, "data-why": f.rule }, "Why?");
  why.addEventListener("click", () => {
    const open = why.getAttribute("aria-expanded") === "true";
    why.setAttribute("aria-expanded", String(!open));
    details.hidden = open;
  });
  const question = f.question;
  return h("li", { class: `finding ${f.level}${f.urgent ? " urgent" : ""}`, role: f.level === "contraindication" || f.urgent ? "alert" : null, "data-rule": f.rule },
    h("span", { class: "rule" }, f.rule), " ", f.message, " ",
    why,
    question && ctx.catalog.questions.length ? h("button", { type: "button", class: "link", onclick: () => goTo(question) }, "Go to question") : null,
    details,
  );
}

export function resultPanel(ctx: Ctx, v: AssessmentView, goTo: (question: string) => void): HTMLElement {
  const e = v.evaluation;
  const groups = ctx.info.labels.levels.map((level) => ({ level, items: e.findings.filter((f) => f.level === level.id) })).filter((g) => g.items.length > 0);
  const urgent = e.findings.filter((f) => f.urgent);
  const defer = e.findings.filter((f) => f.level === "defer");
  return h("div", {},
    h("h2", { id: "result-h" }, "Result"),
    // Urgent findings are announced above the determination.
    urgent.length ? h("div", { class: "urgent-block", role: "alert", "data-urgent": "" }, urgent.map((f) => h("p", {}, h("strong", {}, `${f.rule}: `), f.message))) : null,
    h("p", { class: `determination ${e.determination}`, "data-determination": e.determination }, determinationTitle(ctx, e.determination)),
    e.determination === "deferred"
      ? h("div", { class: "recheck", "data-recheck": "" }, h("p", {}, "Treatment must not go ahead today. This is not a lasting exclusion: recheck and reassess."),
        h("ul", {}, defer.map((f) => h("li", {}, f.message))))
      : null,
    h("p", {}, `Failed adequate trials: ${e.failed_adequate_trials} (${e.required_failed_trials} required)`),
    groups.map((g) => h("section", { class: "level" }, h("h3", {}, `${g.level.title} (${g.items.length})`), h("ul", {}, g.items.map((f) => findingItem(ctx, f, goTo))))),
    h("p", { class: "muted small" }, `Rule set ${e.ruleset.id} v${e.ruleset.version}. Supports, does not replace, clinical judgement.`),
  );
}

// ------------------------------------------------------------------ the screen

export async function renderAssessment(root: HTMLElement, ctx: Ctx, id: number, step?: string): Promise<void> {
  let view: AssessmentView;
  try {
    view = await api.openAssessment(id);
  } catch (e) {
    show(root, header(ctx, "home"), h("main", { id: "main" }, h("h1", {}, "Assessment"), banner(errorText(e))));
    return;
  }
  const ed = new Editor(view, ctx);
  let current = resolveStep(view.steps, step ?? "patient");
  const stepNav = h("nav", { class: "steps", "aria-label": "Checklist steps" });
  const form = h("div", { class: "step-content" });
  const result = h("aside", { class: "result", "aria-labelledby": "result-h", "aria-live": "polite" });
  const title = h("h1", {});
  const statusLine = h("p", { class: "record-status" });

  const goToQuestion = (question: string) => {
    const s = stepOfQuestion(ed.view.steps, question);
    if (s) {
      go(s).then(() => {
        const el = document.querySelector<HTMLElement>(`[data-question^='${question}'] input, input[data-question^='${question}'], [data-question^='${question}']`);
        el?.focus();
      }).catch(ctx.alert);
    }
  };

  const showResult = () => {
    const heading = document.getElementById("result-h");
    if (!heading) return;
    heading.setAttribute("tabindex", "-1");
    heading.scrollIntoView({ block: "start" });
    heading.focus();
  };

  const refreshSide = () => {
    const v = ed.view;
    const p = progress(v.steps, current);
    replace(stepNav,
      h("p", { class: "progress" }, `Step ${p.index} of ${p.total}`,
        // Shown only when the result panel sits below the step (narrow window or large text).
        h("button", { type: "button", class: "result-jump link", onclick: () => showResult() }, `Result: ${determinationTitle(ctx, v.evaluation.determination)}`)),
      h("ol", {}, visibleSteps(v.steps).map((s) => h("li", {},
        h("button", { type: "button", class: "step-link", "aria-current": s.id === current ? "step" : null, onclick: () => void go(s.id), "data-step": s.id },
          s.title, s.missing > 0 ? h("span", { class: "badge", title: `${s.missing} required answer(s) unknown` }, ` ${s.missing} unknown`) : null),
      ))),
    );
    replace(result, resultPanel(ctx, v, goToQuestion));
    const r = v.record;
    title.textContent = `${v.patient.name || "(no name)"} · MRN ${v.patient.mrn}`;
    statusLine.textContent = r.status === "draft" ? `Draft, version ${r.version} — saved as you type` : `Final, version ${r.version}: finalised by ${r.finalised_by ?? ""} on ${(r.finalised_at ?? "").replace("T", " ").replace("Z", " UTC")} — read-only`;
    // Trial and medication status lines, from the core's judgement.
    v.evaluation.trials.forEach((t, i) => {
      const el = document.querySelector(`[data-trial-status='${i}']`);
      if (el) {
        el.textContent = t.explanation;
        el.classList.toggle("counts", t.counted);
      }
    });
    v.evaluation.medications.forEach((m, i) => {
      const el = document.querySelector(`[data-med-status='${i}']`);
      if (el) el.textContent = medicationStatus(ctx, m);
    });
  };

  const renderStep = () => {
    const v = ed.view;
    rememberLocation({ name: "assessment", id, step: current });
    if (current === REVIEW) {
      replace(form, h("h2", {}, "Review"));
      void renderReview(form, ctx, ed, (nv) => {
        if (nv.record.id !== ed.view.record.id) {
          ctx.go({ name: "assessment", id: nv.record.id, step: "patient" });
          return;
        }
        ed.view = nv;
        refreshSide();
        renderStep();
      });
      return;
    }
    const stepDef = v.steps.find((s) => s.id === current);
    const title = ctx.catalog.steps.find((s) => s.id === current)?.title ?? current;
    const body: HTMLElement[] = [];
    if (current === "treatment_history") body.push(trialsStep(ed, ctx, rerenderKeepingFocus));
    else if (current === "medications") body.push(medicationsStep(ed, ctx, rerenderKeepingFocus));
    else {
      const paired = new Set(ctx.catalog.questions.flatMap((x) => (x.paired_with ? [x.paired_with] : [])));
      for (const qs of stepDef?.questions ?? []) {
        if (!qs.applies || paired.has(qs.id)) continue;
        const q = ctx.catalog.questions.find((x) => x.id === qs.id);
        const partner = q?.paired_with ? ctx.catalog.questions.find((x) => x.id === q.paired_with) : undefined;
        if (q && partner) body.push(pairField(ed, ctx, q, partner));
        else if (q) body.push(questionWidget(ed, ctx, q));
      }
    }
    const next = nextStep(v.steps, current);
    const prev = previousStep(v.steps, current);
    replace(form,
      h("h2", { id: "step-h", tabindex: -1 }, title),
      h("form", { class: "questions", "aria-labelledby": "step-h", onsubmit: (e: Event) => e.preventDefault() }, body),
      h("div", { class: "actions step-actions" },
        prev ? h("button", { type: "button", "data-action": "back", onclick: () => void go(prev) }, "Back") : null,
        next ? h("button", { type: "button", class: "primary", "data-action": "next", onclick: () => void go(next) }, next === REVIEW ? "Review" : "Next") : null,
      ),
    );
  };

  async function go(stepId: string) {
    await ed.settled();
    current = resolveStep(ed.view.steps, stepId);
    refreshSide();
    renderStep();
    document.getElementById("step-h")?.focus();
  }

  ed.onSaved = (v, previous) => {
    const shapeBefore = listShape(previous);
    ed.view = v;
    // A changed answer may make a step apply or not (childbearing potential → Pregnancy): the
    // step list is redrawn from the new view.
    refreshSide();
    // A name the catalog does not know asks for its classes; a drug outside the dose table for
    // the clinician's confirmation: the list step shows those fields at once, keeping the focus.
    if (shapeBefore !== listShape(v) && (current === "medications" || current === "treatment_history")) {
      rerenderKeepingFocus();
    }
  };

  /** Redraws the step; the focused control keeps the focus, and what is being typed in it
   * carries over to its new input, not lost. */
  function rerenderKeepingFocus() {
    const active = document.activeElement instanceof HTMLInputElement ? document.activeElement : null;
    const key = active?.getAttribute("data-focus") ? "data-focus" : "data-question";
    const focused = active?.getAttribute(key);
    const typed = active?.type === "text" ? active.value : undefined;
    renderStep();
    const again = focused ? document.querySelector<HTMLInputElement>(`input[${key}='${focused}']`) : null;
    if (again) {
      again.focus();
      if (typed !== undefined && again.type === "text" && again.value !== typed) {
        again.value = typed;
        again.dispatchEvent(new Event("input"));
      }
    }
  }

  show(root,
    header(ctx, "home"),
    h("main", { id: "main", class: "assessment" },
      h("div", { class: "record-head" }, title, statusLine,
        h("button", { type: "button", class: "secondary", onclick: async () => { await ed.settled(); ctx.go({ name: "home", patientId: ed.view.patient.id }); } }, "Back to patient")),
      h("div", { class: "layout" }, stepNav, h("section", { class: "step", "aria-live": "off" }, form), result),
    ),
  );
  refreshSide();
  renderStep();
  document.getElementById("step-h")?.focus();
}
