use super::*;
use chrono::TimeZone;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn span(from: &str, to: &str) -> (DateTime<Utc>, DateTime<Utc>) {
    (utc(from), utc(to))
}

fn shown(v: &[Away]) -> Vec<String> {
    v.iter()
        .map(|a| {
            format!(
                "{} {}",
                a.start.format("%m-%d %H:%M"),
                a.end.format("%H:%M")
            )
        })
        .collect()
}

const NEW_YORK: &str = "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\nBEGIN:DAYLIGHT\r\n\
TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nDTSTART:19700308T020000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\n\
TZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\nDTSTART:19701101T020000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

/// As Google Calendar exports a calendar: a weekly shift in New York's
/// zone across the spring change, one week taken out (EXDATE), one moved
/// (RECURRENCE-ID), one cancelled; an all-day event left free, one set
/// busy; a timed event shown as free.
fn google() -> String {
    format!(
        "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n\
CALSCALE:GREGORIAN\r\nX-WR-CALNAME:Hospital\r\nX-WR-TIMEZONE:America/New_York\r\n{NEW_YORK}\
BEGIN:VEVENT\r\nDTSTART;TZID=America/New_York:20260223T080000\r\n\
DTEND;TZID=America/New_York:20260223T120000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO\r\n\
EXDATE;TZID=America/New_York:20260316T080000\r\nUID:shift@google.com\r\n\
SUMMARY:Hospital shift\r\nDESCRIPTION:Ward 7\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;TZID=America/New_York:20260324T140000\r\n\
DTEND;TZID=America/New_York:20260324T180000\r\n\
RECURRENCE-ID;TZID=America/New_York:20260323T080000\r\nUID:shift@google.com\r\n\
SUMMARY:Hospital shift (moved)\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;TZID=America/New_York:20260330T080000\r\n\
DTEND;TZID=America/New_York:20260330T120000\r\n\
RECURRENCE-ID;TZID=America/New_York:20260330T080000\r\nUID:shift@google.com\r\n\
STATUS:CANCELLED\r\nSUMMARY:Hospital shift\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260305\r\nDTEND;VALUE=DATE:20260306\r\n\
UID:birthday@google.com\r\nSUMMARY:Birthday\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260312\r\nDTEND;VALUE=DATE:20260313\r\n\
UID:congress@google.com\r\nSUMMARY:Congress\r\nTRANSP:OPAQUE\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART:20260304T150000Z\r\nDTEND:20260304T160000Z\r\n\
UID:free@google.com\r\nSUMMARY:Could meet\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n"
    )
}

#[test]
fn google_export_weekly_shifts_across_the_spring_change_with_exceptions() {
    let got = busy_times(
        &google(),
        "America/New_York",
        span("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
        &|_| false,
    )
    .unwrap();
    assert_eq!(
        shown(&got),
        [
            // 08:00 EST, then 08:00 EDT after 8 March.
            "03-02 13:00 17:00",
            "03-09 12:00 16:00",
            // The busy all-day congress: its day in New York.
            "03-12 04:00 04:00",
            // 16 March taken out; 23 March moved to the 24th, 14:00–18:00;
            // 30 March cancelled.
            "03-24 18:00 22:00",
        ]
    );
    assert_eq!(got[2].end - got[2].start, Duration::hours(24));
}

/// As Apple's Calendar exports: floating times (no zone), read in the
/// clinic's zone; an all-day event with no TRANSP (free, as Apple means it).
#[test]
fn apple_export_floating_times_are_read_in_the_doctors_zone() {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//macOS 14.0//EN\r\n\
BEGIN:VEVENT\r\nUID:a1\r\nDTSTART:20260610T150000\r\nDTEND:20260610T163000\r\n\
SUMMARY:Surgery\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:a2\r\nDTSTART;VALUE=DATE:20260611\r\nDTEND;VALUE=DATE:20260612\r\n\
SUMMARY:Holiday\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:a3\r\nDTSTART:20260612T090000\r\nDURATION:PT45M\r\n\
RRULE:FREQ=DAILY;COUNT=2\r\nSUMMARY:Rounds\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let got = busy_times(
        ics,
        "America/El_Salvador",
        span("2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z"),
        &|_| false,
    )
    .unwrap();
    assert_eq!(
        shown(&got),
        [
            "06-10 21:00 22:30",
            "06-12 15:00 15:45",
            "06-13 15:00 15:45"
        ]
    );
}

/// As Outlook exports: a Windows zone name with its own VTIMEZONE, and
/// Microsoft's busy status on all-day events.
#[test]
fn outlook_export_windows_zone_and_busy_status() {
    let ics = "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n\
VERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Eastern Standard Time\r\nBEGIN:STANDARD\r\n\
DTSTART:16011104T020000\r\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r\nTZOFFSETFROM:-0400\r\n\
TZOFFSETTO:-0500\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010311T020000\r\n\
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\n\
END:DAYLIGHT\r\nEND:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:o1\r\nDTSTART;TZID=Eastern Standard Time:20260307T090000\r\n\
DTEND;TZID=Eastern Standard Time:20260307T100000\r\nRRULE:FREQ=DAILY;COUNT=3\r\n\
X-MICROSOFT-CDO-BUSYSTATUS:BUSY\r\nSUMMARY:Clinic board\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:o2\r\nDTSTART;VALUE=DATE:20260320\r\nDTEND;VALUE=DATE:20260321\r\n\
X-MICROSOFT-CDO-BUSYSTATUS:OOF\r\nTRANSP:OPAQUE\r\nSUMMARY:Out of office\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:o3\r\nDTSTART;VALUE=DATE:20260321\r\nDTEND;VALUE=DATE:20260322\r\n\
X-MICROSOFT-CDO-BUSYSTATUS:FREE\r\nTRANSP:OPAQUE\r\nSUMMARY:Reminder\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
    let got = busy_times(
        ics,
        "America/New_York",
        span("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
        &|_| false,
    )
    .unwrap();
    assert_eq!(
        shown(&got),
        [
            "03-07 14:00 15:00",
            // 8 March is the change: 09:00 EDT.
            "03-08 13:00 14:00",
            "03-09 13:00 14:00",
            "03-20 04:00 04:00",
        ]
    );
}

#[test]
fn an_endless_rule_is_cut_at_the_span_and_leaves_the_others_their_instances() {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
BEGIN:VEVENT\r\nUID:e1\r\nDTSTART:20000101T070000Z\r\nDTEND:20000101T071500Z\r\n\
RRULE:FREQ=MINUTELY;INTERVAL=30\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:e2\r\nDTSTART:20260105T100000Z\r\nDTEND:20260105T110000Z\r\n\
RRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    // The first rule alone has more instances before 2026 than any limit.
    let got = busy_times(
        ics,
        "UTC",
        span("2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z"),
        &|_| false,
    );
    // Whether the endless rule got there or not, the weekly one did.
    let got = got.unwrap();
    assert!(got.contains(&Away {
        start: utc("2026-01-05T10:00:00Z"),
        end: utc("2026-01-05T11:00:00Z")
    }));
}

/// As a CalDAV server stores what a client wrote in UTC: a weekly event
/// at 16:00 UTC recurs at 16:00 UTC, whatever the doctor's zone, and its
/// EXDATE takes its week out.
#[test]
fn a_recurring_event_in_utc_recurs_in_utc() {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u\r\n\
DTSTART:20260609T160000Z\r\nDTEND:20260609T170000Z\r\nRRULE:FREQ=WEEKLY\r\n\
EXDATE:20260623T160000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let got = busy_times(
        ics,
        "America/El_Salvador",
        span("2026-06-15T00:00:00Z", "2026-07-01T00:00:00Z"),
        &|_| false,
    )
    .unwrap();
    assert_eq!(shown(&got), ["06-16 16:00 17:00", "06-30 16:00 17:00"]);
}

/// The visits appt wrote into the calendar are the clinic's own: never
/// read back as the doctor's busy times.
#[test]
fn a_visit_appt_wrote_is_not_read_back_and_its_event_holds_nothing_clinical() {
    let v = Visit {
        id: "3f2a9c1e-0000-4000-8000-000000000001",
        start: utc("2026-06-16T16:00:00Z"),
        end: utc("2026-06-16T16:30:00Z"),
        sequence: 2,
        summary: "L.C. · Consulta general",
        location: "Clínica Central",
    };
    let ics = visit_event(&v, utc("2026-06-15T14:00:00Z")).unwrap();
    assert!(
        ics.contains("UID:3f2a9c1e-0000-4000-8000-000000000001\r\n"),
        "{ics}"
    );
    assert!(ics.contains("DTSTART:20260616T160000Z\r\n"), "{ics}");
    assert!(ics.contains("SEQUENCE:2\r\n"), "{ics}");
    let whole = span("2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z");
    assert_eq!(busy_times(&ics, "UTC", whole, &|_| false).unwrap().len(), 1);
    let ours = |uid: &str| uid == v.id;
    assert!(busy_times(&ics, "UTC", whole, &ours).unwrap().is_empty());
}

#[test]
fn what_is_not_a_calendar_is_refused() {
    let page = "<html><body>Sign in</body></html>";
    assert_eq!(
        busy_times(
            page,
            "UTC",
            span("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
            &|_| false
        ),
        Err(Unreadable::NotICalendar)
    );
}

#[test]
fn a_long_busy_time_is_kept_in_pieces_of_at_most_a_day() {
    let away = Away {
        start: Utc.with_ymd_and_hms(2026, 3, 1, 22, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2026, 3, 3, 6, 0, 0).unwrap(),
    };
    let got = pieces(away);
    assert_eq!(
        shown(&got),
        [
            "03-01 22:00 00:00",
            "03-02 00:00 00:00",
            "03-03 00:00 06:00"
        ]
    );
}
