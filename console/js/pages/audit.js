// Audit: search the exchange log with the auditor API's filters, open a
// record, export the selection (NDJSON or CSV) and verify the hash chain:
// the selected period, or the whole log held to the heads of the last whole
// verification, which this browser keeps (localStorage, per hub): outside
// the database, so a chain cut short together with its checkpoints, or
// deleted whole, no longer verifies. The heads download as the file
// `lienthong audit verify --expect` reads.
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

const HEADS_KEY = "lienthong.audit.heads";

function savedHeads() {
  try {
    const kept = JSON.parse(localStorage.getItem(HEADS_KEY));
    return kept && kept.format === "lienthong-audit-heads/1" && Array.isArray(kept.heads) ? kept : null;
  } catch {
    return null;
  }
}

// The head of every chain that verified (as `audit verify --save-heads`).
function headsOf(report) {
  return {
    format: "lienthong-audit-heads/1",
    saved_at: new Date().toISOString(),
    heads: report.chains.filter((c) => !c.problem && c.to_seq > 0).map((c) => ({ node: c.node, seq: c.to_seq, record_hash: c.to_hash })),
  };
}

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

  function summary(report) {
    const records = report.chains.reduce((n, c) => n + c.records_checked, 0);
    const checkpoints = report.chains.reduce((n, c) => n + c.checkpoints_checked, 0);
    const broken = report.chains.find((c) => c.problem);
    const problem = broken?.problem;
    return report.ok
      ? notice("ok", t("audit.verify.ok", { records, checkpoints }))
      : notice("error", t("audit.verify.broken", { detail: problem ? `${broken.node}: ${problem.kind} @ ${problem.seq}: ${problem.detail}` : `${report.unchained_records}` }));
  }

  async function verify() {
    try {
      const { from: start, to: end } = filters();
      fill(verification, summary(await api(`/audit/v1/verify${query({ from: start, to: end })}`)));
    } catch (error) {
      fill(verification, notice("error", failure(error)));
    }
  }

  // The whole log, held to the heads kept here; the new heads replace them
  // only when everything verified.
  async function verifyWhole() {
    const kept = savedHeads();
    try {
      const report = kept ? await api("/audit/v1/verify", { method: "POST", body: kept }) : await api("/audit/v1/verify");
      const held = kept ? (report.ok ? t("audit.heads.extended", { at: formatTime(kept.saved_at) }) : t("audit.heads.kept")) : t("audit.heads.first");
      if (report.ok) localStorage.setItem(HEADS_KEY, JSON.stringify(headsOf(report)));
      fill(verification, summary(report), h("p", {}, held));
    } catch (error) {
      fill(verification, notice("error", failure(error)));
    }
    showHeads();
  }

  function showHeads() {
    const kept = savedHeads();
    fill(headsStatus, kept ? t("audit.heads.saved", { chains: kept.heads.length, at: formatTime(kept.saved_at) }) : t("audit.heads.none"));
    downloadHeads.disabled = !kept;
    forgetHeads.disabled = !kept;
  }

  function saveHeadsFile() {
    const kept = savedHeads();
    if (!kept) return;
    const blob = new Blob([JSON.stringify(kept, null, 2) + "\n"], { type: "application/json" });
    const link = h("a", { href: URL.createObjectURL(blob), download: "audit-heads.json" });
    document.body.append(link);
    link.click();
    link.remove();
  }

  const verification = h("div", { "aria-live": "polite" });
  const headsStatus = h("p", { id: "audit-heads-status" });
  const downloadHeads = h("button", { type: "button", class: "secondary", onclick: saveHeadsFile }, t("audit.heads.download"));
  const forgetHeads = h("button", { type: "button", class: "secondary", onclick: () => (localStorage.removeItem(HEADS_KEY), showHeads()) }, t("audit.heads.forget"));
  const verifyCard = h(
    "section",
    { class: "card" },
    h("h2", {}, t("audit.verify.title")),
    h("p", {}, t("audit.verify.explain")),
    headsStatus,
    h(
      "div",
      { class: "toolbar" },
      h("button", { type: "button", onclick: verify }, t("audit.verify")),
      h("button", { type: "button", onclick: verifyWhole }, t("audit.verify.whole")),
      downloadHeads,
      forgetHeads,
    ),
    verification,
  );
  showHeads();

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
    ),
  );
  await search();
  return page(t("audit.title"), form, message, results, detail, verifyCard);
}
