// A line of text (a lot number, a time, a note); empty means unknown. Saved as it is typed
// (after a short pause) and on leaving it.

import { getAnswer, type Json } from "../answers";
import { h, uid } from "../dom";
import type { Fields } from "../editor";

export interface TextOptions {
  placeholder?: string;
  hint?: string;
  /** What to save for the text (default: the text, or null when empty). */
  toValue?: (text: string) => Json;
  /** How a saved value shows (default: the string). */
  fromValue?: (value: Json | undefined) => string;
  /** Saves through `save` instead of the path (an acknowledgement note). */
  save?: (value: Json) => void;
  multiline?: boolean;
}

export function textField(ed: Fields, path: string, label: string, opts: TextOptions = {}): HTMLElement {
  const id = uid("t");
  const errorId = uid("err");
  const error = h("p", { class: "error", id: errorId, role: "alert" });
  const saved = getAnswer(ed.answers, path);
  const shown = opts.fromValue ? opts.fromValue(saved) : typeof saved === "string" ? saved : "";
  const attrs = { id, autocomplete: "off", placeholder: opts.placeholder ?? "Unknown", "aria-describedby": errorId, disabled: !ed.editable, "data-question": path };
  const input = opts.multiline ? h("textarea", { ...attrs, rows: 2 }) : h("input", { ...attrs, type: "text" });
  input.value = shown;
  let timer: number | undefined;
  let last = input.value;
  const commit = () => {
    window.clearTimeout(timer);
    if (!input.isConnected || input.value === last) return;
    last = input.value;
    const value = opts.toValue ? opts.toValue(input.value) : input.value.trim() === "" ? null : input.value;
    if (opts.save) opts.save(value);
    else void ed.edit(path, value);
  };
  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(commit, 400);
  });
  input.addEventListener("change", commit);
  input.addEventListener("blur", commit);
  ed.register(path, error, input, commit);
  return h("div", { class: "field question" },
    h("label", { for: id }, label),
    input,
    opts.hint ? h("span", { class: "muted hint" }, opts.hint) : null,
    error,
  );
}
