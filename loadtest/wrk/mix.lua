-- wrk script replaying loadtest's query mix, to check the harness against a
-- known tool on the same server.
--
-- 1. Write the mix (same roll, seed and classes as the loadtest run):
--      loadtest queries --voters 100000 --seed 42 --queries 20000 --out /tmp/queries.tsv
-- 2. Replay it (wrk is closed loop: -c connections each send the next request
--    as soon as the previous answer arrives):
--      wrk -t1 -c32 -d30s --latency -s loadtest/wrk/mix.lua http://127.0.0.1:8080 -- /tmp/queries.tsv
--
-- Each line of the file is a request path, a tab, and the class's API key
-- (empty for none). Like loadtest, every request carries the deadline header.
-- Each wrk thread starts at its own place in the list.

local requests = {}
local next_index = 0
local threads_set_up = 0

-- Runs in the main state, once per thread: spread the threads' start points.
function setup(thread)
  thread:set("offset", threads_set_up * 7919)
  threads_set_up = threads_set_up + 1
end

function init(args)
  local path = args[1] or "queries.tsv"
  local timeout_ms = args[2] or "5000"
  for line in io.lines(path) do
    local request_path, key = line:match("^([^\t]+)\t?(.*)$")
    if request_path then
      local headers = { ["X-Request-Timeout"] = timeout_ms }
      if key ~= nil and key ~= "" then
        headers["X-Api-Key"] = key
      end
      requests[#requests + 1] = wrk.format("GET", request_path, headers)
    end
  end
  if #requests == 0 then
    error("no request path in " .. path)
  end
  next_index = (offset or 0) % #requests
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end

function done(summary, latency, requests_done)
  local ms = function(us) return string.format("%.3fms", us / 1000) end
  io.write(string.format(
    "mix.lua: %d requests in %.2fs = %.1f req/s; latency p50 %s p90 %s p99 %s p99.9 %s max %s; non-2xx %d, socket errors %d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)),
    ms(latency:percentile(99.9)), ms(latency.max),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
