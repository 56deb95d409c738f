// Audit: search the exchange log with the auditor API's filters, open a
// record, export the selection (NDJSON or CSV) and verify the hash chain.
import { api, download, query } from "../api.js";
import { formatTime, t } from "../i18n.js";
import { failure, field, fill, h, localInput, notice, page, select, table, toIso } from "../ui.js";

const TEXT_FILTERS = [
  ["consumer", "common.consumer"],
  ["provider", "common.provider"],
  ["service", "common.service"],
  ["message_id", "audit.message_id"],
  ["user_id", "audit.user_id"],
  ["status", "audit.status"],
];

function recordView(record) {
  const rows = Object.entries(record).filter(([, v]) => v !== null && typeof v !== "object");
  return [
    h("h2", { tabindex: -1 }, t("audit.record", { id: record.id })),
    h("dl", { class: "record" }, rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, String(v))])),
  ];
}

export async function render() {
  const to = new Date(Date.now() + 60000);
  const from = new Date(to.getTime() - 86400000);
  const inputs = {
    from: h("input", { type: "datetime-local", name: "from", value: localInput(from), required: true }),
    to: h("input", { type: "datetime-local", name: "to", value: localInput(to), required: true }),
  };
  for (const [name] of TEXT_FILTERS) inputs[name] = h("input", { name, type: name === "status" ? "number" : "text" });
  inputs.outcome = select("outcome", [["", t("audit.outcome.any")], ["accepted", t("audit.outcome.accepted")], ["refused", t("audit.outcome.refused")]], "");

  const results = h("section", { class: "card", "aria-live": "polite" });
  const detail = h("section", { class: "card detail" });
  const message = h("div", { "aria-live": "polite" });
  const filters = () =>
    Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, name === "from" || name === "to" ? toIso(input.value) : input.value.trim()]));

  async function search(after) {
    fill(message);
    try {
      const found = await api(`/audit/v1/exchanges${query({ ...filters(), after, limit: 50 })}`);
      fill(results,
        table(
          t("audit.results"),
          [
            { label: t("common.id"), value: (r) => String(r.id) },
            { label: t("audit.time"), value: (r) => formatTime(r.received_at) },
            { label: t("common.consumer"), value: (r) => r.consumer ?? "" },
            { label: t("common.provider"), value: (r) => r.provider ?? "" },
            { label: t("common.service"), value: (r) => r.service ?? "" },
            { label: t("audit.status"), value: (r) => String(r.status) },
            { label: t("audit.error"), value: (r) => r.error_code ?? "" },
            { label: t("audit.message_id"), value: (r) => r.message_id ?? "" },
          ],
          found.items,
          {
            onSelect: async (row) => {
              fill(detail, ...recordView(await api(`/audit/v1/exchanges/${row.id}`)));
              detail.querySelector("h2").focus();
            },
          },
        ),
        found.next_after ? h("button", { type: "button", onclick: () => search(found.next_after) }, t("common.next")) : null,
      );
    } catch (error) {
      fill(message, notice("error", failure(error)));
    }
  }

  async function exportAs(format) {
    try {
      const { outcome, ...rest } = filters();
      const blob = await download(`/audit/v1/export${query({ ...rest, outcome, format })}`);
      const link = h("a", { href: URL.createObjectURL(blob), download: `audit-export.${format}` });
      document.body.append(link);
      link.click();
      link.remove();
    } catch (error) {
      fill(message, notice("error", failure(error)));
    }
  }

  async function verify() {
    try {
      const { from: start, to: end } = filters();
      const report = await api(`/audit/v1/verify${query({ from: start, to: end })}`);
      const records = report.chains.reduce((n, c) => n + c.records_checked, 0);
      const checkpoints = report.chains.reduce((n, c) => n + c.checkpoints_checked, 0);
      const problem = report.chains.find((c) => c.problem)?.problem;
      fill(message,
        report.ok
          ? notice("ok", t("audit.verify.ok", { records, checkpoints }))
          : notice("error", t("audit.verify.broken", { detail: problem ? `${problem.kind} @ ${problem.seq}: ${problem.detail}` : `${report.unchained_records}` })),
      );
    } catch (error) {
      fill(message, notice("error", failure(error)));
    }
  }

  const form = h(
    "form",
    { class: "card filters", onsubmit: (event) => (event.preventDefault(), search()) },
    h("h2", {}, t("audit.filters")),
    h(
      "div",
      { class: "grid" },
      field(t("common.from"), inputs.from),
      field(t("common.to"), inputs.to),
      TEXT_FILTERS.map(([name, label]) => field(t(label), inputs[name])),
      field(t("audit.outcome"), inputs.outcome),
    ),
    h(
      "div",
      { class: "toolbar" },
      h("button", { type: "submit" }, t("common.search")),
      h("button", { type: "button", class: "secondary", onclick: () => exportAs("ndjson") }, t("audit.export.ndjson")),
      h("button", { type: "button", class: "secondary", onclick: () => exportAs("csv") }, t("audit.export.csv")),
      h("button", { type: "button", class: "secondary", onclick: verify }, t("audit.verify")),
    ),
  );
  await search();
  return page(t("audit.title"), form, message, results, detail);
}
