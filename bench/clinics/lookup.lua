-- wrk script for bench/clinics.sh: citizen lookups, the ID numbers taken in
-- turn from a file (one per line, from `lienthong-demo data citizens`).
--
--   wrk ... -s lookup.lua URL -- MODE RUN_ID IDS_FILE
--   MODE hub:   POST /exchange/v1/messages, a standard envelope from the social-insurance
--               claims system (GIAMDINH; its agreement has no rate limit)
--   MODE nginx: POST /citizens/lookup {"idNumber": ...} (the provider's own API)
-- done() prints one LT_RESULT line that bench/clinics.sh reads.

local ids = {}
local threads_made = 0

function setup(thread)
  threads_made = threads_made + 1
  thread:set("thread_number", threads_made)
end

function init(args)
  mode = args[1] or "hub"
  run_id = args[2] or "run"
  for line in io.lines(args[3]) do ids[#ids + 1] = line end
  sent = 0
end

function request()
  sent = sent + 1
  local id_number = ids[(sent + thread_number * 7919) % #ids + 1]
  if mode == "nginx" then
    return wrk.format("POST", "/citizens/lookup", {["Content-Type"] = "application/json"},
                      '{"idNumber": "' .. id_number .. '"}')
  end
  return wrk.format("POST", "/exchange/v1/messages", {["Content-Type"] = "application/json"},
    '{"header": {"id": "' .. run_id .. '-' .. thread_number .. '-' .. sent .. '", ' ..
    '"from": "VN/GOV/000.00.00.G22/GIAMDINH", "to": "VN/GOV/000.00.00.G03/DANCU", ' ..
    '"service": "citizen-lookup", "version": "v1", ' ..
    '"purpose": "Đối chiếu người tham gia BHYT (verify the insured)"}, ' ..
    '"body": {"idNumber": "' .. id_number .. '"}}')
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "LT_RESULT requests=%d duration_us=%d errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
