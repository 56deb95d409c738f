#!/usr/bin/env bash
# The 12,000-clinic benchmark: the national demo registry with and without
# the social-insurance claims network of 12,000 clinics (each a member with
# its own system, client certificate and approved agreement), in one run:
#   - registry: applying the clinics' registry file; snapshot rebuild time and
#     memory; the per-request authorisation lookup (certificate, service,
#     agreement) for the same ten callers and for every caller;
#   - throughput: two hub nodes, one per registry, loaded in alternation with
#     the same citizen lookups, and nginx as a TLS proxy to the same provider.
# Prints a table, writes bench/results/clinics-<time>.json. Loopback only;
# stops everything it started. docs/performance.md has the latest results.
#
#   ./bench/clinics.sh [--clinics N] [--duration S] [--rounds N] [--connections C]
#
#   --clinics N      clinics to register (default 12000)
#   --duration S     seconds per load run (default 10)
#   --rounds N       alternations of the three targets (default 3; the median is shown)
#   --connections C  keep-alive connections per load run (default 32)
source "$(dirname "$0")/../scripts/lib/common.sh"
source "$LT_ROOT/scripts/lib/pg.sh"
source "$LT_ROOT/scripts/lib/demo.sh"

clinics=12000
duration=10
rounds=3
connections=32
while [ $# -gt 0 ]; do
  case "$1" in
    --clinics) clinics=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    *) lt_die "unknown option $1 (see the comment at the top of bench/clinics.sh)" ;;
  esac
done

lienthong="$LT_ROOT/build/src/lienthong"
work="$LT_VAR/bench-clinics"
results="$LT_ROOT/bench/results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
threads=$(nproc)
small_port=9543 large_port=9643 proxy_port=9545

"$LT_ROOT/scripts/install-deps.sh" --bench
"$LT_ROOT/scripts/build.sh"

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT
for port in "${LT_DEMO_PORTS[@]}" "$small_port" $((small_port + 1)) "$large_port" \
  $((large_port + 1)) "$proxy_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    lt_die "port $port is in use (is ./scripts/run.sh or another benchmark running?)"
  fi
done

# --- Two registries: the demo's, and the demo's plus the clinics.
rm -rf "$work" && mkdir -p "$work" "$results"
pg_ensure_running
"$LT_ROOT/scripts/pki.sh" "${LT_DEMO_SYSTEMS[@]}" >/dev/null
small_db="$(pg_url lienthong_bench_demo)" large_db="$(pg_url lienthong_bench_clinics)"
for db in lienthong_bench_demo lienthong_bench_clinics; do
  pg_drop_database "$db" >/dev/null
  pg_create_database "$db"
  LIENTHONG_DATABASE_URL="$(pg_url "$db")" "$lienthong" migrate >/dev/null
  LIENTHONG_DATABASE_URL="$(pg_url "$db")" "$lienthong" registry apply \
    "$LT_ROOT/config/demo/registry.json" >/dev/null
done
lt_say "generating $clinics clinics (keys, certificates, registry file)"
start=$(date +%s%N)
"$LT_ROOT/build/src/lienthong-demo" clinics --count "$clinics" --out "$work/clinics" \
  --ca-cert "$LT_PKI/ca.crt" --ca-key "$LT_PKI/ca.key"
generate_ms=$((($(date +%s%N) - start) / 1000000))
lt_say "applying the clinics' registry file (one transaction)"
start=$(date +%s%N)
LIENTHONG_DATABASE_URL="$large_db" "$lienthong" registry apply "$work/clinics/registry.json" |
  tail -n 1
apply_ms=$((($(date +%s%N) - start) / 1000000))

lt_say "registry snapshots: rebuild time, memory, authorisation lookups"
"$LT_ROOT/build/bench/lienthong_registry_bench" --database-url "$small_db" --label demo \
  >"$work/registry-demo.json"
"$LT_ROOT/build/bench/lienthong_registry_bench" --database-url "$large_db" --label clinics \
  >"$work/registry-clinics.json"

# --- Throughput: the same lookups through a hub on each registry, and nginx.
demo_start_providers
pids+=("$LT_DEMO_PID")
"$LT_ROOT/build/src/lienthong-demo" data citizens --count 1000 | jq -r .idNumber >"$work/ids.txt"
start_hub() {  # start_hub NAME PORT DATABASE_URL
  (cd "$LT_ROOT" && LIENTHONG_NODE_NAME="bench-$1" LIENTHONG_DATABASE_URL="$3" \
    LIENTHONG_EXCHANGE_LISTEN="127.0.0.1:$2" LIENTHONG_ADMIN_LISTEN="127.0.0.1:$(($2 + 1))" \
    LIENTHONG_AUDIT_SIGNING_KEY="$work/audit-$1.key" \
    exec "$lienthong" serve --config bench/clinics/hub.toml) >"$work/hub-$1.log" 2>&1 &
  pids+=($!)
}
start_hub demo "$small_port" "$small_db"
start_hub clinics "$large_port" "$large_db"
sed -e "s#@DIR@#$work#g" -e "s#@PKI@#$LT_PKI#g" -e "s#@WORKERS@#$threads#g" \
  -e "s#@PROVIDER_PORT@#$LT_DEMO_POPULATION_PORT#g" -e "s#@PROXY_PORT@#$proxy_port#g" \
  "$LT_ROOT/bench/gateway/nginx-proxy.conf" >"$work/proxy.conf"
nginx -p "$work" -c "$work/proxy.conf" -g 'daemon off;' &
pids+=($!)
for port in "$small_port" "$large_port" "$proxy_port"; do
  lt_wait_port 127.0.0.1 "$port" 60 || lt_die "nothing listens on port $port (see $work/*.log)"
done

export LT_WRK_CLIENT_CERT="$LT_PKI/GIAMDINH.crt" LT_WRK_CLIENT_KEY="$LT_PKI/GIAMDINH.key"
wrk_preload="$LT_ROOT/build/bench/liblienthong_wrk_client_certificate.so"
load() {  # load TARGET ROUND SECONDS: appends one JSON line to runs.jsonl
  local target=$1 port mode=hub line
  case "$target" in
    demo) port=$small_port ;; clinics) port=$large_port ;; nginx) port=$proxy_port mode=nginx ;;
  esac
  line=$(LD_PRELOAD="$wrk_preload" wrk -t"$threads" -c"$connections" -d"${3}s" --timeout 10s \
    -s "$LT_ROOT/bench/clinics/lookup.lua" "https://localhost:$port" -- "$mode" \
    "c$2-$target" "$work/ids.txt" | grep '^LT_RESULT') || lt_die "wrk printed no result"
  local -A r=()
  for kv in ${line#LT_RESULT }; do r[${kv%%=*}]=${kv#*=}; done
  jq -nc --arg target "$target" --argjson round "$2" --argjson requests "${r[requests]}" \
    --argjson us "${r[duration_us]}" --argjson errors "${r[errors]}" \
    --argjson p50 "${r[p50_us]}" --argjson p99 "${r[p99_us]}" \
    '{target: $target, round: $round, rps: ($requests / ($us / 1e6)), errors: $errors,
      p50_ms: ($p50 / 1000), p99_ms: ($p99 / 1000)}' | tee -a "$work/runs.jsonl" |
    jq -r '"   \(.target)\tround \(.round): \(.rps | floor) req/s, p99 \(.p99_ms) ms, errors \(.errors)"' >&2
}
lt_say "warming up"
for target in demo clinics nginx; do load "$target" 0 3 2>/dev/null; done
: >"$work/runs.jsonl"
lt_say "load: $rounds round(s) of ${duration}s, $connections connections, alternating the targets"
for ((round = 1; round <= rounds; round++)); do
  for target in demo clinics nginx; do load "$target" "$round" "$duration"; done
done
audited=$(lt_psql -d lienthong_bench_clinics -tAc \
  "SELECT count(*) FROM audit_records WHERE message_id LIKE 'c%-clinics-%' AND status = 200")

# --- Report.
jq -n --slurpfile demo "$work/registry-demo.json" --slurpfile clinics "$work/registry-clinics.json" \
  --slurpfile runs "$work/runs.jsonl" --argjson generate_ms "$generate_ms" --argjson apply_ms "$apply_ms" \
  --argjson count "$clinics" --argjson audited "$audited" --arg stamp "$stamp" \
  --arg commit "$(git -C "$LT_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --arg cpu "$(lscpu | sed -n 's/^Model name: *//p')" --argjson cores "$threads" \
  -f "$LT_ROOT/bench/clinics/report.jq" >"$results/clinics-$stamp.json"
cp "$results/clinics-$stamp.json" "$results/clinics-latest.json"
echo
jq -r -f "$LT_ROOT/bench/clinics/table.jq" "$results/clinics-latest.json"
echo
echo "(bench/results/clinics-$stamp.json)"
