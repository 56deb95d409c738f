#!/usr/bin/env bash
# Development PKI under ./var/pki: a CA, the hub's server certificate
# (localhost, 127.0.0.1, ::1) and one client certificate per system code
# given as an argument. Existing files are kept. NOT for production: there,
# member systems' certificates come from the national CA (docs/security.md).
#
#   scripts/pki.sh DANCU DKKD ...   ->  var/pki/{ca,hub,DANCU,DKKD}.{crt,key}
#   scripts/pki.sh --fingerprint var/pki/DANCU.crt   ->  sha256 hex (registry format)
#   LT_PKI=var/tsa scripts/pki.sh --tsa  ->  var/tsa/{ca,tsa}.{crt,key}: a time-stamping
#                                            authority's certificate (RFC 3161), under a CA of its own
#
# LT_PKI names another directory (another hub's PKI, e.g. the provincial hub
# of the federation demo); LT_PKI_ORG the organisation its CA names.
source "$(dirname "$0")/lib/common.sh"
org="${LT_PKI_ORG:-Lienthong Dev}"

fingerprint() {
  openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d ':' | tr 'A-F' 'a-f'
}

if [ "${1:-}" = "--fingerprint" ]; then
  fingerprint "$2"
  exit 0
fi

tsa=0
if [ "${1:-}" = "--tsa" ]; then
  tsa=1
  shift
fi

mkdir -p "$LT_PKI"
cd "$LT_PKI"
umask 077

if [ ! -f ca.crt ]; then
  lt_say "creating the development CA in $LT_PKI"
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout ca.key -out ca.crt -days 3650 -subj "/C=VN/O=$org/CN=$org CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
fi

issue() {  # issue NAME SUBJECT EXTENSIONS
  local name=$1 subject=$2 ext=$3
  [ -f "$name.crt" ] && return 0
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$name.key" -out "$name.csr" -subj "$subject" 2>/dev/null
  printf '%s\n' "$ext" >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
    -out "$name.crt" -days 825 -sha256 -extfile "$name.ext" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

if [ "$tsa" = 1 ]; then
  # Timestamping only, and marked critical (RFC 3161 2.3): OpenSSL's
  # responder and every verifier insist on it.
  issue tsa "/C=VN/O=$org/CN=$org Time-Stamping Authority" \
    "extendedKeyUsage=critical,timeStamping
keyUsage=critical,digitalSignature,nonRepudiation"
  chmod 644 ./*.crt
  exit 0
fi

# hub-renewed: the same name under a new key, for certificate-reload tests.
for name in hub hub-renewed; do
  issue "$name" "/C=VN/O=$org/CN=localhost" \
    "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
extendedKeyUsage=serverAuth
keyUsage=critical,digitalSignature"
done

# The hub's audit checkpoint signing key (Ed25519); `lienthong serve` would
# create it too, but here it exists before the first start.
[ -f audit-signing.key ] || openssl genpkey -algorithm ed25519 -out audit-signing.key 2>/dev/null
# The key that seals the passwords providers want from the hub (64 hex digits,
# private); one per hub, the same file on every node of a cluster.
[ -f provider-credentials.key ] || (umask 077 && openssl rand -hex 32 >provider-credentials.key)

for code in "$@"; do
  issue "$code" "/C=VN/O=$org/CN=$code" \
    "extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature"
done
chmod 644 ./*.crt
