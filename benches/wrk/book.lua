-- wrk script of the benchmark's booking figure (benches/million.rs,
-- docs/performance.md#http-api): every request books a free time for a new
-- patient, so each one is a real booking, not a conflict.
--
--   wrk -t2 -c8 -d20s --latency -H 'Authorization: Bearer TOKEN' \
--       -s benches/wrk/book.lua http://HOST:PORT/v1/appointments -- SLOTS THREADS
--
-- SLOTS is a file of lines "DOCTOR DATE HH:MM PHONE" (a free time and a
-- phone no patient has); thread k of THREADS (wrk's -t) sends the lines k,
-- k+THREADS, k+2·THREADS, … so no line is sent twice. A thread that has sent
-- all of its lines stops (what it sends meanwhile is GET /healthz, never a
-- line again). The result line is report.lua's, with every status counted.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

function init(args)
   local every = tonumber(args[2]) or 1
   statuses = {}
   bodies = {}
   local n = 0
   for line in io.lines(args[1]) do
      if n % every == id - 1 then
         local doctor, date, time, phone = line:match("^(%S+) (%S+) (%S+) (%S+)$")
         if doctor then
            table.insert(bodies, string.format(
               '{"doctor":"%s","date":"%s","time":"%s","phone":"%s","name":"Paciente Web"}',
               doctor, date, time, phone))
         end
      end
      n = n + 1
   end
   if #bodies == 0 then
      error("no slots for thread " .. id .. " in " .. tostring(args[1]))
   end
   sent = 0
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   sent = sent + 1
   if sent > #bodies then
      wrk.thread:stop()
      return wrk.format("GET", "/healthz")
   end
   return wrk.format(nil, nil, nil, bodies[sent])
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end
