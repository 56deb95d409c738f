# A whole hub site on this one machine, under ./var/cluster: a three-member
# etcd, Patroni managing three PostgreSQL servers with synchronous
# replication, three `lienthong serve` nodes, and HAProxy in front of them.
# Everything listens on 127.0.0.1 only. Source after common.sh and pg.sh
# (for the unprivileged user PostgreSQL runs as); scripts/cluster.sh drives it.
#
# Every process started here writes its pid to $LT_CLUSTER/pids/NAME.pid, and
# is stopped by that pid (cluster_stop NAME), never by name.

LT_CLUSTER="${LT_CLUSTER:-$LT_VAR/cluster}"
# Below Linux's ephemeral range (32768-60999): a server restarted under load
# found its port taken by some client connection's local end (55xxx, until
# 2026-12-05: "Address already in use" for a standby, then for a hub node).
LT_CLUSTER_BASE="${LT_CLUSTER_BASE:-25000}"
LT_CLUSTER_NODES=(1 2 3)

cluster_etcd_client_port() { echo $((LT_CLUSTER_BASE + 10 + $1)); }
cluster_etcd_peer_port() { echo $((LT_CLUSTER_BASE + 20 + $1)); }
cluster_patroni_port() { echo $((LT_CLUSTER_BASE + 30 + $1)); }
cluster_pg_port() { echo $((LT_CLUSTER_BASE + 40 + $1)); }
cluster_hub_port() { echo $((LT_CLUSTER_BASE + 50 + $1)); }
cluster_hub_admin_port() { echo $((LT_CLUSTER_BASE + 60 + $1)); }
LT_CLUSTER_EXCHANGE_PORT=$((LT_CLUSTER_BASE + 443))  # HAProxy: the hub's one address
LT_CLUSTER_ADMIN_PORT=$((LT_CLUSTER_BASE + 444))     # HAProxy: admin and audit APIs, console
LT_CLUSTER_STATS_PORT=$((LT_CLUSTER_BASE + 80))      # HAProxy's statistics page
LT_CLUSTER_ONE_NODE_PORT=$((LT_CLUSTER_BASE + 445))  # HAProxy to hub-1 alone (bench/cluster.sh)
LT_CLUSTER_PG_PRIMARY_PORT=$((LT_CLUSTER_BASE + 432))  # HAProxy to whichever server Patroni calls primary
LT_CLUSTER_PG_REPLICA_PORT=$((LT_CLUSTER_BASE + 433))  # HAProxy to a replica, else the primary

# The data a server keeps must be reachable by the user PostgreSQL runs as;
# when the checkout is private, pg.sh keeps it under /var/tmp instead.
cluster_data_dir() { echo "$(dirname "$LT_PG_DATA")/$(basename "$LT_CLUSTER")-data"; }

cluster_pid() { cat "$LT_CLUSTER/pids/$1.pid" 2>/dev/null || true; }
cluster_alive() {
  local pid
  pid=$(cluster_pid "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# Starts a command in its own session with its output in $LT_CLUSTER/log/NAME.log.
cluster_spawn() {
  local name=$1
  shift
  mkdir -p "$LT_CLUSTER/pids" "$LT_CLUSTER/log"
  setsid "$@" >>"$LT_CLUSTER/log/$name.log" 2>&1 </dev/null &
  echo $! >"$LT_CLUSTER/pids/$name.pid"
}

# Stops NAME by its pid: SIGNAL (TERM by default), then KILL after 30 s.
cluster_stop() {
  cluster_stop_all "${2:-TERM}" "$1"
}

# Signals every NAME at once, then waits for each (KILL after 30 s).
cluster_stop_all() {
  local signal=$1 name pid pids=() i
  shift
  for name in "$@"; do
    pid=$(cluster_pid "$name")
    rm -f "$LT_CLUSTER/pids/$name.pid"
    [ -n "$pid" ] || continue
    kill "-$signal" "$pid" 2>/dev/null || true
    pids+=("$pid")
  done
  for pid in "${pids[@]}"; do
    for ((i = 0; i < 300; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

cluster_secret() {
  local file="$LT_CLUSTER/secrets/$1"
  if [ ! -f "$file" ]; then
    mkdir -p "$LT_CLUSTER/secrets"
    (umask 077 && openssl rand -hex 24 >"$file")
  fi
  cat "$file"
}

# ---- etcd: three members, so that losing one keeps a quorum --------------

cluster_etcd_endpoints() {
  local n out=()
  for n in "${LT_CLUSTER_NODES[@]}"; do out+=("127.0.0.1:$(cluster_etcd_client_port "$n")"); done
  (IFS=,; echo "${out[*]}")
}

cluster_etcd_start() {
  local n=$1 initial=() m state=new
  cluster_alive "etcd-$n" && return 0
  for m in "${LT_CLUSTER_NODES[@]}"; do
    initial+=("etcd-$m=http://127.0.0.1:$(cluster_etcd_peer_port "$m")")
  done
  [ -d "$LT_CLUSTER/etcd-$n/member" ] && state=existing
  cluster_spawn "etcd-$n" etcd --name "etcd-$n" --data-dir "$LT_CLUSTER/etcd-$n" \
    --listen-client-urls "http://127.0.0.1:$(cluster_etcd_client_port "$n")" \
    --advertise-client-urls "http://127.0.0.1:$(cluster_etcd_client_port "$n")" \
    --listen-peer-urls "http://127.0.0.1:$(cluster_etcd_peer_port "$n")" \
    --initial-advertise-peer-urls "http://127.0.0.1:$(cluster_etcd_peer_port "$n")" \
    --initial-cluster "$(IFS=,; echo "${initial[*]}")" \
    --initial-cluster-token lienthong-cluster --initial-cluster-state "$state"
}

cluster_etcd_healthy() {
  curl -sf --max-time 2 "http://127.0.0.1:$(cluster_etcd_client_port "$1")/health" |
    jq -e '.health == "true"' >/dev/null 2>&1
}

# ---- PostgreSQL under Patroni ----------------------------------------------

cluster_patroni_config() {
  local n=$1 data
  data="$(cluster_data_dir)/pg-$n"
  cat <<YAML
scope: lienthong
name: pg-$n
log:
  level: WARNING
restapi:
  listen: 127.0.0.1:$(cluster_patroni_port "$n")
  connect_address: 127.0.0.1:$(cluster_patroni_port "$n")
etcd3:
  hosts: $(cluster_etcd_endpoints)
bootstrap:
  dcs:
    # Failover within about ttl seconds of losing the primary's server;
    # Patroni requires loop_wait + 2 * retry_timeout <= ttl.
    ttl: 10
    loop_wait: 2
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    # A commit the hub was told about is on a standby too, and only such a
    # standby may be promoted: no audit record is lost in a failover.
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        max_connections: 200
        wal_log_hints: "on"
        synchronous_commit: "on"
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - auth: scram-sha-256
  pg_hba:
    - local all all scram-sha-256
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
postgresql:
  listen: 127.0.0.1:$(cluster_pg_port "$n")
  connect_address: 127.0.0.1:$(cluster_pg_port "$n")
  data_dir: $data/data
  bin_dir: $(lt_pg_bin)
  pgpass: $data/pgpass
  authentication:
    superuser: {username: postgres, password: "$(cluster_secret postgres)"}
    replication: {username: replicator, password: "$(cluster_secret replicator)"}
    rewind: {username: postgres, password: "$(cluster_secret postgres)"}
  parameters:
    unix_socket_directories: "$data"
YAML
}

cluster_patroni_start() {
  local n=$1 data holder
  cluster_alive "patroni-$n" && return 0
  # A server left from another run on this port would take the new copy's
  # place (a run saw a standby that could never follow its primary).
  holder=$(ss -ltnpH "sport = :$(cluster_pg_port "$n")" 2>/dev/null || true)
  [ -z "$holder" ] || lt_die "127.0.0.1:$(cluster_pg_port "$n") is already in use, stop it first: $holder"
  data="$(cluster_data_dir)/pg-$n"
  mkdir -p "$data"
  cluster_patroni_config "$n" >"$data/patroni.yml"
  chmod 700 "$data"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R "$LT_PG_OS_USER" "$data"
    # setpriv execs in place (no helper process), so the pid is Patroni's own.
    # Patroni's workers chdir to the working directory, which a clone under
    # a root-only directory (mktemp -d) does not let postgres enter.
    (cd "$data" && cluster_spawn "patroni-$n" setpriv --reuid="$LT_PG_OS_USER" --regid="$LT_PG_OS_USER" \
      --clear-groups env HOME="$data" patroni "$data/patroni.yml")
  else
    cluster_spawn "patroni-$n" patroni "$data/patroni.yml"
  fi
}

# Patroni's view of the cluster: one line per member, "name role state".
cluster_members() {
  local n
  for n in "${LT_CLUSTER_NODES[@]}"; do
    curl -sf --max-time 2 "http://127.0.0.1:$(cluster_patroni_port "$n")/cluster" 2>/dev/null &&
      return 0
  done
  return 1
}

cluster_primary_port() {
  cluster_members | jq -r '.members[] | select(.role == "leader" and .state == "running") | .port'
}

# The standbys streaming from the current primary, by name (pg-N), as the
# primary's pg_stat_replication says. Patroni reports a standby "running"
# even when it cannot follow (a copy whose WAL went past the primary's).
cluster_streaming() {
  (cluster_psql postgres -tAc \
    "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming' ORDER BY 1") \
    2>/dev/null || true
}

# Waits until one leader runs and the other servers stream from it, one of
# them as the synchronous standby.
cluster_wait_replicated() {
  local seconds=${1:-120} i view
  for ((i = 0; i < seconds; i++)); do
    view=$(cluster_members || true)
    if [ -n "$view" ] && jq -e '
        ([.members[] | select(.role == "leader" and .state == "running")] | length == 1) and
        ([.members[] | select(.role == "sync_standby" and (.state == "streaming" or .state == "running"))] | length >= 1) and
        ([.members[] | select(.role != "leader" and (.state == "streaming" or .state == "running"))] | length == 2)' \
        >/dev/null <<<"$view" &&
      [ "$(cluster_streaming | grep -c .)" -eq $((${#LT_CLUSTER_NODES[@]} - 1)) ]; then
      return 0
    fi
    sleep 1
  done
  return 1
}

# A standby that runs but does not stream from the primary gets a fresh copy
# of it (patronictl reinit), as an operator would do; said on the terminal.
cluster_reinit_lagging() {
  local n streaming name primary
  primary=$(cluster_primary_port || true)
  [ -n "$primary" ] || return 0  # no primary to copy from: nothing to do here
  streaming=$(cluster_streaming)
  for n in "${LT_CLUSTER_NODES[@]}"; do
    name="pg-$n"
    [ "$primary" != "$(cluster_pg_port "$n")" ] || continue
    grep -qx "$name" <<<"$streaming" && continue
    lt_say "$name runs but does not stream from the primary: reinitialising it from the primary"
    patronictl -c "$(cluster_data_dir)/$name/patroni.yml" reinit lienthong "$name" --force \
      >>"$LT_CLUSTER/log/patroni-$n.log" 2>&1 || true
  done
}

cluster_psql() {  # cluster_psql DB ARGS... -- on the current primary, as the superuser
  local db=$1 port
  shift
  port=$(cluster_primary_port)
  [ -n "$port" ] || lt_die "no PostgreSQL primary is running"
  PGPASSWORD="$(cluster_secret postgres)" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" \
    -U postgres -d "$db" "$@"
}

# The hub's own role and database; the hub is not a superuser here.
cluster_create_database() {
  local password
  password=$(cluster_secret lienthong)
  if [ "$(cluster_psql postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'lienthong'")" != 1 ]; then
    cluster_psql postgres -c "CREATE ROLE lienthong LOGIN PASSWORD '$password'"
  fi
  if [ "$(cluster_psql postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'lienthong'")" != 1 ]; then
    cluster_psql postgres -c "CREATE DATABASE lienthong OWNER lienthong"
  fi
}

# The nodes reach PostgreSQL through HAProxy's Patroni-aware frontends: the
# primary's (read-write, the default) or the replicas' ("replica": the
# auditor API's reads). Not a multi-host libpq URL: libpq gives up at the
# first listed server that refuses the hub's password, even when the primary
# comes after it (seen in a fault run: a standby without the hub's role).
cluster_database_url() {
  # read-write still: a server demoted between HAProxy's checks is refused
  # at connect time, not met by the first write.
  local port=$LT_CLUSTER_PG_PRIMARY_PORT attrs=read-write
  [ "${1:-}" != replica ] || { port=$LT_CLUSTER_PG_REPLICA_PORT; attrs=any; }
  echo "postgresql://lienthong:$(cluster_secret lienthong)@127.0.0.1:$port/lienthong?target_session_attrs=$attrs&connect_timeout=3"
}

# Straight to the servers, libpq picking the one that accepts writes: what the
# nodes used before the HAProxy frontend (bench/cluster.sh compares the two).
cluster_direct_database_url() {
  local n hosts=()
  for n in "${LT_CLUSTER_NODES[@]}"; do hosts+=("127.0.0.1:$(cluster_pg_port "$n")"); done
  echo "postgresql://lienthong:$(cluster_secret lienthong)@$(IFS=,; echo "${hosts[*]}")/lienthong?target_session_attrs=read-write&connect_timeout=3"
}

# ---- hub nodes -------------------------------------------------------------

# A delivery claimed by a node that dies goes back to the queue after the
# lease; 15 s here (the default is 120 s) so the fault test sees it redelivered.
# LT_CLUSTER_HUB_BINARY runs another build (the fault test: the sanitizers').
# A second argument is the node's database URL (default: HAProxy's primary).
cluster_hub_start() {
  local n=$1 url=${2:-$(cluster_database_url)}
  cluster_alive "hub-$n" && return 0
  # The audit witness: one directory all nodes append their checkpoints to
  # (on separate machines, a share on another host).
  mkdir -p "$LT_CLUSTER/hub-$n" "$LT_CLUSTER/witness"
  cluster_spawn "hub-$n" env -C "$LT_ROOT" \
    LIENTHONG_DATABASE_URL="$url" \
    LIENTHONG_AUDIT_READ_URL="$(cluster_database_url replica)" \
    LIENTHONG_AUDIT_WITNESS_DIR="$LT_CLUSTER/witness" \
    LIENTHONG_NODE_NAME="hub-$n" \
    LIENTHONG_EXCHANGE_LISTEN="127.0.0.1:$(cluster_hub_port "$n")" \
    LIENTHONG_ADMIN_LISTEN="127.0.0.1:$(cluster_hub_admin_port "$n")" \
    LIENTHONG_AUDIT_SIGNING_KEY="$LT_CLUSTER/hub-$n/audit-signing.key" \
    LIENTHONG_LOG_LEVEL="${LT_CLUSTER_LOG_LEVEL:-warn}" \
    LIENTHONG_ASYNC_LEASE_MS="${LT_CLUSTER_LEASE_MS:-15000}" \
    LIENTHONG_LIMITS_SHUTDOWN_NOTICE_MS=3000 \
    ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
    "${LT_CLUSTER_HUB_BINARY:-$LT_ROOT/build/src/lienthong}" serve --config config/lienthong.toml
}

cluster_hub_ready() {
  curl -sf --max-time 2 --cacert "$LT_PKI/ca.crt" \
    "https://localhost:$(cluster_hub_admin_port "$1")/readyz" >/dev/null 2>&1
}

# ---- HAProxy ---------------------------------------------------------------

cluster_haproxy_config() {
  local n
  cat <<CFG
global
    # two descriptors per connection, within the usual 20,000 open files
    maxconn 8000

defaults
    mode tcp
    timeout connect 3s
    timeout client  70s
    timeout server  70s
    # A node that refuses the connection (stopped, killed) is skipped.
    retries 2
    option redispatch

# Members' TLS passes through: the nodes see their client certificates.
frontend exchange
    bind 127.0.0.1:$LT_CLUSTER_EXCHANGE_PORT
    default_backend hub_exchange

backend hub_exchange
    balance leastconn
    option httpchk GET /readyz
    http-check expect status 200
    # Marked down within 2 s of /readyz failing: a node's shutdown notice
    # (limits.shutdown_notice_ms, 3 s here) is longer.
    default-server check check-ssl verify none inter 1s fall 2 rise 2
CFG
  for n in "${LT_CLUSTER_NODES[@]}"; do
    echo "    server hub-$n 127.0.0.1:$(cluster_hub_port "$n") port $(cluster_hub_admin_port "$n")"
  done
  cat <<CFG

# hub-1 alone through the same proxy: bench/cluster.sh tells HAProxy's cost
# from the cost of three nodes with it.
frontend exchange_one_node
    bind 127.0.0.1:$LT_CLUSTER_ONE_NODE_PORT
    default_backend hub_one_node

backend hub_one_node
    server hub-1 127.0.0.1:$(cluster_hub_port 1)

frontend admin
    bind 127.0.0.1:$LT_CLUSTER_ADMIN_PORT
    default_backend hub_admin

backend hub_admin
    balance leastconn
    option httpchk GET /readyz
    http-check expect status 200
    default-server check check-ssl verify none inter 1s fall 2 rise 2
CFG
  for n in "${LT_CLUSTER_NODES[@]}"; do
    echo "    server hub-$n 127.0.0.1:$(cluster_hub_admin_port "$n")"
  done
  cat <<CFG

# PostgreSQL: Patroni's REST API says which server is the primary (GET
# /primary answers 200 there only) and which are replicas (/replica). A
# server marked down has its sessions cut, so no node keeps writing to a
# demoted primary. The hub's connections are long-lived (pools, the registry
# listener): HAProxy closes one only after a day idle, and TCP keepalives
# find a peer that vanished meanwhile.
CFG
  cluster_haproxy_postgres postgres_primary "$LT_CLUSTER_PG_PRIMARY_PORT" /primary
  cat <<CFG

# The auditor API's reads: a streaming replica, or the primary (through the
# frontend above) when none is up.
CFG
  cluster_haproxy_postgres postgres_replicas "$LT_CLUSTER_PG_REPLICA_PORT" /replica \
    "    balance leastconn"
  cat <<CFG
    server primary 127.0.0.1:$LT_CLUSTER_PG_PRIMARY_PORT backup

listen stats
    mode http
    bind 127.0.0.1:$LT_CLUSTER_STATS_PORT
    stats enable
    stats uri /
    stats refresh 2s
CFG
}

# One PostgreSQL frontend: NAME PORT PATRONI_CHECK [EXTRA_LINE]; the three
# servers, each up while its Patroni answers 200 to PATRONI_CHECK.
cluster_haproxy_postgres() {
  local n
  cat <<CFG
listen $1
    bind 127.0.0.1:$2
    timeout client 24h
    timeout server 24h
    option clitcpka
    option srvtcpka
CFG
  [ -z "${4:-}" ] || echo "$4"
  cat <<CFG
    option httpchk OPTIONS $3
    http-check expect status 200
    default-server inter 2s fastinter 500ms downinter 500ms rise 1 fall 3 on-marked-down shutdown-sessions
CFG
  for n in "${LT_CLUSTER_NODES[@]}"; do
    echo "    server pg-$n 127.0.0.1:$(cluster_pg_port "$n") check port $(cluster_patroni_port "$n")"
  done
}

cluster_haproxy_start() {
  cluster_alive haproxy && return 0
  cluster_haproxy_config >"$LT_CLUSTER/haproxy.cfg"
  haproxy -c -q -f "$LT_CLUSTER/haproxy.cfg" || lt_die "HAProxy refuses $LT_CLUSTER/haproxy.cfg"
  cluster_spawn haproxy haproxy -db -f "$LT_CLUSTER/haproxy.cfg"
}

# "name status" for each server of a backend (the hub nodes by default) as
# HAProxy sees it (UP, DOWN, ...).
cluster_haproxy_servers() {
  local backend=${1:-hub_exchange}
  curl -sf --max-time 2 "http://127.0.0.1:$LT_CLUSTER_STATS_PORT/;csv" 2>/dev/null |
    awk -F, -v b="$backend" '$1 == b && $2 != "BACKEND" && $2 != "FRONTEND" { print $2, $18 }'
}
