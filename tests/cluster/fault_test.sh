#!/usr/bin/env bash
# The cluster under faults (issue 22): steady mutual-TLS load through HAProxy
# with unique message ids, every answer recorded (tests/cluster/load.py);
# meanwhile, in turn: kill -9 a hub node, SIGTERM a node (drain), kill -9 the
# PostgreSQL primary's server (Patroni and PostgreSQL: Patroni promotes the
# synchronous standby), stop an etcd member, restart a node while every
# standby refuses the hub's role, restart a node with the same name. After
# each, on whichever server is primary then:
#   - every message answered 200 or 202 has exactly one committed audit
#     record with that status (0 missing, 0 duplicated);
#   - every message answered 202 was delivered, and how many were called
#     twice (a node killed between the provider's answer and the outcome's
#     commit: the provider sees the same message id again);
#   - failed answers, and the seconds from the first to the last of them.
# At the end an auditor verifies the whole log on a standby and `lienthong audit
# verify` checks every node's chain on the primary, both held to the witness
# directory every node publishes its signed checkpoints to.
#
# Starts a fresh cluster (scripts/cluster.sh clean, up) and stops it at the
# end, whatever happens. Loopback only. Exit 0 only if every check held.
#   LT_FAULT_SECONDS   load per fault (default 20); the fault comes 8 s in
#   LT_FAILOVER_SECONDS  load for the lost primary (default 30: its 503s last
#                      10-12 s, and the load must outlast them)
#   LT_CLUSTER_HUB_BINARY  the nodes' build (test.sh: the sanitizers'); any
#                      sanitizer report in a node's log fails the test
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib/common.sh"
source "$LT_ROOT/scripts/lib/pg.sh"
source "$LT_ROOT/scripts/lib/cluster.sh"
lt_pg_prepare_owner

seconds=${LT_FAULT_SECONDS:-20}
failover_seconds=${LT_FAILOVER_SECONDS:-30}
results="$LT_CLUSTER/fault"
summary="$LT_VAR/cluster-fault-summary.txt"
failures=0

cleanup() { "$LT_ROOT/scripts/cluster.sh" down >/dev/null 2>&1 || true; }
trap cleanup EXIT
"$LT_ROOT/scripts/cluster.sh" clean >/dev/null 2>&1 || true
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$LT_ROOT/tests/lsan.supp"
"$LT_ROOT/scripts/cluster.sh" up
mkdir -p "$results"

await() {  # await SECONDS COMMAND...: true once COMMAND is
  local i
  for ((i = 0; i < $1 * 2; i++)); do
    "${@:2}" && return 0
    sleep 0.5
  done
  return 1
}

all_ready() {
  local n
  for n in "${LT_CLUSTER_NODES[@]}"; do
    cluster_etcd_healthy "$n" && cluster_hub_ready "$n" || return 1
  done
  [ "$(cluster_haproxy_servers | grep -c ' UP$')" -eq "${#LT_CLUSTER_NODES[@]}" ] &&
    cluster_wait_replicated 1
}

leader_index() {
  cluster_members | jq -r '.members[] | select(.role == "leader") | .name' | sed 's/^pg-//'
}

# ---- the faults and their recoveries --------------------------------------

kill_hub() { kill -KILL "$(cluster_pid hub-2)"; }
kill_hub_recover() { rm -f "$LT_CLUSTER/pids/hub-2.pid"; cluster_hub_start 2; }

drain_hub() { cluster_stop hub-3 TERM; }
drain_hub_recover() { cluster_hub_start 3; }

kill_primary() {
  killed_pg=$(leader_index)
  local postmaster
  postmaster=$(head -n 1 "$(cluster_data_dir)/pg-$killed_pg/data/postmaster.pid")
  kill -KILL "$(cluster_pid "patroni-$killed_pg")" "$postmaster"
}
kill_primary_recover() {
  rm -f "$LT_CLUSTER/pids/patroni-$killed_pg.pid"
  cluster_patroni_start "$killed_pg"
}

stop_etcd() { cluster_stop etcd-1 TERM; }
stop_etcd_recover() { cluster_etcd_start 1; }

# Every standby refuses the hub's role (their pg_hba.conf gone wrong, or a
# standby copied before the role existed), and a node restarts meanwhile: it
# must still reach the primary. libpq's multi-host URL gave up at the first
# such server; through HAProxy's /primary check only the primary is tried.
hba_reject="host all lienthong 127.0.0.1/32 reject"
standbys_hba() {  # standbys_hba add|remove, then each standby reloads it
  local n hba rest
  for n in $(cluster_members | jq -r '.members[] | select(.role != "leader") | .name' | sed 's/^pg-//'); do
    hba="$(cluster_data_dir)/pg-$n/data/pg_hba.conf"
    rest=$(grep -vxF "$hba_reject" "$hba")
    # Rewritten in place: the file keeps its owner, PostgreSQL's user.
    if [ "$1" = add ]; then printf '%s\n%s\n' "$hba_reject" "$rest" >"$hba"; else printf '%s\n' "$rest" >"$hba"; fi
    PGPASSWORD="$(cluster_secret postgres)" psql -X -q -tA -h 127.0.0.1 -p "$(cluster_pg_port "$n")" \
      -U postgres -d postgres -c "SELECT pg_reload_conf()" >/dev/null
  done
}
standbys_refuse_hub() { standbys_hba add && cluster_stop hub-2 TERM && cluster_hub_start 2; }
standbys_refuse_hub_recover() {  # false if the node found no primary while they refused
  local reached=0
  await 60 cluster_hub_ready 2 || reached=1
  standbys_hba remove
  return "$reached"
}

restart_hub() { cluster_stop hub-1 TERM && cluster_hub_start 1; }
restart_hub_recover() { :; }

# ---- one fault under load ---------------------------------------------------

check_sql() {  # check_sql CSV: one line "missing duplicated undelivered called_twice"
  cluster_psql lienthong -tA -F ' ' <<SQL
CREATE TEMP TABLE answers (message_id text, status int, start_ms bigint, end_ms bigint,
                           async int, error text);
\\copy answers FROM '$1' WITH (FORMAT csv, HEADER true)
WITH counted AS (
  SELECT a.message_id, a.status,
         (SELECT count(*) FROM audit_records r
           WHERE r.message_id = a.message_id AND r.status = a.status
             AND r.path = '/exchange/v1/messages') AS records,
         (SELECT count(*) FROM audit_records r
           WHERE r.message_id = a.message_id AND r.path = '(async delivery)'
             AND r.status BETWEEN 200 AND 299) AS deliveries,
         (SELECT d.state FROM deliveries d WHERE d.message_id = a.message_id) AS state
    FROM answers a WHERE a.status IN (200, 202))
SELECT count(*) FILTER (WHERE records = 0), count(*) FILTER (WHERE records > 1),
       count(*) FILTER (WHERE status = 202 AND state IS DISTINCT FROM 'delivered'),
       count(*) FILTER (WHERE status = 202 AND deliveries > 1)
  FROM counted;
SQL
}

undelivered() {  # queued messages of this run not yet delivered
  [ "$(cluster_psql lienthong -tAc "SELECT count(*) FROM deliveries
        WHERE message_id LIKE '$1-%' AND state <> 'delivered'")" = 0 ]
}

run_fault() {
  local name=$1 csv="$results/$1.csv" prefix="fault-$1-$(date +%s)" load
  local seconds=$seconds
  [ "$name" != kill_primary ] || seconds=$failover_seconds
  lt_say "fault: $name, under $seconds s of load"
  python3 "$LT_ROOT/tests/cluster/load.py" --url "https://localhost:$LT_CLUSTER_EXCHANGE_PORT" \
    --ca "$LT_PKI/ca.crt" --cert "$LT_PKI/GIAMDINH.crt" --key "$LT_PKI/GIAMDINH.key" \
    --seconds "$seconds" --connections 6 --async-every 10 --prefix "$prefix" --out "$csv" \
    >"$results/$name.load.json" &
  load=$!
  sleep 8
  "$name"
  wait "$load"
  local back=yes
  "${name}_recover" || back=no
  await 120 all_ready || back=no
  await 120 undelivered "$prefix" || true
  local answered failed span
  read -r answered failed span < <(awk -F, 'NR > 1 {
      n++
      if ($2 != 200 && $2 != 202) { f++; if (!first || $3 < first) first = $3; if ($4 > last) last = $4 }
    } END { printf "%d %d %.1f\n", n, f, f ? (last - first) / 1000 : 0 }' "$csv")
  local missing duplicated not_delivered twice
  read -r missing duplicated not_delivered twice < <(check_sql "$csv")
  local verdict=ok
  if [ "$missing" != 0 ] || [ "$duplicated" != 0 ] || [ "$not_delivered" != 0 ] ||
    [ "$back" != yes ] || { [ "$name" = drain_hub ] && [ "$failed" != 0 ]; }; then
    verdict=FAILED
    failures=$((failures + 1))
  fi
  printf '| %s | %d | %d | %s | %d | %d | %d | %d | %s | %s |\n' "$name" "$answered" "$failed" \
    "$span" "$missing" "$duplicated" "$not_delivered" "$twice" "$back" "$verdict" | tee -a "$summary"
}

# The checks must be able to fail: a message the hub never saw, "answered"
# 200 and 202, is one missing audit record and one undelivered message.
printf 'message_id,status,start_ms,end_ms,async,error\nnever-sent-%s,200,0,0,0,\nnever-sent-%s,202,0,0,1,\n' \
  "$RANDOM" "$RANDOM" >"$results/probe.csv"
[ "$(check_sql "$results/probe.csv")" = "2 0 1 0" ] ||
  lt_die "the checks do not see a missing record: $(check_sql "$results/probe.csv")"

# Limits across nodes: MOTCUA-HN's demo agreement allows 600 calls a minute
# (a bucket of 600 refilled at 10 a second). Load straight at the nodes, 80 %
# of it at one: together they may admit 600 + 10 per second of the run.
limits_check() {
  local port connections name pids=() n
  for n in "${LT_CLUSTER_NODES[@]}"; do
    port=$(cluster_hub_port "$n")
    connections=1
    [ "$n" = 1 ] && connections=8
    python3 "$LT_ROOT/tests/cluster/load.py" --url "https://localhost:$port" \
      --ca "$LT_PKI/ca.crt" --cert "$LT_PKI/MOTCUA-HN.crt" --key "$LT_PKI/MOTCUA-HN.key" \
      --consumer VN/PROV/000.00.00.H26/MOTCUA-HN --purpose "Kiểm tra hạn mức (limits check)" \
      --seconds 10 --connections "$connections" --prefix "limits-$n-$(date +%s)" \
      --out "$results/limits-hub-$n.csv" >/dev/null &
    pids+=($!)
  done
  wait "${pids[@]}"
  awk -F, 'FNR > 1 {
      n++; if ($2 == 200) { ok++; by[FILENAME]++ }
      if (!first || $3 < first) first = $3; if ($4 > last) last = $4 }
    END {
      seconds = (last - first) / 1000; allowed = 600 + 10 * seconds
      printf "limits: %d calls in %.1f s, %d answered 200 (hub-1 %d, hub-2 %d, hub-3 %d); the bucket allows %d: %.3f of it\n",
        n, seconds, ok, by[ARGV[1]], by[ARGV[2]], by[ARGV[3]], allowed, ok / allowed
      exit (ok <= allowed * 1.02 && ok >= 600) ? 0 : 1
    }' "$results"/limits-hub-{1,2,3}.csv
}
if limits_check | tee -a "$summary.limits"; [ "${PIPESTATUS[0]}" -ne 0 ]; then
  failures=$((failures + 1))
  echo "limits: FAILED" >>"$summary.limits"
fi

{
  echo "fault test, $(date -u +%Y-%m-%dT%H:%MZ), $seconds s of load per fault, $failover_seconds s for the lost primary (6 connections, 1 in 10 asynchronous)"
  echo "| fault | answers | failed | failure span s | missing | duplicated | undelivered | delivered twice | back | verdict |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
} >"$summary"
for fault in kill_hub drain_hub kill_primary stop_etcd standbys_refuse_hub restart_hub; do
  run_fault "$fault"
done

cat "$summary.limits" >>"$summary" && rm -f "$summary.limits"

# The auditor API reads from a standby (audit.read_url, HAProxy's replica frontend): an
# export of today's log through HAProxy's admin frontend, then the hub's
# connections on the standbys.
lt_say "an auditor's export, served from a standby"
auditor=$(LIENTHONG_DATABASE_URL=$(cluster_database_url) "$LT_ROOT/build/src/lienthong" token create \
  --role auditor --label "fault test" --expires-at "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)" 2>/dev/null)
exported=$(curl -sf --cacert "$LT_PKI/ca.crt" -H "Authorization: Bearer $auditor" \
  "https://localhost:$LT_CLUSTER_ADMIN_PORT/audit/v1/export?from=$(date -u +%Y-%m-%d)&to=2100-01-01" | wc -l)
on_standbys=0
for port in $(cluster_members | jq -r '.members[] | select(.role != "leader") | .port'); do
  n=$(PGPASSWORD="$(cluster_secret postgres)" psql -X -tA -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'lienthong' AND state IS NOT NULL")
  on_standbys=$((on_standbys + n))
done
echo "auditor export: $exported records, read by $on_standbys hub connection(s) on the standbys" | tee -a "$summary"
if [ "$exported" -lt 1000 ] || [ "$on_standbys" -lt 1 ]; then
  echo "auditor reads on a standby: FAILED" | tee -a "$summary"
  failures=$((failures + 1))
fi

# The same auditor verifies the whole log there, held to every checkpoint the
# nodes published to the witness directory (those the standby may not have
# replayed yet are left out and counted).
lt_say "an auditor's verification on a standby, held to the witness"
verified=$(curl -sf --max-time 300 --cacert "$LT_PKI/ca.crt" -H "Authorization: Bearer $auditor" \
  "https://localhost:$LT_CLUSTER_ADMIN_PORT/audit/v1/verify" || echo '{}')
echo "$verified" >"$results/verify-standby.json"
echo "auditor verify on a standby: ok=$(jq -r .ok <<<"$verified"), held to $(jq -r .witness.heads <<<"$verified") witnessed checkpoints ($(jq -r .witness.too_recent <<<"$verified") too recent for it)" | tee -a "$summary"
if [ "$(jq -r '.ok and .witness.checked and .witness.heads >= 4' <<<"$verified")" != true ]; then
  echo "auditor verify on a standby: FAILED (see $results/verify-standby.json)" | tee -a "$summary"
  failures=$((failures + 1))
fi

lt_say "lienthong audit verify, every node's chain, on the primary, held to the witness"
if LIENTHONG_DATABASE_URL=$(cluster_database_url) "$LT_ROOT/build/src/lienthong" audit verify \
  --witness "$LT_CLUSTER/witness" >"$results/verify.txt" 2>&1; then
  echo "audit verify: every chain intact" | tee -a "$summary"
else
  echo "audit verify: FAILED (see $results/verify.txt)" | tee -a "$summary"
  failures=$((failures + 1))
fi
# A sanitizer's report in any node's log (the nodes run the sanitizer build in test.sh).
if grep -l "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$LT_CLUSTER"/log/hub-*.log; then
  echo "sanitizers: a report in the log above" | tee -a "$summary"
  failures=$((failures + 1))
fi
cat "$summary"
[ "$failures" -eq 0 ] || lt_die "$failures check(s) failed under faults"
