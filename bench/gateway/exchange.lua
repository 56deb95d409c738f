-- wrk script for bench/run.sh: POSTs a standard envelope of about 1.4 KB (a
-- citizen record to verify) with a unique header.id on every request, so
-- each answer can be matched with its audit record afterwards.
--
--   wrk ... -s exchange.lua URL -- MODE RUN_ID RECORD_FILE [SERVICE [FROM]]
--   MODE messages: POST /exchange/v1/messages with the envelope (also what
--                  the nginx baseline is sent, so both carry the same bytes)
--   MODE r1:       POST /r1/... (X-Road REST) with the record as the body
--   MODE async:    the envelope of "messages" with Prefer: respond-async
--                  (queued, answered 202, delivered afterwards)
-- RECORD_FILE is the body (bench/gateway/citizen-record.json); SERVICE the
-- envelope's service (citizen-verify; the cost curves send documents of
-- several sizes to document-submit); FROM its sender (the hop scenario's is
-- the same system registered at the provincial hub). done() prints one LT_RESULT line that
-- bench/run.sh reads.

local record  -- bench/gateway/citizen-record.json, read by init()

local envelope_head
local envelope_tail

local r1_path = "/r1/VN/GOV/000.00.00.B01/BENCH-PROVIDER/citizen-verify"
local threads_made = 0

function setup(thread)
  threads_made = threads_made + 1
  thread:set("thread_number", threads_made)
end

function init(args)
  mode = args[1] or "messages"
  run_id = args[2] or "run"
  local file = assert(io.open(args[3] or "bench/gateway/citizen-record.json", "r"))
  record = file:read("*a")
  file:close()
  service = args[4] or "citizen-verify"
  local from = args[5] or "VN/PROV/000.00.00.B02/BENCH-CONSUMER"
  envelope_head = [[{"header": {"from": "]] .. from .. [[",
"to": "VN/GOV/000.00.00.B01/BENCH-PROVIDER", "service": "]] .. service ..
    [[", "version": "v1",
"purpose": "Xác minh nhân thân khi cấp giấy phép (identity check)", "userId": "can-bo-0042",
"id": "]]
  envelope_tail = '"}, "body": ' .. record .. '}'
  sent = 0
end

-- A document of 16 or 256 KB copied into a new request on every call made
-- wrk, not the servers, the limit: those runs send one prepared request per
-- thread, its message id the same each time (synchronous exchanges accept a
-- repeated id; the audit count still matches the run's prefix).
local prepared

function request()
  if service ~= "citizen-verify" then
    prepared = prepared or wrk.format("POST", "/exchange/v1/messages",
      {["Content-Type"] = "application/json"},
      envelope_head .. run_id .. "-" .. thread_number .. "-doc" .. envelope_tail)
    return prepared
  end
  sent = sent + 1
  local id = run_id .. "-" .. thread_number .. "-" .. sent
  if mode == "r1" then
    return wrk.format("POST", r1_path, {
      ["Content-Type"] = "application/json",
      ["X-Road-Client"] = "VN/PROV/000.00.00.B02/BENCH-CONSUMER",
      ["X-Road-Id"] = id,
      ["X-Lienthong-Purpose"] = "identity check"}, record)
  end
  local headers = {["Content-Type"] = "application/json"}
  if mode == "async" then
    headers["Prefer"] = "respond-async"
  end
  return wrk.format("POST", "/exchange/v1/messages", headers, envelope_head .. id .. envelope_tail)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "LT_RESULT requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d " ..
    "p50_us=%d p99_us=%d p999_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
