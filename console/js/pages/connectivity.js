// Connectivity: the headline figure this project exists to raise (the share
// of registered systems that exchanged data in the last 30 days) and the
// registry as a graph: systems grouped by member around a circle, agreements
// as lines, thicker with more traffic. A table repeats the graph's numbers
// for keyboard and screen-reader users. Other instances (the peer hubs, and
// instances reached through them) are squares inside the circle, with a line
// for each pair of systems that exchanged across hubs. Below: the peer hubs
// (is each one's catalogue fresh?) and traffic across instances
// (docs/federation.md).
import { api } from "../api.js";
import { formatNumber, formatTime, t } from "../i18n.js";
import { h, page, svg, table } from "../ui.js";

const SIZE = 640;
const RADIUS = 240;
const INNER_RADIUS = 90; // other instances, inside the circle of our systems

const instanceOf = (identifier) => identifier.split("/")[0];

function layout(systems) {
  // Sorted by member, so a member's systems sit next to each other.
  const ordered = [...systems].sort((a, b) => a.member_id - b.member_id || a.id - b.id);
  const positions = new Map();
  ordered.forEach((system, i) => {
    const angle = (2 * Math.PI * i) / ordered.length - Math.PI / 2;
    positions.set(system.identifier, {
      x: SIZE / 2 + RADIUS * Math.cos(angle),
      y: SIZE / 2 + RADIUS * Math.sin(angle),
      angle,
    });
  });
  return positions;
}

// Every instance other than ours: the registered peers, and any other that
// appears in traffic (reached through a peer, or crossing us in transit).
function otherInstances(data) {
  const ours = new Set(data.systems.map((s) => instanceOf(s.identifier)));
  const peers = new Map(data.peers.map((p) => [p.instance, p]));
  const seen = new Set(peers.keys());
  for (const pair of data.traffic) {
    for (const party of [pair.consumer, pair.provider]) {
      if (!ours.has(instanceOf(party))) seen.add(instanceOf(party));
    }
  }
  const ordered = [...seen].sort();
  return ordered.map((instance, i) => {
    const angle = (2 * Math.PI * i) / ordered.length - Math.PI / 2;
    const r = ordered.length > 1 ? INNER_RADIUS : 0;
    return { instance, peer: peers.get(instance), x: SIZE / 2 + r * Math.cos(angle), y: SIZE / 2 + r * Math.sin(angle) };
  });
}

function instanceNode(other) {
  const state = other.peer ? (other.peer.catalogue?.fresh ? "fresh" : "stale") : "remote";
  const about = other.peer
    ? `${other.instance}\n${other.peer.name}\n${catalogueState(other.peer)}`
    : `${other.instance}\n${t("connectivity.remoteInstance")}`;
  return svg(
    "g",
    { class: `node instance ${state}` },
    svg("rect", { x: other.x - 10, y: other.y - 10, width: 20, height: 20, rx: 3 }),
    svg("text", { x: other.x, y: other.y + 26, "text-anchor": "middle" }, other.instance),
    svg("title", {}, about),
  );
}

// Traffic with another instance's systems: from our system (or, in transit,
// from the consumer's instance) to the provider's instance, or the reverse.
function federatedEdges(data, positions, others) {
  const byInstance = new Map(others.map((o) => [o.instance, o]));
  const at = (party) => positions.get(party) ?? byInstance.get(instanceOf(party));
  return data.traffic
    .filter((pair) => !(positions.has(pair.consumer) && positions.has(pair.provider)))
    .filter((pair) => at(pair.consumer) && at(pair.provider) && at(pair.consumer) !== at(pair.provider))
    .map((pair) => {
      const from = at(pair.consumer);
      const to = at(pair.provider);
      return svg(
        "line",
        { x1: from.x, y1: from.y, x2: to.x, y2: to.y, class: "edge federated", "stroke-width": 1.5 + 2 * Math.log10(pair.exchanges + 1) },
        svg("title", {}, `${pair.consumer} → ${pair.provider} · ${formatNumber(pair.exchanges)}`),
      );
    });
}

function graph(data) {
  const positions = layout(data.systems);
  const others = otherInstances(data);
  const volume = new Map(data.traffic.map((p) => [`${p.consumer}>${p.provider}`, p.exchanges]));
  const edges = data.agreements
    .filter((a) => positions.has(a.consumer) && positions.has(a.provider))
    .map((a) => {
      const from = positions.get(a.consumer);
      const to = positions.get(a.provider);
      const count = volume.get(`${a.consumer}>${a.provider}`) || 0;
      const kind = a.status === "approved" ? "approved" : a.status === "requested" ? "requested" : "stopped";
      return svg(
        "line",
        { x1: from.x, y1: from.y, x2: to.x, y2: to.y, class: `edge ${kind}`, "stroke-width": 1.5 + 2 * Math.log10(count + 1) },
        svg("title", {}, `${a.consumer} → ${a.provider} · ${a.service_code} · ${t(`status.${a.status}`)} · ${formatNumber(count)}`),
      );
    });
  const members = new Map(data.members.map((m) => [m.id, m]));
  const nodes = data.systems.map((system) => {
    const p = positions.get(system.identifier);
    const code = system.identifier.split("/").pop();
    const anchor = Math.cos(p.angle) > 0.2 ? "start" : Math.cos(p.angle) < -0.2 ? "end" : "middle";
    const dx = anchor === "start" ? 14 : anchor === "end" ? -14 : 0;
    const dy = anchor === "middle" ? (Math.sin(p.angle) > 0 ? 24 : -16) : 4;
    return svg(
      "g",
      { class: `node ${system.exchanged ? "active" : "idle"}` },
      svg("circle", { cx: p.x, cy: p.y, r: 9 }),
      svg("text", { x: p.x + dx, y: p.y + dy, "text-anchor": anchor }, code),
      svg("title", {}, `${system.identifier}\n${system.name}\n${members.get(system.member_id)?.name ?? ""}`),
    );
  });
  return svg(
    "svg",
    { viewBox: `-120 -10 ${SIZE + 240} ${SIZE + 20}`, role: "img", "aria-label": t("connectivity.graph"), class: "graph" },
    svg("title", {}, t("connectivity.graph")),
    ...edges,
    ...federatedEdges(data, positions, others),
    ...nodes,
    ...others.map(instanceNode),
  );
}

function legend() {
  const item = (kind, label) => h("li", {}, h("span", { class: `swatch ${kind}`, "aria-hidden": "true" }), label);
  return h(
    "ul",
    { class: "legend" },
    item("active", t("connectivity.legend.active")),
    item("idle", t("connectivity.legend.idle")),
    item("approved", t("connectivity.legend.approved")),
    item("requested", t("connectivity.legend.requested")),
    item("stopped", t("connectivity.legend.stopped")),
    item("instance", t("connectivity.legend.instance")),
    item("federated", t("connectivity.legend.federated")),
  );
}

// A peer's catalogue in words: fresh until when, expired, or never pulled;
// with the last pull's error when it did not replace the catalogue.
function catalogueState(peer) {
  const c = peer.catalogue;
  if (!c || c.version === null) return t("connectivity.peers.never", { error: c?.error ?? "" });
  const state = c.fresh
    ? t("connectivity.peers.fresh", { version: c.version, until: formatTime(c.expires_at), services: c.services })
    : t("connectivity.peers.expired", { version: c.version, at: formatTime(c.expires_at) });
  return c.error ? `${state} ${t("connectivity.peers.lastError", { error: c.error })}` : state;
}

function federation(data) {
  if (!data.peers.length && !data.instances.some((i) => i.consumer_instance !== i.provider_instance)) return null;
  return h(
    "section",
    { class: "card", "aria-labelledby": "peer-hubs" },
    h("h2", { id: "peer-hubs" }, t("connectivity.peers.title")),
    table(
      t("connectivity.peers.caption", { days: data.days }),
      [
        { label: t("connectivity.peers.instance"), value: (p) => p.instance },
        { label: t("common.name"), value: (p) => p.name },
        { label: t("common.status"), value: (p) => t(`status.${p.status}`) },
        { label: t("connectivity.peers.catalogue"), value: catalogueState },
        { label: t("connectivity.peers.in"), value: (p) => formatNumber(p.exchanges_in) },
        { label: t("connectivity.peers.out"), value: (p) => formatNumber(p.exchanges_out) },
      ],
      data.peers,
    ),
    table(
      t("connectivity.instances", { days: data.days }),
      [
        { label: t("common.consumer"), value: (i) => i.consumer_instance },
        { label: t("common.provider"), value: (i) => i.provider_instance },
        { label: t("common.exchanges"), value: (i) => formatNumber(i.exchanges) },
        { label: t("common.refused"), value: (i) => formatNumber(i.refused) },
      ],
      data.instances,
    ),
  );
}

export async function render() {
  const data = await api("/audit/v1/connectivity?days=30");
  const percent = Math.round(data.share * 1000) / 10;
  return page(
    t("connectivity.title"),
    h(
      "section",
      { class: "headline card", "aria-labelledby": "headline-figure" },
      h("p", { class: "figure", id: "headline-figure" }, `${formatNumber(percent)}%`),
      h("p", {}, t("connectivity.headline", { days: data.days })),
      h("p", { class: "muted" }, t("connectivity.counts", { exchanged: data.systems_exchanged, registered: data.systems_registered })),
      h(
        "p",
        { id: "member-pairs" },
        t("connectivity.memberPairs", {
          share: formatNumber(Math.round(data.member_pairs.share * 1000) / 10),
          exchanged: data.member_pairs.exchanged,
          possible: data.member_pairs.possible,
        }),
      ),
    ),
    h("section", { class: "card" }, h("h2", {}, t("connectivity.graph")), graph(data), legend()),
    h(
      "section",
      { class: "card" },
      table(
        t("connectivity.pairs", { days: data.days }),
        [
          { label: t("common.consumer"), value: (p) => p.consumer },
          { label: t("common.provider"), value: (p) => p.provider },
          { label: t("common.exchanges"), value: (p) => formatNumber(p.exchanges) },
          { label: t("common.refused"), value: (p) => formatNumber(p.refused) },
        ],
        data.traffic,
      ),
    ),
    federation(data),
  );
}
