#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 (build-fuzz/, ASan + UBSan) and
# runs each for a bounded time on its seed corpus: tests/fuzz/corpus/<target>/
# plus, for the schema fuzzer, every schema/document pair of the official
# JSON-Schema-Test-Suite (../shared/testdata) when it is there (its documents
# also seed the JSON parser's differential target).
#   scripts/fuzz.sh                  60 s per target
#   scripts/fuzz.sh --seconds N      N s per target
# Targets (tests/fuzz/): JSON Schema compile+validate, patterns, the HTTP
# request parser with the listeners' framing checks, the envelope parser,
# X-Road r1 targets and headers, field mappings, the SOAP XML codec, the
# SOAP header blocks providers register, registry files (JSON/YAML), the TOML
# configuration, and the fast JSON parser against nlohmann's (differential).
# A crash leaves its input in var/fuzz/<target>/ and fails the script; keep
# it as a regression input under tests/fuzz/corpus/<target>/ once fixed.
source "$(dirname "$0")/lib/common.sh"

seconds=60
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    *) lt_die "unknown option $1 (see the header of $0)" ;;
  esac
done

build_dir="$LT_ROOT/build-fuzz"
lt_use_ccache
lt_say "building the fuzz targets with clang-14 in build-fuzz"
# -O1, as OSS-Fuzz builds: a tenth to a quarter less compile time than -O2
# (src/core/config.cpp: 10.5 s to 7.9 s) for a pass of ten seconds a target.
CC=clang-14 CXX=clang++-14 cmake -S "$LT_ROOT" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g -DNDEBUG" -DLIENTHONG_FUZZ=ON -DLIENTHONG_TESTS=OFF -DLIENTHONG_BENCH=OFF >/dev/null
targets=(schema_fuzzer pattern_fuzzer http_request_fuzzer envelope_fuzzer xroad_fuzzer
  mapping_fuzzer xml_fuzzer soap_header_fuzzer registry_document_fuzzer config_fuzzer
  json_parse_fuzzer)
cmake --build "$build_dir" -j"$(nproc)" --target "${targets[@]/#/lienthong_}"

suite="${LT_JSON_SCHEMA_SUITE:-$LT_ROOT/../shared/testdata/json-schema-test-suite}"
work="$LT_VAR/fuzz"
rm -rf "$work/seeds"
for target in "${targets[@]}"; do mkdir -p "$work/seeds/$target"; done
if [ -d "$suite/draft7" ]; then
  python3 - "$suite/draft7" "$work/seeds" <<'PY'
import json, pathlib, sys
source, seeds = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
n = 0
for path in sorted(source.rglob("*.json")):
    for group in json.loads(path.read_text()):
        for test in group["tests"]:
            n += 1
            (seeds / "schema_fuzzer" / f"suite-{n}.json").write_text(
                json.dumps([group["schema"], test["data"]], ensure_ascii=False))
            # first byte: the depth bound (json_parse_fuzzer.cpp)
            (seeds / "json_parse_fuzzer" / f"suite-{n}.json").write_bytes(bytes([n % 8]) +
                json.dumps(test["data"], ensure_ascii=n % 2 == 0).encode())
            if isinstance(group["schema"], dict) and isinstance(group["schema"].get("pattern"), str) \
                    and isinstance(test["data"], str):
                (seeds / "pattern_fuzzer" / f"suite-{n}").write_bytes(
                    group["schema"]["pattern"].encode() + b"\0" + test["data"].encode())
print(f"fuzz: {n} seeds from the JSON-Schema-Test-Suite")
PY
else
  echo "fuzz: JSON-Schema-Test-Suite not found at $suite; seeding from tests/fuzz/corpus only"
fi

status=0
for target in "${targets[@]}"; do
  mkdir -p "$work/$target/corpus"
  lt_say "fuzzing $target for ${seconds}s"
  # New inputs go to var/fuzz/<target>/corpus; the seeds are read, never written.
  if ! (cd "$work/$target" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
      "$build_dir/tests/fuzz/lienthong_$target" -max_total_time="$seconds" -max_len=8192 \
      -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      corpus "$LT_ROOT/tests/fuzz/corpus/$target" "$work/seeds/$target" 2>&1 |
      grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units|ERROR|SUMMARY|Test unit written|crash-|timeout-|oom-" ); then
    :
  fi
  if ls "$work/$target"/crash-* "$work/$target"/timeout-* "$work/$target"/oom-* >/dev/null 2>&1; then
    echo "fuzz: $target found failing inputs in $work/$target" >&2
    status=1
  fi
done
exit $status
