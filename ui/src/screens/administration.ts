// One administration of an outcome scale. The PHQ-9 (patient-rated) opens in large text for the
// patient, one question after another, each a group of answers reached by Tab and chosen with the
// arrow keys; the clinician takes it back to see the score. The MADRS (clinician-rated) shows
// each item's anchors beside its 0–6 ratings. A safety item's answer raises the urgent alert at
// once, before the rest is answered; it needs the clinician's note before finalising. Each
// answer is saved as it is given; the score and its rules are the core's.

import type { Administration } from "../bindings/Administration";
import type { AdministrationView } from "../bindings/AdministrationView";
import type { Scale } from "../bindings/Scale";
import type { Score } from "../bindings/Score";
import { banner, errorText, header, show, type Ctx } from "../app";
import { h, replace, uid } from "../dom";
import { RecordEditor } from "../editor";
import { setBeforeLock } from "../idle";
import { api } from "../ipc";
import { rememberLocation } from "../location";
import { textField } from "../widgets/text";
import { signDialog } from "./review";

type Editor = RecordEditor<AdministrationView, Administration>;

/** One item: its words and its answers as radio buttons (MADRS: the anchor beside 0, 2, 4, 6). */
function itemField(ed: Editor, scale: Scale, index: number): HTMLElement {
  const item = scale.items[index];
  const path = `items[${index}]`;
  const name = uid("item");
  const error = h("p", { class: "error", role: "alert" });
  const current = ed.answers.items[index];
  const clinician = scale.scale.rater === "clinician";
  const choices = scale.options.map((o) => {
    const id = uid("a");
    const input = h("input", { type: "radio", id, name, value: String(o.value), checked: current === o.value, disabled: !ed.editable, "data-answer": o.value });
    // Saved as chosen; Tab goes on to the next question (arrow keys move within this one, so
    // focus never jumps away while an answer is being picked).
    input.addEventListener("change", () => input.checked && void ed.edit(path, o.value));
    const anchor = clinician && o.value % 2 === 0 ? item.anchors[o.value / 2] : undefined;
    return h("span", { class: "scale-choice" }, input,
      h("label", { for: id }, clinician ? h("strong", {}, String(o.value)) : o.label, anchor ? h("span", { class: "anchor" }, ` ${anchor}`) : null));
  });
  const set = h("fieldset", { class: "question scale-item", "data-question": path, "data-item": item.number },
    h("legend", {}, `${item.number}. ${item.text ?? item.label}`),
    h("div", { class: clinician ? "choices anchors" : "choices" }, choices),
    error);
  ed.register(path, error, set);
  return set;
}

/** The score as the core judged it: total, band, change, response and remission with their rules. */
function scorePanel(score: Score | null | undefined, v: AdministrationView): HTMLElement {
  if (!score) return h("p", { class: "muted", "data-score": "" }, "The score shows once every item is answered.");
  const pct = score.change_percent === null || score.change_percent === undefined ? "" : ` (${score.change_percent > 0 ? "+" : ""}${score.change_percent} %)`;
  // A finalised one shows what was signed: the baseline it was judged against then (the course
  // screen judges it again against the baseline in force now).
  const signed = v.record.status === "final";
  const base = v.record.administration.baseline
    ? "this is the baseline"
    : signed
      ? (score.baseline === null || score.baseline === undefined ? "no baseline (when signed)" : `baseline ${score.baseline} (when signed; the course screen judges it against the baseline in force now)`)
      : v.baseline ? `baseline ${v.baseline.total} (${v.baseline.origin === "assessment" ? "the assessment's total" : `baseline administration${v.baseline.date ? ` of ${v.baseline.date}` : ""}`})` : "no baseline: change and response cannot be judged";
  return h("div", { "data-score": score.total },
    h("p", { class: "dose" }, h("strong", {}, `${score.total} / ${score.max_total}`), ` · ${score.band}`, h("span", { class: "muted" }, ` (${score.band_range[0]}–${score.band_range[1]})`)),
    h("p", {}, `Compared with ${base}${score.change_points === null || score.change_points === undefined ? "" : `: ${score.change_points > 0 ? "+" : ""}${score.change_points} points${pct}`}`),
    score.response ? h("p", { "data-response": String(score.response.met) }, h("strong", {}, score.response.met ? "Response" : "No response"), `: ${score.response.rule}.`, h("span", { class: "muted small" }, ` Source: ${score.response.source}`)) : null,
    h("p", { "data-remission": String(score.remission.met) }, h("strong", {}, score.remission.met ? "Remission" : "Not in remission"), `: ${score.remission.rule}.`, h("span", { class: "muted small" }, ` Source: ${score.remission.source}`)),
    h("p", { class: "muted small" }, `Bands: ${score.band_source}. ${score.scale.name} ${score.scale.version}, sha256 ${score.scale.sha256.slice(0, 12)}…`),
  );
}

export async function renderAdministration(root: HTMLElement, ctx: Ctx, id: number): Promise<void> {
  let first: AdministrationView;
  try {
    first = await api.openAdministration(id);
  } catch (e) {
    show(root, header(ctx, "home"), h("main", { id: "main" }, h("h1", {}, "Scale"), banner(errorText(e))));
    return;
  }
  const scale = ctx.catalog.scales.find((s) => s.scale.id === first.record.administration.scale);
  if (!scale) {
    show(root, header(ctx, "home"), h("main", { id: "main" }, h("h1", {}, "Scale"), banner(`This version of trdcheck does not know the scale ${first.record.administration.scale}.`)));
    return;
  }
  rememberLocation({ name: "administration", id });
  const ed: Editor = new RecordEditor<AdministrationView, Administration>(first, ctx, {
    data: (v) => v.record.administration,
    editable: (v) => v.editable,
    save: (v, a) => api.saveAdministration(v.record.id, a),
  });
  setBeforeLock(async () => {
    ed.flush();
    await ed.settled();
  });
  const patientRated = scale.scale.rater === "patient";
  const a = first.record.administration;
  const labels = new Map<string, string>(scale.items.map((it, i) => [`items[${i}]`, `${it.number}. ${it.label}`]));
  labels.set("safety_note", "Your note on the urgent alert");

  // The clinician's alert; the patient, holding the screen, is shown a neutral message instead.
  const alerts = h("div", { "aria-live": "assertive", "data-alerts": "", "data-clinician": "" });
  const patientAlert = h("div", { "aria-live": "assertive", class: "patient-only" });
  const scoreBox = h("div", { "aria-live": "polite" });
  const needed = h("div", {});
  const status = h("p", { role: "status" });
  const actions = h("div", { class: "actions" });
  const items = scale.items.map((_, i) => itemField(ed, scale, i));
  const difficulty = scale.difficulty ? (() => {
    const d = scale.difficulty;
    const name = uid("diff");
    const error = h("p", { class: "error", role: "alert" });
    const set = h("fieldset", { class: "question scale-item", "data-question": "difficulty" },
      h("legend", {}, d.text),
      h("div", { class: "choices" }, d.options.map((label, value) => {
        const rid = uid("d");
        const input = h("input", { type: "radio", id: rid, name, value: String(value), checked: a.difficulty === value, disabled: !first.editable });
        input.addEventListener("change", () => input.checked && void ed.edit("difficulty", value));
        return h("span", { class: "scale-choice" }, input, h("label", { for: rid }, label));
      })),
      error);
    ed.register("difficulty", error, set);
    return set;
  })() : null;
  const safetyNote = h("div", { "data-when-alert": "", hidden: true, "data-clinician": "" },
    textField(ed, "safety_note", "Your note on the urgent alert (what you assessed and decided; needed to finalise)", { multiline: true }));
  const note = h("div", { "data-clinician": "" }, textField(ed, "note", "Note (optional)", { multiline: true }));

  const main = h("main", { id: "main", class: `administration${patientRated && first.editable && a.items.every((x) => x === null || x === undefined) ? " handover" : ""}` });
  const handBack = h("button", { type: "button", class: "primary patient-only", "data-action": "hand-back", onclick: () => setHandover(false) }, "Done — give the screen back to the clinician");
  const handOver = h("button", { type: "button", class: "secondary", "data-action": "hand-over", "data-clinician": "", onclick: () => setHandover(true) }, "Hand to the patient (large text)");
  const setHandover = (on: boolean) => {
    ed.flush();
    main.classList.toggle("handover", on);
    (on ? main.querySelector<HTMLElement>("[data-item='1'] input") : main.querySelector<HTMLElement>("h1"))?.focus();
  };

  const refresh = (v: AdministrationView) => {
    const list = v.alerts;
    replace(alerts, list.map((x) => h("div", { class: "banner urgent", role: "alert", "data-alert": x.flag },
      h("strong", {}, `URGENT — item ${x.item} (${x.label}) answered ${x.answer} (${x.answer_label}). `), x.message, h("span", { class: "small" }, ` Source: ${x.source}`))));
    replace(patientAlert, list.length ? h("p", { class: "banner info", role: "status" }, "Thank you. The clinician will go through your answers with you before you go on.") : null);
    for (const el of Array.from(main.querySelectorAll<HTMLElement>("[data-when-alert]"))) el.hidden = list.length === 0 && !v.record.administration.safety_note;
    replace(scoreBox, h("h2", {}, "Score"), scorePanel(v.score, v));
    replace(needed, v.editable ? [
      h("h3", {}, v.still_needed.length ? `Still needed to finalise (${v.still_needed.length})` : "Ready to finalise"),
      v.still_needed.length ? h("ul", { "data-still-needed": "" }, v.still_needed.map((p) => h("li", {}, h("button", { type: "button", class: "link", "data-needed": p, onclick: () => {
        setHandover(false);
        document.querySelector<HTMLElement>(`[data-question='${p}'] input, [data-question='${p}'] textarea, textarea[data-question='${p}']`)?.focus();
      } }, labels.get(p) ?? p)))) : null,
    ] : []);
  };
  ed.onSaved = (v) => refresh(v);

  const r = first.record;
  const when = a.baseline ? "baseline" : a.session_number ? `session ${a.session_number}` : "follow-up";
  const statusText = r.status === "draft"
    ? "Draft — saved as each answer is given"
    : `Final: finalised by ${r.finalised_by ?? ""} on ${(r.finalised_at ?? "").replace("T", " ").replace("Z", " UTC")} — read-only${r.amended_by ? "; amended by a newer version" : ""}`;
  if (first.editable) {
    actions.append(h("button", { type: "button", class: "primary", "data-action": "finalise-administration", onclick: async () => {
      ed.flush();
      await ed.settled();
      const passphrase = await signDialog(`Finalise and sign this ${scale.scale.name}? It can no longer be changed. Your name, the time, its score and a hash of what you sign are kept with it.`, "Finalise and sign", ctx.info.signed_in ?? "");
      if (passphrase === null) return;
      try {
        await api.finaliseAdministration(ed.view.record.id, passphrase);
        await renderAdministration(root, ctx, id);
      } catch (e) {
        status.textContent = errorText(e);
        status.setAttribute("role", "alert");
      }
    } }, "Finalise and sign…"));
  } else if (r.amended_by === null || r.amended_by === undefined) {
    actions.append(h("button", { type: "button", "data-action": "amend-administration", onclick: async () => {
      const passphrase = await signDialog(`Amend this ${scale.scale.name}? A new draft version is made from it, to correct and sign again; this version stays as it was signed and in force until then.`, "Amend", ctx.info.signed_in ?? "");
      if (passphrase === null) return;
      try {
        const v = await api.amendAdministration(r.id, passphrase);
        ctx.go({ name: "administration", id: v.record.id });
      } catch (e) {
        status.textContent = errorText(e);
        status.setAttribute("role", "alert");
      }
    } }, "Amend (new version)…"));
  } else {
    const by = r.amended_by;
    actions.append(h("button", { type: "button", "data-action": "open-amendment", onclick: () => ctx.go({ name: "administration", id: by }) }, "Open the amended version"));
  }
  actions.append(h("button", { type: "button", class: "secondary", "data-action": "back-to-course", onclick: async () => {
    ed.flush();
    await ed.settled();
    ctx.go({ name: "course", id: first.course.id });
  } }, "Back to the course"));

  main.append(
    h("div", { class: "record-head", "data-clinician": "" },
      h("h1", {}, `${scale.scale.name} · ${a.date} · ${when}${r.version > 1 ? ` (version ${r.version})` : ""} · ${first.patient.name || "(no name)"} · MRN ${first.patient.mrn}`),
      h("p", { class: "record-status" }, statusText),
      patientRated && first.editable ? handOver : null),
    alerts,
    h("div", { class: "scale-form" },
      h("p", { class: "stem" }, scale.scale.stem),
      items,
      difficulty,
      patientAlert,
      first.editable ? handBack : null),
    h("div", { "data-clinician": "" },
      safetyNote,
      note,
      scoreBox,
      needed,
      status,
      actions,
      h("p", { class: "muted small" }, `${scale.scale.title}. ${scale.scale.source}. ${scale.scale.licence}`)),
  );
  show(root, header(ctx, "course"), main);
  refresh(first);
  if (main.classList.contains("handover")) main.querySelector<HTMLElement>("[data-item='1'] input")?.focus();
}
