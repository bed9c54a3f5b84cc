// The result panel: urgent findings first, the determination, then every finding with its rule,
// source and "Why?".

import type { AssessmentView } from "../bindings/AssessmentView";
import type { Finding } from "../bindings/Finding";
import type { Ctx } from "../app";
import { h, uid } from "../dom";
import { determinationTitle, strengthLabel } from "../labels";

export function findingItem(ctx: Ctx, f: Finding, goTo: (question: string) => void): HTMLElement {
  const rule = ctx.catalog.rules.find((r) => r.id === f.rule);
  const detailsId = uid("why");
  const details = h("div", { id: detailsId, class: "why", hidden: true },
    rule ? h("p", {}, h("strong", {}, "Rule: "), rule.trigger) : null,
    h("p", {}, h("strong", {}, "Source: "), `${f.source} (${strengthLabel(ctx, f.strength)})`),
  );
  const why = h("button", { type: "button", class: "link", "aria-expanded": "false", "aria-controls": detailsId, "data-why": f.rule }, "Why?");
  why.addEventListener("click", () => {
    const open = why.getAttribute("aria-expanded") === "true";
    why.setAttribute("aria-expanded", String(!open));
    details.hidden = open;
  });
  const question = f.question;
  return h("li", { class: `finding ${f.level}${f.urgent ? " urgent" : ""}`, role: f.level === "contraindication" || f.urgent ? "alert" : null, "data-rule": f.rule },
    h("span", { class: "rule" }, f.rule), " ", f.message, " ",
    why,
    question && ctx.catalog.questions.length ? h("button", { type: "button", class: "link", onclick: () => goTo(question) }, "Go to question") : null,
    details,
  );
}

export function resultPanel(ctx: Ctx, v: AssessmentView, goTo: (question: string) => void): HTMLElement {
  const e = v.evaluation;
  const groups = ctx.info.labels.levels.map((level) => ({ level, items: e.findings.filter((f) => f.level === level.id) })).filter((g) => g.items.length > 0);
  const urgent = e.findings.filter((f) => f.urgent);
  const defer = e.findings.filter((f) => f.level === "defer");
  return h("div", {},
    h("h2", { id: "result-h" }, "Result"),
    // Urgent findings are announced above the determination.
    urgent.length ? h("div", { class: "urgent-block", role: "alert", "data-urgent": "" }, urgent.map((f) => h("p", {}, h("strong", {}, `${f.rule}: `), f.message))) : null,
    h("p", { class: `determination ${e.determination}`, "data-determination": e.determination }, determinationTitle(ctx, e.determination)),
    e.determination === "deferred"
      ? h("div", { class: "recheck", "data-recheck": "" }, h("p", {}, "Treatment must not go ahead today. This is not a lasting exclusion: recheck and reassess."),
        h("ul", {}, defer.map((f) => h("li", {}, f.message))))
      : null,
    h("p", {}, `Failed adequate trials: ${e.failed_adequate_trials} (${e.required_failed_trials} required)`),
    groups.map((g) => h("section", { class: "level" }, h("h3", {}, `${g.level.title} (${g.items.length})`), h("ul", {}, g.items.map((f) => findingItem(ctx, f, goTo))))),
    h("p", { class: "muted small" }, `Rule set ${e.ruleset.id} v${e.ruleset.version}. Supports, does not replace, clinical judgement.`),
  );
}
