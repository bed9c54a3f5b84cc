// The treatment-history step: antidepressant trials, each judged by the core as it is entered.

import type { Ctx } from "../app";
import { h } from "../dom";
import type { Editor } from "../editor";
import { listStep } from "../widgets/list";
import { nameField } from "../widgets/name";
import { numberField } from "../widgets/number";
import { triField } from "../widgets/tri";

export function trialsStep(ed: Editor, ctx: Ctx, rerender: () => void): HTMLElement {
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
      // A name close in spelling to a catalog drug ("sertralin"): which drug it is, asked before
      // anything else, so that one drug never counts twice (rule set 2026.3).
      const identity = result?.same_drug_question
        ? triField(ed, p("same_drug_as_suggestion"), `"${result.drug ?? ""}" is not in the catalog but is close to ${result.same_drug_question}. Is it ${result.same_drug_question}? (No: a different drug)`, null)
        : null;
      const confirm = result?.needs_confirmation
        ? triField(ed, p("adequacy_confirmed_by_clinician"), result.generic
          // A catalog augmentation agent the site counts, without a cited minimum dose.
          ? `No minimum dose is cited for ${result.generic} as an augmentation agent: was it given at an adequate dose, in your judgement?`
          : `Not in the dose table${result.suggestion ? ` (did you mean ${result.suggestion}?)` : ""}: is it an antidepressant, given at an adequate dose, in your judgement?`, null)
        : null;
      return [
        h("div", { class: "grid" },
          nameField(ed, ctx, p("drug"), "Drug (generic or brand)", ["adequacy_confirmed_by_clinician", "same_drug_as_suggestion"]),
          numberField(ed, ctx, p("dose_mg_per_day"), "Dose", "mg/day", null, "trials[].dose_mg_per_day"),
          numberField(ed, ctx, p("weeks_at_dose"), "Weeks at or above that dose", "weeks", null, "trials[].weeks_at_dose"),
          numberField(ed, ctx, p("improvement_percent"), "Improvement during the trial", "%", null, "trials[].improvement_percent"),
        ),
        h("div", { class: "grid" },
          triField(ed, p("adherent"), "Taken as prescribed", null),
          triField(ed, p("current_episode"), "In the current episode", null),
          triField(ed, p("stopped_for_intolerance"), "Stopped for intolerance", null),
        ),
        identity,
        confirm,
        h("p", { class: `trial-status ${result?.counted ? "counts" : ""}`, role: "status", "data-trial-status": i }, result?.explanation ?? ""),
      ];
    },
  }, rerender);
  list.prepend(h("p", { class: "muted" }, q?.help ?? ""));
  return list;
}
