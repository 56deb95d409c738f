# A private PostgreSQL cluster for development and tests, under ./var/pg.
# Source after common.sh. Never touches a system PostgreSQL service: own data
# directory, own port on 127.0.0.1, own unix socket directory in ./var/run.
#
#   pg_ensure_running   create the cluster if needed, start it if stopped
#   pg_stop             stop it (the data stays)
#   pg_url [DB]         connection URI for database DB (default: lienthong)
#   pg_create_database DB / pg_drop_database DB

LT_PG_PORT="${LT_PG_PORT:-54329}"
LT_PG_USER="lienthong"   # database superuser inside the private cluster
LT_PG_OS_USER="lienthong-pg"  # unprivileged OS user that runs it when we are root
LT_PG_DATA="$LT_VAR/pg"
LT_PG_RUN="$LT_VAR/run"
LT_PG_LOG="$LT_VAR/pg.log"
LT_PG_PASSWORD_FILE="$LT_VAR/pg.password"

lt_pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || lt_die "PostgreSQL server binaries not found (run scripts/install-deps.sh)"
  echo "$dir"
}

# Runs a command as the cluster's owner: initdb and postgres refuse to run as root.
lt_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$LT_PG_OS_USER" -- "$@"
  else
    "$@"
  fi
}

lt_pg_prepare_owner() {
  [ "$(id -u)" -eq 0 ] || return 0
  if ! id "$LT_PG_OS_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
      "$LT_PG_OS_USER"
  fi
  # The owner must reach the data directory through the checkout's parents.
  # When the checkout is private (e.g. under /root), keep the cluster in a
  # folder of its own under /var/tmp, named after the checkout, and link it
  # from ./var so it is still found there.
  if ! runuser -u "$LT_PG_OS_USER" -- test -x "$LT_VAR"; then
    local outside
    outside="/var/tmp/lienthong-$(printf '%s' "$LT_ROOT" | sha256sum | cut -c1-12)"
    mkdir -p "$outside"
    chmod 755 "$outside"
    LT_PG_DATA="$outside/pg"
    LT_PG_RUN="$outside/run"
    LT_PG_LOG="$outside/pg.log"
    ln -sfn "$outside" "$LT_VAR/pg-outside"
  fi
  mkdir -p "$LT_PG_DATA" "$LT_PG_RUN"
  chown "$LT_PG_OS_USER" "$LT_PG_DATA" "$LT_PG_RUN"
  # The server log names databases, users and failed statements: owner only.
  touch "$LT_PG_LOG" && chmod 600 "$LT_PG_LOG" && chown "$LT_PG_OS_USER" "$LT_PG_LOG"
}

pg_ensure_running() {
  local bin
  bin=$(lt_pg_bin)
  lt_pg_prepare_owner
  mkdir -p "$LT_PG_DATA" "$LT_PG_RUN"
  if [ ! -f "$LT_PG_DATA/PG_VERSION" ]; then
    lt_say "creating a private PostgreSQL cluster in $LT_PG_DATA"
    umask 077
    openssl rand -hex 24 >"$LT_PG_PASSWORD_FILE"
    local pwfile="$LT_PG_RUN/initdb.pw"
    cp "$LT_PG_PASSWORD_FILE" "$pwfile"
    [ "$(id -u)" -ne 0 ] || chown "$LT_PG_OS_USER" "$pwfile"
    lt_as_pg "$bin/initdb" -D "$LT_PG_DATA" -U "$LT_PG_USER" --pwfile="$pwfile" \
      --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$LT_VAR/initdb.log" 2>&1 \
      || { cat "$LT_VAR/initdb.log" >&2; lt_die "initdb failed"; }
    rm -f "$pwfile"
    umask 022
  fi
  if lt_as_pg "$bin/pg_ctl" -D "$LT_PG_DATA" status >/dev/null 2>&1; then
    return 0
  fi
  lt_say "starting PostgreSQL on 127.0.0.1:$LT_PG_PORT (socket in $LT_PG_RUN)"
  lt_as_pg "$bin/pg_ctl" -D "$LT_PG_DATA" -l "$LT_PG_LOG" -w -t 60 \
    -o "-c port=$LT_PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$LT_PG_RUN -c max_connections=200" \
    start >/dev/null || { tail -n 20 "$LT_PG_LOG" >&2; lt_die "PostgreSQL did not start"; }
}

pg_stop() {
  local bin
  bin=$(lt_pg_bin)
  lt_pg_prepare_owner
  [ -f "$LT_PG_DATA/PG_VERSION" ] || return 0
  lt_as_pg "$bin/pg_ctl" -D "$LT_PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
}

pg_url() {
  local db=${1:-lienthong}
  echo "postgresql://$LT_PG_USER:$(cat "$LT_PG_PASSWORD_FILE")@127.0.0.1:$LT_PG_PORT/$db?connect_timeout=5"
}

lt_psql() {
  PGPASSWORD="$(cat "$LT_PG_PASSWORD_FILE")" psql -X -q -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$LT_PG_PORT" -U "$LT_PG_USER" "$@"
}

pg_create_database() {
  local db=$1
  if [ "$(lt_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]; then
    lt_psql -d postgres -c "CREATE DATABASE \"$db\""
  fi
}

pg_drop_database() {
  lt_psql -d postgres -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)"
}
