// Home: find or create a patient, see their assessments, resume a draft, import an assessment.

import type { AssessmentListing } from "../bindings/AssessmentListing";
import type { PatientRecord as Patient } from "../bindings/PatientRecord";
import type { RemsPending } from "../bindings/RemsPending";
import type { Sex } from "../bindings/Sex";
import { banner, errorText, header, show, type Ctx } from "../app";
import { h, replace, uid } from "../dom";
import { api, IpcFailure } from "../ipc";
import { determinationTitle } from "../labels";
import { routeTitle, today } from "./course";


export function statusLabel(l: AssessmentListing): string {
  if (l.status === "draft") return "Draft";
  return l.amended_by ? "Final (amended)" : "Final";
}

function listingTable(ctx: Ctx, rows: AssessmentListing[], withPatient: boolean): HTMLElement {
  if (rows.length === 0) return h("p", { class: "muted" }, "None yet.");
  return h(
    "table",
    { class: "list" },
    h("thead", {}, h("tr", {}, withPatient ? h("th", { scope: "col" }, "Patient") : null, h("th", { scope: "col" }, "Version"), h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "Determination"), h("th", { scope: "col" }, "Updated"), h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Open")))),
    h(
      "tbody",
      {},
      rows.map((l) =>
        h(
          "tr",
          {},
          withPatient ? h("td", {}, `${l.mrn} ${l.patient_name}`) : null,
          h("td", {}, String(l.version)),
          h("td", {}, statusLabel(l)),
          h("td", {}, l.determination ? determinationTitle(ctx, l.determination) : "—"),
          h("td", {}, l.updated_at.replace("T", " ").replace("Z", " UTC")),
          h("td", {}, h("button", { type: "button", onclick: () => ctx.go({ name: "assessment", id: l.id }), "data-open": l.id }, l.status === "draft" ? "Continue" : "Open"),
            !withPatient && l.starts_course ? h("button", { type: "button", "data-start-course": l.id, onclick: async () => {
              try {
                const c = await api.startCourse(l.id, today());
                ctx.go({ name: "course", id: c.overview.course.id });
              } catch (e) { ctx.alert(e); }
            } }, "Start a treatment course") : null),
        ),
      ),
    ),
  );
}

/** The esketamine sessions whose REMS Patient Monitoring Form is not yet marked submitted, soonest
 * due first, with the last day to submit it; past that day it is overdue. */
function remsPendingPanel(ctx: Ctx, rows: RemsPending[]): HTMLElement | null {
  if (rows.length === 0) return null;
  const now = today();
  return h("section", { class: "panel rems-pending", "aria-labelledby": "rems-pending-h", "data-rems-pending": rows.length },
    h("h2", { id: "rems-pending-h" }, `REMS forms to submit (${rows.length})`),
    h("p", { class: "muted" }, "SPRAVATO REMS Patient Monitoring Forms of treated sessions not yet marked submitted; each is due within 7 days of its session."),
    h("table", { class: "list" },
      h("thead", {}, h("tr", {}, ["Patient", "Session date", "Submit by", ""].map((t) => h("th", { scope: "col" }, t || h("span", { class: "sr-only" }, "Open"))))),
      h("tbody", {}, rows.map((r) => {
        const overdue = r.due < now;
        return h("tr", { class: overdue ? "overdue" : "" },
          h("td", {}, `${r.mrn} ${r.patient_name}`),
          h("td", {}, r.date),
          h("td", {}, r.due, overdue ? h("strong", { class: "overdue" }, " — overdue") : null),
          h("td", {}, h("button", { type: "button", "data-rems-session": r.session_id, onclick: () => ctx.go({ name: "session", id: r.session_id }) }, "Open the session")));
      }))));
}

export async function renderHome(root: HTMLElement, ctx: Ctx, patientId?: number): Promise<void> {
  const results = h("ul", { class: "patients", "aria-label": "Patients found" });
  const patientPanel = h("section", { class: "panel", "aria-label": "Selected patient" });
  const drafts = h("section", { class: "panel" });
  const searchId = uid("search");
  const search = h("input", { id: searchId, type: "search", autocomplete: "off", placeholder: "MRN or name (accents and case do not matter)" });

  async function select(p: Patient) {
    const [rows, courses] = await Promise.all([api.patientAssessments(p.id), api.patientCourses(p.id)]);
    if (courses.length) await ctx.store.loadCatalog();
    replace(
      patientPanel,
      h("h2", {}, `${p.name || "(no name)"} · MRN ${p.mrn}`),
      h("p", { class: "muted" }, [p.date_of_birth ? `Born ${p.date_of_birth}` : "Date of birth not recorded", p.sex ? ` · ${p.sex}` : ""]),
      listingTable(ctx, rows, false),
      courses.length ? h("div", {}, h("h3", {}, "Treatment courses"), h("ul", { class: "courses" }, courses.map((c) =>
        h("li", {}, h("button", { type: "button", class: "link", "data-course": c.id, onclick: () => ctx.go({ name: "course", id: c.id }) }, `${routeTitle(ctx, c.route)}, started ${c.started_on}`))))) : null,
      h("button", { type: "button", class: "primary", "data-action": "new-assessment", onclick: async () => {
        try {
          const v = await api.createDraft(p.id);
          ctx.go({ name: "assessment", id: v.record.id, step: "patient" });
        } catch (e) { ctx.alert(e); }
      } }, "New assessment"),
    );
  }

  async function runSearch() {
    try {
      const found = await api.searchPatients(search.value);
      replace(results, found.length === 0 ? h("li", { class: "muted" }, "No patient found.") : found.map((p) =>
        h("li", {}, h("button", { type: "button", class: "link", onclick: () => select(p).catch(ctx.alert), "data-patient": p.mrn }, `${p.mrn} — ${p.name || "(no name)"}`, p.date_of_birth ? h("span", { class: "muted" }, ` · born ${p.date_of_birth}`) : null)),
      ));
    } catch (e) {
      ctx.alert(e);
    }
  }
  let timer: number | undefined;
  search.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(runSearch, 150);
  });

  // New patient
  const form = h("form", { class: "new-patient", "aria-labelledby": "new-patient-h" });
  const field = (label: string, input: HTMLElement, note?: string) => {
    const id = uid("np");
    input.id = id;
    return h("div", { class: "field" }, h("label", { for: id }, label), input, note ? h("span", { class: "muted" }, note) : null);
  };
  const mrn = h("input", { name: "mrn", required: true, autocomplete: "off" });
  const name = h("input", { name: "name", required: true, autocomplete: "off" });
  const dob = h("input", { name: "dob", type: "date" });
  const sex = h("select", { name: "sex" }, h("option", { value: "" }, "Unknown"), h("option", { value: "female" }, "Female"), h("option", { value: "male" }, "Male"), h("option", { value: "other" }, "Other"));
  const formError = h("p", { class: "error", role: "alert" });
  replace(form,
    h("h2", { id: "new-patient-h" }, "New patient"),
    field("MRN (clinic identifier)", mrn),
    field("Name", name),
    field("Date of birth", dob),
    field("Sex", sex),
    formError,
    h("button", { type: "submit", class: "primary" }, "Create patient"),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    formError.textContent = "";
    try {
      const p = await api.createPatient({ mrn: mrn.value, name: name.value, date_of_birth: dob.value || null, sex: (sex.value || null) as Sex | null });
      form.reset();
      search.value = p.mrn;
      await runSearch();
      await select(p);
      patientPanel.querySelector<HTMLButtonElement>("[data-action=new-assessment]")?.focus();
    } catch (e) {
      formError.textContent = e instanceof IpcFailure && e.field ? `${e.field}: ${e.message}` : errorText(e);
    }
  });

  const importButton = h("button", { type: "button", onclick: async () => {
    try {
      const v = await api.importAssessment();
      if (v) ctx.go({ name: "assessment", id: v.record.id });
    } catch (e) { ctx.alert(e); }
  } }, "Import assessment…");

  const remsPending = h("div", {});
  show(
    root,
    header(ctx, "home"),
    ctx.info.database_error ? banner(`The records cannot be opened: ${ctx.info.database_error.message}`) : null,
    ctx.info.settings_error ? banner(`The clinic's settings cannot be read, so no assessment can be evaluated: ${ctx.info.settings_error.message} Open Settings to set them.`) : null,
    h(
      "main",
      { id: "main", class: "home" },
      h("h1", {}, "Patients"),
      remsPending,
      h("div", { class: "columns" },
        h("section", { class: "panel", "aria-label": "Find a patient" },
          h("div", { class: "field" }, h("label", { for: searchId }, "Search by MRN or name"), search),
          results,
          patientPanel,
        ),
        h("div", {}, form, h("section", { class: "panel" }, h("h2", {}, "Import"), h("p", { class: "muted" }, "An assessment file (trdcheck/assessment/v2, or v1, which is upgraded with its new answers unknown) becomes a new draft of the patient with its MRN."), importButton)),
      ),
      drafts,
    ),
  );

  if (!ctx.info.database_error) {
    const [, recent, pending] = await Promise.all([runSearch(), api.recentAssessments(), api.remsPending()]);
    replace(drafts, h("h2", {}, "Recent assessments"), listingTable(ctx, recent, true));
    replace(remsPending, remsPendingPanel(ctx, pending));
    if (patientId !== undefined) {
      await select(await api.patient(patientId));
    }
  }
}
