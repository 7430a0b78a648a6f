"""Reads an iCalendar file written by `appt export --format ics` with two
parsers that appt did not write — icalendar and vobject (validating) — and
prints what each of them understood, as JSON, for the test to compare:

{"icalendar": {"version", "prodid", "events": [...]}, "vobject": {...}}

Each event: uid, summary, description, location, status, sequence, and
dtstart/dtend/dtstamp as UTC instants ("…Z"). Exits 1 when a parser refuses
the file or reports an error.

Usage: check_ics.py FILE.ics
"""

import datetime
import json
import sys

import icalendar
import vobject


def utc(dt):
    assert isinstance(dt, datetime.datetime), f"not a date-time: {dt!r}"
    assert dt.utcoffset() is not None, f"a floating time: {dt!r}"
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def with_icalendar(text):
    cal = icalendar.Calendar.from_ical(text)
    assert not cal.errors, cal.errors
    events = []
    for ev in cal.walk("VEVENT"):
        assert not ev.errors, ev.errors
        events.append(
            {
                "uid": str(ev["UID"]),
                "summary": str(ev["SUMMARY"]),
                "description": str(ev["DESCRIPTION"]) if "DESCRIPTION" in ev else None,
                "location": str(ev["LOCATION"]) if "LOCATION" in ev else None,
                "status": str(ev["STATUS"]) if "STATUS" in ev else None,
                "x_appt_status": str(ev["X-APPT-STATUS"]),
                "tzid": ev["DTSTART"].params.get("TZID"),
                "local_start": ev.decoded("DTSTART").strftime("%Y-%m-%dT%H:%M"),
                "sequence": int(ev["SEQUENCE"]),
                "dtstart": utc(ev.decoded("DTSTART")),
                "dtend": utc(ev.decoded("DTEND")),
                "dtstamp": utc(ev.decoded("DTSTAMP")),
            }
        )
    zones = [str(z["TZID"]) for z in cal.walk("VTIMEZONE")]
    return {"version": str(cal["VERSION"]), "prodid": str(cal["PRODID"]), "events": events, "zones": zones}


def with_vobject(text):
    cal = vobject.readOne(text, validate=True)
    events = []
    for ev in cal.contents.get("vevent", []):
        events.append(
            {
                "uid": ev.uid.value,
                "summary": ev.summary.value,
                "description": ev.description.value if hasattr(ev, "description") else None,
                "location": ev.location.value if hasattr(ev, "location") else None,
                "status": ev.status.value if hasattr(ev, "status") else None,
                "sequence": int(ev.sequence.value),
                "dtstart": utc(ev.dtstart.value),
                "dtend": utc(ev.dtend.value),
                "dtstamp": utc(ev.dtstamp.value),
            }
        )
    return {"version": cal.version.value, "prodid": cal.prodid.value, "events": events}


def main():
    with open(sys.argv[1], encoding="utf-8", newline="") as f:
        text = f.read()
    print(json.dumps({"icalendar": with_icalendar(text), "vobject": with_vobject(text)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
