#!/usr/bin/env bash
# Configures and builds Lienthong with CMake.
#   scripts/build.sh              -> build/          (RelWithDebInfo)
#   scripts/build.sh --sanitize   -> build-asan/     (Debug, AddressSanitizer + UBSan)
source "$(dirname "$0")/lib/common.sh"

build_dir="$LT_ROOT/build"
args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ "${1:-}" = "--sanitize" ]; then
  build_dir="$LT_ROOT/build-asan"
  args=(-DCMAKE_BUILD_TYPE=Debug -DLIENTHONG_SANITIZE=ON -DLIENTHONG_BENCH=OFF)
fi
lt_use_ccache
lt_say "building in ${build_dir#$LT_ROOT/}"
cmake -S "$LT_ROOT" -B "$build_dir" "${args[@]}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
