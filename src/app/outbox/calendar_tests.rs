//! Tests of what appt reads from a CalDAV server's multistatus answers,
//! as servers other than Radicale (tests/cli/calendars_caldav.rs) write
//! them: other prefixes, a property's own 404, a deletion, an answer cut
//! short.

use super::*;

/// A `sync-collection` answer as Nextcloud (SabreDAV) writes it: a new
/// event, a changed one whose `getetag` is its only other property, a
/// deleted one, and the new sync-token.
const SABRE: &str = r#"<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:cal="urn:ietf:params:xml:ns:caldav">
 <d:response>
  <d:href>/remote.php/dav/calendars/ana/personal/new.ics</d:href>
  <d:propstat>
   <d:prop><d:getetag>"1"</d:getetag><cal:calendar-data>BEGIN:VCALENDAR&#13;
UID:new&#13;
END:VCALENDAR&#13;
</cal:calendar-data></d:prop>
   <d:status>HTTP/1.1 200 OK</d:status>
  </d:propstat>
  <d:propstat>
   <d:prop><x:other xmlns:x="urn:x"/></d:prop>
   <d:status>HTTP/1.1 404 Not Found</d:status>
  </d:propstat>
 </d:response>
 <d:response>
  <d:href>/remote.php/dav/calendars/ana/personal/gone.ics</d:href>
  <d:status>HTTP/1.1 404 Not Found</d:status>
 </d:response>
 <d:sync-token>http://sabre.io/ns/sync/42</d:sync-token>
</d:multistatus>"#;

#[test]
fn a_sync_collection_says_what_changed_and_what_is_gone() {
    let c = changes(SABRE).unwrap().expect("changes");
    assert_eq!(c.token, "http://sabre.io/ns/sync/42");
    assert_eq!(c.changed.len(), 1);
    assert_eq!(
        c.changed[0].0,
        "/remote.php/dav/calendars/ana/personal/new.ics"
    );
    assert_eq!(
        c.changed[0].1,
        "BEGIN:VCALENDAR\r\nUID:new\r\nEND:VCALENDAR\r\n"
    );
    assert_eq!(c.gone, ["/remote.php/dav/calendars/ana/personal/gone.ics"]);
}

#[test]
fn nothing_changed_is_an_empty_delta_with_the_new_token() {
    let body = r#"<multistatus xmlns="DAV:"><sync-token>t2</sync-token></multistatus>"#;
    let c = changes(body).unwrap().expect("changes");
    assert_eq!(c.token, "t2");
    assert!(c.changed.is_empty() && c.gone.is_empty());
}

/// Where the answer cannot be trusted whole, the collection is read whole.
#[test]
fn an_answer_cut_short_without_data_or_without_a_token_is_not_a_delta() {
    // RFC 6578 §3.6: the collection's own 507 says more changes are left.
    let cut = SABRE.replace(
        "<d:sync-token>",
        "<d:response><d:href>/remote.php/dav/calendars/ana/personal/</d:href>\
         <d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response><d:sync-token>",
    );
    assert!(changes(&cut).unwrap().is_none());
    // A server that gives the ETag but not the event's data.
    let bare = r#"<d:multistatus xmlns:d="DAV:"><d:response><d:href>/c/a.ics</d:href>
        <d:propstat><d:prop><d:getetag>"2"</d:getetag></d:prop>
        <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
        <d:sync-token>t3</d:sync-token></d:multistatus>"#;
    assert!(changes(bare).unwrap().is_none());
    let tokenless = SABRE.replace(
        "<d:sync-token>http://sabre.io/ns/sync/42</d:sync-token>",
        "",
    );
    assert!(changes(&tokenless).unwrap().is_none());
    assert_eq!(changes("<not xml").err(), Some(Failure::NotCalendar));
}

/// A `calendar-query` answer: each event by its address; a property's 404
/// is not the event's.
#[test]
fn a_calendar_query_gives_each_event_by_its_address() {
    let found = elements(
        SABRE,
        &[(DAV, "href"), (DAV, "status"), (CALDAV, "calendar-data")],
    )
    .unwrap();
    let m = members(&found);
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].status, None);
    assert!(m[0].data.is_some());
    assert_eq!(m[1].status, Some(404));
    assert_eq!(m[1].data, None);
}
