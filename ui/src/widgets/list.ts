// A list answer (trials, current medications): unknown until recorded, "none", or entries added
// and removed through the save queue.

import type { Json } from "../answers";
import { h } from "../dom";
import type { Editor } from "../editor";

/** What differs between the two list steps (trials, current medications). */
export interface ListSpec {
  key: "trials" | "medications";
  /** The singular, as in "Add a trial", "Trial 2", "Remove trial 2". */
  noun: string;
  /** `data-action` of the add button and of the "none" button. */
  addAction: string;
  noneAction: string;
  noneLabel: string;
  noneText: string;
  /** The field focused in a newly added entry (its path ends with this). */
  firstField: string;
  /** The fields and status of entry `i`. */
  entry: (i: number) => (HTMLElement | null)[];
  /** Attributes of each entry's fieldset. */
  entryAttrs: (i: number) => Record<string, string | number>;
}

/** A list answer: unknown until recorded, "none", or entries that can be added and removed. */
export function listStep(ed: Editor, spec: ListSpec, rerender: () => void): HTMLElement {
  const items = ed.answers[spec.key];
  const container = h("div", { class: "list-step" });
  /** Changes the list from its saved state when its turn in the save queue comes. */
  const editList = async (change: (list: unknown[]) => unknown[] | null) => {
    // What was typed and not saved yet goes first, then the list changes as saved by then.
    ed.flush();
    await ed.editWith((saved) => {
      const next = change([...(saved[spec.key] ?? [])]);
      return next ? [[spec.key, next as unknown as Json]] : [];
    });
    rerender();
  };
  const add = h("button", { type: "button", disabled: !ed.editable, "data-action": spec.addAction, onclick: async () => {
    await editList((list) => [...list, {}]);
    const inputs = document.querySelectorAll<HTMLInputElement>(`[data-question$='.${spec.firstField}']`);
    inputs[inputs.length - 1]?.focus();
  } }, `Add a ${spec.noun}`);
  if (items === null || items === undefined) {
    container.append(
      h("p", { class: "unknown-state" }, "Not recorded yet (unknown)."),
      h("div", { class: "actions" }, add, h("button", { type: "button", disabled: !ed.editable, "data-action": spec.noneAction, onclick: () => editList(() => []) }, spec.noneLabel)),
    );
    return container;
  }
  if (items.length === 0) container.append(h("p", {}, spec.noneText));
  const title = spec.noun[0].toUpperCase() + spec.noun.slice(1);
  items.forEach((_, i) => {
    container.append(h("fieldset", spec.entryAttrs(i),
      h("legend", {}, `${title} ${i + 1}`),
      ...spec.entry(i),
      h("button", { type: "button", class: "secondary", disabled: !ed.editable, onclick: () => {
        return editList((list) => {
          list.splice(i, 1);
          return list;
        });
      } }, `Remove ${spec.noun} ${i + 1}`),
    ));
  });
  container.append(h("div", { class: "actions" }, add));
  return container;
}
