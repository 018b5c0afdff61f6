-- wrk script for scripts/load.sh: every request carries one of the session
-- cookies listed in $GS_COOKIES (made by scripts/loaddriver -cookies), in
-- rotation, so each request loads and saves an existing session (the visit
-- counter page). Threads start at different places in the list.
local cookies = {}
local pos = 0
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("GS_COOKIES")) do
    cookies[#cookies + 1] = line
  end
  pos = (tid or 0) * 17
end

function request()
  pos = pos % #cookies + 1
  return wrk.format("GET", "/", { ["Cookie"] = cookies[pos] })
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  local sockerr = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("GS_RESULT requests=%d seconds=%.1f rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f bad_status=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, non2xx, sockerr))
end
