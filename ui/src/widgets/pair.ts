// Two numbers answered together (the repeat blood pressure after rest).

import type { Question } from "../bindings/Question";
import type { Ctx } from "../app";
import { parseNumber } from "../answers";
import { h } from "../dom";
import type { Editor } from "../editor";
import { numberField } from "./number";

/** Two numbers answered together (the repeat blood pressure): saved when both are given or both
 * are empty; with one only, the other says it is needed and nothing is saved yet. */
export function pairField(ed: Editor, ctx: Ctx, first: Question, second: Question): HTMLElement {
  const value = (path: string) => {
    const input = document.querySelector<HTMLInputElement>(`input[data-question='${path}']`);
    const parsed = parseNumber(input?.value ?? "");
    return "error" in parsed ? undefined : parsed.value;
  };
  const save = () => {
    const a = value(first.id);
    const b = value(second.id);
    if (a === undefined || b === undefined) return;
    if ((a === null) !== (b === null)) {
      const missing = a === null ? first : second;
      const error = document.querySelector(`input[data-question='${missing.id}']`)?.closest(".field")?.querySelector(".error");
      if (error) error.textContent = `Enter the ${missing.text.toLowerCase()} too: a repeat reading needs both values (not saved yet).`;
      return;
    }
    void ed.editMany([[first.id, a], [second.id, b]]);
  };
  return h("div", { class: "pair" },
    numberField(ed, ctx, first.id, first.text, first.unit ?? "", first, first.id, save),
    numberField(ed, ctx, second.id, second.text, second.unit ?? "", second, second.id, save),
  );
}
