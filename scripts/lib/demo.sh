# The demo setup shared by run.sh and test.sh: database, migrations, PKI and
# the demo registry. Source after common.sh and pg.sh.

# Systems with a development client certificate (config/demo/registry.json names them).
LT_DEMO_SYSTEMS=(DANCU DKKD MOTCUA-HN MOTCUA-HCM MOTCUA-DN GIAMDINH BVDN-HIS)
# Fixed: config/demo/registry.json names these base URLs.
LT_DEMO_POPULATION_PORT=9101
LT_DEMO_BUSINESS_PORT=9102
LT_DEMO_LAND_PORT=9103
LT_DEMO_TAX_PORT=9104
LT_DEMO_CLAIMS_PORT=9105
LT_DEMO_PORTS=("$LT_DEMO_POPULATION_PORT" "$LT_DEMO_BUSINESS_PORT" "$LT_DEMO_LAND_PORT"
  "$LT_DEMO_TAX_PORT" "$LT_DEMO_CLAIMS_PORT")

demo_prepare() {
  pg_ensure_running
  pg_create_database lienthong
  "$LT_ROOT/scripts/pki.sh" "${LT_DEMO_SYSTEMS[@]}"
  export LIENTHONG_DATABASE_URL
  LIENTHONG_DATABASE_URL="$(pg_url lienthong)"
  lt_say "migrating"
  "$LT_ROOT/build/src/lienthong" migrate
  lt_say "applying the demo registry (config/demo/registry.json)"
  "$LT_ROOT/build/src/lienthong" registry apply "$LT_ROOT/config/demo/registry.json"
}

# demo_admin CA TOKEN CURL-ARGS...: an admin API call over TLS (CA) with a
# bearer TOKEN; prints the body of a 2xx answer. A 409 (left by an earlier
# run of the demo) is reported and skipped; anything else stops.
demo_admin() {
  local ca=$1 bearer=$2 out code
  shift 2
  out=$(curl -sS --cacert "$ca" -H "Authorization: Bearer $bearer" \
    -H 'Content-Type: application/json' -w '\n%{http_code}' "$@")
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  case "$code" in
    2??) printf '%s\n' "$out" ;;
    409) echo "   (already there from an earlier run: $(jq -r .detail <<<"$out"))" >&2 ;;
    *) echo "$out" >&2; lt_die "the admin API answered HTTP $code" ;;
  esac
}

# Starts the five demo provider systems in the background (one process; its
# pid in LT_DEMO_PID) and waits until they listen. The claims system keeps
# the claims it accepted in var/demo/claims.ndjson across restarts.
demo_start_providers() {
  mkdir -p "$LT_VAR/demo"
  "$LT_ROOT/build/src/lienthong-demo" provider --log-level warn \
    --serve "population=127.0.0.1:$LT_DEMO_POPULATION_PORT" \
    --serve "business=127.0.0.1:$LT_DEMO_BUSINESS_PORT" \
    --serve "land=127.0.0.1:$LT_DEMO_LAND_PORT" \
    --serve "tax=127.0.0.1:$LT_DEMO_TAX_PORT" \
    --serve "claims=127.0.0.1:$LT_DEMO_CLAIMS_PORT" \
    --claims-journal "$LT_VAR/demo/claims.ndjson" &
  LT_DEMO_PID=$!
  local port
  for port in "${LT_DEMO_PORTS[@]}"; do
    lt_wait_port 127.0.0.1 "$port" 30 || lt_die "the demo providers did not start (port $port)"
  done
}

# The demo's time-stamping authority (RFC 3161, lienthong-demo tsa) on
# LT_DEMO_TSA_PORT, with a certificate under a CA of its own (var/tsa), as
# an outside authority has; its pid in LT_DEMO_TSA_PID. Exports the
# settings that make a hub started afterwards stamp its checkpoints there.
LT_DEMO_TSA_PORT=8318
demo_start_tsa() {
  LT_PKI="$LT_VAR/tsa" LT_PKI_ORG="Lienthong Demo TSA" "$LT_ROOT/scripts/pki.sh" --tsa >/dev/null
  "$LT_ROOT/build/src/lienthong-demo" tsa --log-level warn --listen "127.0.0.1:$LT_DEMO_TSA_PORT" \
    --certificate "$LT_VAR/tsa/tsa.crt" --key "$LT_VAR/tsa/tsa.key" &
  LT_DEMO_TSA_PID=$!
  lt_wait_port 127.0.0.1 "$LT_DEMO_TSA_PORT" 30 || lt_die "the demo time-stamping authority did not start"
  export LIENTHONG_AUDIT_TIMESTAMP_URL="http://127.0.0.1:$LT_DEMO_TSA_PORT/"
  export LIENTHONG_AUDIT_TIMESTAMP_CA="$LT_VAR/tsa/ca.crt"
  export LIENTHONG_AUDIT_TIMESTAMP_SECONDS=5  # the demo's steps are seconds apart (default 60)
}
