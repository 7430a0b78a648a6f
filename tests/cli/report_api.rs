//! Tests: the report over HTTP (docs/api.md#reports) — `GET /v1/reports`
//! answers `report --json`'s document and `GET /reports` the page `report
//! --html` writes, only to a token with `reports:read` (403 naming it
//! without, 401 without a token), which reads nothing else; a clinic's
//! token reads only its clinic's report, another named is 404.

use crate::report_page::{out_dir, page_of};
use crate::reports::{history, FROM, TO};
use crate::serve::{token, Server};

#[test]
fn over_http_the_report_is_for_reports_read_and_a_clinics_token_reads_its_own() {
    let env = history();
    env.second_clinic("Norte", "14:00", "17:00");
    let reports = token(&env, "manager", "reports:read", &[]);
    let reader = token(
        &env,
        "desk",
        "appointments:read,appointments:write,clinical",
        &[],
    );
    let norte = token(&env, "norte", "reports:read", &["-c", "Norte"]);
    let srv = Server::start(&env, &[]);
    // Two clinics: a token for all of them names one, as the command line does.
    let q = format!("from={FROM}&to={TO}&clinic=Central");
    let cli = ["-c", "Central", "--from", FROM, "--to", TO];
    let report = |more: &[&str]| {
        let mut args = vec!["report"];
        args.extend_from_slice(&cli);
        args.extend_from_slice(more);
        env.ok(&args)
    };

    let want = report(&[]);
    let r = srv.get(&format!("/v1/reports?{q}"), &reports);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json(), want);
    let one = report(&["-d", "Dra. López"]);
    let r = srv.get(
        &format!("/v1/reports?{q}&doctor=Dra.%20L%C3%B3pez"),
        &reports,
    );
    assert_eq!(r.json(), one);

    // The page: the file --html writes, as HTML a browser keeps to itself.
    let file = out_dir("served").join("report.html");
    let html = page_of(&env, &file, &cli);
    let r = srv.get(&format!("/reports?{q}"), &reports);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(r
        .header("content-security-policy")
        .is_some_and(|c| c.starts_with("default-src 'none'")));
    assert_eq!(r.body, html);

    // Without the scope: 403, naming it; reports:read reads nothing else.
    for path in ["/v1/reports", "/reports"] {
        let r = srv.get(&format!("{path}?{q}"), &reader);
        assert_eq!(
            (r.status, r.code()),
            (403, "INSUFFICIENT_SCOPE".into()),
            "{path}"
        );
        assert_eq!(r.json()["error"]["details"]["required"], "reports:read");
        let r = srv.call("GET", &format!("{path}?{q}"), None, None);
        assert_eq!((r.status, r.code()), (401, "UNAUTHORIZED".into()), "{path}");
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    }
    for path in ["/v1/appointments", "/v1/clinics", "/v1/recalls"] {
        let r = srv.get(path, &reports);
        assert_eq!(
            (r.status, r.code()),
            (403, "INSUFFICIENT_SCOPE".into()),
            "{path}"
        );
    }

    // A clinic's token: its own clinic's report, another named is missing.
    let own = format!("from={FROM}&to={TO}");
    let r = srv.get(&format!("/v1/reports?{own}"), &norte);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["clinic"]["name"], "Norte");
    assert_eq!(r.json()["sources"], serde_json::json!([]));
    assert_eq!(
        r.json(),
        env.ok(&["report", "-c", "Norte", "--from", FROM, "--to", TO])
    );
    for path in ["/v1/reports", "/reports"] {
        let r = srv.get(&format!("{path}?{own}&clinic=Central"), &norte);
        assert_eq!((r.status, r.code()), (404, "NOT_FOUND".into()), "{path}");
        assert!(!r.body.contains("Dra. López"), "{}", r.body);
    }
    let page = srv.get(&format!("/reports?{own}"), &norte);
    assert!(page.body.contains("Norte") && !page.body.contains("Dra. López"));
    // A bad date or an unknown parameter: as the command line says.
    let r = srv.get("/v1/reports?clinic=Central&from=someday", &reports);
    assert_eq!((r.status, r.code()), (400, "VALIDATION_ERROR".into()));
    let r = srv.get("/v1/reports?patient=x", &reports);
    assert_eq!((r.status, r.code()), (400, "VALIDATION_ERROR".into()));
}
