// A yes / no / unknown question.

import type { Question } from "../bindings/Question";
import { boolToTri, getAnswer, triToBool, type TriValue } from "../answers";
import { h, uid } from "../dom";
import type { Fields } from "../editor";
import { radios, requiredMark, YES_NO_UNKNOWN } from "./radios";

/** A yes/no/unknown question at `path`. */
export function triField(ed: Fields, path: string, text: string, q: Question | null): HTMLElement {
  const errorId = uid("err");
  const error = h("p", { class: "error", id: errorId, role: "alert" });
  const legend = h("legend", {}, text, q ? requiredMark(q) : null);
  const current = boolToTri(getAnswer(ed.answers, path));
  const set = h("fieldset", { class: "question", "aria-describedby": errorId, "data-question": path },
    legend,
    h("div", { class: "choices" }, radios(uid(path), YES_NO_UNKNOWN, current, !ed.editable, (v) => void ed.edit(path, triToBool(v as TriValue)))),
    error,
  );
  ed.register(path, error, set);
  return set;
}
