// A drug or medication name, completing from the catalog.

import type { Ctx } from "../app";
import { getAnswer, type Json } from "../answers";
import { combobox, type Suggestion } from "../combobox";
import { h, uid } from "../dom";
import type { Editor } from "../editor";

/** Generic and brand names from the drug catalog, for completion. */
function drugSuggestions(ctx: Ctx): Suggestion[] {
  return ctx.catalog.drugs.map((d) => ({ value: d.name, note: d.name === d.generic ? "" : `(${d.generic})` }));
}

/** A drug or medication name, completing from the catalog; empty means unknown. Decisions the
 * clinician made for the old name (its classes, an equivalent, a confirmation: `clears`, paths
 * beside this one) are cleared with a new name, in the same save. */
export function nameField(ed: Editor, ctx: Ctx, path: string, label: string, clears: string[] = []): HTMLElement {
  const id = uid("t");
  const errorId = uid("err");
  const error = h("p", { class: "error", id: errorId, role: "alert" });
  const value = getAnswer(ed.answers, path);
  const input = h("input", { id, type: "text", autocomplete: "off", value: typeof value === "string" ? value : "", placeholder: "Unknown", "aria-describedby": errorId, disabled: !ed.editable, "data-question": path });
  let last = input.value;
  const commit = () => {
    if (!input.isConnected || input.value === last) return;
    last = input.value;
    const base = path.slice(0, path.lastIndexOf(".") + 1);
    const name = input.value.trim() === "" ? null : input.value.trim();
    void ed.editWith((saved) => [[path, name], ...clears.filter((c) => getAnswer(saved, base + c) !== undefined).map((c): [string, Json] => [base + c, null])]);
  };
  const list = combobox(input, drugSuggestions(ctx), commit);
  input.addEventListener("change", commit);
  input.addEventListener("blur", commit);
  ed.register(path, error, input, commit);
  return h("div", { class: "field combo" }, h("label", { for: id }, label), input, list, error);
}
