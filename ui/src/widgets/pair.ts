// Two numbers answered together (a blood pressure: systolic and diastolic).

import type { Question } from "../bindings/Question";
import type { Ctx } from "../app";
import { parseNumber } from "../answers";
import { h } from "../dom";
import type { Fields } from "../editor";
import { numberField } from "./number";

/** One of the two numbers: its path, words, unit, the catalog range it is held to, and its
 * question when it is one of the checklist's. */
export interface PairPart {
  path: string;
  label: string;
  unit: string;
  rangePath?: string;
  question?: Question;
}

/** Two numbers saved when both are given or both are empty; with one only, the other says it
 * is needed and the reading is saved as unknown until it is given: a reading saved before never
 * stays in force once half of it is cleared (issue 24). */
export function numberPair(ed: Fields, ctx: Ctx, first: PairPart, second: PairPart): HTMLElement {
  const value = (path: string) => {
    const input = document.querySelector<HTMLInputElement>(`input[data-question='${path}']`);
    const parsed = parseNumber(input?.value ?? "");
    return "error" in parsed ? undefined : parsed.value;
  };
  const save = () => {
    const a = value(first.path);
    const b = value(second.path);
    if (a === undefined || b === undefined) return;
    if ((a === null) !== (b === null)) {
      const missing = a === null ? first : second;
      const error = document.querySelector(`input[data-question='${missing.path}']`)?.closest(".field")?.querySelector(".error");
      const say = () => { if (error) error.textContent = `Enter the ${missing.label.toLowerCase()} too: a reading needs both values (until then it is unknown).`; };
      say();
      // Saved as unknown (the save clears the fields' errors: the message is said again after it).
      void ed.editMany([[first.path, null], [second.path, null]]).then(say);
      return;
    }
    void ed.editMany([[first.path, a], [second.path, b]]);
  };
  const field = (p: PairPart) => numberField(ed, ctx, p.path, p.label, p.unit, p.question ?? null, p.rangePath ?? p.path, save);
  return h("div", { class: "pair" }, field(first), field(second));
}

/** The checklist's two questions answered together (the repeat blood pressure after rest). */
export function pairField(ed: Fields, ctx: Ctx, first: Question, second: Question): HTMLElement {
  const part = (q: Question): PairPart => ({ path: q.id, label: q.text, unit: q.unit ?? "", question: q });
  return numberPair(ed, ctx, part(first), part(second));
}
