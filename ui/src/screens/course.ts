// A treatment course: its sessions in order, each with its place in the schedule and outcome,
// what is due next, and the next session started from here.

import type { CourseView } from "../bindings/CourseView";
import type { ScheduleStep } from "../bindings/ScheduleStep";
import { banner, errorText, header, show, type Ctx } from "../app";
import { h, uid } from "../dom";
import { api } from "../ipc";
import { labelOf } from "../labels";
import { rememberLocation } from "../location";

/** Today as YYYY-MM-DD on this workstation's clock. */
export function today(): string {
  const d = new Date();
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/** The route in the rule set's words (its "Planned route" question). */
export function routeTitle(ctx: Ctx, route: string): string {
  return ctx.catalog.questions.find((q) => q.id === "route")?.options.find((o) => o.value === route)?.label ?? route;
}

/** "Dose 3 · Induction · weeks 1–3 · 2 or 3 times weekly" */
export function scheduleText(ctx: Ctx, s: ScheduleStep): string {
  return `Dose ${s.dose_number} · ${labelOf(ctx, "phases", s.phase)} · ${s.weeks} · ${s.frequency}`;
}

export async function renderCourse(root: HTMLElement, ctx: Ctx, id: number): Promise<void> {
  let v: CourseView;
  try {
    v = await api.openCourse(id);
  } catch (e) {
    show(root, header(ctx, "home"), h("main", { id: "main" }, h("h1", {}, "Treatment course"), banner(errorText(e))));
    return;
  }
  rememberLocation({ name: "course", id });
  const o = v.overview;
  const c = o.course;
  const esketamine = c.route === "esketamine_nasal";
  const dateId = uid("date");
  const date = h("input", { id: dateId, type: "text", value: today(), placeholder: "YYYY-MM-DD", autocomplete: "off", "data-question": "date", size: 12 });
  const error = h("p", { class: "error", role: "alert" });
  const exported = h("p", { role: "status" });
  const add = h("form", { class: "new-session", onsubmit: async (e: Event) => {
    e.preventDefault();
    error.textContent = "";
    try {
      const s = await api.newSession(c.id, date.value.trim());
      ctx.go({ name: "session", id: s.record.id });
    } catch (err) {
      error.textContent = errorText(err);
    }
  } },
  h("div", { class: "field" }, h("label", { for: dateId }, "Date of the next session"), date, h("span", { class: "muted hint" }, "YYYY-MM-DD")),
  error,
  h("button", { type: "submit", class: "primary", "data-action": "new-session" }, `Start session ${o.sessions.length + 1}`));

  const rows = o.sessions.map((s) => h("tr", { "data-session": s.number },
    h("td", {}, s.version > 1 ? `${s.number} (version ${s.version})` : String(s.number)),
    h("td", {}, s.date),
    h("td", {}, `${labelOf(ctx, "phases", s.schedule.phase)} (dose ${s.schedule.dose_number})`),
    h("td", {}, s.status === "draft" ? "Draft" : s.outcome ? labelOf(ctx, "session_outcomes", s.outcome) : "Final"),
    h("td", {}, s.dose_mg === null || s.dose_mg === undefined ? "—" : `${s.dose_mg} mg`),
    esketamine ? h("td", {}, s.rems_submitted === null || s.rems_submitted === undefined ? "—" : s.rems_submitted ? "Submitted" : "To submit") : null,
    h("td", {}, h("button", { type: "button", "data-open-session": s.number, onclick: () => ctx.go({ name: "session", id: s.id }) }, s.status === "draft" ? "Continue" : "Open")),
  ));

  show(root,
    header(ctx, "home"),
    h("main", { id: "main", class: "course" },
      h("div", { class: "record-head" },
        h("h1", {}, `${v.patient.name || "(no name)"} · MRN ${v.patient.mrn}`),
        h("p", { class: "record-status" }, `${routeTitle(ctx, c.route)} course, started ${c.started_on} by ${c.started_by}, from assessment ${c.assessment_id}`),
        h("button", { type: "button", class: "secondary", onclick: () => ctx.go({ name: "home", patientId: v.patient.id }) }, "Back to patient"),
        h("button", { type: "button", class: "secondary", onclick: () => ctx.go({ name: "assessment", id: c.assessment_id, step: "review" }) }, "Open the assessment")),
      h("section", { class: "panel", "aria-labelledby": "due-h" },
        h("h2", { id: "due-h" }, "Next"),
        h("p", { "data-next": "" }, `${o.treated} dose(s) given. Next: ${scheduleText(ctx, o.next)}.`),
        o.next.review ? h("p", { class: "banner info", role: "status" }, o.next.review) : null,
        h("p", { class: "muted small" }, `Source: ${o.next.source}`),
        o.closed ? h("p", { class: "muted", "data-closed": "" }, o.closed) : add,
      ),
      h("section", { class: "panel", "aria-labelledby": "docs-h" },
        h("h2", { id: "docs-h" }, "Documents"),
        h("div", { class: "actions" },
          ([["pdf", "Course summary (PDF)…"], ["html", "Course summary (HTML)…"], ["fhir", "FHIR R4…"], ["json", "Course (JSON)…"]] as const).map(([format, label]) =>
            h("button", { type: "button", "data-export-course": format, onclick: async () => {
              try {
                const saved = await api.exportCourse(c.id, format);
                if (saved) exported.textContent = `Saved ${saved}`;
              } catch (e) {
                exported.textContent = errorText(e);
              }
            } }, label))),
        exported),
      h("section", { class: "panel", "aria-labelledby": "sessions-h" },
        h("h2", { id: "sessions-h" }, "Sessions"),
        o.sessions.length === 0 ? h("p", { class: "muted" }, "None yet.") : h("table", { class: "list" },
          h("thead", {}, h("tr", {},
            h("th", { scope: "col" }, "#"), h("th", { scope: "col" }, "Date"), h("th", { scope: "col" }, "Schedule"), h("th", { scope: "col" }, "Outcome"), h("th", { scope: "col" }, "Dose"),
            esketamine ? h("th", { scope: "col" }, "REMS form") : null, h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Open")))),
          h("tbody", {}, rows)),
      ),
    ),
  );
}
