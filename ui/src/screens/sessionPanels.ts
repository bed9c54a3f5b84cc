// The session screen's side: the pre-dose gate with its findings and their sources, and the
// dose calculator with its arithmetic (both as the core gives them).

import type { Calculator } from "../bindings/Calculator";
import type { Gate } from "../bindings/Gate";
import type { Ctx } from "../app";
import { h } from "../dom";
import { labelOf } from "../labels";
import { findingItem } from "../widgets/result";

/** The gate: its decision, then each finding with its rule, sentence and source. */
export function gatePanel(ctx: Ctx, gate: Gate | null | undefined, goTo: (question: string) => void): HTMLElement {
  if (!gate) return h("p", { class: "muted" }, "The gate cannot be judged (see above).");
  return h("div", {},
    h("p", { class: `determination gate-${gate.decision}`, "data-gate": gate.decision }, labelOf(ctx, "gate_decisions", gate.decision)),
    gate.findings.length ? h("ul", {}, gate.findings.map((f) => findingItem(ctx, f, goTo))) : null,
  );
}

const kg = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${v} kg`);
const mg = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${v} mg`);

/** The calculator's answer; `use` puts a dose in the dose field. */
export function calculatorPanel(c: Calculator | null | undefined, editable: boolean, use: (doseMg: number) => void): HTMLElement {
  if (!c) return h("p", { class: "muted" }, "No calculation for a finalised session.");
  const useButton = (dose: number) => editable ? h("button", { type: "button", class: "secondary", "data-use-dose": dose, onclick: () => use(dose) }, `Use ${dose} mg`) : null;
  const list = (title: string, items: string[]) => items.length ? h("div", {}, h("h4", {}, title), h("ul", { class: "small" }, items.map((i) => h("li", {}, i)))) : null;
  if (c.kind === "unavailable") {
    return h("p", { class: "muted", "data-calculator": "unavailable" }, `Not worked out: ${c.reason}`);
  }
  if (c.kind === "iv_ketamine") {
    const d = c.dose;
    const row = (basis: string, weight: number | null | undefined, dose: number | null | undefined) =>
      h("tr", { class: d.weight_basis === basis ? "chosen" : null }, h("th", { scope: "row" }, basis + (d.weight_basis === basis ? " (used)" : "")), h("td", {}, kg(weight)), h("td", {}, mg(dose)));
    return h("div", { "data-calculator": "iv_ketamine" },
      h("p", { class: "dose" }, h("strong", { "data-calculated-dose": d.dose_mg }, `${d.dose_mg} mg`), ` over ${d.infusion_minutes} min (${d.mg_per_kg} mg/kg × ${d.weight_used_kg} kg, ${d.weight_basis} weight)`, d.capped ? ` — lowered to the site cap of ${d.dose_cap_mg} mg` : ""),
      useButton(d.dose_mg),
      h("table", { class: "list small" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Weight"), h("th", { scope: "col" }, "kg"), h("th", { scope: "col" }, "Dose"))),
        h("tbody", {}, row("actual", d.weights.actual, d.dose_by_basis.actual), row("ideal", d.weights.ideal, d.dose_by_basis.ideal), row("adjusted", d.weights.adjusted, d.dose_by_basis.adjusted))),
      list("Arithmetic", d.steps),
      list("Notes", d.notes),
      list("Sources", d.sources),
      h("p", { class: "muted small" }, `Dosing rules ${d.dosing.id} v${d.dosing.version}`),
    );
  }
  const d = c.dose;
  return h("div", { "data-calculator": "esketamine" },
    h("p", { class: "dose" }, `Allowed today: `, h("strong", {}, d.allowed_doses_mg.map((m) => `${m} mg`).join(" or ")), ` (${d.frequency}, ${d.weeks})`),
    h("div", { class: "actions" }, d.allowed_doses_mg.map((m) => useButton(m))),
    h("ul", { class: "small" }, d.devices.map((x) => h("li", {}, `${x.dose_mg} mg: ${x.devices} device(s) of ${d.device_mg} mg, ${d.minutes_between_devices} min apart (${x.minutes} min from first to last)`))),
    d.review ? h("p", { class: "banner info", role: "status" }, d.review) : null,
    list("Before the dose", d.pre_dose),
    h("p", { class: "small" }, `Monitor for at least ${d.monitoring_minutes} minutes after the first device.`),
    list("Notes", d.notes),
    list("Sources", d.sources),
    h("p", { class: "muted small" }, `Dosing rules ${d.dosing.id} v${d.dosing.version}`),
  );
}
