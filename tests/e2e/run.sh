#!/usr/bin/env bash
# The web console's end-to-end test (console.e2e.mjs) against a real hub:
# a fresh database with the demo registry, the demo providers, the hub with
# the console, tokens for the four roles, then Debian's Chromium driven by
# Playwright; then a service description it generates and the OpenAPI
# documents through independent OpenAPI validators (tests/openapi/), and
# its /metrics and the sample alert rules through promtool. Stops
# everything it started.
#   tests/e2e/run.sh [SCREENSHOT_DIR]    (default var/e2e-screenshots;
#                                         docs/screenshots refreshes the docs)
# Needs the build and the private PostgreSQL of scripts/test.sh.
source "$(dirname "$0")/../../scripts/lib/common.sh"
source "$LT_ROOT/scripts/lib/pg.sh"
source "$LT_ROOT/scripts/lib/demo.sh"

screenshots="${1:-$LT_VAR/e2e-screenshots}"
mkdir -p "$screenshots"
lienthong="$LT_ROOT/build/src/lienthong"
db=lienthong_e2e

pg_ensure_running
"$LT_ROOT/scripts/pki.sh" "${LT_DEMO_SYSTEMS[@]}" >/dev/null
pg_drop_database "$db"
pg_create_database "$db"
export LIENTHONG_DATABASE_URL
LIENTHONG_DATABASE_URL="$(pg_url "$db")"
"$lienthong" migrate >/dev/null
"$lienthong" registry apply "$LT_ROOT/config/demo/registry.json" >/dev/null
token() { "$lienthong" token create --label "console e2e" "$@" 2>/dev/null; }
export LT_TOKEN_CITY_ADMIN LT_TOKEN_MINISTRY_ADMIN LT_TOKEN_AUDITOR LT_TOKEN_HUB_ADMIN
LT_TOKEN_CITY_ADMIN=$(token --role member-admin --member VN/PROV/000.00.00.H29)
LT_TOKEN_MINISTRY_ADMIN=$(token --role member-admin --member VN/GOV/000.00.00.G03)
LT_TOKEN_AUDITOR=$(token --role auditor)
LT_TOKEN_HUB_ADMIN=$(token --role hub-admin)

# A free loopback port (the kernel's choice of an ephemeral one).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
exchange_port=$(free_port)
admin_port=$(free_port)

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pg_drop_database "$db" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# The registry names the demo providers' ports; a running ./scripts/run.sh
# already serves them (the same stateless demo systems), so they are reused.
if (exec 3<>"/dev/tcp/127.0.0.1/$LT_DEMO_LAND_PORT") 2>/dev/null; then
  lt_say "e2e: demo providers already running; using them"
else
  demo_start_providers
  pids+=("$LT_DEMO_PID")
fi
(cd "$LT_ROOT" && LIENTHONG_NODE_NAME=e2e-hub \
  LIENTHONG_EXCHANGE_LISTEN="127.0.0.1:$exchange_port" LIENTHONG_ADMIN_LISTEN="127.0.0.1:$admin_port" \
  LIENTHONG_ADMIN_CONSOLE_DIR="$LT_ROOT/console" LIENTHONG_LOG_LEVEL=warn \
  exec "$lienthong" serve --config config/lienthong.toml) >"$LT_VAR/e2e-hub.log" 2>&1 &
pids+=($!)
lt_wait_port 127.0.0.1 "$admin_port" 30 || lt_die "e2e: the hub did not start (see var/e2e-hub.log)"

# A peer hub in the registry (never reached: this hub has no federation
# instance), so the connectivity page shows its peer section.
peer_key="$LT_VAR/e2e-peer-catalogue.key"
[ -f "$peer_key" ] || (umask 077 && openssl genpkey -algorithm ed25519 -out "$peer_key" 2>/dev/null)
jq -n --rawfile ca "$LT_VAR/pki/ca.crt" --arg key "$(openssl pkey -in "$peer_key" -pubout)" \
  --arg fingerprint "$(printf 'e2e peer' | sha256sum | cut -d' ' -f1)" \
  '{instance: "VN-HN", name: "Nền tảng chia sẻ dữ liệu TP Hà Nội", exchange_url: "https://127.0.0.1:9",
    tls_ca_pem: $ca, client_fingerprint: $fingerprint, catalogue_key_pem: $key}' |
  curl -sS --fail --cacert "$LT_VAR/pki/ca.crt" -H "Authorization: Bearer $LT_TOKEN_HUB_ADMIN" \
    -H 'Content-Type: application/json' --data-binary @- "https://localhost:$admin_port/admin/v1/peers" \
    >/dev/null || lt_die "e2e: registering the peer hub failed"

lt_say "e2e: installing Playwright (tests/e2e/package-lock.json; no browser download)"
(cd "$LT_ROOT/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

export LT_CONSOLE_URL="https://localhost:$admin_port/console/" LT_EXCHANGE_PORT="$exchange_port"
export LT_PKI_DIR="$LT_VAR/pki" LT_SCREENSHOT_DIR="$screenshots"
lt_say "e2e: driving the console in Chromium"
node "$LT_ROOT/tests/e2e/console.e2e.mjs"
lt_say "e2e: screenshots in $screenshots"

# A service description the hub generates from registered JSON Schemas, as
# independent OpenAPI tools read it (with the repository's documents).
lt_say "e2e: a generated service description through the OpenAPI linters"
curl -sS --fail --cacert "$LT_VAR/pki/ca.crt" --cert "$LT_VAR/pki/MOTCUA-HN.crt" \
  --key "$LT_VAR/pki/MOTCUA-HN.key" \
  "https://localhost:$exchange_port/exchange/v1/services/VN/GOV/000.00.00.G03/DANCU/citizen-lookup/v1/openapi" \
  >"$LT_VAR/e2e-citizen-lookup-openapi.json"
"$LT_ROOT/tests/openapi/lint.sh" "$LT_VAR/e2e-citizen-lookup-openapi.json"

# The same hub, after that traffic, as Prometheus's own linter reads it.
lt_say "e2e: /metrics and the alert rules through promtool"
curl -sS --fail --cacert "$LT_VAR/pki/ca.crt" "https://localhost:$admin_port/metrics" >"$LT_VAR/e2e-metrics.txt"
grep -q '^lienthong_exchanges_total{consumer="VN/PROV/000.00.00.H29/MOTCUA-HCM"' "$LT_VAR/e2e-metrics.txt" ||
  lt_die "e2e: /metrics does not count the console test's exchange"
promtool check metrics <"$LT_VAR/e2e-metrics.txt"
promtool check rules "$LT_ROOT/docs/monitoring/lienthong-alerts.yml"
