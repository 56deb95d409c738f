# The federation demo of ./scripts/run.sh (docs/federation.md): Hà Nội's
# sharing platform, instance VN-HN, as a second hub next to the national one
# (instance VN), with its own CA (var/pki-hanoi), database (lienthong_hanoi,
# in the same private PostgreSQL) and configuration (config/demo/hanoi.toml).
# Source after common.sh, pg.sh and demo.sh.

LT_HANOI_PKI="$LT_VAR/pki-hanoi"
LT_HANOI_EXCHANGE_PORT=8453
LT_HANOI_ADMIN_PORT=8454
LT_HANOI_PORTS=("$LT_HANOI_EXCHANGE_PORT" "$LT_HANOI_ADMIN_PORT")
LT_HANOI_SYSTEM="VN-HN/GOV/000.01.21.H26/MOTCUA-BADINH"

# What the national hub adds to config/lienthong.toml to be instance VN: its
# catalogue key, the certificate it calls peers with, and a client CA bundle
# that also holds Hà Nội's CA (the peer hub's certificate is pinned on top).
LT_NATIONAL_FEDERATION_ENV=(
  LIENTHONG_FEDERATION_INSTANCE=VN
  LIENTHONG_FEDERATION_SIGNING_KEY=var/pki/catalogue-signing.key
  LIENTHONG_FEDERATION_CLIENT_CERTIFICATE=var/pki/HUB-VN.crt
  LIENTHONG_FEDERATION_CLIENT_KEY=var/pki/HUB-VN.key
  LIENTHONG_FEDERATION_PULL_SECONDS=5
  LIENTHONG_TLS_CLIENT_CA=var/pki/client-ca-with-peers.crt
)

hanoi_url() { pg_url lienthong_hanoi; }

# `env` arguments for Hà Nội's hub and commands: its database, and none of
# the national hub's LIENTHONG_* settings.
hanoi_env() {
  local name
  LT_HANOI_ENV=()
  for name in $(compgen -e | grep '^LIENTHONG_'); do LT_HANOI_ENV+=(-u "$name"); done
  LT_HANOI_ENV+=("LIENTHONG_DATABASE_URL=$(hanoi_url)")
}

# Runs `lienthong ARGS...` as Hà Nội's hub would (config/demo/hanoi.toml).
hanoi_lienthong() {
  hanoi_env
  (cd "$LT_ROOT" && exec env "${LT_HANOI_ENV[@]}" "$LT_ROOT/build/src/lienthong" \
    --config config/demo/hanoi.toml "$@")
}

# Both hubs' federation keys and certificates, Hà Nội's PKI, database and registry.
federation_demo_prepare() {
  LT_PKI="$LT_HANOI_PKI" LT_PKI_ORG="Lienthong Dev Ha Noi" \
    "$LT_ROOT/scripts/pki.sh" MOTCUA-BADINH HUB-VN-HN
  "$LT_ROOT/scripts/pki.sh" HUB-VN
  local dir
  for dir in "$LT_PKI" "$LT_HANOI_PKI"; do
    [ -f "$dir/catalogue-signing.key" ] ||
      (umask 077 && openssl genpkey -algorithm ed25519 -out "$dir/catalogue-signing.key" 2>/dev/null)
  done
  # Each hub accepts client certificates of its own CA (its systems) and of
  # the other's (the peer hub's own certificate, pinned by its registration).
  cat "$LT_PKI/ca.crt" "$LT_HANOI_PKI/ca.crt" >"$LT_PKI/client-ca-with-peers.crt"
  cat "$LT_HANOI_PKI/ca.crt" "$LT_PKI/ca.crt" >"$LT_HANOI_PKI/client-ca-with-peers.crt"
  pg_create_database lienthong_hanoi
  lt_say "migrating Hà Nội's database and applying its registry (config/demo/hanoi-registry.json)"
  hanoi_lienthong migrate
  hanoi_lienthong registry apply config/demo/hanoi-registry.json >/dev/null
}

# Starts Hà Nội's hub (its pid in LT_HANOI_PID, its log in var/hanoi-hub.log)
# with none of the national hub's LIENTHONG_* settings.
federation_demo_start_hanoi() {
  mkdir -p "$LT_VAR/audit-witness-hanoi"
  hanoi_env
  # exec in the subshell: its pid is the hub's, for run.sh's cleanup.
  (cd "$LT_ROOT" && exec env "${LT_HANOI_ENV[@]}" "$LT_ROOT/build/src/lienthong" \
    --config config/demo/hanoi.toml serve) >>"$LT_VAR/hanoi-hub.log" 2>&1 &
  LT_HANOI_PID=$!
  lt_wait_port 127.0.0.1 "$LT_HANOI_EXCHANGE_PORT" 30 || lt_die "Hà Nội's hub did not start (var/hanoi-hub.log)"
  lt_wait_port 127.0.0.1 "$LT_HANOI_ADMIN_PORT" 30 || lt_die "Hà Nội's hub did not start (var/hanoi-hub.log)"
}

# peer_body INSTANCE NAME URL CA-FILE CLIENT-CERT KEY-FILE PUBLISHED-JSON
peer_body() {
  jq -n --arg instance "$1" --arg name "$2" --arg url "$3" --rawfile ca "$4" \
    --arg fingerprint "$("$LT_ROOT/scripts/pki.sh" --fingerprint "$5")" \
    --arg key "$(openssl pkey -in "$6" -pubout)" --argjson published "$7" \
    '{instance: $instance, name: $name, exchange_url: $url, tls_ca_pem: $ca,
      client_fingerprint: $fingerprint, catalogue_key_pem: $key, published_services: $published}'
}

# The demo's federation step: each hub registers the other, the national hub
# registers the Hà Nội system with an agreement, and that system reaches the
# national population registry through both hubs. $1: a national hub-admin
# token; $2: a national auditor token; $3: when tokens expire.
federation_demo_show() {
  local national_token=$1 national_auditor=$2 expiry=$3
  local national_ca="$LT_PKI/ca.crt" hanoi_ca="$LT_HANOI_PKI/ca.crt"
  local national_api="https://localhost:8444/admin/v1" hanoi_api="https://localhost:$LT_HANOI_ADMIN_PORT/admin/v1"
  local hanoi_token hanoi_auditor
  hanoi_token=$(hanoi_lienthong token create --role hub-admin \
    --label "run.sh demo operator (Hà Nội)" --expires-at "$expiry" 2>/dev/null)
  hanoi_auditor=$(hanoi_lienthong token create --role auditor \
    --label "run.sh demo auditor (Hà Nội)" --expires-at "$expiry" 2>/dev/null)

  echo "   The national hub registers Hà Nội's platform as a peer and publishes the citizen lookup to it:"
  echo "   POST $national_api/peers"
  demo_admin "$national_ca" "$national_token" "$national_api/peers" -d "$(peer_body VN-HN \
    "Nền tảng chia sẻ dữ liệu TP Hà Nội (Hà Nội's LGSP)" "https://localhost:$LT_HANOI_EXCHANGE_PORT" \
    "$hanoi_ca" "$LT_HANOI_PKI/HUB-VN-HN.crt" "$LT_HANOI_PKI/catalogue-signing.key" \
    '["VN/GOV/000.00.00.G03/DANCU/citizen-lookup"]')" | jq -c '{id, instance, exchange_url, published_services}'
  echo "   Hà Nội's platform registers the national hub (it publishes nothing back in this demo):"
  echo "   POST $hanoi_api/peers"
  demo_admin "$hanoi_ca" "$hanoi_token" "$hanoi_api/peers" -d "$(peer_body VN \
    "Nền tảng tích hợp, chia sẻ dữ liệu quốc gia (NDXP)" "https://localhost:8443" \
    "$national_ca" "$LT_PKI/HUB-VN.crt" "$LT_PKI/catalogue-signing.key" '[]')" |
    jq -c '{id, instance, exchange_url}'
  echo "   The national hub registers the Ba Đình one-stop shop (no credential: it calls through"
  echo "   Hà Nội's hub) and approves its agreement for the citizen lookup:"
  demo_admin "$national_ca" "$national_token" "$national_api/members" -d '{"instance": "VN-HN",
    "class": "GOV", "code": "000.01.21.H26", "name": "UBND quận Ba Đình, Hà Nội"}' | jq -c '{id, identifier}'
  demo_admin "$national_ca" "$national_token" "$national_api/systems" -d '{"member": "VN-HN/GOV/000.01.21.H26",
    "code": "MOTCUA-BADINH", "name": "Hệ thống một cửa quận Ba Đình"}' | jq -c '{id, identifier}'
  local agreement
  agreement=$(demo_admin "$national_ca" "$national_token" "$national_api/agreements" -d "{
    \"consumer\": \"$LT_HANOI_SYSTEM\", \"provider\": \"VN/GOV/000.00.00.G03/DANCU\",
    \"service_code\": \"citizen-lookup\", \"versions\": [\"v1\"],
    \"purpose\": \"Xác minh nhân thân khi giải quyết thủ tục hành chính (identity check)\",
    \"legal_basis\": \"Nghị định 47/2020/NĐ-CP\", \"response_fields\": [\"/idNumber\", \"/fullName\", \"/dateOfBirth\"],
    \"valid_until\": \"2030-12-31T00:00:00Z\"}")
  if [ -n "$agreement" ]; then
    demo_admin "$national_ca" "$national_token" -d '{"reason": "legal basis verified"}' \
      "$national_api/agreements/$(jq -r .id <<<"$agreement")/approve" | jq -c '{id, consumer, status}'
  fi

  echo "   Hà Nội's hub pulls the national catalogue (signed, valid 10 minutes):"
  local peer held="" i
  for i in $(seq 1 40); do
    peer=$(demo_admin "$hanoi_ca" "$hanoi_token" "$hanoi_api/peers" | jq -c '.items[] | select(.instance == "VN")')
    held=$(jq -c 'select(.catalogue.fresh == true) | .catalogue | {version, services, expires_at}' <<<"$peer")
    [ -n "$held" ] && break
    sleep 0.5
  done
  [ -n "$held" ] || lt_die "Hà Nội's hub holds no national catalogue (var/hanoi-hub.log): $peer"
  echo "   $held"

  local id headers body
  id="demo-hn-$(date +%s)-$RANDOM"
  echo
  echo "   The Ba Đình one-stop shop calls its own hub (Hà Nội's CA), addressed to the national registry:"
  echo "   curl --cert var/pki-hanoi/MOTCUA-BADINH.crt ... https://localhost:$LT_HANOI_EXCHANGE_PORT/exchange/v1/messages"
  headers=$(mktemp)
  body=$(curl -sS -D "$headers" --cert "$LT_HANOI_PKI/MOTCUA-BADINH.crt" --key "$LT_HANOI_PKI/MOTCUA-BADINH.key" \
    --cacert "$hanoi_ca" -H 'Content-Type: application/json' -w '\n(HTTP %{http_code})' \
    "https://localhost:$LT_HANOI_EXCHANGE_PORT/exchange/v1/messages" --data-binary "{\"header\": {\"id\": \"$id\",
      \"from\": \"$LT_HANOI_SYSTEM\", \"to\": \"VN/GOV/000.00.00.G03/DANCU\", \"service\": \"citizen-lookup\",
      \"version\": \"v1\", \"purpose\": \"Xác minh nhân thân khi đăng ký hộ kinh doanh (identity check)\",
      \"userId\": \"can-bo-badinh-07\"}, \"body\": {\"idNumber\": \"001173107163\"}}")
  jq -c '.body // {code, detail}' <<<"${body%$'\n'*}"
  echo "   ${body##*$'\n'}"
  grep -i '^lienthong-peer' "$headers" | tr -d '\r' | sed 's/^/   /'
  rm -f "$headers"

  echo
  echo "   One exchange, a record on each hub, committed before each answered; Hà Nội's keeps the"
  echo "   national record's hash (the receipt), both keep the assertion Hà Nội signed:"
  local today national_record hanoi_record
  today=$(date -u +%Y-%m-%d)
  national_record=$(curl -sS --cacert "$national_ca" -H "Authorization: Bearer $national_auditor" \
    "https://localhost:8444/audit/v1/exchanges?from=$today&to=2100-01-01&message_id=$id" | jq -c '.items[0]')
  hanoi_record=$(curl -sS --cacert "$hanoi_ca" -H "Authorization: Bearer $hanoi_auditor" \
    "https://localhost:$LT_HANOI_ADMIN_PORT/audit/v1/exchanges?from=$today&to=2100-01-01&message_id=$id" |
    jq -c '.items[0]')
  echo "   national hub (VN), GET /audit/v1/exchanges?message_id=$id"
  jq '{node, seq, record_hash, consumer, provider, status, upstream_instance}' <<<"$national_record" | sed 's/^/   /'
  echo "   Hà Nội's hub (VN-HN)"
  jq '{node, seq, record_hash, consumer, provider, status, downstream_instance, downstream_request_id,
      downstream_record_hash}' <<<"$hanoi_record" | sed 's/^/   /'
  if [ "$(jq -r .downstream_record_hash <<<"$hanoi_record")" = "$(jq -r .record_hash <<<"$national_record")" ] &&
    [ "$(jq -r .downstream_assertion <<<"$hanoi_record")" = "$(jq -r .upstream_assertion <<<"$national_record")" ]; then
    echo "   receipt: Hà Nội's downstream_record_hash is the national record's hash; the assertions match"
  else
    lt_die "the two hubs' records do not link up"
  fi
  echo "   ./build/src/lienthong --config config/demo/hanoi.toml audit verify   (Hà Nội's database)"
  hanoi_lienthong audit verify 2>&1 | sed 's/^/   /'
}
