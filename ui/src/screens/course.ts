// A treatment course: its sessions in order, each with its place in the schedule and outcome,
// what is due next, and the next session started from here.

import type { CourseOutcomes } from "../bindings/CourseOutcomes";
import type { CourseView } from "../bindings/CourseView";
import type { ScaleOutcome } from "../bindings/ScaleOutcome";
import type { SessionListing } from "../bindings/SessionListing";
import { bpChartSpec, drawChart, scaleChartSpec } from "../chart";
import { courseAlerts } from "../widgets/alerts";
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

const bpText = (b: { systolic_mmhg?: number | null; diastolic_mmhg?: number | null } | undefined) =>
  b && (b.systolic_mmhg ?? b.diastolic_mmhg) !== null && (b.systolic_mmhg ?? b.diastolic_mmhg) !== undefined ? `${b.systolic_mmhg ?? "?"}/${b.diastolic_mmhg ?? "?"}` : "—";

/** A chart, with the milliseconds its drawing took on this workstation (read by the benchmark
 * of the end-to-end run: BENCHMARKS.md). */
function timedChart(draw: () => SVGSVGElement): SVGSVGElement {
  const t0 = performance.now();
  const svg = draw();
  svg.setAttribute("data-draw-ms", (performance.now() - t0).toFixed(2));
  return svg;
}

/** A scale over the course: its latest result in words, the chart and the same data as a table. */
function scaleSection(ctx: Ctx, o: ScaleOutcome, sessions: SessionListing[], start: string): HTMLElement {
  const latest = [...o.points].reverse().find((p) => p.score && !p.baseline)?.score;
  const base = o.baseline ? `Baseline ${o.baseline.total} (${o.baseline.origin === "assessment" ? "the assessment's total" : `baseline administration${o.baseline.date ? ` of ${o.baseline.date}` : ""}`}).` : "No baseline yet: change and response cannot be judged.";
  const tableId = uid("tbl");
  const rows = o.points.map((p) => {
    const sc = p.score;
    return h("tr", { "data-administration": p.administration_id },
      h("td", {}, p.date),
      h("td", {}, p.baseline ? "baseline" : p.session_number ? `session ${p.session_number}` : "—"),
      h("td", {}, sc ? `${sc.total}` : "—"),
      h("td", {}, sc ? sc.band : p.status === "draft" ? "draft" : "—"),
      h("td", {}, sc && sc.change_points !== null && sc.change_points !== undefined ? `${sc.change_points > 0 ? "+" : ""}${sc.change_points}${sc.change_percent !== null && sc.change_percent !== undefined ? ` (${sc.change_percent} %)` : ""}` : "—"),
      h("td", { "data-response": sc?.response ? String(sc.response.met) : "" }, sc?.response ? (sc.response.met ? "Yes" : "No") : "—"),
      h("td", {}, sc ? (sc.remission.met ? "Yes" : "No") : "—"),
      h("td", { class: p.alerts.length ? "urgent-cell" : "" }, p.alerts.length ? p.alerts.map((a) => `URGENT item ${a.item} = ${a.answer}`).join("; ") : "—"),
      h("td", {}, p.status === "draft" ? "Draft" : p.version > 1 ? `Final (v${p.version})` : "Final"),
      h("td", {}, h("button", { type: "button", "data-open-administration": p.administration_id, onclick: () => ctx.go({ name: "administration", id: p.administration_id }) }, p.status === "draft" ? "Continue" : "Open")));
  });
  const finalised = o.points.some((p) => p.score);
  return h("section", { class: "scale-outcome", "data-scale": o.scale.id },
    h("h3", {}, `${o.scale.name} — ${o.title}`),
    h("p", {}, base, " ", latest ? h("span", { "data-latest": latest.total }, `Latest: ${latest.total} (${latest.band})${latest.response ? `; ${latest.response.met ? "response" : "no response"} (${latest.response.rule})` : ""}; ${latest.remission.met ? "remission" : "not in remission"} (${latest.remission.rule}).`) : "No follow-up finalised yet."),
    finalised ? h("figure", { class: "chart-figure" }, timedChart(() => drawChart(scaleChartSpec(o, sessions, start))), h("figcaption", { class: "muted small" }, `Shaded: the ${o.scale.name} bands. Dashed: response and remission. Below the axis: sessions (filled: a dose given). Tab moves through the points; the table below has every value.`)) : null,
    h("table", { class: "list small", id: tableId, "data-scale-table": o.scale.id },
      h("caption", { class: "sr-only" }, `${o.scale.name} administrations`),
      h("thead", {}, h("tr", {}, ["Date", "At", "Total", "Band", "Change", "Response", "Remission", "Safety item", "Status"].map((c) => h("th", { scope: "col" }, c)), h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Open")))),
      h("tbody", {}, rows)));
}

/** The outcome scales: the benefit review, every urgent alert, a new administration, each
 * scale's chart and table, and blood pressure per session. */
function outcomesPanel(ctx: Ctx, v: CourseView, outcomes: CourseOutcomes | string): HTMLElement {
  const c = v.overview.course;
  const sessions = v.overview.sessions;
  if (typeof outcomes === "string") return h("section", { class: "panel" }, h("h2", {}, "Outcome scales"), banner(outcomes));
  const scaleId = uid("scale");
  const dateId = uid("date");
  const atId = uid("at");
  const baseId = uid("base");
  const scale = h("select", { id: scaleId, "data-new-scale": "" }, ctx.catalog.scales.map((s) => h("option", { value: s.scale.id }, `${s.scale.name} (${s.scale.rater === "patient" ? "the patient answers" : "you rate"})`)));
  const date = h("input", { id: dateId, type: "text", value: today(), placeholder: "YYYY-MM-DD", autocomplete: "off", size: 12, "data-new-date": "" });
  const at = h("select", { id: atId, "data-new-at": "" }, h("option", { value: "" }, "Not at a session"), sessions.map((s) => h("option", { value: String(s.number), selected: s === sessions[sessions.length - 1] && s.date === today() }, `Session ${s.number} (${s.date})`)));
  // Ticked only before the first dose and while the scale has no baseline at all (the
  // assessment's total is one): a later score is a follow-up unless the clinician says otherwise.
  const treated = sessions.some((s) => s.status === "final" && s.outcome === "treated");
  const needsBaseline = (id: string) => !treated && !outcomes.scales.find((s) => s.scale.id === id)?.baseline;
  const baseline = h("input", { id: baseId, type: "checkbox", checked: needsBaseline(scale.value), "data-new-baseline": "" });
  scale.addEventListener("change", () => (baseline.checked = needsBaseline(scale.value)));
  const error = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "new-administration", onsubmit: async (e: Event) => {
    e.preventDefault();
    error.textContent = "";
    try {
      const a = await api.newAdministration(c.id, scale.value, date.value.trim(), baseline.checked, at.value === "" ? null : Number(at.value));
      ctx.go({ name: "administration", id: a.record.id });
    } catch (err) {
      error.textContent = errorText(err);
    }
  } },
  h("div", { class: "field" }, h("label", { for: scaleId }, "Scale"), scale),
  h("div", { class: "field" }, h("label", { for: dateId }, "Date"), date),
  h("div", { class: "field" }, h("label", { for: atId }, "Taken at"), at),
  h("div", { class: "field" }, h("span", { class: "choice" }, baseline, h("label", { for: baseId }, "The course's baseline (before the first dose)"))),
  error,
  h("button", { type: "submit", class: "primary", "data-action": "new-administration" }, "Start"));
  const r = outcomes.review;
  const bp = bpChartSpec(sessions, c.started_on);
  return h("section", { class: "panel", "aria-labelledby": "outcomes-h" },
    h("h2", { id: "outcomes-h" }, "Outcome scales"),
    courseAlerts(outcomes),
    r.message ? h("p", { class: "banner info", role: "status", "data-review": r.responding === false ? "no-response" : "unknown" }, h("strong", {}, "Benefit review: "), r.message, h("span", { class: "muted small" }, ` ${r.treatments} treatment(s)${r.days !== null && r.days !== undefined ? `, day ${r.days}` : ""}. Source: ${r.source}`)) : null,
    r.due && r.responding === true ? h("p", { "data-review": "responding" }, `Benefit review: the latest follow-up shows a response (${r.treatments} treatment(s)).`) : null,
    form,
    outcomes.scales.filter((s) => s.points.length > 0).map((s) => scaleSection(ctx, s, sessions, c.started_on)),
    bp ? h("section", { class: "scale-outcome", "data-bp": "" },
      h("h3", {}, "Blood pressure per session"),
      h("figure", { class: "chart-figure" }, timedChart(() => drawChart(bp))),
      h("table", { class: "list small", "data-bp-table": "" },
        h("caption", { class: "sr-only" }, "Blood pressure per session"),
        h("thead", {}, h("tr", {}, ["Session", "Date", "Before", "About 40 min", "Before discharge"].map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", {}, sessions.map((s) => h("tr", {}, h("td", {}, String(s.number)), h("td", {}, s.date), s.blood_pressure.map((b) => h("td", {}, bpText(b)))))))) : null,
  );
}

/** Ending the course (a date and the reason): then a new course by its route can start. */
function endForm(ctx: Ctx, courseId: number): HTMLElement {
  const dateId = uid("end-date");
  const reasonId = uid("end-reason");
  const date = h("input", { id: dateId, type: "text", value: today(), placeholder: "YYYY-MM-DD", autocomplete: "off", size: 12, "data-end-date": "" });
  const reason = h("input", { id: reasonId, type: "text", autocomplete: "off", size: 40, "data-end-reason": "", placeholder: "Completed, no response, adverse effect, patient's choice…" });
  const error = h("p", { class: "error", role: "alert" });
  return h("details", { class: "end-course" },
    h("summary", {}, "End this course…"),
    h("form", { onsubmit: async (e: Event) => {
      e.preventDefault();
      error.textContent = "";
      try {
        await api.endCourse(courseId, date.value.trim(), reason.value.trim());
        ctx.go({ name: "course", id: courseId });
      } catch (err) {
        error.textContent = errorText(err);
      }
    } },
    h("p", { class: "muted small" }, "A patient has one active course per route: end this one before starting another. The end is kept with the course and cannot be changed."),
    h("div", { class: "field" }, h("label", { for: dateId }, "Last day of the course"), date, h("span", { class: "muted hint" }, "YYYY-MM-DD")),
    h("div", { class: "field" }, h("label", { for: reasonId }, "Why it ends"), reason),
    error,
    h("button", { type: "submit", class: "secondary", "data-action": "end-course" }, "End the course")));
}

export async function renderCourse(root: HTMLElement, ctx: Ctx, id: number): Promise<void> {
  let v: CourseView;
  let outcomes: CourseOutcomes | string;
  try {
    v = await api.openCourse(id);
    outcomes = await api.courseOutcomes(id).catch((e: unknown) => `The outcome scales cannot be shown: ${errorText(e)}`);
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
    h("main", { id: "main", class: "course", "data-course-id": c.id },
      h("div", { class: "record-head" },
        h("h1", {}, `${v.patient.name || "(no name)"} · MRN ${v.patient.mrn}`),
        h("p", { class: "record-status" }, `${routeTitle(ctx, c.route)} course, started ${c.started_on} by ${c.started_by}, from assessment ${c.assessment_id}${c.ended ? `; ended ${c.ended.ended_on} by ${c.ended.ended_by}: ${c.ended.reason}` : ""}`),
        h("button", { type: "button", class: "secondary", onclick: () => ctx.go({ name: "home", patientId: v.patient.id }) }, "Back to patient"),
        h("button", { type: "button", class: "secondary", onclick: () => ctx.go({ name: "assessment", id: c.assessment_id, step: "review" }) }, "Open the assessment")),
      h("section", { class: "panel", "aria-labelledby": "due-h" },
        h("h2", { id: "due-h" }, "Next"),
        h("p", { "data-next": "" }, `${o.treated} dose(s) given. Next: ${scheduleText(ctx, o.next)}.`),
        o.next.review ? h("p", { class: "banner info", role: "status" }, o.next.review) : null,
        h("p", { class: "muted small" }, `Source: ${o.next.source}`),
        o.closed ? h("p", { class: "muted", "data-closed": "" }, o.closed) : add,
        c.ended ? null : endForm(ctx, c.id),
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
      outcomesPanel(ctx, v, outcomes),
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
