# Turns bench/run.sh's raw runs into the report: the median round of each
# scenario, ratios against nginx at the same connection count, the targets
# of docs/performance.md, and the machine it ran on.
def median(f): (map(f) | sort) as $v | $v[(($v | length) - 1) / 2 | floor];
def round2: . * 100 | round / 100;

($runs | group_by([.scenario, .connections]) | map({
    scenario: .[0].scenario,
    connections: .[0].connections,
    rounds: length,
    rps: (median(.rps) | round),
    p50_ms: (median(.p50_ms) | round2),
    p99_ms: (median(.p99_ms) | round2),
    p999_ms: (median(.p999_ms) | round2),
    cpu_s_per_1000: (if any(.[]; .cpu_s == null) or (map(.requests) | add) == 0 then null
                     else (map(.cpu_s) | add) / (map(.requests) | add) * 1000 | . * 1000 | round / 1000 end),
    peak_rss_mb: (if any(.[]; .peak_rss_mb == null) then null else map(.peak_rss_mb) | max | round end),
    requests: (map(.requests) | add),
    errors: (map(.errors) | add),
    audited: (if .[0].audited == null then null else (map(.audited) | add) end),
    unaudited_runs: (map(select(.audited != null and .audited < .requests - .errors)) | length),
    backlog: (if .[0].backlog == null then null else map(.backlog) | max end),
    lag_p50_ms: (if .[0].lag_p50_ms == null then null else median(.lag_p50_ms) end),
    lag_p99_ms: (if .[0].lag_p99_ms == null then null else median(.lag_p99_ms) end),
    undelivered: (if .[0].undelivered == null then null else map(.undelivered) | add end),
    # Over every round: the WAL written per answered request (for async runs
    # until the run's messages were delivered), in kB.
    wal_kb_per_request: (if any(.[]; .wal_bytes == null) or (map(.requests) | add) == 0 then null
                         else (map(.wal_bytes) | add) / (map(.requests) | add) / 1024 | round2 end)
  })) as $groups
| ($groups | map(select(.scenario | startswith("nginx")))
   | map({key: "\(.scenario)@\(.connections)", value: .}) | from_entries) as $nginx_runs
| ($groups | map(. + (
    # Each hub scenario against nginx with the same connections (and body).
    $nginx_runs["\(if (.scenario | test("-doc")) then "nginx-doc" + (.scenario | sub(".*-doc"; ""))
                    else "nginx" end)@\(.connections)"] as $base
    | if (.scenario | startswith("nginx")) or $base == null then {rps_vs_nginx: null, p99_vs_nginx_ms: null}
      else {rps_vs_nginx: (.rps / $base.rps | round2), p99_vs_nginx_ms: (.p99_ms - $base.p99_ms | round2)}
      end))
   | map(. as $row | ({"hub": "base", "hub-r1": "base-r1", "hub-async": "base-async"}[$row.scenario]) as $before
     | ($groups | map(select(.scenario == $before and .connections == $row.connections)) | first) as $b
     | if $b == null then . + {rps_vs_base: null, p99_vs_base: null}
       else . + {rps_vs_base: (.rps / $b.rps | round2), p99_vs_base: (.p99_ms / $b.p99_ms | round2)} end)
   | sort_by(.connections, (.scenario | {"hub": 0, "hub-evidence": 0.5, "hub-r1": 1, "hub-async": 2,
       "hub-hop": 3, "base": 4, "base-r1": 5, "base-async": 6, "nginx": 7, "hub-soak": 8}[.] // 9),
       (.scenario | sub(".*-doc"; "") | sub("k$"; "") | tonumber? // 0), .scenario)) as $summary
| ($summary | map(select(.scenario == "hub" and .connections == 32)) | first) as $hub32
| ($summary | map(select(.scenario == "hub-async" and .connections == 32)) | first) as $async32
| ($summary | map(select(.scenario == "hub-hop" and .connections == 32)) | first) as $hop32
| ($summary | map(select(.scenario == "hub-evidence" and .connections == 32)) | first) as $evidence32
# One more hub (hub-hop, both hubs' CPU) against the direct exchange.
| (if $hop32 == null or $hub32 == null or $hop32.cpu_s_per_1000 == null or $hub32.cpu_s_per_1000 == null
   then null
   else ($hop32.cpu_s_per_1000 - $hub32.cpu_s_per_1000) / $hub32.cpu_s_per_1000 | round2 end) as $hop_cpu
| ($idle | map(select(.scenario == "hub")) | first) as $hub_idle
| {
    stamp: $stamp, commit: $commit, baseline: $baseline_ref, hub: $hub, nginx: $nginx,
    machine: {cpu: $cpu, cores: $cores, memory: $memory, kernel: $kernel},
    settings: {duration_s: $duration, rounds: $rounds},
    summary: $summary,
    idle: $idle,
    soak: $soak,
    # --instructions: per exchange, and each hub scenario against the baseline's.
    instructions: ($instructions | map(. as $row
      | ($instructions | map(select(.scenario == ($row.scenario | sub("^hub"; "base")))) | first) as $b
      | $row + {vs_base: (if ($row.scenario | startswith("base")) or $b == null then null
                          else ($row.per_exchange / $b.per_exchange | round2) end)})),
    # A target whose comparison did not run is null ("not run"): jq orders null
    # below every number, so "null <= 2" would read as met.
    targets: [
      {target: "full pipeline throughput >= 0.5 x nginx at 32 connections",
       value: ($hub32.rps_vs_nginx // null),
       met: (if $hub32.rps_vs_nginx == null then null else $hub32.rps_vs_nginx >= 0.5 end)},
      {target: "full pipeline p99 <= nginx p99 + 2 ms at 32 connections",
       value: ($hub32.p99_vs_nginx_ms // null),
       met: (if $hub32.p99_vs_nginx_ms == null then null else $hub32.p99_vs_nginx_ms <= 2 end)},
      {target: "peak RSS <= 150 MB with 10,000 idle TLS connections",
       value: (if $hub_idle == null then null else $hub_idle.peak_rss_mb | round end),
       met: (if $hub_idle == null or $hub_idle.open < 10000 then null
             else $hub_idle.peak_rss_mb <= 150 and $hub_idle.failed == 0 end)},
      {target: "no memory growth under load (soak)",
       value: (if ($soak | length) < 3 then null
               else ($soak[-1].rss_mb - $soak[1].rss_mb | round2) end),
       met: (if ($soak | length) < 3 then null
             else ($soak[-1].rss_mb - $soak[1].rss_mb) <= 0.05 * $soak[1].rss_mb end)},
      {target: "asynchronous submissions/s >= full pipeline req/s at 32 connections",
       value: (if $async32 == null or $hub32 == null then null else ($async32.rps / $hub32.rps | round2) end),
       met: (if $async32 == null or $hub32 == null then null else $async32.rps >= $hub32.rps end)},
      {target: "asynchronous p99 <= full pipeline p99 at 32 connections",
       value: (if $async32 == null or $hub32 == null then null else ($async32.p99_ms - $hub32.p99_ms | round2) end),
       met: (if $async32 == null or $hub32 == null then null else $async32.p99_ms <= $hub32.p99_ms end)},
      {target: "delivery lag p99 < 1 s at 32 connections, every message delivered",
       value: ($async32.lag_p99_ms // null),
       met: (if $async32 == null then null else $async32.lag_p99_ms < 1000 and $async32.undelivered == 0 end)},
      {target: "one more hub adds < 0.5 x the CPU of a direct exchange at 32 connections",
       value: $hop_cpu,
       met: (if $hop_cpu == null then null else $hop_cpu < 0.5 end)},
      {target: "one more hub adds < 2 ms p99 at 32 connections",
       value: (if $hop32 == null or $hub32 == null then null else ($hop32.p99_ms - $hub32.p99_ms | round2) end),
       met: (if $hop32 == null or $hub32 == null then null else $hop32.p99_ms - $hub32.p99_ms < 2 end)},
      {target: "evidence on (trusted timestamps, records trees, sealed bodies) costs < 5 % throughput at 32 connections",
       value: (if $evidence32 == null or $hub32 == null then null
               else (1 - $evidence32.rps / $hub32.rps) | round2 end),
       met: (if $evidence32 == null or $hub32 == null then null
             else $evidence32.rps >= 0.95 * $hub32.rps end)},
      {target: "zero errors",
       value: ($summary | map(.errors) | add),
       met: (($summary | map(.errors) | add) == 0)},
      {target: "every 200 (202) answer has a committed audit record",
       value: ($summary | map(.unaudited_runs) | add),
       met: (($summary | map(.unaudited_runs) | add) == 0)}
    ]
  }
