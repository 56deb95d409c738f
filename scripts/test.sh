#!/usr/bin/env bash
# The same setup as run.sh, then the whole test suite: once in a normal
# build, then a short libFuzzer pass (clang-14), the web console's end-to-end
# test in Chromium, then the suite again under AddressSanitizer +
# UndefinedBehaviorSanitizer, and last the three-node cluster under faults
# (tests/cluster/fault_test.sh: etcd, Patroni, HAProxy; its nodes run the
# sanitizer build).
# LT_SKIP_SANITIZE=1 skips the sanitizer pass, LT_SKIP_CLUSTER=1 the cluster
# (local iteration only).
#
#   ./scripts/test.sh --repeat N   the same setup, then only the suite under
#                                  the sanitizers, N times in a row (-j2), to
#                                  show it does not flake; stops at the first
#                                  failing run.
source "$(dirname "$0")/lib/common.sh"
repeat=0
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat=$2; shift 2 ;;
    *) lt_die "unknown option $1 (see the comment at the top of scripts/test.sh)" ;;
  esac
done
source "$LT_ROOT/scripts/lib/pg.sh"
source "$LT_ROOT/scripts/lib/demo.sh"

"$LT_ROOT/scripts/install-deps.sh"
"$LT_ROOT/scripts/check-format.sh"
"$LT_ROOT/scripts/build.sh"
demo_prepare
# The server log names databases, users and failed statements.
[ "$(stat -c %a "$LT_PG_LOG")" = 600 ] || lt_die "$LT_PG_LOG must be readable by its owner only"

# Tests make their own database per run on the same private cluster, and their
# own PKI (with an unregistered and a foreign-CA certificate).
export LT_TEST_PG_URL LT_TEST_PKI_DIR="$LT_VAR/test-pki"
LT_TEST_PG_URL="$(pg_url postgres)"
LT_PKI="$LT_TEST_PKI_DIR" "$LT_ROOT/scripts/pki.sh" TEST-CONSUMER TEST-OTHER TEST-PROVIDER TEST-UNREGISTERED \
  DANCU DKKD MOTCUA-HN MOTCUA-HCM MOTCUA-DN GIAMDINH BVDN-HIS HUB-VN
LT_PKI="$LT_VAR/test-pki-foreign" "$LT_ROOT/scripts/pki.sh" TEST-FOREIGN
cp "$LT_VAR/test-pki-foreign/TEST-FOREIGN.crt" "$LT_VAR/test-pki-foreign/TEST-FOREIGN.key" "$LT_TEST_PKI_DIR/"
# The foreign CA also stands for a peer hub's own CA (federation tests), and
# a third CA for a second province's hub (transit through the national hub).
for f in ca.crt hub.crt hub.key; do cp "$LT_VAR/test-pki-foreign/$f" "$LT_TEST_PKI_DIR/foreign-$f"; done
LT_PKI="$LT_VAR/test-pki-hcm" LT_PKI_ORG="Lienthong Test HCM" "$LT_ROOT/scripts/pki.sh" HUB-VN-HCM
for f in ca.crt hub.crt hub.key HUB-VN-HCM.crt HUB-VN-HCM.key; do
  cp "$LT_VAR/test-pki-hcm/$f" "$LT_TEST_PKI_DIR/hcm-$f"
done
# Two time-stamping authorities, each under a CA of its own (issue 24): the
# one the hubs pin, and another whose tokens must be refused.
LT_PKI="$LT_VAR/test-tsa" LT_PKI_ORG="Lienthong Test TSA" "$LT_ROOT/scripts/pki.sh" --tsa
cp "$LT_VAR/test-tsa/ca.crt" "$LT_TEST_PKI_DIR/tsa-ca.crt"
cp "$LT_VAR/test-tsa/tsa.crt" "$LT_VAR/test-tsa/tsa.key" "$LT_TEST_PKI_DIR/"
LT_PKI="$LT_VAR/test-tsa-other" LT_PKI_ORG="Lienthong Other TSA" "$LT_ROOT/scripts/pki.sh" --tsa
cp "$LT_VAR/test-tsa-other/ca.crt" "$LT_TEST_PKI_DIR/other-tsa-ca.crt"
unset LIENTHONG_DATABASE_URL  # tests configure the hub themselves

sanitized_suite() {
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS="suppressions=$LT_ROOT/tests/lsan.supp" \
    ctest --test-dir "$LT_ROOT/build-asan" --output-on-failure -j2 --timeout 600
}

if [ "$repeat" -gt 0 ]; then
  "$LT_ROOT/scripts/build.sh" --sanitize
  for ((run = 1; run <= repeat; run++)); do
    started=$(date +%s)
    lt_say "run $run of $repeat: the test suite under AddressSanitizer + UBSan"
    sanitized_suite || lt_die "run $run of $repeat failed"
    lt_say "run $run of $repeat passed in $(($(date +%s) - started)) s"
  done
  lt_say "$repeat runs in a row, no failure"
  exit 0
fi

# The sanitizer build compiles at the lowest CPU priority while the normal
# suite, the fuzz pass and the console test run: they wait on PostgreSQL,
# sockets and Chromium much of the time, and take the CPU back whenever they
# want it. It was a quarter of the run on its own, after them.
sanitize_build_pid=""
if [ "${LT_SKIP_SANITIZE:-0}" != "1" ]; then
  lt_say "building in build-asan in the background (log: var/build-asan.log)"
  # In a process group of its own, so stopping it stops its compilers too.
  setsid nice -n 19 "$LT_ROOT/scripts/build.sh" --sanitize >"$LT_VAR/build-asan.log" 2>&1 &
  sanitize_build_pid=$!
  trap '[ -z "$sanitize_build_pid" ] || kill -- "-$sanitize_build_pid" 2>/dev/null || true' EXIT
fi

lt_say "running the test suite"
ctest --test-dir "$LT_ROOT/build" --output-on-failure -j2 --timeout 300

# A short pass of every libFuzzer target, so they keep building and their
# seeds (the JSON-Schema-Test-Suite among them) keep passing; longer runs:
# ./scripts/fuzz.sh --seconds N.
"$LT_ROOT/scripts/fuzz.sh" --seconds "${LT_FUZZ_SECONDS:-10}"

lt_say "running the web console's end-to-end test (Chromium)"
"$LT_ROOT/tests/e2e/run.sh"

if [ -n "$sanitize_build_pid" ]; then
  lt_say "waiting for the build in build-asan"
  if ! wait "$sanitize_build_pid"; then
    tail -n 40 "$LT_VAR/build-asan.log" >&2
    lt_die "the sanitizer build failed (var/build-asan.log)"
  fi
  sanitize_build_pid=""
  lt_say "running the test suite under AddressSanitizer + UBSan"
  sanitized_suite
fi

if [ "${LT_SKIP_CLUSTER:-0}" != "1" ]; then
  lt_say "the cluster under faults (tests/cluster/fault_test.sh; summary: var/cluster-fault-summary.txt)"
  hub_binary="$LT_ROOT/build/src/lienthong"
  [ "${LT_SKIP_SANITIZE:-0}" = "1" ] || hub_binary="$LT_ROOT/build-asan/src/lienthong"
  LT_CLUSTER_HUB_BINARY="$hub_binary" "$LT_ROOT/tests/cluster/fault_test.sh"
fi
