// A scale's urgent safety alert as the clinician sees it wherever the patient's course is shown
// (the course screen, each session screen): the item, its answer, what to do, and the note.

import type { CourseAlert } from "../bindings/CourseAlert";
import type { CourseOutcomes } from "../bindings/CourseOutcomes";
import { h } from "../dom";

export function courseAlert(x: CourseAlert): HTMLElement {
  return h("div", { class: "banner urgent", role: "alert", "data-course-alert": x.administration_id },
    h("strong", {}, `URGENT — ${x.scale} ${x.date}, item ${x.alert.item} (${x.alert.label}) answered ${x.alert.answer} (${x.alert.answer_label}). `), x.alert.message,
    h("span", {}, ` Clinician's note: ${x.safety_note?.trim() || "none yet (needed before it is finalised)"}`));
}

/** Every urgent alert of the course; if the outcomes cannot be read, that is said (never silence). */
export function courseAlerts(outcomes: CourseOutcomes | string): HTMLElement[] {
  if (typeof outcomes === "string") return [h("p", { class: "banner error", role: "alert" }, outcomes)];
  return outcomes.alerts.map(courseAlert);
}
