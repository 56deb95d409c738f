#!/usr/bin/env bash
# What the cluster costs on one machine: the full pipeline through HAProxy to
# three nodes (each on PostgreSQL's synchronous primary under Patroni)
# against one node of the same cluster, called directly and through the
# same HAProxy, and against a fourth node that reaches PostgreSQL without
# HAProxy's frontend (a multi-host URL); same run, rounds alternating. The two
# cores are shared by everything, so this shows the overhead of the site's
# shape (HAProxy, three processes, synchronous replication), not scale. A
# cluster of its own (var/cluster-bench, ports 26xxx), stopped at the end;
# nginx answers as the provider.
#
#   bench/cluster.sh [--rounds N] [--seconds S] [--connections C]
source "$(dirname "$0")/../scripts/lib/common.sh"
source "$LT_ROOT/scripts/lib/pg.sh"
export LT_CLUSTER="$LT_VAR/cluster-bench" LT_CLUSTER_BASE=26000
source "$LT_ROOT/scripts/lib/cluster.sh"

rounds=3 seconds=10 connections=32
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    *) lt_die "unknown option $1 (see the comment at the top of bench/cluster.sh)" ;;
  esac
done

"$LT_ROOT/scripts/install-deps.sh" --bench
"$LT_ROOT/scripts/install-deps.sh" --cluster
work="$LT_CLUSTER/bench"
provider_pid=""
cleanup() {
  [ -z "$provider_pid" ] || kill "$provider_pid" 2>/dev/null || true
  "$LT_ROOT/scripts/cluster.sh" down >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$LT_ROOT/scripts/cluster.sh" clean >/dev/null 2>&1 || true
"$LT_ROOT/scripts/cluster.sh" up >/dev/null
lt_pg_prepare_owner

# The benchmark's registry and provider, as bench/run.sh uses them.
mkdir -p "$work"
"$LT_ROOT/scripts/pki.sh" BENCH-CONSUMER >/dev/null
LIENTHONG_DATABASE_URL=$(cluster_database_url) "$LT_ROOT/build/src/lienthong" registry apply \
  "$LT_ROOT/bench/gateway/registry.json" >/dev/null
sed -e "s#@DIR@#$work#g" -e "s#@PROVIDER_PORT@#9201#g" \
  "$LT_ROOT/bench/gateway/nginx-provider.conf" >"$work/provider.conf"
nginx -p "$work" -c "$work/provider.conf" -g 'daemon off;' &
provider_pid=$!
lt_wait_port 127.0.0.1 9201 10 || lt_die "the benchmark provider did not start"
# hub-4: one more node, on the database without HAProxy (a multi-host libpq
# URL), so the proxy's hop between the nodes and PostgreSQL is measured too.
cluster_hub_start 4 "$(cluster_direct_database_url)"
for ((i = 0; i < 60; i++)); do cluster_hub_ready 4 && break; sleep 0.5; done
cluster_hub_ready 4 || lt_die "hub-4 (database without HAProxy) did not start: $LT_CLUSTER/log/hub-4.log"
sleep 2  # every node has reloaded the registry (NOTIFY)

export LT_WRK_CLIENT_CERT="$LT_PKI/BENCH-CONSUMER.crt" LT_WRK_CLIENT_KEY="$LT_PKI/BENCH-CONSUMER.key"
results="$work/runs.jsonl"
: >"$results"
run() {  # run SCENARIO URL ROUND
  local id="cluster-$1-$3-$RANDOM" out
  out=$(LD_PRELOAD="$LT_ROOT/build/bench/liblienthong_wrk_client_certificate.so" \
    wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s -s "$LT_ROOT/bench/gateway/exchange.lua" \
    "$2" -- messages "$id" "$LT_ROOT/bench/gateway/citizen-record.json" | grep '^LT_RESULT')
  local -A r=()
  for kv in ${out#LT_RESULT }; do r[${kv%%=*}]=${kv#*=}; done
  local audited
  audited=$(cluster_psql lienthong -tAc "SELECT count(*) FROM audit_records
    WHERE message_id LIKE '$id-%' AND status = 200")
  jq -nc --arg scenario "$1" --argjson round "$3" --argjson requests "${r[requests]}" \
    --argjson us "${r[duration_us]}" --argjson p99 "${r[p99_us]}" \
    --argjson errors "$((r[connect] + r[read] + r[write] + r[status] + r[timeout]))" \
    --argjson audited "$audited" \
    '{scenario: $scenario, round: $round, rps: ($requests / ($us / 1e6)), p99_ms: ($p99 / 1000),
      requests: $requests, errors: $errors, audited: $audited}' >>"$results"
}

for ((round = 1; round <= rounds; round++)); do
  lt_say "round $round of $rounds: one node with and without HAProxy before PostgreSQL, the same through HAProxy, three behind HAProxy ($connections connections, $seconds s each)"
  run one-node-db-direct "https://localhost:$(cluster_hub_port 4)" "$round"
  run one-node "https://localhost:$(cluster_hub_port 1)" "$round"
  run one-node-haproxy "https://localhost:$LT_CLUSTER_ONE_NODE_PORT" "$round"
  run three-nodes "https://localhost:$LT_CLUSTER_EXCHANGE_PORT" "$round"
done

jq -rs --arg connections "$connections" '
  def median: sort | if length % 2 == 1 then .[length / 2 | floor]
                     else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  (map(select(.scenario == "one-node")) | map(.rps) | median) as $one |
  "| scenario (\($connections) connections, median of rounds) | req/s | x one node | p99 ms | errors | 200s audited / counted by wrk |",
  "|---|---|---|---|---|---|",
  (group_by(.scenario) | sort_by(.[0].scenario | if . == "one-node-db-direct" then -1 elif . == "one-node" then 0 elif . == "one-node-haproxy" then 1 else 2 end)[] |
    "| \(.[0].scenario) | \(map(.rps) | median | round) | \((map(.rps) | median) / $one * 100 | round / 100) | \(map(.p99_ms) | median * 10 | round / 10) | \(map(.errors) | add) | \(map(.audited) | add) / \(map(.requests) | add) |")
' "$results"
lt_say "each run: $results"
