# bench/clinics.sh: the runs and registry measurements -> one report.
def median: sort | .[(length / 2 | floor)];
def summary($t): [$runs[] | select(.target == $t)] as $r
  | {rps: ([$r[].rps] | median), p50_ms: ([$r[].p50_ms] | median),
     p99_ms: ([$r[].p99_ms] | median), errors: ([$r[].errors] | add), rounds: ($r | length)};
{stamp: $stamp, commit: $commit, machine: {cpu: $cpu, cores: $cores},
 clinics: $count, generate_s: ($generate_ms / 1000), apply_s: ($apply_ms / 1000),
 registry: {demo: $demo[0], clinics: $clinics[0]},
 throughput: {demo: summary("demo"), clinics: summary("clinics"), nginx: summary("nginx")},
 audited_200_on_clinics_hub: $audited, runs: $runs}
| .registry.heap_added_mb = (.registry.clinics.snapshot_heap_mb - .registry.demo.snapshot_heap_mb)
| .registry.rss_added_mb = (.registry.clinics.rss_added_mb - .registry.demo.rss_added_mb)
| .registry.lookup_ratio_same_callers =
    (.registry.clinics.authorise_ns_same_10_callers / .registry.demo.authorise_ns_same_10_callers)
| .throughput.clinics_vs_demo = (.throughput.clinics.rps / .throughput.demo.rps)
| .throughput.demo_vs_nginx = (.throughput.demo.rps / .throughput.nginx.rps)
| .targets = {
    rebuild_under_1s: (.registry.clinics.rebuild_ms_median < 1000),
    memory_added_under_100mb: (.registry.heap_added_mb < 100),
    lookup_constant_time: (.registry.lookup_ratio_same_callers < 1.5),
    throughput_within_10pct: (.throughput.clinics_vs_demo >= 0.9)}
