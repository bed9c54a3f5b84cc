// A number with its unit and allowed range (from the core); empty means unknown.

import type { Question } from "../bindings/Question";
import type { Ctx } from "../app";
import { getAnswer, parseNumber } from "../answers";
import { h, uid } from "../dom";
import type { Fields } from "../editor";
import { requiredMark } from "./radios";

/** A number; empty means unknown. Saved as it is typed (after a short pause) and on leaving it,
 * or handed to `save` (a pair of questions saved together). */
export function numberField(ed: Fields, ctx: Ctx, path: string, label: string, unit: string, q: Question | null, rangePath = path, save?: (value: number | null) => void): HTMLElement {
  const id = uid("n");
  const errorId = uid("err");
  const error = h("p", { class: "error", id: errorId, role: "alert" });
  const value = getAnswer(ed.answers, path);
  const range = ctx.catalog.ranges.find((r) => r.path === rangePath);
  const hint = range ? `${range.min}${range.max !== null && range.max !== undefined ? `–${range.max}` : " or more"} ${unit}` : unit;
  const input = h("input", { id, type: "text", inputmode: "decimal", autocomplete: "off", value: typeof value === "number" ? String(value) : "", placeholder: "Unknown", "aria-describedby": errorId, disabled: !ed.editable, "data-question": path, size: 8 });
  let timer: number | undefined;
  let last = input.value;
  const commit = () => {
    window.clearTimeout(timer);
    // Redrawn meanwhile: this input's path may now be another entry's (a list changed), and what
    // was typed in it carried over to its new input (the editor queues it before any redraw).
    if (!input.isConnected) return;
    if (input.value === last) return;
    last = input.value;
    const parsed = parseNumber(input.value);
    if ("error" in parsed) {
      error.textContent = parsed.error;
      input.setAttribute("aria-invalid", "true");
      return;
    }
    if (save) save(parsed.value);
    else void ed.edit(path, parsed.value);
  };
  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(commit, 400);
  });
  input.addEventListener("change", commit);
  input.addEventListener("blur", commit);
  ed.register(path, error, input, commit);
  return h("div", { class: "field question" },
    h("label", { for: id }, label, q ? requiredMark(q) : null),
    h("span", { class: "with-unit" }, input, h("span", { class: "unit" }, unit)),
    h("span", { class: "muted hint" }, `Allowed ${hint}; leave empty if unknown`),
    q?.help ? h("p", { class: "muted" }, q.help) : null,
    error,
  );
}
