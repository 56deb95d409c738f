// Registry: members, systems, services and JSON Schemas. Browse a list, open
// an entry, edit it as JSON (sent as PATCH with the ETag it was read with, so
// a concurrent change is refused rather than overwritten) or create one.
// What a role may change is decided by the API; auditors only read.
import { api, query } from "../api.js";
import { t } from "../i18n.js";
import { failure, fill, h, notice, page, statusBadge, table } from "../ui.js";

const KINDS = ["members", "systems", "services", "json-schemas"];
const TEMPLATES = {
  members: { instance: "VN", class: "GOV", code: "000.00.00.G00", name: "" },
  systems: { member: "VN/GOV/000.00.00.G00", code: "", name: "", base_url: "https://" },
  services: { system: "VN/GOV/000.00.00.G00/SYSTEM", code: "", version: "v1", name: "", provider_path: "/" },
  "json-schemas": { name: "", version: "1", description: "", document: { type: "object" } },
};

function editor(value, onSave, hint) {
  const text = h("textarea", { rows: 14, spellcheck: "false", "aria-label": hint }, JSON.stringify(value, null, 2));
  const message = h("div", { "aria-live": "polite" });
  return h(
    "form",
    {
      class: "editor",
      onsubmit: async (event) => {
        event.preventDefault();
        let body;
        try {
          body = JSON.parse(text.value);
        } catch (error) {
          fill(message, notice("error", error.message));
          return;
        }
        try {
          await onSave(body);
          fill(message, notice("ok", t("common.saved")));
        } catch (error) {
          fill(message, notice("error", failure(error)));
        }
      },
    },
    h("p", { class: "muted" }, hint),
    text,
    h("button", { type: "submit" }, t("common.save")),
    message,
  );
}

function detail(kind, entry, session, container) {
  const canEdit = session.role !== "auditor";
  const doc = { ...entry };
  for (const generated of ["id", "revision", "created_at", "updated_at", "identifier"]) delete doc[generated];
  fill(container,
    h("h2", { id: "detail-title" }, `${t("registry.detail")}: ${entry.identifier || entry.name || entry.id}`),
    h("pre", { class: "json", tabindex: 0 }, JSON.stringify(entry, null, 2)),
    canEdit
      ? editor(doc, async (body) => {
          const fresh = await api(`/admin/v1/${kind}/${entry.id}`);
          const changed = Object.fromEntries(Object.entries(body).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(fresh[k])));
          const saved = await api(`/admin/v1/${kind}/${entry.id}`, { method: "PATCH", body: changed, ifMatch: entry.etag || fresh.etag });
          detail(kind, saved, session, container);
        }, t("registry.edit.hint"))
      : null,
  );
  container.querySelector("h2").focus?.();
}

async function list(kind, session, after) {
  const page = await api(`/admin/v1/${kind}${query({ limit: 50, after })}`);
  const container = h("section", { class: "card detail", "aria-live": "polite" });
  const columns = [
    { label: t("common.id"), value: (e) => String(e.id) },
    { label: t("common.identifier"), value: (e) => e.identifier || `${e.name}/${e.version}` },
    { label: t("common.name"), value: (e) => (kind === "json-schemas" ? e.description || "" : e.name || "") },
    { label: t("common.status"), value: (e) => (e.status ? statusBadge(e.status) : "") },
  ];
  const rows = table(t(`registry.${kind}`), columns, page.items, {
    onSelect: async (entry) => detail(kind, await api(`/admin/v1/${kind}/${entry.id}`), session, container),
  });
  const more = page.next_after
    ? h("a", { class: "button", href: `#/registry/${kind}/${page.next_after}` }, t("common.next"))
    : null;
  const canCreate = session.role === "hub-admin" || (session.role === "member-admin" && kind !== "members");
  const create = canCreate
    ? h("button", {
        type: "button",
        onclick: () =>
          fill(container,
            h("h2", {}, `${t("common.new")}: ${t(`registry.${kind}`)}`),
            editor(TEMPLATES[kind], async (body) => {
              const created = await api(`/admin/v1/${kind}`, { method: "POST", body });
              detail(kind, created, session, container);
            }, t("registry.new.hint")),
          ),
      }, t("common.new"))
    : null;
  return [h("section", { class: "card" }, h("div", { class: "toolbar" }, create), rows, more), container];
}

export async function render(session, [kind = "members", after] = []) {
  const current = KINDS.includes(kind) ? kind : "members";
  const tabs = h(
    "nav",
    { class: "tabs", "aria-label": t("registry.title") },
    KINDS.map((k) => h("a", { href: `#/registry/${k}`, "aria-current": k === current ? "page" : false }, t(`registry.${k}`))),
  );
  return page(t("registry.title"), tabs, ...(await list(current, session, after)));
}
