#!/usr/bin/env bash
# A production-shaped hub on this one machine (docs/scaling.md): etcd (three
# members), Patroni with three PostgreSQL 15 servers in synchronous
# replication, three hub nodes, HAProxy in front. Loopback only; state under
# ./var/cluster.
#
#   scripts/cluster.sh up        install what is missing, build, start it all, wait until ready
#   scripts/cluster.sh status    who is primary, which nodes HAProxy sends traffic to
#   scripts/cluster.sh load [SECONDS] [CONNECTIONS]
#                                mutual-TLS load through HAProxy, every answer recorded
#   scripts/cluster.sh down      stop everything it started (the data stays)
#   scripts/cluster.sh clean     down, then delete the cluster's data
source "$(dirname "$0")/lib/common.sh"
source "$LT_ROOT/scripts/lib/pg.sh"
source "$LT_ROOT/scripts/lib/demo.sh"
source "$LT_ROOT/scripts/lib/cluster.sh"

lt_pg_prepare_owner  # the unprivileged user PostgreSQL runs as, and where its data may live

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2 i
  shift 2
  for ((i = 0; i < seconds * 2; i++)); do
    "$@" && return 0
    sleep 0.5
  done
  lt_die "$what did not happen within $seconds s (logs: $LT_CLUSTER/log/)"
}

wait_for_quietly() {  # wait_for_quietly SECONDS COMMAND...: false if it did not happen
  local seconds=$1 i
  shift
  for ((i = 0; i < seconds * 2; i++)); do
    "$@" && return 0
    sleep 0.5
  done
  return 1
}

all_etcd_healthy() {
  local n
  for n in "${LT_CLUSTER_NODES[@]}"; do cluster_etcd_healthy "$n" || return 1; done
}

primary_up_in_haproxy() {
  [ "$(cluster_haproxy_servers postgres_primary | grep -c ' UP$')" -eq 1 ]
}

all_hubs_up_in_haproxy() {
  [ "$(cluster_haproxy_servers | grep -c ' UP$')" -eq "${#LT_CLUSTER_NODES[@]}" ]
}

start_providers() {
  cluster_alive providers && return 0
  mkdir -p "$LT_CLUSTER/demo"
  cluster_spawn providers "$LT_ROOT/build/src/lienthong-demo" provider --log-level warn \
    --serve "population=127.0.0.1:$LT_DEMO_POPULATION_PORT" \
    --serve "business=127.0.0.1:$LT_DEMO_BUSINESS_PORT" \
    --serve "land=127.0.0.1:$LT_DEMO_LAND_PORT" \
    --serve "tax=127.0.0.1:$LT_DEMO_TAX_PORT" \
    --serve "claims=127.0.0.1:$LT_DEMO_CLAIMS_PORT" \
    --claims-journal "$LT_CLUSTER/demo/claims.ndjson"
  local port
  for port in "${LT_DEMO_PORTS[@]}"; do
    lt_wait_port 127.0.0.1 "$port" 30 || lt_die "the demo providers did not start (port $port)"
  done
}

up() {
  "$LT_ROOT/scripts/install-deps.sh" --cluster
  "$LT_ROOT/scripts/build.sh"
  "$LT_ROOT/scripts/pki.sh" "${LT_DEMO_SYSTEMS[@]}"
  mkdir -p "$LT_CLUSTER"

  lt_say "etcd: three members on 127.0.0.1:$(cluster_etcd_client_port 1)-$(cluster_etcd_client_port 3)"
  for n in "${LT_CLUSTER_NODES[@]}"; do cluster_etcd_start "$n"; done
  wait_for 60 "etcd becoming healthy" all_etcd_healthy

  lt_say "Patroni: three PostgreSQL servers on 127.0.0.1:$(cluster_pg_port 1)-$(cluster_pg_port 3), synchronous replication"
  for n in "${LT_CLUSTER_NODES[@]}"; do cluster_patroni_start "$n"; done
  if ! wait_for_quietly 90 cluster_wait_replicated 1; then
    cluster_reinit_lagging
  fi
  wait_for 180 "a primary with both standbys streaming from it" cluster_wait_replicated 1

  lt_say "HAProxy: PostgreSQL's primary at 127.0.0.1:$LT_CLUSTER_PG_PRIMARY_PORT, a replica at $LT_CLUSTER_PG_REPLICA_PORT (statistics http://127.0.0.1:$LT_CLUSTER_STATS_PORT/)"
  cluster_haproxy_start
  wait_for 30 "HAProxy seeing the primary" primary_up_in_haproxy

  cluster_create_database
  export LIENTHONG_DATABASE_URL
  LIENTHONG_DATABASE_URL=$(cluster_database_url)
  lt_say "migrating, and applying the demo registry (config/demo/registry.json)"
  "$LT_ROOT/build/src/lienthong" migrate
  "$LT_ROOT/build/src/lienthong" registry apply "$LT_ROOT/config/demo/registry.json" >/dev/null
  unset LIENTHONG_DATABASE_URL

  lt_say "the demo providers on 127.0.0.1:${LT_DEMO_PORTS[0]}-${LT_DEMO_PORTS[-1]}"
  start_providers

  lt_say "hub nodes hub-1..hub-3 on 127.0.0.1:$(cluster_hub_port 1)-$(cluster_hub_port 3)"
  for n in "${LT_CLUSTER_NODES[@]}"; do cluster_hub_start "$n"; done
  for n in "${LT_CLUSTER_NODES[@]}"; do wait_for 60 "hub-$n being ready" cluster_hub_ready "$n"; done

  lt_say "HAProxy: the hub at https://localhost:$LT_CLUSTER_EXCHANGE_PORT (admin $LT_CLUSTER_ADMIN_PORT)"
  wait_for 30 "HAProxy seeing all three nodes up" all_hubs_up_in_haproxy
  status
}

status() {
  local n
  echo "etcd:"
  for n in "${LT_CLUSTER_NODES[@]}"; do
    printf '  etcd-%s  127.0.0.1:%s  %s\n' "$n" "$(cluster_etcd_client_port "$n")" \
      "$(cluster_etcd_healthy "$n" && echo healthy || echo DOWN)"
  done
  echo "PostgreSQL (Patroni):"
  cluster_members | jq -r '.members[] | "  \(.name)  127.0.0.1:\(.port)  \(.role)  \(.state)  timeline \(.timeline // "-")  lag \(.lag // 0)"' ||
    echo "  no Patroni answers"
  echo "hub nodes (as HAProxy sees them):"
  cluster_haproxy_servers | sed 's/^/  /' || echo "  HAProxy does not answer"
  echo "PostgreSQL through HAProxy: primary frontend 127.0.0.1:$LT_CLUSTER_PG_PRIMARY_PORT, replicas $LT_CLUSTER_PG_REPLICA_PORT"
  cluster_haproxy_servers postgres_primary | sed 's/^/  primary:  /' || true
  cluster_haproxy_servers postgres_replicas | sed 's/^/  replicas: /' || true
}

load() {
  local seconds=${1:-10} connections=${2:-8} out
  mkdir -p "$LT_CLUSTER/load"
  out="$LT_CLUSTER/load/$(date +%Y%m%d-%H%M%S).csv"
  python3 "$LT_ROOT/tests/cluster/load.py" --url "https://localhost:$LT_CLUSTER_EXCHANGE_PORT" \
    --ca "$LT_PKI/ca.crt" --cert "$LT_PKI/GIAMDINH.crt" --key "$LT_PKI/GIAMDINH.key" \
    --seconds "$seconds" --connections "$connections" --prefix "load-$(date +%s)-$RANDOM" \
    --out "$out"
  lt_say "every answer: $out"
}

# Stops what this script started, each by its pid: the nodes first. A
# PostgreSQL whose Patroni was killed outright is still running: stop it too.
down() {
  local n data hubs=("${LT_CLUSTER_NODES[@]/#/hub-}") pidfile
  # and any other node started here (bench/cluster.sh adds hub-4)
  for pidfile in "$LT_CLUSTER"/pids/hub-*.pid; do
    [ -e "$pidfile" ] && hubs+=("$(basename "$pidfile" .pid)")
  done
  cluster_stop_all TERM "${hubs[@]}"
  cluster_stop providers
  cluster_stop haproxy  # after the nodes: their last audit records go through it
  cluster_stop_all TERM "${LT_CLUSTER_NODES[@]/#/patroni-}"
  for n in "${LT_CLUSTER_NODES[@]}"; do
    data="$(cluster_data_dir)/pg-$n/data"
    if [ -f "$data/postmaster.pid" ]; then
      lt_as_pg "$(lt_pg_bin)/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
  done
  cluster_stop_all TERM "${LT_CLUSTER_NODES[@]/#/etcd-}"
}

case "${1:-}" in
  up) up ;;
  status) status ;;
  load) shift; load "$@" ;;
  down) down ;;
  clean) down; rm -rf "$LT_CLUSTER" "$(cluster_data_dir)" ;;
  *) lt_die "usage: scripts/cluster.sh up|status|load [SECONDS] [CONNECTIONS]|down|clean" ;;
esac
