// The console's shell: sign-in, the session's role, navigation and the
// hash router (#/connectivity, #/registry, ...). Each page is a module with
// render(container, session) that fills the main region.
import { api, setToken, token } from "./api.js";
import { language, languages, setLanguage, t } from "./i18n.js";
import { failure, field, fill, h, notice } from "./ui.js";
import * as agreements from "./pages/agreements.js";
import * as audit from "./pages/audit.js";
import * as connectivity from "./pages/connectivity.js";
import * as registry from "./pages/registry.js";
import * as traffic from "./pages/traffic.js";

// Which roles see which page (the API enforces the same rules).
const PAGES = [
  { name: "connectivity", module: connectivity, roles: ["hub-admin", "auditor"] },
  { name: "registry", module: registry, roles: ["hub-admin", "member-admin", "auditor"] },
  { name: "agreements", module: agreements, roles: ["hub-admin", "member-admin", "auditor"] },
  { name: "traffic", module: traffic, roles: ["hub-admin", "auditor"] },
  { name: "audit", module: audit, roles: ["hub-admin", "auditor"] },
];

let session = null;
const main = document.getElementById("main");

function visiblePages() {
  return PAGES.filter((p) => session && p.roles.includes(session.role));
}

function renderHeader() {
  document.title = t("app.title");
  document.getElementById("brand").textContent = t("app.brand");
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("nav.label"));
  const current = location.hash.slice(2).split("/")[0];
  fill(nav,
    ...visiblePages().map((p) =>
      h("a", { href: `#/${p.name}`, "aria-current": p.name === current ? "page" : false }, t(`nav.${p.name}`)),
    ),
  );
  const languageSelect = document.getElementById("lang");
  document.getElementById("lang-label").textContent = t("lang.label");
  languageSelect.value = language();
  const who = document.getElementById("who");
  who.textContent = session ? t("session.as", { role: t(`role.${session.role}`), name: session.name }) : "";
  const signOut = document.getElementById("signout");
  signOut.hidden = !session;
  signOut.textContent = t("session.signout");
}

function renderSignIn(message) {
  const input = h("input", { type: "password", name: "token", autocomplete: "off", required: true });
  const form = h(
    "form",
    {
      class: "card narrow",
      onsubmit: async (event) => {
        event.preventDefault();
        setToken(input.value.trim());
        await start();
      },
    },
    h("h1", {}, t("signin.title")),
    h("p", {}, t("signin.intro")),
    message ? notice("error", message) : null,
    field(t("signin.token"), input),
    h("button", { type: "submit" }, t("signin.submit")),
  );
  fill(main, form);
  input.focus();
}

// Navigations may overlap (a click while a page is still loading); only the
// latest one may fill the page.
let navigation = 0;

async function route() {
  const current = ++navigation;
  renderHeader();
  if (!session) return renderSignIn();
  const pages = visiblePages();
  const [name, ...rest] = location.hash.slice(2).split("/");
  const target = pages.find((p) => p.name === name);
  if (!target) {
    location.hash = `#/${pages[0].name}`;
    return;
  }
  fill(main, h("p", { class: "loading" }, t("common.loading")));
  try {
    const content = await target.module.render(session, rest);
    if (current !== navigation) return;
    fill(main, ...[content].flat());
  } catch (error) {
    if (current !== navigation) return;
    fill(main, notice("error", failure(error)));
  }
  main.focus();
}

async function start() {
  session = null;
  if (token()) {
    try {
      session = await api("/admin/v1/session");
    } catch (error) {
      setToken(null);
      renderHeader();
      return renderSignIn(t("signin.failed", { detail: error.message }));
    }
  }
  await route();
}

// Re-render the current page, e.g. after an action changed what it shows.
export function refresh() {
  return route();
}

document.getElementById("lang").replaceChildren(
  ...Object.keys(languages).map((lang) => h("option", { value: lang }, lang === "vi" ? "Tiếng Việt" : "English")),
);
document.getElementById("lang").addEventListener("change", (event) => {
  setLanguage(event.target.value);
  route();
});
document.getElementById("signout").addEventListener("click", () => {
  setToken(null);
  session = null;
  location.hash = "";
  route();
});
window.addEventListener("hashchange", route);
setLanguage(language());
start();
