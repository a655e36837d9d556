-- wrk script for B3: POST /cases with the next body of BENCH_BODIES (one JSON body per line,
-- every one a different invented person, so that intake's duplicate check never answers 409),
-- with BENCH_AUTHORIZATION as the Authorization header. Each thread starts at its own offset
-- and steps by the thread count, so no two threads send the same person; a thread that has
-- sent every body of its share starts again (intake then answers 409, counted as a conflict;
-- any other answer but 201 is counted as refused).
-- done() prints one JSON line for bench/b3_intake_http.py.

local threads = {}
local started = 0

function setup(thread)
  thread:set("offset", started)
  started = started + 1
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  for line in io.lines(os.getenv("BENCH_BODIES")) do
    bodies[#bodies + 1] = line
  end
  step = tonumber(os.getenv("BENCH_THREADS") or "1")
  position = offset
  created = 0
  conflicts = 0
  refused = 0
  headers = {["Content-Type"] = "application/json",
             ["Authorization"] = os.getenv("BENCH_AUTHORIZATION")}
end

function request()
  local body = bodies[position % #bodies + 1]
  position = position + step
  return wrk.format("POST", "/cases", headers, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status == 409 then
    conflicts = conflicts + 1
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local created_all, conflicts_all, refused_all = 0, 0, 0
  for _, thread in ipairs(threads) do
    created_all = created_all + thread:get("created")
    conflicts_all = conflicts_all + thread:get("conflicts")
    refused_all = refused_all + thread:get("refused")
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "created": %d, "conflicts": %d, "refused": %d, "seconds": %.6f, ' ..
    '"p50_ms": %.3f, "p99_ms": %.3f, "socket_errors": %d}\n',
    summary.requests, created_all, conflicts_all, refused_all, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors.connect + errors.read + errors.write + errors.timeout))
end
