# bench/clinics.sh: the report as a table.
def ms: . * 10 | round / 10 | tostring + " ms";
def mb: . * 10 | round / 10 | tostring + " MB";
def ns: round | tostring + " ns";
def rps: round | tostring + " req/s";
def pass($ok): if $ok then "met" else "MISSED" end;
def pad($n): if length < $n then . + (" " * ($n - length)) else . + " " end;
def row($a; $b; $c; $d): "  " + ($a | pad(34)) + ($b | pad(16)) + ($c | pad(20)) + $d;
. as $r | $r.registry as $g | $r.throughput as $t |
"Registry with and without \($r.clinics) clinics (\($r.machine.cores) cores, commit \($r.commit))",
"  generated in \($r.generate_s) s (keys, certificates, registry file); registry apply: \($r.apply_s) s",
"",
(row("measure"; "demo registry"; "+ \($r.clinics) clinics"; "target") ,
 row("systems / agreements"; "\($g.demo.systems) / \($g.demo.agreements)";
     "\($g.clinics.systems) / \($g.clinics.agreements)"; ""),
 row("snapshot rebuild (median)"; ($g.demo.rebuild_ms_median | ms); ($g.clinics.rebuild_ms_median | ms);
     "< 1 s: \(pass($r.targets.rebuild_under_1s))"),
 row("snapshot heap"; ($g.demo.snapshot_heap_mb | mb); ($g.clinics.snapshot_heap_mb | mb);
     "< 100 MB added: \(pass($r.targets.memory_added_under_100mb)) (\($g.heap_added_mb | mb))"),
 row("RSS added by loading"; ($g.demo.rss_added_mb | mb); ($g.clinics.rss_added_mb | mb); ""),
 row("authorise, same 10 callers"; ($g.demo.authorise_ns_same_10_callers | ns);
     ($g.clinics.authorise_ns_same_10_callers | ns);
     "constant: \(pass($r.targets.lookup_constant_time)) (x\($g.lookup_ratio_same_callers * 100 | round / 100))"),
 row("authorise, every caller shuffled"; ($g.demo.authorise_ns_all_callers_shuffled | ns);
     ($g.clinics.authorise_ns_all_callers_shuffled | ns); "(cache misses at scale)"),
 row("hub throughput, citizen lookups"; ($t.demo.rps | rps); ($t.clinics.rps | rps);
     "within 10 %: \(pass($r.targets.throughput_within_10pct)) (x\($t.clinics_vs_demo * 1000 | round / 1000))"),
 row("hub p99"; ($t.demo.p99_ms | ms); ($t.clinics.p99_ms | ms); ""),
 row("errors"; ($t.demo.errors | tostring); ($t.clinics.errors | tostring); ""),
 row("nginx TLS proxy, same provider"; ($t.nginx.rps | rps); ""; "hub/nginx x\($t.demo_vs_nginx * 100 | round / 100)"))
