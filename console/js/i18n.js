// The UI language: Vietnamese by default, English on request; the choice is
// remembered in this browser. Strings live in ../i18n/<lang>.js only.
import en from "../i18n/en.js";
import vi from "../i18n/vi.js";

export const languages = { vi, en };
let current = localStorage.getItem("lt-lang") in languages ? localStorage.getItem("lt-lang") : "vi";

export function language() {
  return current;
}

export function setLanguage(lang) {
  if (!(lang in languages)) return;
  current = lang;
  localStorage.setItem("lt-lang", lang);
  document.documentElement.lang = lang;
}

// t("audit.record", {id: 7}) -> "Record 7"; an unknown key shows itself.
export function t(key, params = {}) {
  const text = languages[current][key] ?? languages.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

export function formatNumber(value) {
  return new Intl.NumberFormat(current === "vi" ? "vi-VN" : "en-GB").format(value);
}

export function formatTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(current === "vi" ? "vi-VN" : "en-GB", {
    dateStyle: "short",
    timeStyle: "medium",
  }).format(new Date(iso));
}
