// The sign-in screens: set up the first clinician (and show the recovery key once), sign in, or
// use the recovery key. Nothing of the records is on the page while one of these is shown.

import type { Access } from "./bindings/Access";
import { banner, errorText } from "./app";
import { h, replace, uid } from "./dom";
import { api, IpcFailure } from "./ipc";

function field(label: string, control: HTMLInputElement | HTMLSelectElement, note?: string): HTMLElement {
  const id = uid("a");
  control.id = id;
  const error = h("span", { class: "field-error", "data-error-for": control.name, "aria-live": "polite" });
  return h("div", { class: "field" }, h("label", { for: id }, label), control, note ? h("span", { class: "muted" }, note) : null, error);
}

function password(name: string, autocomplete: string): HTMLInputElement {
  return h("input", { type: "password", name, autocomplete, required: true, spellcheck: "false" });
}

/** Shows an error beside the field it names (name, passphrase, recovery_key), else in `status`. */
function showError(form: HTMLElement, status: HTMLElement, e: unknown): void {
  for (const el of form.querySelectorAll<HTMLElement>("[data-error-for]")) el.textContent = "";
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const fieldName = e instanceof IpcFailure ? e.field : null;
  const target = fieldName ? form.querySelector<HTMLElement>(`[data-error-for='${fieldName}']`) : null;
  const input = fieldName ? form.querySelector<HTMLInputElement>(`[name='${fieldName}']`) : null;
  if (target && input) {
    target.textContent = errorText(e);
    input.setAttribute("aria-invalid", "true");
    input.focus();
  } else {
    replace(status, banner(errorText(e)));
  }
}

/** A new passphrase typed twice: the same, or the error beside the second field. */
function samePassphrase(form: HTMLElement, status: HTMLElement, pass: HTMLInputElement, again: HTMLInputElement): boolean {
  if (pass.value === again.value) return true;
  showError(form, status, new IpcFailure({ code: "invalid_field", message: "the two passphrases differ", field: "passphrase_again" }));
  return false;
}

const PASSPHRASE_NOTE = "At least 10 characters; a few unrelated words are strong and easy to remember. It cannot be recovered: only the recovery key replaces it.";

function page(title: string, ...content: (Node | null)[]): HTMLElement {
  return h("main", { id: "main", class: "access" }, h("h1", {}, title), ...content);
}

function focusFirst(root: HTMLElement): void {
  root.querySelector<HTMLElement>("input, select, button")?.focus();
}

/** The sign-in screen for `access`; `done` is called once a clinician is signed in. */
export function showAccess(root: HTMLElement, access: Access, done: (access: Access) => void, notice?: string): void {
  const status = h("div", { class: "status-line", "aria-live": "assertive" }, notice ? banner(notice, "info") : null);
  if (access.error) {
    replace(root, page("trdcheck is locked", banner(access.error.message)));
    return;
  }
  if (access.state === "set_up") {
    showSetUp(root, access, done, status);
  } else {
    showSignIn(root, access, done, status);
  }
  focusFirst(root);
}

function showSetUp(root: HTMLElement, access: Access, done: (access: Access) => void, status: HTMLElement): void {
  const name = h("input", { name: "name", autocomplete: "name", required: true });
  const pass = password("passphrase", "new-password");
  const again = password("passphrase_again", "new-password");
  const form = h("form", { class: "settings" },
    field("Your name (recorded on everything you sign)", name),
    field("Passphrase", pass, PASSPHRASE_NOTE),
    field("Passphrase again", again),
    status,
    h("button", { type: "submit", class: "primary", "data-action": "set-up" }, "Create and encrypt the records"),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!samePassphrase(form, status, pass, again)) return;
    try {
      const result = await api.setUp(name.value, pass.value);
      showRecoveryKey(root, result.recovery_key, () => done(result.access));
    } catch (err) {
      showError(form, status, err);
    }
  });
  replace(root, page("Set up trdcheck",
    h("p", {}, "The records are kept encrypted on this computer. Each clinician signs in with their own name and passphrase; what you do is recorded under your name."),
    access.unencrypted_records ? banner("The records of an earlier version of trdcheck are here. They are encrypted now, and the unencrypted file is removed.", "info") : null,
    form));
}

function showRecoveryKey(root: HTMLElement, key: string, next: () => void): void {
  const kept = h("input", { type: "checkbox", id: uid("kept"), "data-recovery-kept": "" });
  const go = h("button", { type: "button", class: "primary", disabled: true, "data-action": "continue", onclick: next }, "Continue");
  kept.addEventListener("change", () => (go.disabled = !kept.checked));
  replace(root, page("Your recovery key",
    h("p", {}, "If every passphrase is forgotten, this key gives a clinician a new one. Without a passphrase or this key, nobody can open the records: not you, not trdcheck."),
    h("p", { class: "recovery-key", "data-recovery-key": "" }, key),
    h("p", {}, "Print it or write it down now, and keep it offline, away from this computer (a locked drawer or safe). It is shown only this once."),
    h("div", { class: "actions" }, h("button", { type: "button", "data-action": "print", onclick: () => window.print() }, "Print")),
    h("div", { class: "field inline" }, kept, h("label", { for: kept.id }, "I have printed or written down the recovery key")),
    h("div", { class: "actions" }, go)));
  go.focus();
}

function showSignIn(root: HTMLElement, access: Access, done: (access: Access) => void, status: HTMLElement): void {
  const name = h("select", { name: "name" }, access.clinicians.map((c) => h("option", { value: c }, c)));
  const pass = password("passphrase", "current-password");
  const form = h("form", { class: "settings" },
    field("Clinician", name),
    field("Passphrase", pass),
    status,
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary", "data-action": "sign-in" }, "Sign in"),
      access.recovery_key ? h("button", { type: "button", class: "link", "data-action": "recover", onclick: () => showRecover(root, access, done) }, "Forgot your passphrase? Use the recovery key") : null),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      done(await api.signIn(name.value, pass.value));
    } catch (err) {
      pass.value = "";
      showError(form, status, err);
    }
  });
  replace(root, page("Sign in to trdcheck", h("p", { class: "muted" }, "The records are encrypted; your passphrase opens them."), form));
}

function showRecover(root: HTMLElement, access: Access, done: (access: Access) => void): void {
  const status = h("div", { class: "status-line", "aria-live": "assertive" });
  const key = h("input", { name: "recovery_key", autocomplete: "off", spellcheck: "false", required: true });
  const name = h("input", { name: "name", autocomplete: "name", required: true, list: "clinician-names" });
  const names = h("datalist", { id: "clinician-names" }, access.clinicians.map((c) => h("option", { value: c })));
  const pass = password("passphrase", "new-password");
  const again = password("passphrase_again", "new-password");
  const form = h("form", { class: "settings" },
    field("Recovery key", key, "As printed at set-up: 8 groups of 5 letters and digits."),
    field("Clinician (your name, or a new clinician's)", name), names,
    field("New passphrase", pass, PASSPHRASE_NOTE),
    field("New passphrase again", again),
    status,
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary", "data-action": "recover-submit" }, "Set the new passphrase and sign in"),
      h("button", { type: "button", onclick: () => showAccess(root, access, done) }, "Back to sign-in")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!samePassphrase(form, status, pass, again)) return;
    try {
      done(await api.recover(key.value, name.value, pass.value));
    } catch (err) {
      showError(form, status, err);
    }
  });
  replace(root, page("Use the recovery key", form));
  focusFirst(root);
}
