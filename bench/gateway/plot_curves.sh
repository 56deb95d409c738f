#!/usr/bin/env bash
# Draws the cost curves of bench/run.sh --curves (docs/performance.md):
# req/s, p99 and CPU per exchange of the hub and nginx against the request
# body's size and against the connections, from a report of bench/run.sh.
#
#   bench/gateway/plot_curves.sh REPORT_JSON WORK_DIR OUT_SVG TITLE
set -euo pipefail
report=$1 work=$2 out=$3 title=$4

# One row per point: variable, value, scenario, req/s, p99, CPU ms per exchange.
jq -r '.summary[] | select(.scenario == "hub" or .scenario == "nginx" or (.scenario | test("-doc")))
  | if (.scenario | test("-doc")) then
      ["body", (.scenario | sub(".*-doc"; "") | sub("k$"; "")), (.scenario | sub("-doc.*"; ""))]
    else ["connections", .connections, .scenario] end
  + [.rps, .p99_ms, (.cpu_s_per_1000 // 0)] | @tsv' "$report" >"$work/curves.tsv"
# gnuplot's data blocks, in the order curves.gnuplot reads them.
for variable in body connections; do
  for server in hub nginx; do
    awk -v v="$variable" -v s="$server" '$1 == v && $3 == s' "$work/curves.tsv" | sort -n -k2
    printf '\n\n'
  done
done >"$work/curves.dat"
gnuplot -e "data='$work/curves.dat'; out='$out'; title='$title'" "$(dirname "$0")/curves.gnuplot"
