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

# The compiler cache every build shares (CMake uses ccache when installed).
lt_use_ccache() {
  # Paths relative to the checkout, so another clone of the same code hits the cache.
  export CCACHE_BASEDIR="$LT_ROOT"
  # ccache keys objects with debug information by the working directory unless
  # told not to; without this no two clones ever share an object.
  export CCACHE_NOHASHDIR=1
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
  export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
}
