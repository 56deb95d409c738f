#!/usr/bin/env bash
# Runs a benchmark and prints its table. The same setup as run.sh (deps,
# build, private PostgreSQL under var/), then:
#   scripts/bench.sh audit [--rows N] [--writer-records N] [--samples N] [--reuse]
#       the audit log at 10 million records: auditor API query times and the
#       audit writer against a plain batched INSERT (bench/audit/).
source "$(dirname "$0")/lib/common.sh"
source "$LT_ROOT/scripts/lib/pg.sh"

what="${1:-}"
shift || true
case "$what" in
  audit) ;;
  *) lt_die "usage: scripts/bench.sh audit [options]  (see the comment at the top of this script)" ;;
esac

"$LT_ROOT/scripts/install-deps.sh"
"$LT_ROOT/scripts/build.sh"
pg_ensure_running
cd "$LT_ROOT"
"$LT_ROOT/build/bench/lienthong_audit_bench" --server-url "$(pg_url postgres)" "$@"
