//! `appt feed` as JSON (docs/feeds.md): a feed as `feed list` and
//! `feed revoke` show it (never its token), and `feed add`'s document, the
//! only one that holds its address.

use crate::store::feeds::Feed;
use crate::wire::{opt_ts, to_json, ts};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
struct FeedView<'a> {
    name: &'a str,
    prefix: &'a str,
    clinic_id: &'a str,
    clinic: &'a str,
    doctor_id: Option<&'a str>,
    doctor: Option<&'a str>,
    show: &'static str,
    days_back: i64,
    days_ahead: i64,
    status: &'static str,
    created_at: String,
    revoked_at: Option<String>,
}

fn view(f: &Feed) -> FeedView<'_> {
    FeedView {
        name: &f.name,
        prefix: &f.prefix,
        clinic_id: &f.clinic_id,
        clinic: &f.clinic,
        doctor_id: f.doctor_id.as_deref(),
        doctor: f.doctor.as_deref(),
        show: f.show.as_str(),
        days_back: f.days_back,
        days_ahead: f.days_ahead,
        status: if f.revoked_at.is_some() {
            "revoked"
        } else {
            "active"
        },
        created_at: ts(f.created_at),
        revoked_at: opt_ts(f.revoked_at),
    }
}

/// A feed: `{"name","prefix","clinic_id","clinic","doctor_id","doctor",
/// "show","days_back","days_ahead","status","created_at","revoked_at"}`.
pub fn feed(f: &Feed) -> Value {
    to_json(view(f))
}

/// `feed add`: the feed, with `url` (the calendar's secret address) and
/// `caldav` (the collection's, whose password is the token in `url`).
pub fn feed_added(a: &crate::app::feed::Added) -> Value {
    #[derive(Serialize)]
    struct Added<'a> {
        #[serde(flatten)]
        feed: FeedView<'a>,
        url: &'a str,
        caldav: &'a str,
        token: &'a str,
    }
    to_json(Added {
        feed: view(&a.feed),
        url: &a.url,
        caldav: &a.dav,
        token: &a.token,
    })
}
