// Radio groups and the "required" mark, shared by the question widgets.

import type { Question } from "../bindings/Question";
import { h, uid } from "../dom";

export function requiredMark(q: Question): HTMLElement | null {
  return q.gap_rule ? h("span", { class: "required", title: "Required: unknown makes the result incomplete" }, " (required)") : null;
}

export function radios(name: string, options: { value: string; label: string }[], current: string, disabled: boolean, onChange: (v: string) => void): HTMLElement[] {
  return options.map((o) => {
    const id = uid("r");
    const input = h("input", { type: "radio", id, name, value: o.value, checked: current === o.value, disabled, "data-value": o.value });
    input.addEventListener("change", () => input.checked && onChange(o.value));
    return h("span", { class: `choice${o.value === "unknown" ? " unknown" : ""}` }, input, h("label", { for: id }, o.label));
  });
}

export const YES_NO_UNKNOWN = [
  { value: "yes", label: "Yes" },
  { value: "no", label: "No" },
  { value: "unknown", label: "Unknown" },
];
