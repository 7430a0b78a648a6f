//! The unit tests of the server's own edge ([`super`]): a body's media
//! type, an error's answer, Basic authentication, the headers every answer
//! carries. The routes, workers and sockets are tested end to end in
//! `tests/cli/serve.rs`.

use super::*;

fn route(form: bool, xml: bool) -> &'static routes::Route {
    [routes::ROUTES, routes::PAGES, routes::HOOKS, routes::FEEDS]
        .into_iter()
        .flatten()
        .find(|r| (r.body || r.xml) && r.form == form && r.xml == xml)
        .expect("a route of that kind")
}

#[test]
fn a_body_must_be_of_its_routes_type() {
    let json = route(false, false);
    let refused =
        |r, t: Option<&str>, body: &[u8]| media_refusal(r, t, "POST", body).map(|e| e.code);
    assert_eq!(refused(json, Some("application/json"), b"{}"), None);
    assert_eq!(
        refused(json, Some("Application/JSON; charset=utf-8"), b"{}"),
        None
    );
    assert_eq!(
        refused(json, Some("text/plain"), b"{}"),
        Some(Code::UnsupportedMediaType)
    );
    assert_eq!(refused(json, None, b"{}"), Some(Code::UnsupportedMediaType));
    // No body, nothing to refuse.
    assert_eq!(refused(json, None, b""), None);
    let form = route(true, false);
    assert_eq!(
        refused(form, Some("application/x-www-form-urlencoded"), b"a=1"),
        None
    );
    assert_eq!(
        refused(form, Some("application/json"), b"{}"),
        Some(Code::UnsupportedMediaType)
    );
    let xml = route(false, true);
    assert_eq!(
        media_refusal(xml, Some("text/xml"), "PROPFIND", b"<a/>").map(|e| e.code),
        None
    );
    assert_eq!(
        media_refusal(xml, Some("text/plain"), "PROPFIND", b"<a/>").map(|e| e.code),
        Some(Code::UnsupportedMediaType)
    );
    // A CalDAV write is refused as read-only, whatever it carries.
    assert_eq!(
        media_refusal(xml, Some("text/plain"), "PUT", b"x").map(|e| e.code),
        None
    );
}

#[test]
fn a_database_failure_tells_the_client_nothing_of_where_or_why() {
    let e = Error::database(crate::text::Msg::verbatim(
        "cannot open /srv/clinic.db: password authentication failed for user appt",
    ));
    let r = failure(e);
    assert_eq!(r.status, 503);
    assert_eq!(r.retry_after, Some(1));
    let body = String::from_utf8(r.body).unwrap();
    assert!(!body.contains("/srv") && !body.contains("appt"), "{body}");
    assert!(body.contains("DATABASE_ERROR"), "{body}");
    // The operator's log has it.
    assert!(r.cause.unwrap().contains("/srv/clinic.db"));
    let other = failure(Error::new(
        Code::NotFound,
        crate::text::Msg::verbatim("no such appointment"),
    ));
    assert_eq!((other.status, other.retry_after), (404, None));
    assert!(other.cause.is_none());
}

#[test]
fn basic_authentication_gives_its_password_and_nothing_else() {
    // "feed:s3cr:et", the password holding a colon.
    assert_eq!(
        basic_password("Basic ZmVlZDpzM2NyOmV0").as_deref(),
        Some("s3cr:et")
    );
    assert_eq!(
        basic_password("basic ZmVlZDpzM2NyOmV0").as_deref(),
        Some("s3cr:et")
    );
    assert_eq!(basic_password("Bearer ZmVlZDpzM2NyOmV0"), None);
    assert_eq!(basic_password("Basic not-base64!"), None);
    // "nocolon": no password in it.
    assert_eq!(basic_password("Basic bm9jb2xvbg=="), None);
    assert_eq!(basic_password(""), None);
}

#[test]
fn every_answer_is_never_stored_or_sniffed_and_a_page_is_locked_down() {
    let json = Response_ {
        status: 401,
        ..Response_::default()
    }
    .into_response();
    let h = json.headers();
    assert_eq!(h[header::CACHE_CONTROL], "no-store");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(h[header::CONTENT_TYPE], "application/json");
    assert_eq!(h[header::WWW_AUTHENTICATE], "Bearer");
    let page = Response_ {
        status: 200,
        html: true,
        ..Response_::default()
    }
    .into_response();
    let h = page.headers();
    assert_eq!(h[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert!(h[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
    assert!(h.get(header::WWW_AUTHENTICATE).is_none());
}
