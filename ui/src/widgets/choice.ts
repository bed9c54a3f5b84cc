// A choice question: the rule set's options, plus Unknown.

import type { Question } from "../bindings/Question";
import { getAnswer } from "../answers";
import { h, uid } from "../dom";
import type { Editor } from "../editor";
import { radios, requiredMark } from "./radios";

/** A choice question (options from the rule set) plus Unknown. */
export function choiceField(ed: Editor, q: Question): HTMLElement {
  const errorId = uid("err");
  const error = h("p", { class: "error", id: errorId, role: "alert" });
  const value = getAnswer(ed.answers, q.id);
  const current = typeof value === "string" ? value : "unknown";
  const options = [...q.options.map((o) => ({ value: o.value, label: o.label })), { value: "unknown", label: "Unknown" }];
  const set = h("fieldset", { class: "question", "aria-describedby": errorId, "data-question": q.id },
    h("legend", {}, q.text, requiredMark(q)),
    h("div", { class: "choices" }, radios(uid(q.id), options, current, !ed.editable, (v) => void ed.edit(q.id, v === "unknown" ? null : v))),
    q.help ? h("p", { class: "muted" }, q.help) : null,
    error,
  );
  ed.register(q.id, error, set);
  return set;
}
