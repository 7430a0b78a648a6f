//! `appt feed` for humans (docs/feeds.md): the new feed's address (shown
//! once), the list of feeds (never a token) and a revocation.

use super::clean;
use crate::output::fit::{col, text, Sheet, Step};
use crate::output::lang::tr;
use crate::store::feeds::Feed;

/// Whose visits a feed holds: the doctor's, or the whole clinic's.
fn whose(f: &Feed) -> String {
    match &f.doctor {
        Some(d) => clean(d),
        None => tr!("h-feed_whole_clinic", clinic = clean(&f.clinic)),
    }
}

fn shows(f: &Feed) -> String {
    tr!(&format!("h-feed_show_{}", f.show.as_str()))
}

/// `feed add`: whose visits, how they show, then the address alone on a
/// line (shown this once) and the CalDAV account's.
pub fn feed_added(a: &crate::app::feed::Added, qr: bool) -> String {
    let f = &a.feed;
    let width = crate::output::fit::width();
    let said = [
        tr!(
            "h-feed_added",
            name = clean(&f.name),
            whose = whose(f),
            back = f.days_back,
            ahead = f.days_ahead
        ),
        tr!("h-feed_shows", shows = f.show.as_str()),
        tr!("h-feed_shown_once"),
    ]
    .join("\n");
    // The address alone on its line, whole: it is copied as it is.
    let mut out = format!(
        "{}\n{}\n{}",
        crate::output::fit::wrap_lines(&said, width),
        a.url,
        crate::output::fit::wrap_lines(&tr!("h-feed_caldav", url = a.dav.clone()), width)
    );
    if qr {
        out.push_str("\n\n");
        out.push_str(&qr_code(&a.url));
        out.push_str(&tr!("h-feed_qr"));
    }
    out
}

/// `text` as a QR code drawn with half blocks (two rows of modules a line),
/// its quiet zone included: light modules as `█`, as `qrencode -t UTF8`
/// draws them for a terminal's dark background. A phone's camera reads it
/// off the screen.
fn qr_code(text: &str) -> String {
    use qrcode::render::unicode::Dense1x2;
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let mut drawn = code
                .render::<Dense1x2>()
                .dark_color(Dense1x2::Light)
                .light_color(Dense1x2::Dark)
                .quiet_zone(true)
                .build();
            drawn.push('\n');
            drawn
        }
        // An address too long for any QR code: the address above stands.
        Err(_) => String::new(),
    }
}

/// `feed list`: every feed, revoked ones too.
pub fn feeds(all: &[Feed]) -> String {
    if all.is_empty() {
        return tr!("h-no_feeds");
    }
    let mut t = Sheet::new(vec![
        text("Name", 8),
        col("Prefix"),
        text("Doctor", 8),
        text("Clinic", 8),
        col("Patient"),
        col("Days"),
        col("Created"),
        col("Status"),
    ])
    .steps(&[Step::Drop("Created"), Step::Drop("Clinic")]);
    for f in all {
        t.row(vec![
            clean(&f.name).into(),
            clean(&f.prefix).into(),
            whose(f).into(),
            clean(&f.clinic).into(),
            shows(f).into(),
            format!("-{} +{}", f.days_back, f.days_ahead).into(),
            crate::core::time::fmt_utc(f.created_at).into(),
            match f.revoked_at {
                Some(_) => tr!("h-token_revoked"),
                None => tr!("h-token_active"),
            }
            .into(),
        ]);
    }
    t.render()
}

/// `feed revoke`.
pub fn feed_revoked(f: &Feed) -> String {
    tr!(
        "c-feed_revoked",
        name = clean(&f.name),
        prefix = clean(&f.prefix)
    )
}
