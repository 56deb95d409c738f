# Shared by the scripts in scripts/: paths and small helpers. Source it.
# The scripts' own knobs are LT_* variables (LT_PG_PORT, LT_PKI, ...);
# LIENTHONG_* is reserved for the hub's settings, and the hub refuses to start
# with a LIENTHONG_* variable it does not know.
set -euo pipefail

LT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LT_VAR="$LT_ROOT/var"
LT_PKI="${LT_PKI:-$LT_VAR/pki}"
mkdir -p "$LT_VAR"

lt_say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
lt_die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Waits until TCP port $2 on host $1 accepts connections, up to $3 seconds.
lt_wait_port() {
  local host=$1 port=$2 seconds=${3:-30} i
  for ((i = 0; i < seconds * 10; i++)); do
    if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}
