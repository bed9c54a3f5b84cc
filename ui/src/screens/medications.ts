// The current-medications step: each name classified by the core (or by the clinician when the
// catalog does not know it), with its diazepam equivalent.

import type { MedicationResult } from "../bindings/MedicationResult";
import type { Ctx } from "../app";
import { getAnswer, type Json } from "../answers";
import { h } from "../dom";
import type { Editor } from "../editor";
import { classPicker } from "../widgets/classes";
import { listStep } from "../widgets/list";
import { nameField } from "../widgets/name";
import { numberField } from "../widgets/number";

/** "Benzodiazepine · diazepam equivalent 10 mg/day", from the core's classification. */
export function medicationStatus(ctx: Ctx, m: MedicationResult | undefined): string {
  if (!m) return "";
  const names = m.classes.map((c) => ctx.catalog.classes[c] ?? c).join(", ");
  let classes: string;
  if (isUnrecognised(m)) classes = m.suggestion ? `Not recognised (did you mean ${m.suggestion}?): choose its classes below` : "Not recognised: choose its classes below";
  else if (m.classified_by_clinician) classes = names ? `${names} (chosen by you)` : "Reviewed: none of the interacting classes";
  else classes = m.name ? names || "None of the interacting classes" : "";
  const dz = m.diazepam_equivalent_mg;
  return dz !== null && dz !== undefined ? `${classes} · diazepam equivalent ${Math.round(dz * 10) / 10} mg/day` : classes;
}

/** Named, not in the catalog and not classified yet: the result stays incomplete. */
function isUnrecognised(m: MedicationResult | undefined): boolean {
  return !!m && !!m.name && !m.generic && !m.classified_by_clinician;
}

export function medicationsStep(ed: Editor, ctx: Ctx, rerender: () => void): HTMLElement {
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
