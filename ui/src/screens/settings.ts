// Settings: the clinic, paper size, the screen lock, the site policy, the dosing choices and the REMS details (with the rule set's
// limits), kept in the records database with their history; the clinicians who can sign in; the
// text size of this workstation.

import type { DosingSite } from "../bindings/DosingSite";
import type { Paper } from "../bindings/Paper";
import type { RemsSetting } from "../bindings/RemsSetting";
import type { ScalesSite } from "../bindings/ScalesSite";
import type { WeightBasis } from "../bindings/WeightBasis";
import type { PolicyOverrides } from "../bindings/PolicyOverrides";
import type { SitePolicy } from "../bindings/SitePolicy";
import { banner, errorText, header, show, type Ctx } from "../app";
import { h, replace, uid } from "../dom";
import { api, IpcFailure } from "../ipc";
import { applyTextSize } from "../textSize";
import { signDialog } from "./review";

function labelled(label: string, control: HTMLElement, note?: string): HTMLElement {
  const id = uid("s");
  control.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), control, note ? h("span", { class: "muted" }, note) : null);
}

type Scalar = string | number | boolean;

function select(values: Scalar[], current: Scalar, def: Scalar): HTMLSelectElement {
  return h("select", {}, values.map((v) => h("option", { value: String(v), selected: String(v) === String(current) }, `${v}${v === def ? " (default)" : ""}`)));
}

const PLAIN_KEYS: Record<string, string> = { clinician: "Clinician (retired setting)", clinic: "Clinic", paper: "Paper size", lock_after_minutes: "Lock after (minutes)" };

/** A setting's words for the clinician: the rule set's policy, the dosing rules' site choices and
 * the REMS form's fields name their own. */
function settingLabel(ctx: Ctx, key: string): string {
  const [group, rest] = [key.split(".")[0], key.slice(key.indexOf(".") + 1)];
  const policy = ctx.catalog.policy as unknown as Record<string, { label: string } | null | undefined>;
  const dosing = ctx.catalog.dosing_site as unknown as Record<string, { label: string } | undefined>;
  if (group === "policy") return policy[rest]?.label ?? key;
  if (group === "dosing") return dosing[rest] ? `Dosing: ${dosing[rest]!.label}` : key;
  if (group === "scales") {
    const sc = ctx.catalog.scales.find((x) => x.scale.id === key.split(".").pop());
    return sc ? `${sc.scale.name} remission threshold` : key;
  }
  if (group === "rems") {
    const f = ctx.catalog.rems_fields.find((x) => x.key === rest);
    return f ? `REMS form: ${f.section}, ${f.label}` : key;
  }
  return PLAIN_KEYS[key] ?? key;
}

/** The site's dosing choices, as rules/dosing.toml allows them; a value at its default (or left
 * blank) is "not set". */
function dosingFields(ctx: Ctx, site: DosingSite) {
  const spec = ctx.catalog.dosing_site;
  const mgPerKg = h("input", { type: "number", step: "0.05", min: spec.mg_per_kg.min, max: spec.mg_per_kg.max, value: String(site.mg_per_kg ?? spec.mg_per_kg.default), "data-dosing": "mg_per_kg" });
  const basis = select(spec.weight_basis.allowed, site.weight_basis ?? spec.weight_basis.default, spec.weight_basis.default);
  basis.setAttribute("data-dosing", "weight_basis");
  const cap = h("input", { type: "number", step: "1", min: spec.dose_cap_mg.min, max: spec.dose_cap_mg.max, value: site.dose_cap_mg === null || site.dose_cap_mg === undefined ? "" : String(site.dose_cap_mg), placeholder: "none", "data-dosing": "dose_cap_mg" });
  const older = select([false, true], site.geriatric_start ?? spec.geriatric_start.default, spec.geriatric_start.default);
  older.setAttribute("data-dosing", "geriatric_start");
  const fields = [
    labelled(spec.mg_per_kg.label, mgPerKg, `IV ketamine, ${spec.mg_per_kg.min}–${spec.mg_per_kg.max}; default ${spec.mg_per_kg.default}. ${spec.mg_per_kg.source}`),
    labelled(spec.weight_basis.label, basis, `IV ketamine. ${spec.weight_basis.source}`),
    labelled(spec.dose_cap_mg.label, cap, `IV ketamine, ${spec.dose_cap_mg.min}–${spec.dose_cap_mg.max} mg; blank for none. ${spec.dose_cap_mg.source}`),
    labelled(spec.geriatric_start.label, older, `Esketamine. ${spec.geriatric_start.source}`),
  ];
  const chosen = (): DosingSite => {
    const perKg = Number(mgPerKg.value);
    return {
      mg_per_kg: mgPerKg.value === "" || perKg === spec.mg_per_kg.default ? null : perKg,
      weight_basis: basis.value === spec.weight_basis.default ? null : (basis.value as WeightBasis),
      dose_cap_mg: cap.value === "" ? null : Number(cap.value),
      geriatric_start: (older.value === "true") === spec.geriatric_start.default ? null : older.value === "true",
    };
  };
  return { fields, chosen };
}

/** The remission threshold of each scale that leaves it to the site (MADRS: 10 or 12), as the
 * scale files give the choices; the default is "not set". */
function scaleFields(ctx: Ctx, site: ScalesSite) {
  const open = ctx.catalog.scales.filter((sc) => sc.remission.site_choices.length > 1);
  const controls = open.map((sc) => {
    const r = sc.remission;
    const control = select(r.site_choices, site.remission_thresholds[sc.scale.id] ?? r.default, r.default);
    control.setAttribute("data-scale-remission", sc.scale.id);
    const rule = r.comparison === "at_most" ? "total at or below" : "total below";
    return { id: sc.scale.id, def: r.default, control, field: labelled(`${sc.scale.name} remission: ${rule}`, control, `Default ${r.default}. ${r.source}`) };
  });
  const chosen = (): ScalesSite => ({
    remission_thresholds: Object.fromEntries(controls.filter((c) => Number(c.control.value) !== c.def).map((c) => [c.id, Number(c.control.value)])),
  });
  return { fields: controls.map((c) => c.field), chosen };
}

/** The clinic's details on the REMS Patient Monitoring Form, in the form's order. */
function remsFields(ctx: Ctx, rems: RemsSetting) {
  const values = rems as unknown as Record<string, string | null | undefined>;
  const inputs = ctx.catalog.rems_fields.map((f) => {
    const input = h("input", { value: values[f.key] ?? "", autocomplete: "off", "data-rems": f.key });
    const note = f.key === "setting_name" ? "Blank: the clinic's name." : undefined;
    return { key: f.key, field: labelled(`${f.section}: ${f.label}`, input, note), input };
  });
  const chosen = () => Object.fromEntries(inputs.map((x) => [x.key, x.input.value.trim() || null])) as unknown as RemsSetting;
  return { fields: inputs.map((x) => x.field), chosen };
}

/** The history of the clinic's settings: who changed which, when, from → to. */
function historySection(ctx: Ctx): HTMLElement {
  const section = h("section", { class: "history", "aria-labelledby": "history-h" }, h("h2", { id: "history-h" }, "Changes to the clinic's settings"));
  const label = (key: string | null | undefined) => (key ? settingLabel(ctx, key) : "(all settings)");
  const value = (v: string | null | undefined) => (v === null || v === undefined ? "(default)" : v.replace(/^"|"$/g, ""));
  api.settingsHistory().then((changes) => {
    if (changes.length === 0) {
      section.append(h("p", { class: "muted" }, "No change yet: the rule set's defaults apply."));
      return;
    }
    section.append(h("table", { class: "list", "data-settings-history": "" },
      h("thead", {}, h("tr", {}, ["When", "Who", "Setting", "From", "To"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, changes.map((c) => h("tr", {},
        h("td", {}, c.at.replace("T", " ").replace("Z", " UTC")),
        h("td", {}, c.actor),
        h("td", {}, label(c.key)),
        h("td", {}, c.key ? value(c.from) : "—"),
        h("td", {}, c.key ? value(c.to) : c.detail ?? ""))))));
  }).catch((e) => section.append(banner(errorText(e))));
  return section;
}

/** The clinicians who can sign in: add one, remove one, change one's own passphrase. */
function cliniciansSection(ctx: Ctx): HTMLElement {
  const section = h("section", { class: "clinicians", "aria-labelledby": "clinicians-h" });
  const status = h("p", { class: "status-line", role: "status" });
  const fail = (e: unknown) => {
    status.textContent = errorText(e);
    status.setAttribute("role", "alert");
  };
  const draw = (clinicians: string[]) => {
    const me = ctx.info.signed_in;
    const name = h("input", { name: "name", autocomplete: "off" });
    const pass = h("input", { type: "password", name: "passphrase", autocomplete: "new-password" });
    const mine = h("input", { type: "password", name: "your_passphrase", autocomplete: "current-password" });
    const add = h("form", { class: "inline-form", "data-form": "add-clinician" },
      labelled("New clinician's name", name), labelled("Their passphrase (they type it)", pass),
      labelled(`Your passphrase (${me ?? ""}, to confirm)`, mine),
      h("button", { type: "submit" }, "Add clinician"));
    add.addEventListener("submit", (e) => {
      e.preventDefault();
      api.addClinician(name.value, pass.value, mine.value).then((a) => {
        draw(a.clinicians);
        status.textContent = `${name.value.trim()} can now sign in.`;
      }, fail);
    });
    const old = h("input", { type: "password", name: "old", autocomplete: "current-password" });
    const next = h("input", { type: "password", name: "new", autocomplete: "new-password" });
    const change = h("form", { class: "inline-form", "data-form": "change-passphrase" },
      labelled("Your passphrase now", old), labelled("New passphrase", next),
      h("button", { type: "submit" }, "Change my passphrase"));
    change.addEventListener("submit", (e) => {
      e.preventDefault();
      api.changePassphrase(old.value, next.value).then(() => {
        old.value = next.value = "";
        status.textContent = "Your passphrase was changed.";
      }, fail);
    });
    replace(section,
      h("h2", { id: "clinicians-h" }, "Clinicians"),
      h("p", { class: "muted" }, "Each clinician signs in with their own passphrase; what they do is recorded under their name. Removing a clinician keeps everything they signed."),
      h("ul", { class: "clinician-list" }, clinicians.map((c) => h("li", { "data-clinician": c }, c, c === me ? " (you)" : h("button", { type: "button", class: "link", onclick: async () => {
        const yours = await signDialog(`Remove ${c}? They can no longer sign in; what they signed is kept.`, `Remove ${c}`, me ?? "");
        if (yours === null) return;
        api.removeClinician(c, yours).then((a) => {
          draw(a.clinicians);
          status.textContent = `${c} can no longer sign in.`;
        }, fail);
      } }, ` Remove ${c}`)))),
      add, change, status);
  };
  api.accessStatus().then((a) => draw(a.clinicians), fail);
  return section;
}

export async function renderSettings(root: HTMLElement, ctx: Ctx, notice?: string): Promise<void> {
  // The settings as they are now (another workstation, the CLI or a restore may have changed them).
  ctx.setInfo(await api.appInfo());
  const opened = ctx.info.settings ?? null;
  const spec = ctx.catalog.policy;
  // Settings that cannot be read are shown as the error, and the form starts from the rule
  // set's defaults for the clinician to check and save: nothing is saved for them.
  const s = ctx.info.settings ?? { clinic: "", paper: "a4", lock_after_minutes: 5, policy: {}, dosing: {}, rems: {}, scales: { remission_thresholds: {} } };
  const scales = scaleFields(ctx, s.scales);
  const dosing = dosingFields(ctx, s.dosing);
  const rems = remsFields(ctx, s.rems);
  const p = ctx.info.policy ?? (Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, v?.default])) as unknown as SitePolicy);
  const lockAfter = h("input", { type: "number", min: ctx.info.lock_after_min, max: ctx.info.lock_after_max, value: String(s.lock_after_minutes), "data-setting": "lock_after_minutes" });
  const clinic = h("input", { value: s.clinic });
  const paper = h("select", {}, h("option", { value: "a4", selected: s.paper === "a4" }, "A4"), h("option", { value: "letter", selected: s.paper === "letter" }, "US Letter"));
  // Every setting of the rule set's policy, as the rule set lists them (no key is named here):
  // a choice among the allowed values, or a number within its range.
  const policy = Object.entries(spec).flatMap(([key, setting]) => {
    if (!setting) return [];
    const def = setting.default as Scalar;
    const value = ((p as unknown as Record<string, Scalar | null | undefined>)[key] ?? def) as Scalar;
    const control = setting.allowed
      ? select(setting.allowed as Scalar[], value, def)
      : h("input", { type: "number", min: (setting.min as number | null) ?? null, max: (setting.max as number | null) ?? null, value: String(value) });
    control.setAttribute("data-policy", key);
    const note = setting.allowed ? setting.source : `${setting.min}–${setting.max}; default ${def}. ${setting.source}`;
    // The value chosen, in the type of its default; the default itself is "not set".
    const chosen = (): Scalar | null => {
      const raw = control.value;
      const v: Scalar = typeof def === "number" ? Number(raw) : typeof def === "boolean" ? raw === "true" : raw;
      return v === def ? null : v;
    };
    return [{ key, field: labelled(setting.label, control, note), chosen }];
  });
  const textSize = h("select", { "data-text-size": "" }, ctx.info.text_sizes.map((p) => h("option", { value: String(p), selected: p === ctx.info.text_size_percent }, `${p} %`)));
  const status = h("p", { role: notice ? "alert" : "status", class: "status-line" }, notice ?? "");
  textSize.addEventListener("change", () => {
    applyTextSize(ctx, Number(textSize.value))
      .then(() => (status.textContent = `Text size ${textSize.value} %.`))
      .catch((err) => (status.textContent = errorText(err)));
  });
  const form = h("form", { class: "settings", "aria-labelledby": "settings-h" },
    h("fieldset", {}, h("legend", {}, "This workstation"),
      labelled("Text size", textSize, "Applies at once, on this workstation only. Anywhere: Ctrl + larger, Ctrl − smaller, Ctrl 0 normal.")),
    h("fieldset", {}, h("legend", {}, "Clinic (kept with the records; every change is recorded)"),
      labelled("Clinic", clinic),
      labelled("Paper size", paper),
      labelled("Lock after this many minutes without input", lockAfter, `${ctx.info.lock_after_min}–${ctx.info.lock_after_max}; default 5. The page is cleared and the clinician signs in again.`)),
    h("fieldset", {}, h("legend", {}, "Site policy (recorded with every summary)"),
      policy.map((x) => x.field)),
    h("fieldset", {}, h("legend", {}, "Dosing (the calculator's site choices; recorded with every session)"),
      dosing.fields),
    h("fieldset", {}, h("legend", {}, "Outcome scales (recorded with every score)"),
      scales.fields),
    h("fieldset", {}, h("legend", {}, "REMS Patient Monitoring Form (the clinic's details; what is blank is completed by hand)"),
      rems.fields),
    status,
    h("button", { type: "submit", class: "primary" }, "Save settings"),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const info = await api.saveSettings({
        clinic: clinic.value.trim(),
        paper: paper.value as Paper,
        lock_after_minutes: Number(lockAfter.value),
        policy: Object.fromEntries(policy.map((x) => [x.key, x.chosen()])) as PolicyOverrides,
        dosing: dosing.chosen(),
        rems: rems.chosen(),
        scales: scales.chosen(),
      }, opened);
      ctx.setInfo(info);
      const history = form.parentElement?.querySelector(".history");
      history?.replaceWith(historySection(ctx));
      status.textContent = "Saved. Drafts are evaluated with these values from now on; finalised assessments keep theirs.";
    } catch (err) {
      if (err instanceof IpcFailure && err.code === "settings_changed") {
        await renderSettings(root, ctx, errorText(err));
        return;
      }
      status.textContent = errorText(err);
      status.setAttribute("role", "alert");
    }
  });
  show(root, header(ctx, "settings"),
    h("main", { id: "main" }, h("h1", { id: "settings-h" }, "Settings"),
      ctx.info.settings_error ? banner(`The clinic's settings cannot be read: ${ctx.info.settings_error.message} The form shows the rule set's defaults: check every value, then save.`) : null,
      ctx.info.preferences_error ? banner(`This workstation's preferences: ${ctx.info.preferences_error.message}`) : null,
      form,
      cliniciansSection(ctx),
      historySection(ctx),
      h("p", { class: "muted small" }, `Records: ${ctx.info.database}. Rule set ${ctx.info.ruleset.id} v${ctx.info.ruleset.version}, sha256 ${ctx.info.ruleset.sha256}. trdcheck ${ctx.info.version}.`)));
}
