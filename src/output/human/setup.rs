//! A clinic's setup for humans: `clinic`, `doctor`, `service`, `window` and
//! `closure`, their tables and cards.

use super::{clean, or_dash, short};
use crate::core::resources::Resource;
use crate::core::time::{format_duration, format_hhmm, format_offset};
use crate::core::{Clinic, Doctor, Recurrence, Service, Window};
use crate::output::fit::{col, join, text, width, Item, Sheet, Step};
use crate::output::lang::{self, tr};

pub fn clinics(list: &[Clinic]) -> String {
    let mut t = Sheet::new(vec![
        text("Name", 12),
        col("Time zone"),
        col("Slot"),
        col("Notice"),
        col("Horizon"),
        col("Cancel"),
        text("Reminders", 9),
        col("Language"),
        col("ID"),
    ])
    .steps(&[
        Step::Drop("Language"),
        Step::Drop("Cancel"),
        Step::Drop("Reminders"),
        Step::Drop("Notice"),
        Step::Drop("Horizon"),
    ]);
    for c in list {
        let s = &c.settings;
        t.row(vec![
            clean(&c.name).into(),
            c.timezone.name().into(),
            format!("{}m", s.slot_minutes).into(),
            format_duration(s.min_notice).into(),
            format_duration(s.horizon).into(),
            format_duration(s.cancel_window).into(),
            reminders(&s.reminders).into(),
            s.language.as_str().into(),
            short(&c.id).into(),
        ]);
    }
    t.render()
}

/// `Added clinic Central (America/El_Salvador) 3f2a1b4c`
pub fn clinic_added(c: &Clinic) -> String {
    tr!(
        "h-clinic_added",
        name = clean(&c.name),
        zone = c.timezone.name(),
        id = short(&c.id)
    )
}

pub fn reminders(r: &[i64]) -> String {
    if r.is_empty() {
        tr!("word-none")
    } else {
        r.iter()
            .map(|m| format_offset(*m))
            .collect::<Vec<_>>()
            .join(",")
    }
}

pub fn clinic_card(c: &Clinic) -> String {
    let s = &c.settings;
    let onoff = lang::on_off;
    let labels = [
        "clinic-timezone",
        "clinic-slot",
        "clinic-notice",
        "clinic-horizon",
        "clinic-cancel",
        "clinic-reminders",
        "clinic-duplicates",
        "clinic-diagnosis",
        "clinic-notify",
        "clinic-country_code",
        "clinic-language",
        "clinic-date_order",
        "clinic-phone",
        "clinic-public_url",
        "clinic-retain_messages",
        "clinic-queue_order",
        "clinic-late_after",
        "clinic-payers",
        "clinic-video_url",
        "clinic-max_overbook",
        "clinic-online_booking",
        "clinic-slug",
        "clinic-web_horizon",
        "clinic-web_notice",
        "clinic-web_hold",
        "clinic-web_countries",
        "clinic-web_codes",
        "clinic-session_hours",
        "clinic-recalls",
    ];
    let pad = labels
        .iter()
        .map(|id| lang::t(id).chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let l = |id: &str, v: String| format!("  {:<pad$}{v}", lang::t(id));
    [
        join(
            &[
                // `Clínica Santa Lucía`, never `Clínica Clínica Santa Lucía`.
                if c.name
                    .to_lowercase()
                    .starts_with(&lang::t("h-clinic_word").to_lowercase())
                {
                    clean(&c.name)
                } else {
                    tr!("h-card_clinic", name = clean(&c.name))
                },
                format!(" ({})", c.id),
            ],
            width(),
        ),
        l("clinic-timezone", c.timezone.name().to_string()),
        l("clinic-slot", format!("{}m", s.slot_minutes)),
        l("clinic-notice", format_duration(s.min_notice)),
        l("clinic-horizon", format_duration(s.horizon)),
        l("clinic-cancel", format_duration(s.cancel_window)),
        l("clinic-reminders", reminders(&s.reminders)),
        l("clinic-duplicates", onoff(s.duplicate_check).to_string()),
        l("clinic-diagnosis", onoff(s.require_diagnosis).to_string()),
        l("clinic-notify", onoff(s.notify).to_string()),
        l(
            "clinic-country_code",
            s.country_code
                .as_deref()
                .map_or_else(|| lang::t("word-none").to_string(), str::to_string),
        ),
        l("clinic-language", s.language.as_str().to_string()),
        l(
            "clinic-date_order",
            lang::t(&format!("order-{}", s.date_order().as_str())).to_string(),
        ),
        l(
            "clinic-phone",
            s.phone
                .as_deref()
                .map_or_else(|| lang::t("word-none").to_string(), clean),
        ),
        l(
            "clinic-public_url",
            s.public_url
                .as_deref()
                .map_or_else(|| lang::t("word-none").to_string(), clean),
        ),
        l(
            "clinic-retain_messages",
            s.retain_messages
                .map_or_else(|| lang::t("word-forever").to_string(), format_duration),
        ),
        l(
            "clinic-queue_order",
            lang::t(&format!("queue_order-{}", s.queue_order.as_str())).to_string(),
        ),
        l("clinic-late_after", format_duration(s.late_after)),
        l(
            "clinic-payers",
            if s.payers.is_empty() {
                lang::t("word-none").to_string()
            } else {
                clean(&s.payers.join(", "))
            },
        ),
        l(
            "clinic-video_url",
            s.video_url
                .as_deref()
                .map_or_else(|| lang::t("word-none").to_string(), clean),
        ),
        l("clinic-max_overbook", s.max_overbook_per_day.to_string()),
        l("clinic-online_booking", onoff(s.online_booking).to_string()),
        // The page's address: under the public URL once there is one.
        l(
            "clinic-slug",
            clean(&format!(
                "{}{}",
                s.public_url.as_deref().unwrap_or_default(),
                s.page_path(&c.name)
            )),
        ),
        l("clinic-web_horizon", format_duration(s.web_horizon)),
        l("clinic-web_notice", format_duration(s.web_notice)),
        l("clinic-web_hold", format_duration(s.web_hold)),
        l(
            "clinic-web_countries",
            s.country_code
                .iter()
                .chain(&s.web_countries)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        ),
        l("clinic-web_codes", s.web_codes_per_hour.to_string()),
        l("clinic-session_hours", format!("{} h", s.session_hours)),
        l("clinic-recalls", onoff(s.recalls).to_string()),
    ]
    .into_iter()
    .chain(
        s.templates
            .iter()
            .map(|(kind, text)| format!("  {}", tr!("clinic-template", a = kind, b = clean(text)))),
    )
    .collect::<Vec<_>>()
    .join("\n")
}

/// The doctors, with the services each does by name (`services`: None
/// for every one); the column is shown only when some doctor is limited.
pub fn doctors(list: &[Doctor], services: impl Fn(&Doctor) -> Option<Vec<String>>) -> String {
    // Online only when the booking page offers a doctor: until then, a
    // column of "no" would cut the names.
    let online = list.iter().any(|d| d.online);
    let does: Vec<Option<Vec<String>>> = list.iter().map(&services).collect();
    let limited = does.iter().any(Option::is_some);
    let mut cols = vec![text("Name", 18), text("Specialty", 12)];
    if limited {
        cols.push(text("Services", 30));
    }
    cols.extend([col("Slot"), col("Per day"), col("Active")]);
    if online {
        cols.push(col("Online"));
    }
    cols.push(col("ID"));
    let mut t = Sheet::new(cols).steps(&[
        Step::Drop("Online"),
        Step::Drop("Per day"),
        Step::Drop("Slot"),
        Step::Drop("ID"),
        Step::Drop("Active"),
    ]);
    for (d, does) in list.iter().zip(does) {
        let mut row: Vec<Item> = vec![
            clean(&d.full_name).into(),
            or_dash(d.specialty.as_deref()).into(),
        ];
        if limited {
            row.push(service_names(does.as_deref()).into());
        }
        row.extend([
            d.slot_minutes
                .map(|m| format!("{m}m"))
                .unwrap_or_else(|| "—".into())
                .into(),
            per_day(d.max_per_day).into(),
            lang::yes_no(d.active).into(),
        ]);
        if online {
            row.push(lang::yes_no(d.online).into());
        }
        row.push(short(&d.id).into());
        t.row(row);
    }
    t.render()
}

/// The services, each with what it needs (docs/rules.md#rooms-and-equipment).
pub fn services(list: &[(Service, Vec<Vec<Resource>>)]) -> String {
    // Buffers only when a service has one: a column of dashes would cut the names.
    let buffered = list
        .iter()
        .any(|(s, _)| s.buffer_before > 0 || s.buffer_after > 0);
    // Online too, only when the booking page offers a service; needs when one needs a room.
    let online = list.iter().any(|(s, _)| s.online);
    let needing = list.iter().any(|(_, n)| !n.is_empty());
    let mut cols = vec![text("Name", 12), col("Minutes"), col("Per day")];
    if buffered {
        cols.push(col("Buffers"));
    }
    if online {
        cols.push(col("Online"));
    }
    if needing {
        cols.push(text("Needs", 10));
    }
    cols.push(col("ID"));
    let mut t = Sheet::new(cols).steps(&[
        Step::Drop("Online"),
        Step::Drop("Buffers"),
        Step::Drop("Per day"),
    ]);
    for (s, needs) in list {
        let mut row: Vec<Item> = vec![
            clean(&s.name).into(),
            s.duration_minutes.to_string().into(),
            per_day(s.max_per_day).into(),
        ];
        if buffered {
            row.push(buffers(s.buffer_before, s.buffer_after).into());
        }
        if online {
            row.push(lang::yes_no(s.online).into());
        }
        if needing {
            let shown = super::needs(needs);
            row.push(or_dash(Some(shown.as_str()).filter(|n| !n.is_empty())).into());
        }
        row.push(short(&s.id).into());
        t.row(row);
    }
    t.render()
}

/// A service's buffers in a table, before/after in minutes (`15/30`), or
/// `—` for none (docs/rules.md#buffers).
fn buffers(before: i64, after: i64) -> String {
    if before == 0 && after == 0 {
        "—".into()
    } else {
        format!("{before}/{after}")
    }
}

/// A daily limit in a table: the number, or `—` for none.
fn per_day(limit: Option<i64>) -> String {
    limit.map_or_else(|| "—".into(), |n| n.to_string())
}

/// `names` turns a doctor ID into a name.
/// The windows, with the services possible in each (`offers`: None when
/// any is, docs/rules.md#who-does-what). A column that would hold only
/// dashes (no session, no batch, no window limited to some services) is
/// left out rather than cutting the names.
pub fn windows(
    list: &[Window],
    names: impl Fn(&str) -> String,
    offers: impl Fn(&Window) -> Option<Vec<String>>,
) -> String {
    let offered: Vec<Option<Vec<String>>> = list.iter().map(&offers).collect();
    let limited = offered.iter().any(Option::is_some);
    let sessions = list.iter().any(|w| w.session.is_some());
    let batches = list.iter().any(|w| w.batch.is_some());
    // A name is cut only once every column that can go has gone.
    let mut cols = vec![text("Who", 18), col("When"), col("Hours")];
    if limited {
        cols.push(text("Services", 30));
    }
    cols.extend([col("Slot"), col("Cap")]);
    if sessions {
        cols.push(text("Session", 8));
    }
    if batches {
        cols.push(text("Batch", 5));
    }
    cols.extend([col("Valid"), col("Status"), col("ID")]);
    let mut t = Sheet::new(cols)
        // The slot length and the session say what a window is (a 20-minute
        // morning); they go last.
        .steps(&[
            Step::Drop("Batch"),
            Step::Drop("Valid"),
            Step::Drop("Cap"),
            Step::Drop("ID"),
            Step::Drop("Session"),
            Step::Drop("Slot"),
            Step::Drop("Status"),
        ]);
    for (w, offer) in list.iter().zip(offered) {
        let when = match &w.recurrence {
            Recurrence::Weekly(m) => lang::days(*m),
            Recurrence::Date(d) => d.to_string(),
        };
        let valid = match (w.valid_from, w.valid_to) {
            (None, None) => tr!("word-always"),
            (f, t) => format!(
                "{}…{}",
                f.map(|d| d.to_string()).unwrap_or_default(),
                t.map(|d| d.to_string()).unwrap_or_default()
            ),
        };
        let mut row: Vec<Item> = vec![
            w.doctor_id
                .as_deref()
                .map(|id| clean(&names(id)))
                .unwrap_or_else(|| tr!("h-clinic_wide"))
                .into(),
            when.into(),
            format!("{}–{}", format_hhmm(w.from), format_hhmm(w.to)).into(),
        ];
        if limited {
            row.push(service_names(offer.as_deref()).into());
        }
        row.extend([
            format!("{}m", w.slot_minutes).into(),
            w.capacity.to_string().into(),
        ]);
        if sessions {
            row.push(or_dash(w.session.as_deref()).into());
        }
        if batches {
            row.push(or_dash(w.batch.as_deref()).into());
        }
        row.extend([
            valid.into(),
            lang::t(if w.open { "word-open" } else { "word-closed" }).into(),
            short(&w.id).into(),
        ]);
        t.row(row);
    }
    t.render()
}

/// The services a doctor or window takes, by name: `all` for any
/// (None), `none` for an empty list.
pub fn service_names(names: Option<&[String]>) -> String {
    match names {
        None => tr!("word-all_services"),
        Some([]) => tr!("word-no_service"),
        Some(names) => names
            .iter()
            .map(|n| clean(n))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

pub fn closures(list: &[crate::app::closure::Closed]) -> String {
    let mut t = Sheet::new(vec![
        text("Who", 12),
        col("From"),
        col("To"),
        text("Reason", 10),
        col("ID"),
    ]);
    for c in list {
        t.row(vec![
            clean(&lang::message(&c.who)).into(),
            c.closure.from.to_string().into(),
            c.closure.to.to_string().into(),
            or_dash(c.closure.reason.as_deref()).into(),
            short(&c.closure.id).into(),
        ]);
    }
    t.render()
}

/// What `clinic update --all-online` put on the booking page: the doctors
/// and services named, or that all of them were on it already.
pub fn put_online(doctors: &[String], services: &[String]) -> String {
    let names = |all: &[String]| all.iter().map(|n| clean(n)).collect::<Vec<_>>().join(", ");
    match (doctors.is_empty(), services.is_empty()) {
        (true, true) => tr!("c-all_online_already"),
        _ => tr!(
            "c-put_online",
            doctors = doctors.len(),
            services = services.len(),
            names = names(&[doctors, services].concat())
        ),
    }
}
