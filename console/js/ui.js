// Small DOM helpers. Text always goes in as text nodes, never as HTML, so
// data from the registry or the audit log cannot inject markup.
import { ApiError } from "./api.js";
import { t } from "./i18n.js";

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value == null) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const SVG = "http://www.w3.org/2000/svg";
export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) if (value != null) element.setAttribute(name, value);
  append(element, children);
  return element;
}

// A table with a caption; `columns` are [{label, value(row) -> node|text}].
// `captionHidden` keeps the caption for screen readers only, under a heading
// that already says the same.
export function table(caption, columns, rows, { onSelect, captionHidden = false } = {}) {
  if (!rows.length) return h("p", { class: "empty" }, t("common.none"));
  return h(
    "table",
    {},
    h("caption", { class: captionHidden ? "visually-hidden" : false }, caption),
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.label)))),
    h(
      "tbody",
      {},
      rows.map((row) => {
        const cells = columns.map((c) => h("td", {}, c.value(row)));
        if (!onSelect) return h("tr", {}, cells);
        // The first cell holds a button, so the row is reachable by keyboard.
        cells[0] = h("td", {}, h("button", { class: "link", type: "button", onclick: () => onSelect(row) }, columns[0].value(row)));
        return h("tr", {}, cells);
      }),
    ),
  );
}

// A labelled form control; `control` is an input, select or textarea.
export function field(label, control) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

export function select(name, options, value) {
  return h(
    "select",
    { name },
    options.map(([optionValue, label]) => h("option", { value: optionValue, selected: optionValue === value }, label)),
  );
}

// A message region announced to screen readers.
export function notice(kind, text) {
  return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

export function statusBadge(status) {
  return h("span", { class: `badge ${status}` }, t(`status.${status}`));
}

export function page(title, ...children) {
  return [h("h1", {}, title), ...children];
}

// ISO date-time for <input type="datetime-local"> from a Date.
export function localInput(date) {
  const offset = date.getTimezoneOffset() * 60000;
  return new Date(date.getTime() - offset).toISOString().slice(0, 16);
}

export function toIso(localValue) {
  return localValue ? new Date(localValue).toISOString() : "";
}

// Replaces an element's children, skipping null and false (unlike
// replaceChildren, which would print them as text).
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

// "The hub refused: <detail (field: reason)>" for any error.
export function failure(error) {
  return t("common.error", { detail: error instanceof ApiError ? error.describe() : error.message });
}
