// Agreements: the approval inbox (requests waiting for this member, as
// provider), every agreement the role may see with the actions its state
// allows, and the form to request a new one from the service catalogue.
import { api, query } from "../api.js";
import { refresh } from "../app.js";
import { formatTime, t } from "../i18n.js";
import { failure, field, fill, h, notice, page, select, statusBadge, table } from "../ui.js";

const ACTIONS = {
  requested: ["approve", "reject", "revoke"],
  approved: ["suspend", "revoke"],
  suspended: ["resume", "revoke"],
  expired: ["suspend", "revoke"],
};
const STATUSES = ["requested", "approved", "suspended", "rejected", "revoked"];

async function act(agreement, action, message) {
  try {
    const changed = await api(`/admin/v1/agreements/${agreement.id}/${action}`, { method: "POST", body: {} });
    sessionStorage.setItem("lt-flash", t("agreements.done", { id: changed.id, status: t(`status.${changed.status}`) }));
    await refresh();
  } catch (error) {
    fill(message, notice("error", failure(error)));
  }
}

function agreementTable(caption, agreements, session, message) {
  const columns = [
    { label: t("common.id"), value: (a) => String(a.id) },
    { label: t("common.consumer"), value: (a) => a.consumer },
    { label: t("common.provider"), value: (a) => a.provider },
    { label: t("common.service"), value: (a) => a.service_code },
    { label: t("agreements.purpose"), value: (a) => a.purpose },
    { label: t("common.status"), value: (a) => [statusBadge(a.status), h("br"), h("small", {}, formatTime(a.status_changed_at))] },
  ];
  if (session.role !== "auditor") {
    columns.push({
      label: t("common.actions"),
      value: (a) =>
        h(
          "div",
          { class: "actions" },
          (ACTIONS[a.status] || []).map((action) =>
            h(
              "button",
              { type: "button", class: action === "approve" ? "" : "secondary", "data-action": action, "data-agreement": a.id, onclick: () => act(a, action, message) },
              t(`agreements.action.${action}`),
            ),
          ),
        ),
    });
  }
  return table(caption, columns, agreements, { captionHidden: true });
}

function requestForm(systems, catalog, message) {
  const consumer = select("consumer", systems.map((s) => [s.identifier, `${s.identifier} — ${s.name}`]));
  const service = select(
    "service",
    catalog.map((s, i) => [String(i), `${s.provider} · ${s.service_code} ${s.version} — ${s.name}`]),
  );
  const purpose = h("textarea", { name: "purpose", rows: 2, required: true, maxlength: 2000 });
  const legalBasis = h("textarea", { name: "legal_basis", rows: 2, required: true, maxlength: 2000 });
  const legalReference = h("input", { name: "legal_reference", maxlength: 500 });
  return h(
    "form",
    {
      class: "card",
      onsubmit: async (event) => {
        event.preventDefault();
        const chosen = catalog[Number(service.value)];
        const body = {
          consumer: consumer.value,
          provider: chosen.provider,
          service_code: chosen.service_code,
          purpose: purpose.value,
          legal_basis: legalBasis.value,
        };
        if (legalReference.value) body.legal_reference = legalReference.value;
        try {
          const created = await api("/admin/v1/agreements", { method: "POST", body });
          sessionStorage.setItem("lt-flash", t("agreements.request.sent", { id: created.id }));
          await refresh();
        } catch (error) {
          fill(message, notice("error", failure(error)));
        }
      },
    },
    h("h2", {}, t("agreements.request")),
    field(t("agreements.request.consumer"), consumer),
    field(t("agreements.request.service"), service),
    field(t("agreements.request.purpose"), purpose),
    field(t("agreements.request.legal_basis"), legalBasis),
    field(t("agreements.request.legal_reference"), legalReference),
    h("button", { type: "submit" }, t("agreements.request.submit")),
  );
}

export async function render(session, [status = "", after] = []) {
  const message = h("div", { "aria-live": "polite" });
  const flash = sessionStorage.getItem("lt-flash");
  sessionStorage.removeItem("lt-flash");
  if (flash) fill(message, notice("ok", flash));

  const all = await api(`/admin/v1/agreements${query({ limit: 100, status, after })}`);
  const sections = [message];

  if (session.role !== "auditor") {
    // Requests that wait for this member as provider (every request, for the hub admin).
    const requested = (await api(`/admin/v1/agreements${query({ limit: 200, status: "requested" })}`)).items;
    let mine = requested;
    if (session.role === "member-admin") {
      const member = await api(`/admin/v1/members/${session.member_id}`);
      mine = requested.filter((a) => a.provider.startsWith(`${member.identifier}/`));
    }
    sections.push(
      h(
        "section",
        { class: "card inbox", "aria-labelledby": "inbox-title" },
        h("h2", { id: "inbox-title" }, t("agreements.inbox")),
        mine.length ? agreementTable(t("agreements.inbox"), mine, session, message) : h("p", { class: "empty" }, t("agreements.inbox.empty")),
      ),
    );
  }

  const filter = select("status", [["", t("agreements.any")], ...STATUSES.map((s) => [s, t(`status.${s}`)])], status);
  filter.addEventListener("change", () => (location.hash = `#/agreements/${filter.value}`));
  sections.push(
    h(
      "section",
      { class: "card" },
      h("h2", {}, t("agreements.all")),
      h("div", { class: "toolbar" }, field(t("agreements.filter"), filter)),
      agreementTable(t("agreements.all"), all.items, session, message),
      all.next_after ? h("a", { class: "button", href: `#/agreements/${status}/${all.next_after}` }, t("common.next")) : null,
    ),
  );

  if (session.role !== "auditor") {
    const [systems, catalog] = await Promise.all([api("/admin/v1/systems?limit=200"), api("/admin/v1/catalog")]);
    sections.push(requestForm(systems.items.filter((s) => s.status === "active"), catalog.items, message));
  }
  return page(t("agreements.title"), ...sections);
}
