// The checklist screen: one step at a time, each answer saved as it is given, the result beside it.

import type { AssessmentView } from "../bindings/AssessmentView";
import { banner, errorText, header, show, type Ctx } from "../app";
import { h, replace } from "../dom";
import { Editor } from "../editor";
import { setBeforeLock } from "../idle";
import { api } from "../ipc";
import { determinationTitle } from "../labels";
import { rememberLocation } from "../location";
import { nextStep, previousStep, progress, resolveStep, REVIEW, stepOfQuestion, visibleSteps } from "../steps";
import { pairField } from "../widgets/pair";
import { questionWidget } from "../widgets/question";
import { resultPanel } from "../widgets/result";
import { medicationsStep, medicationStatus } from "./medications";
import { renderReview } from "./review";
import { trialsStep } from "./trials";

/** What decides which extra fields the list steps show (class picker, confirmation, equivalent). */
function listShape(v: AssessmentView): string {
  const meds = v.evaluation.medications.map((m) => [!!m.name && !m.generic, m.suggestion ?? "", m.classes.includes("benzodiazepine"), m.diazepam_equivalent_mg === null || m.diazepam_equivalent_mg === undefined, m.dose_mg_per_day !== null && m.dose_mg_per_day !== undefined]);
  const trials = v.evaluation.trials.map((t) => [!!t.needs_confirmation, t.suggestion ?? "", t.same_drug_question ?? ""]);
  return JSON.stringify([meds, trials]);
}

/** Which questions of a step are shown, and which of them apply (decided by the core). */
function shownShape(v: AssessmentView, step: string): string {
  const s = v.steps.find((x) => x.id === step);
  return JSON.stringify((s?.questions ?? []).map((q) => [q.shown, q.applies]));
}

export async function renderAssessment(root: HTMLElement, ctx: Ctx, id: number, step?: string): Promise<void> {
  let view: AssessmentView;
  try {
    view = await api.openAssessment(id);
  } catch (e) {
    show(root, header(ctx, "home"), h("main", { id: "main" }, h("h1", {}, "Assessment"), banner(errorText(e))));
    return;
  }
  const ed = new Editor(view, ctx);
  // Locking saves what is typed first.
  setBeforeLock(async () => {
    ed.flush();
    await ed.settled();
  });
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
      }, (nv) => {
        ed.view = nv;
        refreshSide();
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
        if (!qs.shown || paired.has(qs.id)) continue;
        const q = ctx.catalog.questions.find((x) => x.id === qs.id);
        const partner = q?.paired_with ? ctx.catalog.questions.find((x) => x.id === q.paired_with) : undefined;
        // Answered although it does not apply: shown (never hidden), for the clinician to correct.
        if (!qs.applies) body.push(h("p", { class: "banner warn", role: "note", "data-not-asked": qs.id }, `${q?.text ?? qs.id}: answered, although this question does not apply to the other answers. Correct whichever answer is wrong (or set this one to Unknown).`));
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
    // What is typed and not saved yet is queued before the step is redrawn.
    ed.flush();
    await ed.settled();
    current = resolveStep(ed.view.steps, stepId);
    refreshSide();
    renderStep();
    document.getElementById("step-h")?.focus();
  }

  ed.onSaved = (v, previous) => {
    const shapeBefore = listShape(previous);
    const shownBefore = shownShape(previous, current);
    ed.view = v;
    // A question that comes to apply, stops applying, or is answered although it does not (the
    // answer is never hidden): the step is redrawn, keeping the focus.
    if (shownBefore !== shownShape(v, current)) {
      refreshSide();
      rerenderKeepingFocus();
      return;
    }
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
        h("button", { type: "button", class: "secondary", onclick: async () => { ed.flush(); await ed.settled(); ctx.go({ name: "home", patientId: ed.view.patient.id }); } }, "Back to patient")),
      h("div", { class: "layout" }, stepNav, h("section", { class: "step", "aria-live": "off" }, form), result),
    ),
  );
  refreshSide();
  renderStep();
  document.getElementById("step-h")?.focus();
}
