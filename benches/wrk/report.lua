-- wrk script of the benchmark's HTTP figures (benches/million.rs,
-- docs/performance.md#http-api): asks for the URL as given, over and over,
-- and ends with one line that the benchmark reads:
--
--   wrk-result requests=N seconds=S p50_us=… p90_us=… p99_us=… max_us=…
--     errors=N non2xx=N statuses=201:N,409:N,…
--
--   wrk -t2 -c8 -d60s --latency -H 'Authorization: Bearer TOKEN' \
--       -s benches/wrk/report.lua 'http://HOST:PORT/v1/slots?doctor=ID&date=DAY'
--
-- It defines no request() or response(), so wrk sends one prepared request
-- and reads no body into Lua: the load generator, on the same cores as the
-- server, costs as little as wrk can. It then knows the statuses only as
-- wrk counts them (400 and over: non2xx). benches/wrk/book.lua, which
-- loads this file, counts every status.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end

function done(summary, latency, requests)
   local all, codes, counted = {}, {}, false
   for _, thread in ipairs(threads) do
      local statuses = thread:get("statuses")
      if statuses then
         counted = true
         for status, n in pairs(statuses) do
            all[status] = (all[status] or 0) + n
         end
      end
   end
   local non2xx = summary.errors.status
   if counted then
      non2xx = 0
      for status, n in pairs(all) do
         table.insert(codes, status)
         if status < 200 or status > 299 then
            non2xx = non2xx + n
         end
      end
   end
   table.sort(codes)
   local parts = {}
   for _, status in ipairs(codes) do
      table.insert(parts, status .. ":" .. all[status])
   end
   local e = summary.errors
   io.write(string.format(
      "wrk-result requests=%d seconds=%.3f p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d non2xx=%d statuses=%s\n",
      summary.requests, summary.duration / 1e6,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      e.connect + e.read + e.write + e.timeout, non2xx,
      counted and table.concat(parts, ",") or "-"))
end
