// The widget of a question, by its kind of answer (decided by the rule set).

import type { Question } from "../bindings/Question";
import type { Ctx } from "../app";
import { h } from "../dom";
import type { Editor } from "../editor";
import { choiceField } from "./choice";
import { numberField } from "./number";
import { triField } from "./tri";

export function questionWidget(ed: Editor, ctx: Ctx, q: Question): HTMLElement {
  switch (q.answer) {
    case "bool":
      return triField(ed, q.id, q.text, q);
    case "choice":
      return choiceField(ed, q);
    case "number":
      return numberField(ed, ctx, q.id, q.text, q.unit ?? "", q);
    default:
      return h("p", {}, q.text);
  }
}
