// The classes of a medication the catalog does not know, chosen by the clinician.

import type { MedicationResult } from "../bindings/MedicationResult";
import type { Ctx } from "../app";
import { getAnswer } from "../answers";
import { h, uid } from "../dom";
import type { Editor } from "../editor";

/** For a name the catalog does not know: "did you mean …", and its classes as checkboxes with
 * "none of these". Keyboard: Tab between the boxes, Space to tick. */
export function classPicker(ed: Editor, ctx: Ctx, i: number, m: MedicationResult, rerender: () => void): HTMLElement {
  const path = `medications[${i}].classes`;
  const chosen = getAnswer(ed.answers, path);
  const current: string[] | null = Array.isArray(chosen) ? (chosen as string[]) : null;
  // Each tick changes the classes as saved when its turn comes: quick ticks are never lost.
  const save = async (change: (saved: string[] | null) => string[] | null) => {
    await ed.editWith((saved) => {
      const now = getAnswer(saved, path);
      return [[path, change(Array.isArray(now) ? (now as string[]) : null)]];
    });
    rerender();
  };
  const classes = Object.entries(ctx.catalog.classes).sort(([, a], [, b]) => a.localeCompare(b));
  const boxes = classes.map(([id, name]) => {
    const boxId = uid("c");
    const box = h("input", { type: "checkbox", id: boxId, checked: !!current?.includes(id), disabled: !ed.editable, "data-class": id, "data-focus": `${path}:${id}` });
    box.addEventListener("change", () => {
      const checked = box.checked;
      void save((saved) => {
        const next = new Set(saved ?? []);
        if (checked) next.add(id);
        else next.delete(id);
        return next.size ? [...next] : null;
      });
    });
    return h("span", { class: "choice" }, box, h("label", { for: boxId }, name));
  });
  const noneId = uid("c");
  const none = h("input", { type: "checkbox", id: noneId, checked: current !== null && current.length === 0, disabled: !ed.editable, "data-class": "none", "data-focus": `${path}:none` });
  none.addEventListener("change", () => {
    const checked = none.checked;
    void save(() => (checked ? [] : null));
  });
  const errorId = uid("err");
  const error = h("p", { class: "error", id: errorId, role: "alert" });
  ed.register(path, error);
  const suggestion = m.suggestion;
  const offer = suggestion && ed.editable
    ? h("p", {}, `Did you mean ${suggestion}? `,
      h("button", { type: "button", class: "secondary", "data-action": "use-suggestion", onclick: async () => {
        await ed.edit(`medications[${i}].name`, suggestion);
        rerender();
      } }, `Use ${suggestion}`))
    : null;
  return h("fieldset", { class: "class-picker question", "aria-describedby": errorId, "data-question": path },
    h("legend", {}, `${m.name ?? "This medication"} is not in the catalog: which of these classes is it in?`),
    offer,
    h("div", { class: "choices classes" }, boxes, h("span", { class: "choice none" }, none, h("label", { for: noneId }, "None of these"))),
    current === null ? h("p", { class: "muted" }, "Until you answer, the result stays incomplete: an unreviewed benzodiazepine, opioid or MAOI must not end in eligible.") : null,
    error,
  );
}
