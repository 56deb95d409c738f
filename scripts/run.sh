#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running hub: installs what
# is missing, builds, starts a private PostgreSQL under ./var, migrates, loads
# the demo registry, starts the demo providers and the hub, performs a real
# exchange and shows its audit record. Then keeps the hub in the foreground
# until Ctrl-C, and stops everything it started.
source "$(dirname "$0")/lib/common.sh"
source "$LT_ROOT/scripts/lib/pg.sh"
source "$LT_ROOT/scripts/lib/demo.sh"

"$LT_ROOT/scripts/install-deps.sh"
"$LT_ROOT/scripts/build.sh"
demo_prepare

lienthong="$LT_ROOT/build/src/lienthong"
hub_port=8443
pids=()
cleanup() {
  trap - INT TERM EXIT
  lt_say "stopping the hub and the demo providers"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

for port in "$hub_port" "$LT_DEMO_POPULATION_PORT" "$LT_DEMO_BUSINESS_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    lt_die "port $port is in use (is another ./scripts/run.sh running?)"
  fi
done

lt_say "starting the demo providers (population registry, business registry)"
"$lienthong" demo-provider --log-level warn \
  --serve "population=127.0.0.1:$LT_DEMO_POPULATION_PORT" \
  --serve "business=127.0.0.1:$LT_DEMO_BUSINESS_PORT" &
pids+=($!)
lt_say "starting the hub on https://localhost:$hub_port"
(cd "$LT_ROOT" && exec "$lienthong" serve --config config/lienthong.toml) &
pids+=($!)
lt_wait_port 127.0.0.1 "$LT_DEMO_BUSINESS_PORT" 30 || lt_die "demo providers did not start"
lt_wait_port 127.0.0.1 "$hub_port" 30 || lt_die "the hub did not start"

message_id="demo-$(date +%s)-$RANDOM"
envelope=$(cat <<JSON
{"header": {"id": "$message_id",
            "from": "VN/PROV/000.00.00.H26/MOTCUA-HN",
            "to": "VN/GOV/000.00.00.G03/DANCU",
            "service": "citizen-lookup", "version": "v1",
            "purpose": "Xác minh nhân thân khi cấp giấy phép xây dựng (identity check for a building permit)",
            "userId": "can-bo-0042"},
 "body": {"idNumber": "001089012345"}}
JSON
)

echo
lt_say "1. Hà Nội's one-stop shop asks the population registry for a citizen (mTLS):"
echo "curl --cert var/pki/MOTCUA-HN.crt --key var/pki/MOTCUA-HN.key --cacert var/pki/ca.crt \\"
echo "     -H 'Content-Type: application/json' -d @envelope.json https://localhost:$hub_port/exchange/v1/messages"
echo
curl -sS --cert "$LT_PKI/MOTCUA-HN.crt" --key "$LT_PKI/MOTCUA-HN.key" --cacert "$LT_PKI/ca.crt" \
  -H 'Content-Type: application/json' --data-binary "$envelope" \
  -w '\n(HTTP %{http_code})\n' "https://localhost:$hub_port/exchange/v1/messages"

echo
lt_say "2. The same call without a client certificate is refused:"
curl -sS --cacert "$LT_PKI/ca.crt" -H 'Content-Type: application/json' \
  --data-binary "${envelope/$message_id/$message_id-nocert}" \
  -w '\n(HTTP %{http_code})\n' "https://localhost:$hub_port/exchange/v1/messages"

echo
lt_say "3. The audit records of both calls, committed before the answers left the hub"
lt_say "   (the refused caller is unknown, so its record has no consumer and no message id):"
lt_psql -d lienthong -x -c "SELECT id, node, message_id, request_id, consumer, provider, service,
    service_version, user_id, purpose, status, error_code, request_bytes, response_bytes,
    request_sha256, response_sha256, received_at, provider_called_at, provider_answered_at,
    responded_at
  FROM (SELECT * FROM audit_records ORDER BY id DESC LIMIT 2) last_two ORDER BY id"

echo
lt_say "The hub keeps running on https://localhost:$hub_port (Ctrl-C stops it and the demo providers)."
wait "${pids[1]}"
