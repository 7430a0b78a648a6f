-- wrk script of the calendar feed's CalDAV figure (benches/million/feed.rs,
-- docs/performance.md#calendar-feeds): every request is the same REPORT,
-- its body read once from the file given after `--`.
--
--   wrk -t2 -c4 -d20s --latency -H 'Authorization: Basic TOKEN' \
--       -s benches/wrk/dav.lua http://HOST:PORT/dav/NAME/ -- BODY.xml
--
-- The result line is report.lua's.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

function init(args)
   local f = assert(io.open(args[1], "r"))
   local body = f:read("*a")
   f:close()
   -- wrk.format takes these headers instead of wrk.headers (-H's): both.
   local headers = {["Content-Type"] = "application/xml; charset=utf-8", ["Depth"] = "1"}
   for name, value in pairs(wrk.headers) do
      headers[name] = value
   end
   req = wrk.format("REPORT", nil, headers, body)
end

function request()
   return req
end
