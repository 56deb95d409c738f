#!/usr/bin/env bash
# The gateway benchmark, in one run on one machine: the hub's full exchange
# pipeline, its X-Road REST pass-through, its asynchronous path (queued,
# then delivered) and the same exchange through one more hub (hub-hop: a
# provincial hub passing it on to the hub under test, docs/federation.md)
# against nginx as a plain TLS reverse proxy to the same provider, then
# idle-connection memory, then the micro-benchmarks. Prints one table and writes it under bench/results/.
# Loopback only; stops everything it started. docs/performance.md explains
# the scenarios and the latest results.
#
#   ./bench/run.sh [--duration S] [--rounds N] [--connections "32 256"]
#                  [--idle N] [--soak S] [--no-micro] [--baseline REF|BIN] [--curves]
#                  [--instructions] [--only "hub hub-hop nginx"] [--evidence]
#
#   --duration S      seconds per load run (default 10)
#   --rounds N        times each scenario runs, alternating hub and nginx so
#                     drift on a shared machine hits both (default 3; the
#                     table shows the median round)
#   --connections L   concurrent keep-alive connections per run (default "32 256")
#   --idle N          idle TLS connections for the memory scenario (default 10000; 0 skips)
#   --soak S          also load the hub for S seconds at 32 connections and
#                     report its memory every 30 s (leak check; default 0 = skip)
#   --async-workers N, --async-batch N
#                     the hubs' async.workers and async.batch (default: the
#                     shipped defaults, 1 and 32)
#   --no-micro        skip the Google Benchmark micro-benchmarks
#   --only LIST       run only these of the load scenarios (hub, hub-r1,
#                     hub-async, hub-hop, nginx, and base... with --baseline),
#                     e.g. to profile one of them
#   --instructions    also count the instructions each hub (and the baseline)
#                     executes per exchange, under valgrind's callgrind: the
#                     whole process, every thread, for each hub scenario.
#                     Unlike time and CPU, the count does not move with what
#                     else the machine is doing, so a change of a few percent
#                     shows (about 2 minutes per hub)
#   --evidence        also "hub-evidence": the same hub with trusted
#                     timestamps on (a demo RFC 3161 authority on loopback,
#                     a round every 5 s) and kept bodies sealed at rest, on a
#                     database of its own, against "hub" in the same rounds
#                     with neither; both keep the bodies of the bench's
#                     services (audit_bodies = full) for this run
#                     (bench/gateway/evidence.sh)
#   --curves          also the cost curves: the full pipeline and nginx with
#                     request bodies of 1, 16 and 256 KB (a base64 document to
#                     the document-submit service) and at 2,000 connections
#                     besides the table's, drawn with gnuplot into
#                     bench/results/curves-<time>.svg (docs/performance.md)
#   --baseline REF    also run the hub built from git commit REF (the code
#                     before a change: main, HEAD~1, a hash) as scenarios
#                     "base", "base-r1" and "base-async" in the same rounds,
#                     on a database of its own. REF is checked out in a git
#                     worktree under var/baseline/ and built there (RelWithDebInfo,
#                     the lienthong binary only, through ccache). An executable
#                     file instead of a ref is run as it is.
source "$(dirname "$0")/../scripts/lib/common.sh"
source "$LT_ROOT/scripts/lib/pg.sh"

duration=10
rounds=3
connection_counts="32 256"
idle=10000
soak=0
micro=1
baseline=""
curves=0
instructions=0
evidence=0
only=""
async_settings=""
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --connections) connection_counts=$2; shift 2 ;;
    --idle) idle=$2; shift 2 ;;
    --soak) soak=$2; shift 2 ;;
    --no-micro) micro=0; shift ;;
    --curves) curves=1; shift ;;
    --instructions) instructions=1; shift ;;
    --evidence) evidence=1; shift ;;
    --only) only=$2; shift 2 ;;
    --async-workers) async_settings+="workers = $2"$'\n'; shift 2 ;;
    --async-batch) async_settings+="batch = $2"$'\n'; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    *) lt_die "unknown option $1 (see the comment at the top of bench/run.sh)" ;;
  esac
done

bench_dir="$LT_ROOT/bench"
work="$LT_VAR/bench"
lienthong="$LT_ROOT/build/src/lienthong"
provider_port=9201
hub_port=9443
proxy_port=9445
threads=$(nproc)
clock_ticks=$(getconf CLK_TCK)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results="$bench_dir/results"
runs_file="$work/runs.jsonl"
idle_file="$work/idle.jsonl"
instructions_file="$work/instructions.jsonl"
soak_file="$work/soak.jsonl"

"$LT_ROOT/scripts/install-deps.sh" --bench
[ "$instructions" = 0 ] || command -v callgrind_control >/dev/null ||
  lt_die "--instructions needs valgrind (scripts/install-deps.sh --bench installs it)"
"$LT_ROOT/scripts/build.sh"  # RelWithDebInfo: -O2 code, with symbols for perf

# The code before a change, built the same way in a worktree of its own.
build_baseline() {
  local ref=$1 commit tree
  commit=$(git -C "$LT_ROOT" rev-parse --verify --quiet "$ref^{commit}") ||
    lt_die "--baseline $ref is neither an executable nor a git commit"
  tree="$LT_VAR/baseline/${commit:0:12}"
  if [ ! -d "$tree" ]; then
    mkdir -p "$LT_VAR/baseline"
    git -C "$LT_ROOT" worktree add --detach "$tree" "$commit" >&2
  fi
  lt_use_ccache
  # The same relative paths as the main checkout, so ccache reuses its objects.
  export CCACHE_BASEDIR="$tree"
  lt_say "building the baseline $ref (${commit:0:12}) in ${tree#$LT_ROOT/}" >&2
  cmake -S "$tree" -B "$tree/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIENTHONG_TESTS=OFF \
    -DLIENTHONG_BENCH=OFF >/dev/null
  cmake --build "$tree/build" --target lienthong -j"$(nproc)" >&2
  echo "$tree/build/src/lienthong"
}
baseline_label=""
if [ -n "$baseline" ]; then
  baseline_label=$baseline
  if [ -f "$baseline" ] && [ -x "$baseline" ]; then
    baseline=$(realpath "$baseline")
  else
    baseline=$(build_baseline "$baseline")
    baseline_label="$baseline_label ($(git -C "$LT_ROOT" rev-parse --short "$baseline_label^{commit}"))"
  fi
fi
# 10,000 idle connections need as many descriptors in the server and the client.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $((idle + 1000)) ] ||
  lt_say "the open-file limit ($(ulimit -n)) is below --idle $idle: some idle connections will fail"

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

base_port=9453
counted_port=9463  # the hub under callgrind (--instructions)
province_port=9473 # the provincial hub in front of the hub (hub-hop)
for port in "$provider_port" "$hub_port" 9444 "$proxy_port" "$base_port" 9454 "$counted_port" 9464 \
  "$province_port" 9474; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    lt_die "port $port is in use (is another bench/run.sh running?)"
  fi
done

# --- Setup: a fresh database with the benchmark registry, nginx twice, the hub.
rm -rf "$work" && mkdir -p "$work" "$results"
pg_ensure_running
pg_drop_database lienthong_bench >/dev/null
pg_create_database lienthong_bench
"$LT_ROOT/scripts/pki.sh" BENCH-CONSUMER BENCH-HUB-VN BENCH-HUB-VN-BP >/dev/null
export LIENTHONG_DATABASE_URL
LIENTHONG_DATABASE_URL="$(pg_url lienthong_bench)"
"$lienthong" migrate >/dev/null
registry="$bench_dir/gateway/registry.json"
if [ "$evidence" = 1 ]; then
  # Evidence on against off: both keep the bodies, one sealed, one in the clear.
  sed 's/"audit_bodies": "hash"/"audit_bodies": "full"/' "$registry" >"$work/registry-full.json"
  registry="$work/registry-full.json"
fi
"$lienthong" registry apply "$registry" >/dev/null
hub_database=lienthong_bench
base_database=lienthong_bench_base

render() {
  sed -e "s#@DIR@#$work#g" -e "s#@PKI@#$LT_PKI#g" -e "s#@WORKERS@#$threads#g" \
    -e "s#@PROVIDER_PORT@#$provider_port#g" -e "s#@PROXY_PORT@#$proxy_port#g" "$1" >"$2"
}
render "$bench_dir/gateway/nginx-provider.conf" "$work/provider.conf"
render "$bench_dir/gateway/nginx-proxy.conf" "$work/proxy.conf"
nginx -p "$work" -c "$work/provider.conf" -g 'daemon off;' &
pids+=($!)
nginx -p "$work" -c "$work/proxy.conf" -g 'daemon off;' &
proxy_pid=$!
pids+=("$proxy_pid")
{ cat "$bench_dir/gateway/hub.toml"; [ -z "$async_settings" ] || printf '\n[async]\n%s' "$async_settings"; } \
  >"$work/hub.toml"
# Instance VN, so that a provincial hub can pass exchanges on to it (hub-hop);
# from the environment, so that a baseline from before federation can share
# hub.toml.
federation_env=(LIENTHONG_FEDERATION_INSTANCE=VN
  LIENTHONG_FEDERATION_SIGNING_KEY=var/bench/national-catalogue.key
  LIENTHONG_FEDERATION_CLIENT_CERTIFICATE=var/pki/BENCH-HUB-VN.crt
  LIENTHONG_FEDERATION_CLIENT_KEY=var/pki/BENCH-HUB-VN.key LIENTHONG_FEDERATION_PULL_SECONDS=1)
# Evidence off: bodies kept in the clear.
[ "$evidence" = 0 ] || federation_env+=(LIENTHONG_AUDIT_BODY_KEY=)
(cd "$LT_ROOT" && exec env "${federation_env[@]}" "$lienthong" serve --config "$work/hub.toml") &
hub_pid=$!
pids+=("$hub_pid")
scenarios="hub hub-r1 hub-async hub-hop nginx"
if [ -n "$baseline" ]; then
  # The code before the change: same settings, its own ports, audit chain and
  # database (its delivery worker must not drain the other hub's queue).
  sed -e "s/9443/$base_port/; s/9444/9454/; s/bench-1/bench-base/" \
    -e "s#audit-signing.key#audit-signing-base.key#" "$work/hub.toml" >"$work/base.toml"
  pg_drop_database "$base_database" >/dev/null
  pg_create_database "$base_database"
  LIENTHONG_DATABASE_URL="$(pg_url "$base_database")" "$baseline" migrate >/dev/null
  LIENTHONG_DATABASE_URL="$(pg_url "$base_database")" \
    "$baseline" registry apply "$bench_dir/gateway/registry.json" >/dev/null
  (cd "$LT_ROOT" && LIENTHONG_DATABASE_URL="$(pg_url "$base_database")" \
    exec "$baseline" serve --config "$work/base.toml") &
  base_pid=$!
  pids+=("$base_pid")
  lt_wait_port 127.0.0.1 "$base_port" 30 || lt_die "the baseline hub does not listen"
  scenarios="hub hub-r1 hub-async base base-r1 base-async nginx"
fi
if [ "$evidence" = 1 ]; then
  source "$bench_dir/gateway/evidence.sh"
  start_evidence_hub
  scenarios="${scenarios/ nginx/ hub-evidence nginx}"
fi
if [ -n "$only" ]; then
  kept=""
  for scenario in $scenarios; do
    [[ " $only " == *" $scenario "* ]] && kept+="$scenario "
  done
  [ -n "$kept" ] || lt_die "--only names none of the scenarios: $scenarios"
  scenarios=$kept
fi
for port in "$provider_port" "$proxy_port" "$hub_port"; do
  lt_wait_port 127.0.0.1 "$port" 30 || lt_die "nothing listens on port $port"
done

# --- hub-hop: a provincial hub in front of the hub under test.
source "$bench_dir/gateway/province.sh"
start_province

export LT_WRK_CLIENT_CERT="$LT_PKI/BENCH-CONSUMER.crt" LT_WRK_CLIENT_KEY="$LT_PKI/BENCH-CONSUMER.key"
wrk_preload="$LT_ROOT/build/bench/liblienthong_wrk_client_certificate.so"
cert_args=(--cert "$LT_WRK_CLIENT_CERT" --key "$LT_WRK_CLIENT_KEY" --cacert "$LT_PKI/ca.crt")

# Each target answers the same request once, correctly, before any load.
record="$bench_dir/gateway/citizen-record.json"
envelope="{\"header\": {\"id\": \"bench-check-$stamp\", \"from\": \"VN/PROV/000.00.00.B02/BENCH-CONSUMER\",
  \"to\": \"VN/GOV/000.00.00.B01/BENCH-PROVIDER\", \"service\": \"citizen-verify\", \"version\": \"v1\",
  \"purpose\": \"check\"}, \"body\": $(cat "$record")}"
check=$(curl -sS "${cert_args[@]}" -H 'Content-Type: application/json' --data-binary "$envelope" \
  "https://localhost:$hub_port/exchange/v1/messages")
[ "$(jq -r '.header.status' <<<"$check")" = 200 ] && [ "$(jq -r '.body.verified' <<<"$check")" = true ] &&
  [ "$(jq -r '.body.internalRecordId // "projected"' <<<"$check")" = projected ] ||
  lt_die "the hub's answer is not the projected record: $check"
check=$(curl -sS "${cert_args[@]}" -H 'Content-Type: application/json' --data-binary "$envelope" \
  "https://localhost:$proxy_port/exchange/v1/messages")
[ "$(jq -r '.verified' <<<"$check")" = true ] || lt_die "nginx does not pass the provider's answer: $check"
check=$(curl -sS "${cert_args[@]}" -H 'Content-Type: application/json' \
  --data-binary "${envelope/VN\/PROV\/000.00.00.B02/VN-BP/PROV/000.00.00.B02}" \
  "https://localhost:$province_port/exchange/v1/messages")
[ "$(jq -r '.body.verified' <<<"$check")" = true ] ||
  lt_die "the provincial hub does not pass the exchange on to the hub: $check"

# --- Measuring helpers.
# CPU ticks (user + system) of processes and their children (nginx's
# workers): hub-hop counts both hubs.
cpu_ticks() {
  local total=0 pid fields
  for pid in "$@" $(for parent in "$@"; do pgrep -P "$parent" || true; done); do
    fields=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
    total=$((total + $(awk '{print $12 + $13}' <<<"$fields")))
  done
  echo "$total"
}
# Resident memory in kB of a process and its children: VmRSS now, or VmHWM
# (the peak since reset_peak).
memory_kb() {
  local field=$2 total=0 pid
  for pid in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk -v f="$field:" '$1 == f {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
reset_peak() {
  local pid
  for pid in "$1" $(pgrep -P "$1" || true); do echo 5 >"/proc/$pid/clear_refs" 2>/dev/null || true; done
}
# The process(es) serving scenario $1; the first one's memory is reported.
server_pid() {
  case "$1" in
    nginx*) echo "$proxy_pid" ;;
    base*) echo "$base_pid" ;;
    hub-hop) echo "$province_pid $hub_pid" ;;
    hub-evidence) echo "$evidence_pid" ;;
    *) echo "$hub_pid" ;;
  esac
}
server_url() {
  case "$1" in
    counted-*) echo "https://localhost:$counted_port" ;;
    nginx*) echo "https://localhost:$proxy_port" ;;
    base*) echo "https://localhost:$base_port" ;;
    hub-hop) echo "https://localhost:$province_port" ;;
    hub-evidence) echo "https://localhost:$evidence_port" ;;
    *) echo "https://localhost:$hub_port" ;;
  esac
}
# hub-hop's answers are counted on the hub wrk calls, the province's.
scenario_database() {
  case "$1" in
    base* | counted-base*) echo "$base_database" ;;
    hub-hop) echo "$province_database" ;;
    hub-evidence) echo "$evidence_database" ;;
    *) echo "$hub_database" ;;
  esac
}
# Committed audit records of answers with status $3 (200, or 202 for a
# queued message) whose message id starts with $2, in scenario $1's database.
audited() {
  lt_psql -d "$(scenario_database "$1")" -tAc \
    "SELECT count(*) FROM audit_records WHERE message_id LIKE '$2-%' AND status = $3"
}
# The asynchronous messages of run $2 (scenario $1) not yet delivered.
undelivered() {
  lt_psql -d "$(scenario_database "$1")" -tAc \
    "SELECT count(*) FROM deliveries WHERE message_id LIKE '$2-%' AND state <> 'delivered'"
}
# Waits (at most 120 s) until run $2's messages are delivered, then prints
# the delivery lag (queued to delivered) at p50 and p99 in ms, as JSON.
delivery_lag() {
  local waited=0
  while [ "$(undelivered "$1" "$2")" != 0 ] && [ "$waited" -lt 1200 ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  lt_psql -d "$(scenario_database "$1")" -tAc \
    "SELECT json_build_object('lag_p50_ms', round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)),
       'lag_p99_ms', round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)),
       'undelivered', count(*) FILTER (WHERE ms IS NULL))
     FROM (SELECT extract(epoch FROM delivered_at - created_at) * 1000 AS ms FROM deliveries
           WHERE message_id LIKE '$2-%') lags"
}

# PostgreSQL's write-ahead log position, and the bytes written since $1: what
# one exchange costs the database's disk, whatever the CPU noise (the
# scenarios run one after the other, so the difference is the run's own).
wal_position() { lt_psql -d postgres -tAc "SELECT pg_current_wal_lsn()"; }
wal_bytes_since() { lt_psql -d postgres -tAc "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$1')"; }

# Loads scenario $1 (hub, hub-r1, hub-async, base..., nginx) with $2
# connections for $3 seconds, message ids starting with $4; prints wrk's
# LT_RESULT line.
wrk_run() {
  local scenario=$1 connections=$2 seconds=$3 run_id=$4 mode=messages out
  local body=$record service=citizen-verify from=VN/PROV/000.00.00.B02/BENCH-CONSUMER
  [ "$scenario" = hub-hop ] && from=VN-BP/PROV/000.00.00.B02/BENCH-CONSUMER
  [ "${scenario%-r1}" != "$scenario" ] && mode=r1
  [ "${scenario%-async}" != "$scenario" ] && mode=async
  # hub-doc16k, nginx-doc16k: a 16 KB document to document-submit.
  if [[ "$scenario" == *-doc* ]]; then
    body="$work/document-${scenario##*-doc}.json" service=document-submit
  fi
  # wrk needs a connection per thread (a single connection: the hop's own latency).
  out=$(LD_PRELOAD="$wrk_preload" wrk -t"$((connections < threads ? connections : threads))" -c"$connections" -d"${seconds}s" --timeout 10s \
    -s "$bench_dir/gateway/exchange.lua" "$(server_url "$scenario")" -- "$mode" "$run_id" "$body" \
    "$service" "$from")
  grep '^LT_RESULT' <<<"$out" || { echo "$out" >&2; lt_die "wrk printed no result"; }
}

# Appends one run to runs.jsonl: scenario $1, $2 connections, round $3, wrk's
# LT_RESULT line $4, then committed 200 (202) audit records, CPU ticks, peak
# RSS in kB and, for asynchronous runs, the messages not delivered when the
# load stopped and delivery_lag's JSON, then the WAL bytes written from the
# start of the load until its messages were delivered; each "null" where not
# measured.
record_run() {
  local -A r=()
  for kv in ${4#LT_RESULT }; do r[${kv%%=*}]=${kv#*=}; done
  jq -nc --arg scenario "$1" --argjson connections "$2" --argjson round "$3" \
    --argjson requests "${r[requests]}" --argjson duration_us "${r[duration_us]}" \
    --argjson errors "$((r[connect] + r[read] + r[write] + r[status] + r[timeout]))" \
    --argjson kinds "{\"connect\": ${r[connect]}, \"read\": ${r[read]}, \"write\": ${r[write]}, \"status\": ${r[status]}, \"timeout\": ${r[timeout]}}" \
    --argjson p50 "${r[p50_us]}" --argjson p99 "${r[p99_us]}" --argjson p999 "${r[p999_us]}" \
    --argjson audited "$5" --argjson cpu_ticks "$6" --argjson peak_kb "$7" \
    --argjson clock_ticks "$clock_ticks" --argjson backlog "${8:-null}" --argjson lag "${9:-null}" \
    --argjson wal_bytes "${10:-null}" \
    '{scenario: $scenario, connections: $connections, round: $round, requests: $requests,
      rps: ($requests / ($duration_us / 1e6)), errors: $errors, error_kinds: $kinds,
      p50_ms: ($p50 / 1000), p99_ms: ($p99 / 1000), p999_ms: ($p999 / 1000),
      cpu_s: (if $cpu_ticks == null then null else $cpu_ticks / $clock_ticks end),
      peak_rss_mb: (if $peak_kb == null then null else $peak_kb / 1024 end),
      audited: $audited, backlog: $backlog, lag_p50_ms: $lag.lag_p50_ms,
      lag_p99_ms: $lag.lag_p99_ms, undelivered: $lag.undelivered, wal_bytes: $wal_bytes}' >>"$runs_file"
}

# One load run: scenario $1, $2 connections, round $3.
load_run() {
  local scenario=$1 connections=$2 round=$3 pid run_id cpu0 line audit_count=null
  local backlog=null lag=null wal0 wal=null
  local pids_of
  read -ra pids_of <<<"$(server_pid "$scenario")"
  pid=${pids_of[0]}
  run_id="b$round-$scenario-$connections"
  reset_peak "$pid"
  wal0=$(wal_position)
  cpu0=$(cpu_ticks "${pids_of[@]}")
  line=$(wrk_run "$scenario" "$connections" "$duration" "$run_id")
  local cpu=$(($(cpu_ticks "${pids_of[@]}") - cpu0))
  if [ "${scenario%-async}" != "$scenario" ]; then
    # The backlog when the load stopped, then the lag once it drained (the
    # next run starts on an empty queue).
    backlog=$(undelivered "$scenario" "$run_id")
    lag=$(delivery_lag "$scenario" "$run_id")
    audit_count=$(audited "$scenario" "$run_id" 202)
  elif [[ "$scenario" != nginx* ]]; then
    audit_count=$(audited "$scenario" "$run_id" 200)
  fi
  [[ "$scenario" == nginx* ]] || wal=$(wal_bytes_since "$wal0")
  record_run "$scenario" "$connections" "$round" "$line" "$audit_count" "$cpu" \
    "$(memory_kb "$pid" VmHWM)" "$backlog" "$lag" "$wal"
  printf '   %-7s %4s conns  round %s: %8.0f req/s  p99 %6.2f ms  errors %s\n' "$scenario" \
    "$connections" "$round" "$(tail -n1 "$runs_file" | jq .rps)" "$(tail -n1 "$runs_file" | jq .p99_ms)" \
    "$(tail -n1 "$runs_file" | jq .errors)" >&2
}

# --- Load: warm up, then alternate the three targets, round after round.
lt_say "warming up (3 s each)"
for scenario in $scenarios; do
  wrk_run "$scenario" 32 3 "warmup-$scenario" >/dev/null
  [ "${scenario%-async}" = "$scenario" ] || delivery_lag "$scenario" "warmup-$scenario" >/dev/null
done
lt_say "load: $rounds round(s) of ${duration}s per scenario, connections: $connection_counts"
for ((round = 1; round <= rounds; round++)); do
  for connections in $connection_counts; do
    for scenario in $scenarios; do load_run "$scenario" "$connections" "$round"; done
  done
done

# --- Cost curves: how the cost grows with the body and the connections.
curve_sizes="1k 16k 256k"
if [ "$curves" = 1 ]; then
  # An application with a scanned document as base64, about the size named.
  for size in $curve_sizes; do
    printf '{"loaiHoSo": "giay-phep-xay-dung", "noiDung": "%s"}' \
      "$(head -c $((${size%k} * 768)) /dev/urandom | base64 -w0)" >"$work/document-$size.json"
  done
  lt_say "cost curves: bodies of $curve_sizes at 32 connections, then 2000 connections"
  for scenario in hub-doc1k; do wrk_run "$scenario" 32 3 "warmup-$scenario" >/dev/null; done
  for ((round = 1; round <= rounds; round++)); do
    for size in $curve_sizes; do
      for scenario in "hub-doc$size" "nginx-doc$size"; do load_run "$scenario" 32 "$round"; done
    done
    # 2,000 mutual-TLS handshakes take seconds of the run: twice as long.
    duration=$((duration * 2))
    for scenario in hub nginx; do load_run "$scenario" 2000 "$round"; done
    duration=$((duration / 2))
  done
fi

# --- Memory with idle keep-alive TLS connections.
if [ "$idle" -gt 0 ]; then
  lt_say "memory: $idle idle TLS connections to each server"
  for scenario in hub nginx; do
    pid=$(server_pid "$scenario")
    port=$hub_port path=/exchange/v1/catalog
    [ "$scenario" = nginx ] && port=$proxy_port
    before=$(memory_kb "$pid" VmRSS)
    reset_peak "$pid"
    "$LT_ROOT/build/bench/lienthong_idle_connections" --port "$port" --path "$path" \
      --connections "$idle" --hold-seconds 5 --ca "$LT_PKI/ca.crt" \
      --cert "$LT_WRK_CLIENT_CERT" --key "$LT_WRK_CLIENT_KEY" >"$work/idle-$scenario.out" &
    idle_pid=$!
    for _ in $(seq 1 1200); do grep -q '^LT_IDLE open' "$work/idle-$scenario.out" && break; sleep 0.1; done
    sleep 1  # let the server settle after the last answer
    with=$(memory_kb "$pid" VmRSS)
    peak=$(memory_kb "$pid" VmHWM)
    wait "$idle_pid" || true
    open=$(sed -n 's/^LT_IDLE open=\([0-9]*\).*/\1/p' "$work/idle-$scenario.out")
    failed=$(sed -n 's/^LT_IDLE open=[0-9]* failed=\([0-9]*\).*/\1/p' "$work/idle-$scenario.out")
    jq -nc --arg scenario "$scenario" --argjson open "${open:-0}" --argjson failed "${failed:-$idle}" \
      --argjson before "$before" --argjson with "$with" --argjson peak "$peak" \
      '{scenario: $scenario, open: $open, failed: $failed, rss_before_mb: ($before / 1024),
        rss_mb: ($with / 1024), peak_rss_mb: ($peak / 1024),
        kb_per_connection: (if $open > 0 then ($with - $before) / $open else null end)}' >>"$idle_file"
    printf '   %-7s %s open, %s failed: RSS %s MB (before: %s MB)\n' "$scenario" "${open:-0}" \
      "${failed:-?}" "$((with / 1024))" "$((before / 1024))" >&2
  done
fi

# --- Soak: memory over a long run, every 30 s.
if [ "$soak" -gt 0 ]; then
  lt_say "soak: the hub under load for ${soak}s at 32 connections"
  wrk_run hub 32 "$soak" soak >"$work/soak.out" &
  soak_pid=$!
  start=$(date +%s)
  while kill -0 "$soak_pid" 2>/dev/null; do
    jq -nc --argjson t "$(($(date +%s) - start))" --argjson rss "$(memory_kb "$hub_pid" VmRSS)" \
      '{seconds: $t, rss_mb: ($rss / 1024)}' >>"$soak_file"
    for _ in $(seq 1 30); do kill -0 "$soak_pid" 2>/dev/null && sleep 1; done
  done
  wait "$soak_pid" || lt_die "wrk failed in the soak run"
  jq -c . "$soak_file" | sed 's/^/   /' >&2
  # The soak counts as one more hub run in the table's error and audit checks.
  record_run hub-soak 32 1 "$(cat "$work/soak.out")" "$(audited hub soak 200)" null null
fi

# --- Instructions per exchange: each hub binary once more, under callgrind,
# as node "bench-counted-<hub>" on the same database (its own audit chain and
# key). After a warm-up the counters are zeroed, a fixed-length load runs
# (4 connections: callgrind runs one thread at a time), and the dump's total
# is divided by the answers wrk got; an asynchronous run is dumped once its
# messages were delivered, so its delivery counts too. The dumps stay, as
# var/bench/callgrind-<scenario>.out: `callgrind_annotate` shows where the
# instructions went.
count_instructions() {
  local label=$1 binary=$2 pid scenario line requests total dump
  sed -e "s/127.0.0.1:9443/127.0.0.1:$counted_port/; s/127.0.0.1:9444/127.0.0.1:9464/" \
    -e "s/bench-1/bench-counted-$label/; s#audit-signing.key#audit-signing-counted-$label.key#" \
    "$work/hub.toml" >"$work/counted-$label.toml"
  (cd "$LT_ROOT" && LIENTHONG_DATABASE_URL="$(pg_url "$(scenario_database "$label")")" \
    exec valgrind --tool=callgrind --compress-strings=no --callgrind-out-file="$work/counting-$label.out" \
    "$binary" serve --config "$work/counted-$label.toml") >"$work/callgrind-$label.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  lt_wait_port 127.0.0.1 "$counted_port" 120 || lt_die "the hub under callgrind does not listen ($work/callgrind-$label.log)"
  wrk_run "counted-$label" 4 5 "warmup-counted-$label" >/dev/null
  for scenario in "counted-$label" "counted-$label-r1" "counted-$label-async"; do
    callgrind_control -z "$pid" >/dev/null 2>&1
    line=$(wrk_run "$scenario" 4 "$duration" "$scenario")
    [ "${scenario%-async}" = "$scenario" ] || delivery_lag "$scenario" "$scenario" >/dev/null
    rm -f "$work/counting-$label.out".*
    callgrind_control -d "$pid" >/dev/null 2>&1
    dump="$work/callgrind-${scenario#counted-}.out"
    mv "$(ls "$work/counting-$label.out".* | head -n1)" "$dump"
    total=$(sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$dump" | head -n1)
    requests=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$line")
    [ -n "$total" ] && [ "${requests:-0}" -gt 0 ] || lt_die "no instruction count for $scenario ($dump)"
    jq -nc --arg scenario "${scenario#counted-}" --argjson requests "$requests" --argjson total "$total" \
      '{scenario: $scenario, requests: $requests, instructions: $total,
        per_exchange: ($total / $requests | round)}' >>"$instructions_file"
    printf '   %-11s %6s answers, %9.0f instructions each\n' "${scenario#counted-}" "$requests" \
      "$(tail -n1 "$instructions_file" | jq .per_exchange)" >&2
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$work/counting-$label.out"*  # the dump callgrind writes as the process ends
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$counted_port") 2>/dev/null || break; sleep 0.1; done
}
if [ "$instructions" = 1 ]; then
  lt_say "instructions per exchange under callgrind (${duration}s per scenario at 4 connections)"
  # The timed hubs are done. Stopped, so that their delivery workers cannot
  # claim the counted node's queued messages (the same queue) and take
  # deliveries out of its count.
  kill "$hub_pid" ${base_pid:+"$base_pid"} 2>/dev/null || true
  wait "$hub_pid" ${base_pid:+"$base_pid"} 2>/dev/null || true
  count_instructions hub "$lienthong"
  [ -z "$baseline" ] || count_instructions base "$baseline"
fi

[ "$evidence" = 0 ] || lt_say "hub-evidence kept $(evidence_kept)"

# --- Report.
node_version=$("$lienthong" --version 2>/dev/null || echo unknown)
jq -n --slurpfile runs "$runs_file" \
  --slurpfile idle <([ -f "$idle_file" ] && cat "$idle_file" || true) \
  --slurpfile soak <([ -f "$soak_file" ] && cat "$soak_file" || true) \
  --slurpfile instructions <([ -f "$instructions_file" ] && cat "$instructions_file" || true) \
  --arg stamp "$stamp" --arg cpu "$(lscpu | sed -n 's/^Model name: *//p')" --argjson cores "$threads" \
  --arg memory "$(free -g | awk '/^Mem:/ {print $2 " GiB"}')" --arg kernel "$(uname -r)" \
  --arg nginx "$(nginx -v 2>&1 | sed 's/^nginx version: //')" --arg commit "$(git -C "$LT_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --arg baseline_ref "$baseline_label" --arg hub "$node_version" --argjson duration "$duration" --argjson rounds "$rounds" \
  -f "$bench_dir/gateway/report.jq" >"$results/gateway-$stamp.json"
cp "$results/gateway-$stamp.json" "$results/gateway-latest.json"
jq -r '.summary[] | [.scenario, .connections, .rps, .p50_ms, .p99_ms, .p999_ms, .cpu_s_per_1000,
  .peak_rss_mb, .errors, .audited, .rps_vs_nginx, .p99_vs_nginx_ms, .rps_vs_base, .p99_vs_base] | @csv' \
  "$results/gateway-latest.json" |
  sed '1i "scenario","connections","requests_per_s","p50_ms","p99_ms","p99_9_ms","cpu_s_per_1000","peak_rss_mb","errors","audited_200","throughput_vs_nginx","p99_minus_nginx_ms","throughput_vs_base","p99_vs_base"' \
    >"$results/gateway-$stamp.csv"
cp "$results/gateway-$stamp.csv" "$results/gateway-latest.csv"

echo
jq -r -f "$bench_dir/gateway/table.jq" "$results/gateway-latest.json"
echo
echo "(bench/results/gateway-$stamp.{json,csv})"

if [ "$curves" = 1 ]; then
  "$bench_dir/gateway/plot_curves.sh" "$results/gateway-latest.json" "$work" \
    "$results/curves-$stamp.svg" "$(git -C "$LT_ROOT" rev-parse --short HEAD), $(lscpu |
      sed -n 's/^Model name: *//p'), $threads cores, median of $rounds rounds"
  cp "$results/curves-$stamp.svg" "$results/curves-latest.svg"
  echo "(bench/results/curves-$stamp.svg: copy it to docs/performance-curves.svg with the table)"
fi

if [ "$micro" = 1 ]; then
  echo
  lt_say "micro-benchmarks (Google Benchmark)"
  "$LT_ROOT/build/bench/lienthong_micro_bench" --benchmark_min_time=0.3 \
    --benchmark_out="$results/micro-$stamp.json" --benchmark_out_format=json
  cp "$results/micro-$stamp.json" "$results/micro-latest.json"
fi
