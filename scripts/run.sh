#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running hub: installs what
# is missing, builds, starts a private PostgreSQL under ./var, migrates, loads
# the demo registry, starts the demo providers and the hub, performs a real
# exchange and shows its audit record; then a second, provincial hub (Hà
# Nội's platform, scripts/lib/federation_demo.sh) and an exchange through
# both. Then keeps the hubs in the foreground until Ctrl-C, and stops
# everything it started.
source "$(dirname "$0")/lib/common.sh"
source "$LT_ROOT/scripts/lib/pg.sh"
source "$LT_ROOT/scripts/lib/demo.sh"
source "$LT_ROOT/scripts/lib/federation_demo.sh"

"$LT_ROOT/scripts/install-deps.sh"
"$LT_ROOT/scripts/build.sh"
demo_prepare
federation_demo_prepare

lienthong="$LT_ROOT/build/src/lienthong"
hub_port=8443
admin_port=8444
pids=()
cleanup() {
  trap - INT TERM EXIT
  lt_say "stopping the hub and the demo providers"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

for port in "$hub_port" "$admin_port" "${LT_DEMO_PORTS[@]}" "$LT_DEMO_TSA_PORT" "${LT_HANOI_PORTS[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    lt_die "port $port is in use (is another ./scripts/run.sh running?)"
  fi
done

lt_say "starting the demo providers (population, business, tax, land and claims systems)"
demo_start_providers
pids+=("$LT_DEMO_PID")
# An outside authority dates the audit log (RFC 3161; audit.timestamp_url).
lt_say "starting the demo time-stamping authority (RFC 3161) on http://127.0.0.1:$LT_DEMO_TSA_PORT"
demo_start_tsa
pids+=("$LT_DEMO_TSA_PID")
# Every checkpoint the hub signs is also kept here, outside the database
# (audit.witness_dir; in production another volume or host).
export LIENTHONG_AUDIT_WITNESS_DIR="$LT_VAR/audit-witness"
mkdir -p "$LIENTHONG_AUDIT_WITNESS_DIR"
lt_say "starting the national hub (instance VN) on https://localhost:$hub_port"
(cd "$LT_ROOT" && exec env "${LT_NATIONAL_FEDERATION_ENV[@]}" "$lienthong" serve --config config/lienthong.toml) &
pids+=($!)
lt_wait_port 127.0.0.1 "$hub_port" 30 || lt_die "the hub did not start"
lt_wait_port 127.0.0.1 "$admin_port" 30 || lt_die "the hub's admin listener did not start"
lt_say "starting Hà Nội's hub (instance VN-HN) on https://localhost:$LT_HANOI_EXCHANGE_PORT (log: var/hanoi-hub.log)"
federation_demo_start_hanoi
pids+=("$LT_HANOI_PID")

message_id="demo-$(date +%s)-$RANDOM"
envelope=$(cat <<JSON
{"header": {"id": "$message_id",
            "from": "VN/PROV/000.00.00.H26/MOTCUA-HN",
            "to": "VN/GOV/000.00.00.G03/DANCU",
            "service": "citizen-lookup", "version": "v1",
            "purpose": "Xác minh nhân thân khi cấp giấy phép xây dựng (identity check for a building permit)",
            "userId": "can-bo-0042"},
 "body": {"idNumber": "001173107163"}}
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
lt_say "3. The audit records of both calls, committed before the answers left the hub, as an"
lt_say "   auditor reads them (the refused caller is unknown, so its record has no consumer):"
# Demo tokens expire after a day: a forgotten demo must not leave a key for ever.
demo_token_expiry=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
auditor_token=$("$lienthong" token create --role auditor --label "run.sh demo auditor" \
  --expires-at "$demo_token_expiry" 2>/dev/null)
today=$(date -u +%Y-%m-%d)
echo "   GET https://localhost:$admin_port/audit/v1/exchanges?from=$today&to=2100-01-01"
curl -sS --cacert "$LT_PKI/ca.crt" -H "Authorization: Bearer $auditor_token" \
  "https://localhost:$admin_port/audit/v1/exchanges?from=$today&to=2100-01-01&limit=500" |
  jq '.items[-2:][] | {id, seq, record_hash, message_id, consumer, provider, service,
      service_version, user_id, purpose, status, error_code, request_sha256, received_at,
      provider_called_at, provider_answered_at, responded_at}'

# Sends envelope `$2` as system `$1` (a code with a demo certificate); prints
# the answer's body, or the problem's code and detail, and the HTTP status.
exchange() {
  local out
  out=$(curl -sS --cert "$LT_PKI/$1.crt" --key "$LT_PKI/$1.key" --cacert "$LT_PKI/ca.crt" \
    -H 'Content-Type: application/json' --data-binary "$2" -w '\n%{http_code}' \
    "https://localhost:$hub_port/exchange/v1/messages")
  jq -c '.body // {code, detail}' <<<"${out%$'\n'*}"
  echo "(HTTP ${out##*$'\n'})"
}

# Reads asynchronous message `$2` as its sender `$1` until it is delivered
# (at most 5 s); prints what the sender last read.
delivered() {
  local status
  for _ in $(seq 1 25); do
    status=$(curl -sS --cert "$LT_PKI/$1.crt" --key "$LT_PKI/$1.key" --cacert "$LT_PKI/ca.crt" \
      "https://localhost:$hub_port/exchange/v1/messages/$2")
    [ "$(jq -r .state <<<"$status")" = delivered ] && break
    sleep 0.2
  done
  printf '%s\n' "$status"
}

echo
lt_say "4. Hồ Chí Minh City asks the business registry, an older REST system with its own field"
lt_say "   names and dd/MM/yyyy dates; the hub maps the standard request and the answer both ways:"
exchange MOTCUA-HCM "{\"header\": {\"id\": \"$message_id-dkkd\", \"from\": \"VN/PROV/000.00.00.H29/MOTCUA-HCM\",
  \"to\": \"VN/GOV/000.00.00.G09/DKKD\", \"service\": \"enterprise-lookup\", \"version\": \"v1\",
  \"purpose\": \"Kiểm tra doanh nghiệp khi cấp phép (enterprise check)\"},
  \"body\": {\"taxCode\": \"0148840727\"}}"

echo
lt_say "5. Hà Nội asks the land registry, a legacy SOAP 1.1 service: the hub sends a SOAP envelope"
lt_say "   and answers in JSON; a parcel that does not exist comes back as the service's Fault:"
land_call() {
  echo "{\"header\": {\"id\": \"$message_id-land-$1\", \"from\": \"VN/PROV/000.00.00.H26/MOTCUA-HN\",
    \"to\": \"VN/GOV/000.00.00.G20/DATDAI\", \"service\": \"parcel-lookup\", \"version\": \"v1\",
    \"purpose\": \"Kiểm tra thửa đất khi cấp giấy phép xây dựng (parcel check)\"},
    \"body\": {\"communeCode\": \"00004\", \"mapSheet\": 12, \"parcelNumber\": $1}}"
}
exchange MOTCUA-HN "$(land_call 345)"
exchange MOTCUA-HN "$(land_call 340)"

echo
lt_say "6. The same citizen lookup, sent asynchronously (Prefer: respond-async): the hub answers 202"
lt_say "   once the message is committed to its delivery queue; the sender reads the outcome later:"
curl -sS --cert "$LT_PKI/MOTCUA-HN.crt" --key "$LT_PKI/MOTCUA-HN.key" --cacert "$LT_PKI/ca.crt" \
  -H 'Content-Type: application/json' -H 'Prefer: respond-async' \
  --data-binary "${envelope/$message_id/$message_id-async}" \
  -w '\n(HTTP %{http_code})\n' "https://localhost:$hub_port/exchange/v1/messages"
status=$(delivered MOTCUA-HN "$message_id-async")
echo "   GET /exchange/v1/messages/$message_id-async"
jq -c '{state, attempts, deliveredAt, response: {status: .response.status, fullName: .response.body.fullName}}' <<<"$status"

echo
lt_say "7. Đà Nẵng checks a bidder's standing with the finance ministry's tax system; its agreement"
lt_say "   lets it see four fields (response_fields), so the debt amount never leaves the hub:"
exchange MOTCUA-DN "{\"header\": {\"id\": \"$message_id-thue\", \"from\": \"VN/PROV/000.00.00.H17/MOTCUA-DN\",
  \"to\": \"VN/GOV/000.00.00.G10/THUE\", \"service\": \"taxpayer-status\", \"version\": \"v1\",
  \"purpose\": \"Kiểm tra nghĩa vụ thuế của nhà thầu (tax standing of a bidder)\"},
  \"body\": {\"taxCode\": \"0482757357\"}}"

echo
lt_say "8. Đà Nẵng Hospital submits a health-insurance claim to Vietnam Social Security (one of the"
lt_say "   12,000 clinics' kind of exchange): asynchronous, answered 202 when queued; the claims system"
lt_say "   issues a receipt, and checks the patient with the population registry in its turn:"
claim=$("$LT_ROOT/build/src/lienthong-demo" data claims --count 1 | jq -c '.facilityCode = "48001" | .claimNumber = "48001-'"$RANDOM$RANDOM"'"')
jq -c '{claimNumber, patient: .patient.fullName, diagnosisCodes, totalCostVnd, insurancePaysVnd}' <<<"$claim" | sed 's/^/   claim: /'
curl -sS --cert "$LT_PKI/BVDN-HIS.crt" --key "$LT_PKI/BVDN-HIS.key" --cacert "$LT_PKI/ca.crt" \
  -H 'Content-Type: application/json' -H 'Prefer: respond-async' -w '\n(HTTP %{http_code})\n' \
  "https://localhost:$hub_port/exchange/v1/messages" --data-binary "{\"header\": {\"id\": \"$message_id-claim\",
  \"from\": \"VN/ORG/BV-DANANG/BVDN-HIS\", \"to\": \"VN/GOV/000.00.00.G22/GIAMDINH\",
  \"service\": \"health-insurance-claim\", \"version\": \"v1\",
  \"purpose\": \"Đề nghị thanh toán chi phí KCB BHYT (claim)\"}, \"body\": $claim}"
status=$(delivered BVDN-HIS "$message_id-claim")
echo "   GET /exchange/v1/messages/$message_id-claim"
jq -c '{state, attempts, response: .response.body}' <<<"$status"
claim_number=$(jq -r .claimNumber <<<"$claim")
lt_say "   The claims service keeps its bodies for evidence, sealed at rest under the ministry's"
lt_say "   key of the month (docs/evidence.md, \"Bodies at rest\"): the database row holds no claim"
lt_say "   number; the auditor API opens the body:"
lt_psql -d lienthong -tAc "SELECT '   in PostgreSQL: body key ' || bodies_key || ', ' || length(request_body)
    || ' bytes, claim number found at byte ' || position(convert_to('$claim_number', 'UTF8') IN request_body)
    FROM audit_records WHERE message_id = '$message_id-claim' AND request_body IS NOT NULL LIMIT 1"
curl -sS --cacert "$LT_PKI/ca.crt" -H "Authorization: Bearer $auditor_token" \
  "https://localhost:$admin_port/audit/v1/exchanges?from=2000-01-01&to=2100-01-01&message_id=$message_id-claim" |
  jq -r '[.items[] | select(.request_body_base64 != null)][0].request_body_base64 | @base64d | fromjson
    | "   from the auditor API: claim " + .body.claimNumber'
patient=$(jq -r .patient.idNumber <<<"$claim")
exchange GIAMDINH "{\"header\": {\"id\": \"$message_id-bhxh\", \"from\": \"VN/GOV/000.00.00.G22/GIAMDINH\",
  \"to\": \"VN/GOV/000.00.00.G03/DANCU\", \"service\": \"citizen-lookup\", \"version\": \"v1\",
  \"purpose\": \"Đối chiếu thông tin người tham gia BHYT (verify the insured person)\"},
  \"body\": {\"idNumber\": \"$patient\"}}"

echo
lt_say "9. An administrator puts a new system on the hub and grants it access (admin API, curl):"
"$LT_ROOT/scripts/pki.sh" DVC-HN >/dev/null
token=$("$lienthong" token create --role hub-admin --label "run.sh demo operator" \
  --expires-at "$demo_token_expiry" 2>/dev/null)
# The national hub's admin API as its hub administrator (scripts/lib/demo.sh).
admin() { demo_admin "$LT_PKI/ca.crt" "$token" "$@"; }
api="https://localhost:$admin_port/admin/v1"
echo "   token=\$(./build/src/lienthong token create --role hub-admin --label operator)"
echo "   POST $api/systems"
admin -d '{"member": "VN/PROV/000.00.00.H26", "code": "DVC-HN",
           "name": "Cổng dịch vụ công Hà Nội (public service portal)"}' "$api/systems" | jq -c '{id, identifier, status}'
echo "   POST $api/credentials"
admin -d "{\"system\": \"VN/PROV/000.00.00.H26/DVC-HN\", \"kind\": \"certificate\",
           \"fingerprint\": \"$("$LT_ROOT/scripts/pki.sh" --fingerprint "$LT_PKI/DVC-HN.crt")\"}" \
  "$api/credentials" | jq -c '{id, system, fingerprint}'
echo "   POST $api/agreements"
agreement=$(admin -d '{"consumer": "VN/PROV/000.00.00.H26/DVC-HN", "provider": "VN/GOV/000.00.00.G03/DANCU",
   "service_code": "citizen-lookup", "versions": ["v1"],
   "purpose": "Xác minh nhân thân trên cổng dịch vụ công (identity check on the public service portal)",
   "legal_basis": "Nghị định 47/2020/NĐ-CP", "valid_until": "2030-12-31T00:00:00Z"}' "$api/agreements")
agreement_id=$(jq -r .id <<<"$agreement")
jq -c '{id, consumer, provider, service_code, status}' <<<"$agreement"
echo "   POST $api/agreements/$agreement_id/approve"
admin -d '{"reason": "legal basis verified"}' "$api/agreements/$agreement_id/approve" | jq -c '{id, status, status_changed_by}'
echo
lt_say "10. The new system calls the population registry through the hub:"
curl -sS --cert "$LT_PKI/DVC-HN.crt" --key "$LT_PKI/DVC-HN.key" --cacert "$LT_PKI/ca.crt" \
  -H 'Content-Type: application/json' \
  --data-binary "$(sed -e "s/$message_id/$message_id-dvc/" -e 's#MOTCUA-HN#DVC-HN#' <<<"$envelope")" \
  -w '\n(HTTP %{http_code})\n' "https://localhost:$hub_port/exchange/v1/messages"

echo
lt_say "11. The admin-change log shows who changed what:"
admin "$api/admin-changes?limit=100" | jq -r '.items[-4:][] | "   \(.at)  \(.actor)  \(.action) \(.entity) \(.entity_id)"'

echo
lt_say "12. Anyone with database access can check that the audit log is complete and unaltered,"
lt_say "    its checkpoints dated by the time-stamping authority (trusted timestamps, RFC 3161):"
echo "   ./build/src/lienthong audit verify --witness var/audit-witness --tsa-ca var/tsa/ca.crt"
# The hub signs a checkpoint and asks for its token every few seconds: wait
# for them, so that the verification below has what to check.
for _ in $(seq 1 60); do
  [ "$(lt_psql -d lienthong -tAc "SELECT count(*) FROM audit_timestamps t JOIN audit_checkpoints c ON
       c.id = t.checkpoint_id WHERE c.node = 'hub-1' AND c.seq > 0")" != 0 ] && break
  sleep 0.5
done
"$lienthong" audit verify 2>&1 | sed 's/^/   /'
lt_say "    and one exchange's evidence file, which anyone checks alone (docs/evidence.md): here"
lt_say "    the DVC-HN call of step 10, fetched by the auditor and checked against the authority's CA:"
record_id=$(curl -sS --cacert "$LT_PKI/ca.crt" -H "Authorization: Bearer $auditor_token" \
  "https://localhost:$admin_port/audit/v1/exchanges?from=2000-01-01&to=2100-01-01&message_id=$message_id-dvc" |
  jq -r '.items[0].id')
evidence_file="$LT_VAR/evidence/exchange-$record_id.evidence"
mkdir -p "$LT_VAR/evidence"
echo "   GET https://localhost:$admin_port/audit/v1/exchanges/$record_id/evidence"
# 409 until a checkpoint seals the record and a token dates the checkpoint.
for _ in $(seq 1 60); do
  code=$(curl -sS --cacert "$LT_PKI/ca.crt" -H "Authorization: Bearer $auditor_token" \
    -o "$evidence_file" -w '%{http_code}' \
    "https://localhost:$admin_port/audit/v1/exchanges/$record_id/evidence")
  [ "$code" = 200 ] && break
  sleep 0.5
done
echo "   ./build/src/lienthong audit verify-evidence ${evidence_file#"$LT_ROOT/"} --tsa-ca var/tsa/ca.crt"
"$lienthong" audit verify-evidence "$evidence_file" --tsa-ca "$LT_VAR/tsa/ca.crt" 2>&1 | sed 's/^/   /'

echo
lt_say "13. Operations: health for load balancers and metrics for Prometheus (admin listener):"
echo "   GET https://localhost:$admin_port/readyz"
curl -sS --cacert "$LT_PKI/ca.crt" "https://localhost:$admin_port/readyz" | jq -c .
echo "   GET https://localhost:$admin_port/metrics   (a few of the lines)"
curl -sS --cacert "$LT_PKI/ca.crt" "https://localhost:$admin_port/metrics" |
  grep -E '^lienthong_(exchanges_total\{consumer="VN/PROV/000.00.00.H26/MOTCUA-HN",provider="VN/GOV/000.00.00.G03/DANCU"|audit_queue_depth|registry_version|ready)' |
  sed 's/^/   /'

echo
lt_say "14. The connectivity index (auditor API): the share of registered systems that exchanged data"
lt_say "    in the last 30 days, and of pairs of ministries and provinces that did:"
echo "   GET https://localhost:$admin_port/audit/v1/connectivity?days=30"
curl -sS --cacert "$LT_PKI/ca.crt" -H "Authorization: Bearer $auditor_token" \
  "https://localhost:$admin_port/audit/v1/connectivity?days=30" |
  jq -c '{systems_registered, systems_exchanged, share, member_pairs}'

echo
lt_say "15. Federation: Hà Nội's platform (instance VN-HN, its own hub, CA and database) and the"
lt_say "    national hub register each other; a Ba Đình district system reaches the national"
lt_say "    population registry through both hubs (docs/federation.md):"
federation_demo_show "$token" "$auditor_token" "$demo_token_expiry"

echo
lt_say "Hà Nội's hub keeps running too: exchange https://localhost:$LT_HANOI_EXCHANGE_PORT, admin https://localhost:$LT_HANOI_ADMIN_PORT"
lt_say "The hub keeps running: exchange https://localhost:$hub_port, admin https://localhost:$admin_port/admin/v1"
lt_say "Web console: https://localhost:$admin_port/console/ (development CA: accept the certificate"
lt_say "warning, or import var/pki/ca.crt), sign in with the token below (hub administrator):"
echo "   $token"
lt_say "(API reference: docs/openapi/admin-v1.json, also at /admin/v1/openapi.json). Ctrl-C stops everything."
wait "${pids[1]}"
