// Review: the summary as it will be filed, a note for each precaution, finalise / amend, exports.

import type { AssessmentView } from "../bindings/AssessmentView";
import { errorText, type Ctx } from "../app";
import { append, h, uid } from "../dom";
import { api, type ExportFormat } from "../ipc";
import type { Editor } from "../editor";

const EXPORTS: { format: ExportFormat; label: string }[] = [
  { format: "pdf", label: "Save PDF…" },
  { format: "html", label: "Save HTML…" },
  { format: "fhir", label: "Export FHIR…" },
  { format: "json", label: "Export assessment (JSON)…" },
];

/** A modal confirmation: resolves true when confirmed. Keyboard: Tab between buttons, Escape cancels. */
export function confirmDialog(message: string, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const titleId = uid("dlg");
    const dialog = h("dialog", { "aria-labelledby": titleId, class: "confirm" },
      h("h2", { id: titleId }, "Please confirm"),
      h("p", {}, message),
    );
    const done = (ok: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(ok);
    };
    const ok = h("button", { type: "button", class: "primary", "data-action": "confirm", onclick: () => done(true) }, confirmLabel);
    const cancel = h("button", { type: "button", "data-action": "cancel", onclick: () => done(false) }, "Cancel");
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      done(false);
    });
    append(dialog, [h("div", { class: "actions" }, ok, cancel)]);
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/** A modal asking for the clinician's passphrase before they sign: resolves with it, or null
 * when cancelled. */
export function signDialog(message: string, confirmLabel: string, who: string): Promise<string | null> {
  return new Promise((resolve) => {
    const titleId = uid("dlg");
    const passId = uid("pass");
    const pass = h("input", { type: "password", id: passId, name: "passphrase", autocomplete: "current-password", "data-sign-passphrase": "" });
    const form = h("form", { method: "dialog" },
      h("h2", { id: titleId }, "Sign with your passphrase"),
      h("p", {}, message),
      h("div", { class: "field" }, h("label", { for: passId }, `Passphrase of ${who}`), pass));
    const dialog = h("dialog", { "aria-labelledby": titleId, class: "confirm" }, form);
    const done = (value: string | null) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    const ok = h("button", { type: "submit", class: "primary", "data-action": "confirm" }, confirmLabel);
    const cancel = h("button", { type: "button", "data-action": "cancel", onclick: () => done(null) }, "Cancel");
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (pass.value) done(pass.value);
    });
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      done(null);
    });
    append(form, [h("div", { class: "actions" }, ok, cancel)]);
    document.body.append(dialog);
    dialog.showModal();
    pass.focus();
  });
}

/** The review step. `changed` redraws it (finalised, amended); `noted` takes a saved
 * acknowledgement without a redraw, so a note being typed in the next field is kept. */
export async function renderReview(
  host: HTMLElement,
  ctx: Ctx,
  ed: Editor,
  changed: (v: AssessmentView) => void,
  noted: (v: AssessmentView) => void,
): Promise<void> {
  await ed.settled();
  const v = ed.view;
  const r = v.record;
  const status = h("p", { class: "status-line", role: "status" });
  const frame = h("iframe", { class: "summary", title: "Summary as it will be printed", sandbox: "allow-same-origin allow-modals" }) as HTMLIFrameElement;
  const showSummary = async () => {
    try {
      frame.srcdoc = await api.summaryHtml(r.id);
    } catch (e) {
      status.textContent = errorText(e);
    }
  };
  await showSummary();

  const precautions = v.evaluation.findings.filter((f) => f.level === "precaution");
  const notes = precautions.length === 0 ? null : h("section", { class: "notes", "aria-labelledby": "notes-h" },
    h("h3", { id: "notes-h" }, "Acknowledgement of each precaution"),
    h("p", { class: "muted" }, "Treatment may proceed only with your documented acknowledgement of each precaution."),
    precautions.map((f) => {
      const id = uid("ack");
      const area = h("textarea", { id, rows: 2, disabled: !v.editable, "data-ack": f.rule });
      area.value = r.acknowledgements[f.rule] ?? "";
      // Saves the note; a note confirmed for the finding as it reads now is no longer stale.
      const save = async () => {
        try {
          const nv = await api.setAcknowledgement(r.id, f.rule, area.value);
          noted(nv);
          if (nv.stale_acknowledgements[f.rule] === undefined) stale?.remove();
          await showSummary();
        } catch (e) {
          status.textContent = errorText(e);
        }
      };
      area.addEventListener("change", () => void save());
      // A note written when the finding read otherwise: shown with that reading, to be confirmed.
      const then = v.stale_acknowledgements[f.rule];
      const stale = then === undefined ? null : h("p", { class: "banner warn", role: "note", "data-stale-ack": f.rule },
        then === "" ? "This note was written before notes were tied to their finding. " : `This note was written when the finding read: "${then}". `,
        "Read the finding again; confirm the note (or rewrite it) for the finding as it reads now.",
        v.editable ? h("button", { type: "button", class: "secondary", "data-confirm-ack": f.rule, onclick: () => void save() }, "Confirm the note") : null);
      return h("div", { class: "field" }, h("label", { for: id }, `${f.rule}: ${f.message}`), area, stale);
    }),
  );

  const actions = h("div", { class: "actions" });
  if (v.editable) {
    actions.append(
      h("button", { type: "button", class: "primary", "data-action": "finalise", onclick: async () => {
        const passphrase = await signDialog("Finalise and sign this assessment? It can no longer be changed; to correct it later you amend it, which makes a new version. Your name, the time and a hash of what you sign are kept with it.", "Finalise and sign", ctx.info.signed_in ?? "");
        if (passphrase === null) return;
        try {
          changed(await api.finalise(r.id, passphrase));
        } catch (e) {
          status.textContent = errorText(e);
          status.setAttribute("role", "alert");
        }
      } }, "Finalise and sign…"),
      h("button", { type: "button", class: "secondary", "data-action": "discard", onclick: async () => {
        if (!(await confirmDialog("Discard this draft? Its answers are deleted (the audit trail keeps a record).", "Discard draft"))) return;
        try {
          await api.discardDraft(r.id);
          ctx.go({ name: "home", patientId: v.patient.id });
        } catch (e) {
          status.textContent = errorText(e);
        }
      } }, "Discard draft…"),
    );
  } else if (r.amended_by === null || r.amended_by === undefined) {
    actions.append(h("button", { type: "button", class: "primary", "data-action": "amend", onclick: async () => {
      const passphrase = await signDialog("Amend this assessment? A new draft version is made from it; this version stays as it was signed.", "Amend", ctx.info.signed_in ?? "");
      if (passphrase === null) return;
      try {
        changed(await api.amend(r.id, passphrase));
      } catch (e) {
        status.textContent = errorText(e);
      }
    } }, "Amend (new version)…"));
  } else {
    actions.append(h("button", { type: "button", onclick: () => ctx.go({ name: "assessment", id: r.amended_by as number }) }, `Open the amended version`));
  }

  const exports = h("div", { class: "actions" },
    EXPORTS.map((x) => h("button", { type: "button", "data-export": x.format, onclick: async () => {
      try {
        const saved = await api.exportAssessment(r.id, x.format);
        if (saved) status.textContent = `Saved ${saved}`;
      } catch (e) {
        status.textContent = errorText(e);
      }
    } }, x.label)),
    h("button", { type: "button", "data-action": "print", onclick: () => frame.contentWindow?.print() }, "Print"),
  );

  host.append(
    r.status === "final" ? h("p", { class: "banner info", role: "status" }, `Finalised and signed by ${r.finalised_by} — this version is read-only.`, r.signed_sha256 ? h("span", { class: "muted small", "data-signature": "" }, ` SHA-256 of the signed record: ${r.signed_sha256}`) : "") : "",
    notes ?? h("p", { class: "muted" }, "No precaution to acknowledge."),
    actions,
    h("h3", {}, "Summary"),
    exports,
    status,
    frame,
  );
}
