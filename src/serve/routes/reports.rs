//! A clinic's report over HTTP (docs/api.md#reports), for a token with
//! `reports:read`: `GET /v1/reports`, `appt report --json`'s document, and
//! `GET /reports`, `appt report --html`'s page. A token limited to a
//! clinic reads its own clinic's report; another clinic named is as missing.

use super::{Answer, Call, Caller};
use crate::app::report::{self, ReportRequest};
use crate::app::Store;
use crate::error::Result;
use crate::output::{json, report_page};

/// The query both routes read: `appt report`'s flags.
fn request(st: &mut Store, call: &Call, who: &Caller) -> Result<report::Report> {
    let mut q = call.query();
    let named = q.text("clinic");
    let mut req = ReportRequest {
        clinic: None,
        from: q.text("from"),
        to: q.text("to"),
        doctor: q.text("doctor"),
        service: q.text("service"),
        month: q.text("month"),
    };
    q.finish()?;
    req.clinic = who.clinic(st, named)?;
    report::report(st, &req, who.now)
}

/// `GET /v1/reports`: `appt report --json`.
pub(super) fn figures(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let r = request(st, call, who)?;
    Ok(Answer::ok(json::report(&r)))
}

/// `GET /reports`: `appt report --html`'s page.
pub(super) fn page(st: &mut Store, call: &Call, who: &Caller) -> Result<Answer> {
    let r = request(st, call, who)?;
    Ok(Answer::html(200, report_page::page(&r)))
}
