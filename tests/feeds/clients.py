"""A doctor's phone, played by real calendar clients appt did not write,
against a feed `appt serve` publishes (docs/feeds.md):

- the `caldav` library discovers the collection from its URL (principal,
  calendar home, calendars), reads one day's time range and multigets the
  events it found;
- vdirsyncer syncs the feed twice into folders: its `http` storage (the
  subscription, /cal/<token>.ics) and its `caldav` storage (the account,
  /dav/<name>/, read-only);
- khal lists the day from both folders.

Run again in the same WORKDIR it syncs what changed since, as a phone does.
Prints JSON for the test to compare with what appt holds:

{"caldav": {"calendars": [[url, name]], "events": [{uid, summary, start,
 status}], "multiget": [uid]}, "synced": {"feed": {uid: {summary, start,
 status, sequence}}, "dav": {...}}, "khal": [line]}

Usage: clients.py BASE_URL NAME TOKEN WORKDIR DAY (YYYY-MM-DD, the clinic's)
"""

import datetime
import json
import os
import pathlib
import subprocess
import sys
import zoneinfo

import caldav
import icalendar

base, name, token, workdir, day = sys.argv[1:6]
work = pathlib.Path(workdir)
bindir = pathlib.Path(sys.executable).parent
zone = zoneinfo.ZoneInfo(os.environ.get("FEED_ZONE", "America/El_Salvador"))


def event_of(component):
    start = component["DTSTART"].dt
    return {
        "uid": str(component["UID"]),
        "summary": str(component["SUMMARY"]),
        "start": start.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": str(component.get("STATUS", "")),
        "sequence": int(component.get("SEQUENCE", 0)),
    }


# --- caldav: discovery, a time range, a multiget --------------------------
client = caldav.DAVClient(url=f"{base}/dav/{name}/", username="phone", password=token)
principal = client.principal()
calendars = principal.calendars()
seen = {"calendars": [[str(c.url), c.get_display_name()] for c in calendars]}
found = {"caldav": seen}
assert len(calendars) == 1, seen
cal = calendars[0]
first = datetime.datetime.fromisoformat(day).replace(tzinfo=zone)
events = cal.search(start=first, end=first + datetime.timedelta(days=1), event=True, expand=False)
seen["events"] = sorted(
    (event_of(e.icalendar_component) for e in events), key=lambda e: (e["start"], e["uid"])
)
urls = [e.url for e in events]
got = cal.calendar_multiget(urls) if urls else []
seen["multiget"] = sorted(str(e.icalendar_component["UID"]) for e in got)

# --- vdirsyncer: the subscription and the account -------------------------
for sub in ("feed", "dav", "status"):
    (work / sub).mkdir(parents=True, exist_ok=True)
config = work / "vdirsyncer.conf"
config.write_text(
    f"""[general]
status_path = "{work / 'status'}/"

[pair feed]
a = "feed_remote"
b = "feed_local"
collections = null

[storage feed_remote]
type = "http"
url = "{base}/cal/{token}.ics"

[storage feed_local]
type = "filesystem"
path = "{work / 'feed'}/"
fileext = ".ics"

[pair dav]
a = "dav_remote"
b = "dav_local"
collections = null
conflict_resolution = "a wins"

[storage dav_remote]
type = "caldav"
url = "{base}/dav/{name}/"
username = "phone"
password = "{token}"
read_only = true

[storage dav_local]
type = "filesystem"
path = "{work / 'dav'}/"
fileext = ".ics"
"""
)
env = dict(os.environ, XDG_CONFIG_HOME=str(work / "config"), XDG_DATA_HOME=str(work / "data"))
for step in (["discover"], ["sync"]):
    run = subprocess.run(
        [str(bindir / "vdirsyncer"), "-c", str(config), *step],
        env=env,
        capture_output=True,
        text=True,
        input="",
    )
    assert run.returncode == 0, (step, run.stdout, run.stderr)


def folder(path):
    out = {}
    for f in sorted(path.glob("*.ics")):
        cal_file = icalendar.Calendar.from_ical(f.read_text())
        for ev in cal_file.walk("VEVENT"):
            e = event_of(ev)
            out[e.pop("uid")] = e
    return out


found["synced"] = {"feed": folder(work / "feed"), "dav": folder(work / "dav")}

# --- khal: the day, from both folders -------------------------------------
khal_conf = work / "khal.conf"
khal_conf.write_text(
    f"""[calendars]
[[feed]]
path = {work / 'feed'}/
type = calendar
[[dav]]
path = {work / 'dav'}/
type = calendar
[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
default_timezone = {zone.key}
local_timezone = {zone.key}
"""
)
run = subprocess.run(
    [str(bindir / "khal"), "-c", str(khal_conf), "list", "--format",
     "{calendar}|{start-time}-{end-time}|{title}|{status}", day, "1d"],
    env=env,
    capture_output=True,
    text=True,
)
assert run.returncode == 0, (run.stdout, run.stderr)
found["khal"] = [l.strip() for l in run.stdout.splitlines() if "|" in l]
print(json.dumps(found, ensure_ascii=False, sort_keys=True))
