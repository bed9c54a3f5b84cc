// One treatment session: before the dose (with the pre-dose gate judged as it is typed), the dose
// (beside the calculator), the monitoring after it, and finalising it signed. Each answer is
// saved as it is given; what finalising still needs is listed with a link to its field.

import type { Session } from "../bindings/Session";
import type { SessionDocument } from "../bindings/SessionDocument";
import type { SessionView } from "../bindings/SessionView";
import { banner, errorText, header, show, type Ctx } from "../app";
import { getAnswer, type Json } from "../answers";
import { h, replace, uid } from "../dom";
import { RecordEditor } from "../editor";
import { setBeforeLock } from "../idle";
import { api } from "../ipc";
import { labelOf } from "../labels";
import { rememberLocation } from "../location";
import { numberField } from "../widgets/number";
import { numberPair } from "../widgets/pair";
import { textField } from "../widgets/text";
import { triField } from "../widgets/tri";
import { scheduleText } from "./course";
import { signDialog } from "./review";
import { calculatorPanel, gatePanel } from "./sessionPanels";
import { courseAlerts } from "../widgets/alerts";

type SessionEditor = RecordEditor<SessionView, Session>;

/** A note the clinician gives, kept in the session's acknowledgements under `key` (a rule id, or
 * the path of a "no" answer that needs its reason). */
function noteField(ed: SessionEditor, key: string, label: string): HTMLElement {
  const id = uid("note");
  const error = h("p", { class: "error", role: "alert" });
  const input = h("textarea", { id, rows: 2, disabled: !ed.editable, "data-question": `acknowledgements.${key}`, "data-ack": key });
  input.value = ed.answers.acknowledgements[key] ?? "";
  let timer: number | undefined;
  let last = input.value;
  const commit = () => {
    window.clearTimeout(timer);
    if (!input.isConnected || input.value === last) return;
    last = input.value;
    const note = input.value;
    void ed.editWith((saved) => {
      const acks: Record<string, string> = { ...saved.acknowledgements };
      if (note.trim() === "") delete acks[key];
      else acks[key] = note;
      return [["acknowledgements", acks as Json]];
    });
  };
  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(commit, 400);
  });
  input.addEventListener("blur", commit);
  ed.register(`acknowledgements.${key}`, error, input, commit);
  return h("div", { class: "field question ack" }, h("label", { for: id }, label), input, error);
}

export async function renderSession(root: HTMLElement, ctx: Ctx, id: number): Promise<void> {
  let first: SessionView;
  try {
    first = await api.openSession(id);
  } catch (e) {
    show(root, header(ctx, "home"), h("main", { id: "main" }, h("h1", {}, "Session"), banner(errorText(e))));
    return;
  }
  rememberLocation({ name: "session", id });
  // The course's urgent scale alerts, where the dose is decided.
  const alerts = courseAlerts(await api.courseOutcomes(first.course.id).catch((e: unknown) => `The outcome scales cannot be shown: ${errorText(e)}`));
  const ed: SessionEditor = new RecordEditor<SessionView, Session>(first, ctx, {
    data: (v) => v.record.session,
    editable: (v) => v.editable,
    save: (v, s) => api.saveSession(v.record.id, s),
  });
  setBeforeLock(async () => {
    ed.flush();
    await ed.settled();
  });
  const esketamine = first.course.route === "esketamine_nasal";
  /** The words of each field, for the list of what is still needed. */
  const labels = new Map<string, string>();
  /** A field's words in lower case ("the blood pressure at about 40 minutes"), else its path. */
  const labelFor = (path: string) => (labels.get(path) ?? path).toLowerCase();
  const num = (path: string, label: string, unit: string, rangePath = path) => {
    labels.set(path, label);
    return numberField(ed, ctx, path, label, unit, null, rangePath);
  };
  const tri = (path: string, label: string) => {
    labels.set(path, label);
    return triField(ed, path, label, null);
  };
  const text = (path: string, label: string, opts: Parameters<typeof textField>[3] = {}) => {
    labels.set(path, label);
    return textField(ed, path, label, opts);
  };
  const bp = (base: string, label: string, range = "cardiovascular") => {
    labels.set(base, label);
    const repeat = base.endsWith("repeat");
    const part = (which: "systolic" | "diastolic") => {
      const path = repeat ? `${base.replace(/repeat$/, "")}repeat_${which}_mmhg` : `${base}.${which}_mmhg`;
      const rangePath = `${range}.${repeat ? "repeat_" : ""}${which}_mmhg`;
      labels.set(path, `${label}: ${which}`);
      return { path, label: `${label}: ${which}`, unit: "mmHg", rangePath };
    };
    return h("fieldset", { class: "question" }, h("legend", {}, label), numberPair(ed, ctx, part("systolic"), part("diastolic")));
  };
  /** A "no" that needs the clinician's reason: the note shows only while the answer is "no". */
  const withNote = (path: string, label: string, noteLabel: string) => {
    labels.set(`acknowledgements.${path}`, `${label}: the reason for "no"`);
    return h("div", {}, tri(path, label), h("div", { "data-note-for": path, hidden: true }, noteField(ed, path, noteLabel)));
  };

  const title = h("h1", {});
  const statusLine = h("p", { class: "record-status" });
  const scheduleLine = h("p", { "data-schedule": "" });
  const problem = h("div", {});
  const gateBox = h("div", { "aria-live": "polite" });
  const acks = h("div", { "data-acks": "" });
  const needed = h("div", {});
  const calc = h("div", { class: "calculator", "aria-live": "polite" });
  const stopped = h("p", { class: "banner info", role: "status", hidden: true, "data-stopped": "" });
  const actions = h("div", { class: "actions" });
  const status = h("p", { role: "status" });

  const focusField = (path: string) => {
    const el = document.querySelector<HTMLElement>(`[data-question='${path}'] input, [data-question='${path}']`)
      ?? document.querySelector<HTMLElement>(`[data-question^='${path}.'] input, input[data-question^='${path}.'], [data-question^='${path}'] input`);
    el?.focus();
  };
  // A finding names the assessment's question; the session's reading has the same last name.
  const goToReading = (question: string) => focusField(`pre_dose.gate.${question.split(".").pop() ?? question}`);

  // What asks for a note: the gate's precautions, and the alerts after the dose (a reading above
  // the precaution line, a weight far from the assessment's); redrawn only when that set changes.
  const gateRules = (v: SessionView) => JSON.stringify([v.state.gate?.acknowledgements_needed ?? [], v.state.alerts.map((a) => [a.key, a.urgent])]);
  // A note written when the finding read otherwise: said beside it, kept up to date as the
  // readings and the note change (the note itself is not redrawn while it is typed).
  const staleNotes = new Map<string, HTMLElement>();
  const alertTexts = new Map<string, HTMLElement>();
  const showStale = (v: SessionView) => {
    for (const [key, el] of staleNotes) {
      const then = v.state.stale_acknowledgements[key];
      el.hidden = then === undefined;
      el.textContent = then === undefined ? "" : `${then === "" ? "This note was written for another reading." : `This note was written when it read: "${then}".`} The reading has changed: rewrite the note (or add to it) to confirm it for the reading now.`;
    }
    for (const a of v.state.alerts) {
      const el = alertTexts.get(a.key);
      if (el) el.textContent = a.message;
    }
  };
  const staleFor = (key: string) => {
    const el = h("p", { class: "banner warn", role: "note", hidden: true, "data-stale-ack": key });
    staleNotes.set(key, el);
    return el;
  };
  const renderAcks = (v: SessionView) => {
    const rules = v.state.gate?.acknowledgements_needed ?? [];
    staleNotes.clear();
    alertTexts.clear();
    replace(acks,
      rules.length ? [h("h3", {}, "Your note on each precaution"),
        rules.map((r) => {
          const finding = v.state.gate?.findings.find((f) => f.rule === r);
          labels.set(`acknowledgements.${r}`, `Note on ${r}`);
          return h("div", {}, noteField(ed, r, `${r}: ${finding?.message ?? ""}`), staleFor(r));
        })] : [],
      v.state.alerts.length ? [h("h3", {}, "After the dose"),
        v.state.alerts.map((a) => {
          labels.set(`acknowledgements.${a.key}`, `Note on ${labelFor(a.key)}`);
          const text = h("span", {}, a.message);
          alertTexts.set(a.key, text);
          return h("div", { "data-alert": a.key },
            h("p", { class: a.urgent ? "banner urgent" : "banner warn", role: a.urgent ? "alert" : "status" }, text, h("span", { class: "muted small" }, ` Source: ${a.source}`)),
            noteField(ed, a.key, `Your note on ${labelFor(a.key)}`), staleFor(a.key));
        })] : []);
    showStale(v);
  };

  const refresh = (v: SessionView) => {
    const s = v.record.session;
    const r = v.record;
    title.textContent = `Session ${s.number}${r.version > 1 ? ` (version ${r.version})` : ""} · ${s.date} · ${v.patient.name || "(no name)"} · MRN ${v.patient.mrn}`;
    statusLine.textContent = r.status === "draft"
      ? "Draft — saved as you type"
      : `Final: ${r.outcome ? labelOf(ctx, "session_outcomes", r.outcome) : ""}; finalised by ${r.finalised_by ?? ""} on ${(r.finalised_at ?? "").replace("T", " ").replace("Z", " UTC")} — read-only${r.amended_by ? "; amended by a newer version" : ""}`;
    scheduleLine.textContent = scheduleText(ctx, v.state.schedule);
    replace(problem, v.state.problem ? banner(`This session cannot be judged today: ${v.state.problem.field ? `${v.state.problem.field}: ` : ""}${v.state.problem.message}`) : null);
    replace(gateBox, h("h2", { id: "gate-h" }, "Pre-dose gate"), gatePanel(ctx, v.state.gate, goToReading));
    replace(calc, h("h3", {}, "Dose calculator"), calculatorPanel(v.state.calculator, v.editable, (dose) => {
      void ed.edit("dose.dose_mg", dose).then(() => {
        const input = document.querySelector<HTMLInputElement>("input[data-question='dose.dose_mg']");
        if (input) input.value = String(dose);
      });
    }));
    const list = v.state.still_needed;
    replace(needed, v.editable ? [
      h("h3", {}, list.length ? `Still needed to finalise (${list.length})` : "Ready to finalise"),
      list.length ? h("ul", { "data-still-needed": "" }, list.map((p) => h("li", {}, h("button", { type: "button", class: "link", "data-needed": p, onclick: () => focusField(p) }, labels.get(p) ?? p)))) : null,
    ] : []);
    // A "no" shows its note; a patient not discharged, where they went.
    for (const el of Array.from(document.querySelectorAll<HTMLElement>("[data-note-for]"))) {
      el.hidden = getAnswer(s, el.getAttribute("data-note-for") ?? "") !== false;
    }
    const transferred = document.querySelector<HTMLElement>("[data-when-not-discharged]");
    if (transferred) transferred.hidden = s.monitoring.discharged !== false && !s.monitoring.transferred;
    const reason = document.querySelector<HTMLElement>("[data-when-outside-calculator]");
    if (reason) reason.hidden = !list.includes("dose.reason_outside_calculator") && !s.dose.reason_outside_calculator;
    const decision = v.state.gate?.decision;
    const stops = decision === "defer" || decision === "reassess";
    stopped.hidden = !stops;
    stopped.textContent = decision === "reassess"
      ? "No dose today: something is new since the assessment. Amend the assessment (a new version) before treating; finalise this session to record it."
      : "No dose today: the gate defers this session. Finalise it to record the deferral with its readings.";
    for (const el of Array.from(document.querySelectorAll<HTMLElement>("[data-after-gate]"))) el.hidden = stops;
  };

  const finalise = async () => {
    ed.flush();
    await ed.settled();
    const passphrase = await signDialog("Finalise and sign this session? It can no longer be changed. Your name, the time, the gate and a hash of what you sign are kept with it.", "Finalise and sign", ctx.info.signed_in ?? "");
    if (passphrase === null) return;
    try {
      await api.finaliseSession(ed.view.record.id, passphrase);
      await renderSession(root, ctx, id);
      document.querySelector<HTMLElement>("[data-gate]")?.closest("aside")?.querySelector("h2")?.focus();
    } catch (e) {
      status.textContent = errorText(e);
      status.setAttribute("role", "alert");
    }
  };
  if (first.editable) actions.append(h("button", { type: "button", class: "primary", "data-action": "finalise-session", onclick: () => void finalise() }, "Finalise and sign…"));
  // A finalised session is corrected by amending it: a new version; the signed one is kept.
  const fr = first.record;
  if (fr.status === "final" && (fr.amended_by === null || fr.amended_by === undefined)) {
    actions.append(h("button", { type: "button", "data-action": "amend-session", onclick: async () => {
      const passphrase = await signDialog("Amend this session? A new draft version is made from it, to correct and sign again; this version stays as it was signed and in force until then.", "Amend", ctx.info.signed_in ?? "");
      if (passphrase === null) return;
      try {
        const v = await api.amendSession(fr.id, passphrase);
        ctx.go({ name: "session", id: v.record.id });
      } catch (e) {
        status.textContent = errorText(e);
        status.setAttribute("role", "alert");
      }
    } }, "Amend (new version)…"));
  } else if (fr.amended_by !== null && fr.amended_by !== undefined) {
    const by = fr.amended_by;
    actions.append(h("button", { type: "button", "data-action": "open-amendment", onclick: () => ctx.go({ name: "session", id: by }) }, "Open the amended version"));
  }
  if (fr.amends !== null && fr.amends !== undefined) {
    const amends = fr.amends;
    actions.append(h("button", { type: "button", class: "link", "data-action": "open-amended", onclick: () => ctx.go({ name: "session", id: amends }) }, `Version ${fr.version}: open the version it amends`));
  }

  const preDose = h("section", { class: "panel", "aria-labelledby": "pre-h" },
    h("h2", { id: "pre-h" }, "Before the dose"),
    bp("pre_dose.gate", "Blood pressure"),
    bp("pre_dose.gate.repeat", "Repeat blood pressure after rest (if taken)"),
    num("pre_dose.gate.spo2_percent", "SpO₂", "%", "respiratory.spo2_percent"),
    tri("pre_dose.gate.new_since_assessment", "Anything new since the assessment that could contraindicate treatment (a new diagnosis, medication, pregnancy, cardiovascular event)?"),
    num("pre_dose.heart_rate_bpm", "Heart rate", "bpm", "session.pre_dose.heart_rate_bpm"),
    esketamine ? withNote("pre_dose.fasted_as_instructed", "Fasted as instructed (no food 2 h, no liquid 30 min)", "Why not, and what was decided") : null,
    withNote("pre_dose.transport_home", "Escort or transport home arranged", "Why not, and how the patient gets home"),
    withNote("pre_dose.no_driving_advised", "Told not to drive until the next day after a restful sleep", "Why not"),
    tri("pre_dose.consent_on_file", "Consent on file"),
    esketamine ? tri("pre_dose.rems_enrolled", "Enrolled in the SPRAVATO REMS") : null,
  );
  const dose = h("section", { class: "panel", "aria-labelledby": "dose-h", "data-after-gate": "" },
    h("h2", { id: "dose-h" }, "Dose"),
    calc,
    esketamine ? null : num("dose.weight_kg", "Today's weight", "kg", "session.dose.weight_kg"),
    num("dose.dose_mg", "Dose given", "mg"),
    h("div", { "data-when-outside-calculator": "", hidden: true }, text("dose.reason_outside_calculator", "Why the dose differs from the calculator's", { multiline: true })),
    text("dose.lot_number", "Lot number"),
    text("dose.start_time", esketamine ? "Time of the first device" : "Start of the infusion", { placeholder: "HH:MM" }),
    esketamine ? text("dose.device_times", "Time of each device", {
      placeholder: "HH:MM, HH:MM",
      hint: "Separated by commas, one per device",
      toValue: (t) => (t.trim() === "" ? null : t.split(",").map((x) => x.trim()).filter((x) => x !== "")),
      fromValue: (v) => (Array.isArray(v) ? v.join(", ") : ""),
    }) : null,
  );
  const minutes = (path: string, label: string) => num(path, label, "min", "session.minutes");
  const monitoring = h("section", { class: "panel", "aria-labelledby": "mon-h", "data-after-gate": "" },
    h("h2", { id: "mon-h" }, "Monitoring"),
    bp("monitoring.bp_40_min", "Blood pressure at about 40 minutes"),
    bp("monitoring.bp_before_discharge", "Blood pressure before discharge"),
    num("monitoring.spo2_lowest_percent", "Lowest SpO₂", "%", "respiratory.spo2_percent"),
    num("monitoring.moaas_lowest", "Deepest sedation, MOAA/S (5 responds readily to name … 0 no response to a painful stimulus)", "", "session.monitoring.moaas_lowest"),
    tri("monitoring.dissociation", "Dissociation"),
    tri("monitoring.respiratory_depression", "Respiratory depression"),
    text("monitoring.other_adverse_events", "Other adverse events", {
      hint: "Type \"none\" when there were none; empty is unknown",
      toValue: (t) => (t.trim() === "" ? null : t.trim().toLowerCase() === "none" ? "" : t),
      fromValue: (v) => (v === "" ? "none" : typeof v === "string" ? v : ""),
    }),
    esketamine ? minutes("monitoring.ready_to_leave_minutes", "Minutes after the first device at which the patient would have been ready to leave") : null,
    minutes("monitoring.total_monitoring_minutes", "Total monitoring time"),
    tri("monitoring.effects_resolved", "Sedation, dissociation and respiratory effects resolved"),
    tri("monitoring.discharged", "Discharged home (judged fit to leave)"),
    h("div", { "data-when-not-discharged": "", hidden: true }, text("monitoring.transferred", "Not discharged home: where the patient went, and why", { multiline: true })),
  );

  ed.onSaved = (v, before) => {
    if (gateRules(v) !== gateRules(before)) renderAcks(v);
    else showStale(v);
    refresh(v);
  };

  show(root,
    header(ctx, "home"),
    h("main", { id: "main", class: "session" },
      h("div", { class: "record-head" }, title, statusLine, scheduleLine,
        h("button", { type: "button", class: "secondary", "data-action": "back-to-course", onclick: async () => { ed.flush(); await ed.settled(); ctx.go({ name: "course", id: ed.view.course.id }); } }, "Back to the course")),
      ...alerts,
      problem,
      first.editable ? null : documentsPanel(ctx, first),
      h("div", { class: "layout session-layout" },
        h("div", { class: "step" }, h("form", { class: "questions", onsubmit: (e: Event) => e.preventDefault() }, preDose, stopped, dose, monitoring)),
        h("aside", { class: "result", "aria-labelledby": "gate-h" }, gateBox, acks, needed, actions, status),
      ),
    ),
  );
  renderAcks(first);
  refresh(first);
}

/** A finalised session's documents: its summary, and for a treated esketamine session the REMS
 * Patient Monitoring Form, shown here, saved as PDF and marked submitted. */
function documentsPanel(ctx: Ctx, v: SessionView): HTMLElement {
  const id = v.record.id;
  const status = h("p", { role: "status", "data-documents-status": "" });
  const save = (document: SessionDocument) => async () => {
    try {
      const saved = await api.exportSessionDocument(id, document);
      if (saved) status.textContent = `Saved ${saved}`;
    } catch (e) {
      status.textContent = errorText(e);
    }
  };
  const panel = h("section", { class: "panel documents", "aria-labelledby": "docs-h" },
    h("h2", { id: "docs-h" }, "Documents"),
    h("div", { class: "actions" },
      h("button", { type: "button", "data-export-session": "summary", onclick: save("summary") }, "Save the session summary (PDF)…")),
  );
  if (v.rems_submitted !== null && v.rems_submitted !== undefined) {
    const submitted = v.rems_submitted;
    const state = h("p", { class: submitted ? "banner info" : "banner warn", "data-rems-status": submitted ? "submitted" : "pending" },
      submitted ? "The REMS form is marked submitted." : `The REMS form is to be submitted within 7 days of ${v.record.session.date} (online or by fax).`);
    const frame = h("iframe", { class: "summary rems-form", title: "SPRAVATO REMS Patient Monitoring Form", sandbox: "allow-same-origin allow-modals" }) as HTMLIFrameElement;
    void api.sessionDocumentHtml(id, "rems_form").then((html) => { frame.srcdoc = html; }, (e) => { status.textContent = errorText(e); });
    panel.append(
      h("h3", {}, "SPRAVATO REMS Patient Monitoring Form"),
      state,
      h("div", { class: "actions" },
        h("button", { type: "button", class: "primary", "data-export-session": "rems_form", onclick: save("rems_form") }, "Save the REMS form (PDF)…"),
        submitted ? null : h("button", { type: "button", "data-action": "rems-submitted", onclick: async () => {
          try {
            await api.markRemsSubmitted(id);
            ctx.go({ name: "session", id });
          } catch (e) {
            status.textContent = errorText(e);
          }
        } }, "Mark the REMS form submitted")),
      frame,
    );
  }
  panel.append(status);
  return panel;
}
