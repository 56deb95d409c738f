#!/usr/bin/env bash
# Fails when a C++ file differs from .clang-format. Fix with:
#   git ls-files '*.cpp' '*.hpp' | xargs clang-format -i
source "$(dirname "$0")/lib/common.sh"
cd "$LT_ROOT"
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find src include tests bench -name '*.[ch]pp')
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/lienthong-format.$$; then
  head -n 20 /tmp/lienthong-format.$$ >&2
  rm -f /tmp/lienthong-format.$$
  lt_die "C++ formatting differs from .clang-format (see above)"
fi
rm -f /tmp/lienthong-format.$$
echo "check-format: ${#files[@]} files formatted"
