# Prints bench/run.sh's report (report.jq's output) as aligned text tables.
def pad($n): tostring | if length >= $n then . else (" " * ($n - length)) + . end;
def lpad($n): tostring | if length >= $n then . else . + (" " * ($n - length)) end;
def show: if . == null then "-" else tostring end;

"Machine: \(.machine.cpu), \(.machine.cores) cores, \(.machine.memory); \(.nginx); commit \(.commit)",
(if .baseline != "" then "Baseline (scenarios base*): \(.baseline); x base and p99/base compare each hub scenario with it" else empty end),
"Median of \(.settings.rounds) rounds of \(.settings.duration_s) s; latency in ms; CPU s per 1,000 exchanges; RSS in MB",
"",
(["scenario" | lpad(13)] + (["conns", "req/s", "p50", "p99", "p99.9", "CPU/1k", "peakRSS", "errors",
  "audited", "x nginx", "p99-nginx", "x base", "p99/base"] | map(pad(9))) | join(" ")),
(.summary[] | ([.scenario | lpad(13)] + ([.connections, .rps, .p50_ms, .p99_ms, .p999_ms,
  (.cpu_s_per_1000 | show), (.peak_rss_mb | show), .errors, (.audited | show), (.rps_vs_nginx | show),
  (.p99_vs_nginx_ms | show), (.rps_vs_base | show), (.p99_vs_base | show)] | map(pad(9))) | join(" "))),
"",
(if any(.summary[]; .lag_p99_ms != null) then
  "Asynchronous runs: messages not yet delivered when the load stopped (most of any round), then",
  "the delivery lag, queued to delivered, in ms (median round):",
  (.summary[] | select(.lag_p99_ms != null)
   | "  \(.scenario | lpad(10)) \(.connections | pad(5)) conns: backlog \(.backlog), lag p50 \(.lag_p50_ms), p99 \(.lag_p99_ms), undelivered \(.undelivered)"),
  ""
 else empty end),
(if any(.summary[]; .wal_kb_per_request != null) then
  "PostgreSQL's write-ahead log per answered request, kB (all rounds; asynchronous runs until",
  "their messages were delivered):",
  (.summary[] | select(.wal_kb_per_request != null)
   | "  \(.scenario | lpad(10)) \(.connections | pad(5)) conns: \(.wal_kb_per_request)"),
  ""
 else empty end),
(if (.instructions | length) > 0 then
  "Instructions per exchange (callgrind, the whole hub process, 4 connections; does not vary",
  "with the machine's load; an asynchronous message's delivery included):",
  (.instructions[] | "  \(.scenario | lpad(10)) \(.per_exchange | pad(9)) over \(.requests) answers\(if .vs_base == null then "" else ", x base \(.vs_base)" end)"),
  ""
 else empty end),
(if (.idle | length) > 0 then
  "Idle keep-alive TLS connections:",
  (.idle[] | "  \(.scenario | lpad(6)) \(.open) open, \(.failed) failed: RSS \(.rss_mb | round) MB (\(.rss_before_mb | round) MB before, peak \(.peak_rss_mb | round) MB), \(.kb_per_connection // 0 | round) kB per connection")
 else empty end),
"",
"Targets:",
(.targets[] | "  [\(if .met == true then "met" elif .met == false then "NOT MET" else "not run" end)] \(.target)  (\(.value | show))")
