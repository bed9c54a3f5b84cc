// A text input that completes from a list (drug names): an ARIA combobox drawn in the page, so
// that it works the same with the keyboard everywhere (no native datalist popup).

import { h, replace, uid } from "./dom";

export interface Suggestion {
  value: string;
  note: string;
}

/** Up to `limit` suggestions whose value starts with, then contains, the typed text. */
export function suggest(all: Suggestion[], typed: string, limit = 8): Suggestion[] {
  const t = typed.trim().toLowerCase();
  if (t.length === 0) return [];
  const starts = all.filter((s) => s.value.toLowerCase().startsWith(t));
  const contains = all.filter((s) => !s.value.toLowerCase().startsWith(t) && s.value.toLowerCase().includes(t));
  return [...starts, ...contains].slice(0, limit);
}

/** Makes `input` a combobox over `all`; `onPick` runs when a suggestion is chosen. */
export function combobox(input: HTMLInputElement, all: Suggestion[], onPick: () => void): HTMLElement {
  const listId = uid("lb");
  const list = h("ul", { id: listId, role: "listbox", class: "suggestions", hidden: true });
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listId);
  let items: Suggestion[] = [];
  let active = -1;
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const mark = () => {
    list.querySelectorAll("li").forEach((li, i) => li.setAttribute("aria-selected", String(i === active)));
    if (active >= 0) input.setAttribute("aria-activedescendant", `${listId}-${active}`);
  };
  const pick = (i: number) => {
    input.value = items[i].value;
    close();
    onPick();
  };
  input.addEventListener("input", () => {
    items = suggest(all, input.value);
    active = -1;
    replace(list, items.map((s, i) => {
      const li = h("li", { id: `${listId}-${i}`, role: "option", "aria-selected": "false" }, s.value, s.note ? h("span", { class: "muted" }, ` ${s.note}`) : null);
      li.addEventListener("mousedown", (e) => {
        e.preventDefault();
        pick(i);
      });
      return li;
    }));
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", String(items.length > 0));
  });
  input.addEventListener("keydown", (e) => {
    if (list.hidden) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      mark();
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      pick(active);
    } else if (e.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", close);
  return list;
}
