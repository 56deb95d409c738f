// Traffic: volumes, refusal rates and latency per consumer -> provider pair
// over time, from /audit/v1/stats, as line charts and a table.
import { api, query } from "../api.js";
import { formatNumber, t } from "../i18n.js";
import { field, fill, h, localInput, page, select, svg, table, toIso } from "../ui.js";

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 56, right: 16, top: 12, bottom: 28 };
// The same six colours as .swatch.c0 ... .c5 in style.css (the CSP allows no inline style).
const COLOURS = ["#1d4ed8", "#b45309", "#047857", "#9d174d", "#6d28d9", "#0e7490"];

// Every bucket from `from` to `to`, in the stats API's form (UTC,
// "2026-11-30T00:00:00Z"), so the time axis spans the whole range asked for.
function bucketsBetween(from, to, bucket) {
  const step = bucket === "hour" ? 3600000 : 86400000;
  const start = new Date(from);
  start.setUTCMinutes(0, 0, 0);
  if (bucket === "day") start.setUTCHours(0);
  const keys = [];
  for (let time = start.getTime(); time <= to.getTime(); time += step)
    keys.push(new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z"));
  return keys;
}

// Volume is zero where a pair had no exchange; rates and latencies are
// undefined there, so those lines skip the empty buckets.
function withZeros(buckets, items) {
  const byBucket = new Map(items.map((item) => [item.bucket, item]));
  return buckets.map((bucket) => byBucket.get(bucket) ?? { bucket, exchanges: 0 });
}

// One chart: a line per pair over the buckets; `value(item)` gives its y.
function chart(title, buckets, series, value, format) {
  const max = Math.max(1e-9, ...series.flatMap((s) => s.items.map(value)));
  const x = (i) => PAD.left + (buckets.length < 2 ? 0 : (i * (WIDTH - PAD.left - PAD.right)) / (buckets.length - 1));
  const y = (v) => HEIGHT - PAD.bottom - (v / max) * (HEIGHT - PAD.top - PAD.bottom);
  const index = new Map(buckets.map((b, i) => [b, i]));
  series = series.map((s) => ({ ...s, items: s.items.filter((item) => index.has(item.bucket)) }));
  const lines = series.map((s, n) =>
    svg(
      "polyline",
      {
        fill: "none",
        stroke: COLOURS[n % COLOURS.length],
        "stroke-width": 2,
        points: s.items.map((item) => `${x(index.get(item.bucket))},${y(value(item))}`).join(" "),
      },
      svg("title", {}, s.label),
    ),
  );
  const dots = series.flatMap((s, n) =>
    s.items.map((item) =>
      svg("circle", { cx: x(index.get(item.bucket)), cy: y(value(item)), r: 3, fill: COLOURS[n % COLOURS.length] },
        svg("title", {}, `${s.label} · ${item.bucket} · ${format(value(item))}`)),
    ),
  );
  const axis = [
    svg("line", { x1: PAD.left, y1: HEIGHT - PAD.bottom, x2: WIDTH - PAD.right, y2: HEIGHT - PAD.bottom, class: "axis" }),
    svg("text", { x: PAD.left - 6, y: PAD.top + 8, "text-anchor": "end", class: "tick" }, format(max)),
    svg("text", { x: PAD.left - 6, y: HEIGHT - PAD.bottom, "text-anchor": "end", class: "tick" }, "0"),
    svg("text", { x: PAD.left, y: HEIGHT - 8, class: "tick" }, buckets[0]?.slice(0, 16).replace("T", " ") ?? ""),
    svg("text", { x: WIDTH - PAD.right, y: HEIGHT - 8, "text-anchor": "end", class: "tick" }, buckets.at(-1)?.slice(0, 16).replace("T", " ") ?? ""),
  ];
  return h(
    "figure",
    { class: "chart" },
    h("figcaption", {}, title),
    svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": title }, ...axis, ...lines, ...dots),
  );
}

export async function render(session, [bucketParam] = []) {
  const bucket = bucketParam === "hour" ? "hour" : "day";
  // A minute ahead: the inputs keep whole minutes, and this minute's exchanges count.
  const to = new Date(Date.now() + 60000);
  const from = new Date(to.getTime() - (bucket === "hour" ? 2 : 14) * 86400000);
  const fromInput = h("input", { type: "datetime-local", name: "from", value: localInput(from) });
  const toInput = h("input", { type: "datetime-local", name: "to", value: localInput(to) });
  const bucketSelect = select("bucket", [["day", t("traffic.bucket.day")], ["hour", t("traffic.bucket.hour")]], bucket);
  const results = h("div", { "aria-live": "polite" });

  async function load() {
    const stats = await api(`/audit/v1/stats${query({ from: toIso(fromInput.value), to: toIso(toInput.value), bucket: bucketSelect.value })}`);
    const buckets = bucketsBetween(new Date(toIso(fromInput.value)), new Date(toIso(toInput.value)), bucketSelect.value);
    const pairs = new Map();
    for (const item of stats.items) {
      const label = `${item.consumer ?? "?"} → ${item.provider ?? "?"}`;
      if (!pairs.has(label)) pairs.set(label, { label, items: [], exchanges: 0, refused: 0, p95: 0 });
      const pair = pairs.get(label);
      pair.items.push(item);
      pair.exchanges += item.exchanges;
      pair.refused += item.refused;
      pair.p95 = Math.max(pair.p95, item.latency_ms?.p95 ?? 0);
    }
    // The six busiest pairs get a line; the table lists them all.
    const series = [...pairs.values()].sort((a, b) => b.exchanges - a.exchanges);
    const drawn = series.slice(0, COLOURS.length);
    fill(results,
      h("ul", { class: "legend" }, drawn.map((s, n) => h("li", {}, h("span", { class: `swatch c${n}`, "aria-hidden": "true" }), s.label))),
      h(
        "div",
        { class: "charts" },
        chart(t("traffic.volume"), buckets, drawn.map((s) => ({ ...s, items: withZeros(buckets, s.items) })), (i) => i.exchanges, (v) => formatNumber(Math.round(v))),
        chart(t("traffic.errors"), buckets, drawn, (i) => Number(i.error_rate), (v) => `${formatNumber(Math.round(v * 1000) / 10)}%`),
        chart(t("traffic.latency"), buckets, drawn, (i) => Number(i.latency_ms?.p95 ?? 0), (v) => formatNumber(Math.round(v * 10) / 10)),
      ),
      table(
        t("traffic.table"),
        [
          { label: t("common.consumer"), value: (s) => s.label.split(" → ")[0] },
          { label: t("common.provider"), value: (s) => s.label.split(" → ")[1] },
          { label: t("common.exchanges"), value: (s) => formatNumber(s.exchanges) },
          { label: t("traffic.error_rate"), value: (s) => `${formatNumber(Math.round((s.refused / s.exchanges) * 1000) / 10)}%` },
          { label: t("traffic.p95"), value: (s) => formatNumber(s.p95) },
        ],
        series,
      ),
    );
  }

  const form = h(
    "form",
    { class: "card toolbar", onsubmit: (event) => (event.preventDefault(), load()) },
    field(t("common.from"), fromInput),
    field(t("common.to"), toInput),
    field(t("traffic.bucket"), bucketSelect),
    h("button", { type: "submit" }, t("common.refresh")),
  );
  await load();
  return page(t("traffic.title"), form, h("section", { class: "card" }, results));
}
