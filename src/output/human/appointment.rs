//! Appointments for humans: the one-line confirmation of a booking, a move
//! or a cancellation, the table of `list`, a series, the card of `show`,
//! `history`, and what `import` booked.

use super::{clean, clean_lines, label, or_dash, patient_of, short, span, status_item, when};
use crate::core::time::{local_hm, to_local};
use crate::core::{Appointment, Status};
use crate::output::fit::{col, join, text, width, wrap, Item, Sheet, Step};
use crate::output::lang::{self, tr};
use crate::output::phone::shown;

pub(super) fn who(a: &Appointment) -> String {
    match (&a.doctor_name, &a.service_name) {
        (Some(d), _) => clean(d),
        (None, Some(s)) => tr!("h-clinic_wide_service", service = clean(s)),
        (None, None) => tr!("h-clinic_wide"),
    }
}

/// `Booked 3f2a1b4c: Juan Pérez with Dr. García, Mon 15 Jun 2026 14:00–14:30, token 3`
/// (Broken between its parts, never inside a date or time, where it would
/// pass the width.)
pub fn confirm(verb: &lang::Msg, a: &Appointment) -> String {
    join(
        &[
            tr!(
                "h-confirm_who",
                verb = lang::message(verb),
                id = short(&a.id),
                patient = patient_of(a),
                doctor = who(a)
            ),
            format!("{},", when(a)),
            tr!(
                "h-confirm_token",
                token = a.token_number,
                status = lang::status(a.status)
            ),
        ],
        width(),
    )
}

pub fn appointments(list: &[Appointment]) -> String {
    if list.is_empty() {
        return tr!("h-no_appointments");
    }
    let mut t = Sheet::new(vec![
        col("Date"),
        col("Time").short("Start"),
        col("Tok"),
        text("Patient", 12),
        col("Phone"),
        text("Doctor", 12),
        text("Service", 10),
        col("Status"),
        col("ID"),
    ])
    .steps(&[
        Step::Drop("Phone"),
        Step::Drop("Service"),
        Step::Drop("Tok"),
        Step::Short("Time"),
        Step::Short("Date"),
    ]);
    for a in list {
        t.row(vec![
            Item::new(lang::date_short(a.local_date)).or_short(lang::day_short(a.local_date)),
            span(a.timezone, a.starts_at, a.ends_at),
            format!("{}{}", a.token_number, super::marks(a)).into(),
            patient_of(a).into(),
            clean(&shown(&a.patient_phone)).into(),
            who(a).into(),
            or_dash(a.service_name.as_deref()).into(),
            status_item(a.status),
            short(&a.id).into(),
        ]);
    }
    t.render()
}

/// `list`'s page: the table, and which page of how many when there are
/// several (`Página 1 de 3 (120 citas)`).
pub fn appointments_page(list: &[Appointment], (total, page, limit): (i64, i64, i64)) -> String {
    let mut text = appointments(list);
    let pages = (total + limit - 1) / limit.max(1);
    if pages > 1 {
        text.push_str(&format!(
            "\n{}",
            tr!("h-page_of", page = page, pages = pages, total = total)
        ));
    }
    text
}

/// `count --by`: each group in words (a doctor by name), its count, and
/// the total.
pub fn count_groups(c: &crate::app::list::Counted) -> String {
    let by = c.by.map_or("", |b| b.as_str());
    let header = match by {
        "urgency" => "Urgency",
        "modality" => "Modality",
        "visit_type" => "Visit",
        "payer" => "Payer",
        _ => "Doctor",
    };
    let mut t = Sheet::new(vec![text(header, 12), col("Count")]);
    for g in &c.groups {
        let shown = match (&g.key, &g.name) {
            (_, Some(name)) => clean(name),
            (None, None) => tr!("h-count_none"),
            (Some(k), None) if by == "payer" => clean(k),
            (Some(k), None) => lang::t(&format!("{by}-{k}")).to_string(),
        };
        t.row(vec![shown.into(), g.count.to_string().into()]);
    }
    t.row(vec![tr!("h-total").into(), c.count.to_string().into()]);
    t.render()
}

/// A series booked, moved or cancelled (docs/rules.md#series): `verb` says
/// which (`Booked`, `Rescheduled`, `Cancelled`); its occurrences, then the
/// ones left out and why.
pub fn series(
    verb: &lang::Msg,
    series_id: &str,
    list: &[Appointment],
    skipped: &[crate::app::series::Skipped],
) -> String {
    let n = list.len();
    let id = short(series_id);
    let mut text = match &*verb.id {
        "v-cancelled" => tr!("h-series_cancelled", n = n, id = id),
        "v-rescheduled" => tr!("h-series_rescheduled", n = n, id = id),
        _ => tr!("h-series_booked", n = n, id = id),
    };
    text.push('\n');
    text.push_str(&appointments(list));
    if !skipped.is_empty() {
        text.push_str(&format!("\n{}", tr!("h-series_skipped")));
        for s in skipped {
            text.push_str(&format!(
                "\n  {}  {}: {}",
                s.date,
                s.error.code.as_str(),
                clean(&lang::message(&s.error.msg))
            ));
        }
    }
    text
}

pub fn appointment_card<'a>(a: &'a Appointment) -> String {
    let w = width();
    let mut lines = vec![
        tr!(
            "h-card_appointment",
            id = a.id,
            status = lang::status(a.status)
        ),
        format!("{}{} ({})", label("card-When"), when(a), a.timezone.name()),
        wrap(&label("card-Clinic"), &clean(&a.clinic_name), w),
        wrap(&label("card-Doctor"), &who(a), w),
        wrap(
            &label("card-Patient"),
            &format!("{} {}", patient_of(a), clean(&shown(&a.patient_phone))),
            w,
        ),
        wrap(
            &label("card-Service"),
            &or_dash(a.service_name.as_deref()),
            w,
        ),
        format!("{}{}", label("card-Token"), a.token_number),
        wrap(&label("card-Source"), &clean(&a.source), w),
        format!(
            "{}{}",
            label("card-Urgency"),
            lang::t(&format!("urgency-{}", a.urgency.as_str()))
        ),
        format!(
            "{}{}",
            label("card-Modality"),
            lang::t(&format!("modality-{}", a.modality.as_str()))
        ),
        format!(
            "{}{}",
            label("card-Visit"),
            lang::t(&format!("visit_type-{}", a.visit_type.as_str()))
        ),
    ];
    let clinical = crate::output::reader::shows_clinical(a, false);
    let hidden = |v: Option<&'a str>| v.filter(|_| clinical);
    let optional = [
        ("card-Session", a.session.as_deref()),
        ("card-Batch", a.batch.as_deref()),
        ("card-Reason", a.reason.as_deref()),
        ("card-Notes", a.notes.as_deref()),
        ("card-Diagnosis", hidden(a.diagnosis.as_deref())),
        ("card-Rx", hidden(a.prescription.as_deref())),
        ("card-Cancelled", a.cancellation_reason.as_deref()),
        ("card-Ext_ref", a.external_reference_id.as_deref()),
        ("card-Series", a.series_id.as_deref()),
        ("card-Payer", a.payer.as_deref()),
    ];
    for (id, v) in optional {
        if let Some(v) = v {
            lines.push(wrap(&label(id), &clean_lines(v), w));
        }
    }
    if let Some(d) = a.follow_up_date.filter(|_| clinical) {
        lines.push(format!("{}{d}", label("card-Follow-up")));
    }
    if let Some(o) = &a.overbooked {
        let said = tr!(
            "card-overbooked_value",
            reason = clean_lines(&o.reason),
            by = actor_words(&o.by),
            rule = lang::t(&format!("overbook_rule-{}", o.rule)).to_string()
        );
        lines.push(wrap(&label("card-Overbooked"), &said, w));
    }
    lines.join("\n")
}

/// `history`: an appointment's events, oldest first, and who made each
/// (docs/rules.md#events; `—` for events recorded before appt named them).
pub fn history(h: &crate::app::list::History) -> String {
    let (appt, evs) = (&h.appointment, &h.events);
    let mut t = Sheet::new(vec![
        col("#"),
        col("When"),
        col("Event"),
        col("Status"),
        col("Start"),
        // Who: `cli:` and a login name of up to ten letters stay whole.
        text("By", 14),
    ])
    .steps(&[
        Step::Short("Event"),
        Step::Short("When"),
        Step::Short("Start"),
        // The event's type mostly says it already.
        Step::Drop("Status"),
    ]);
    for e in evs {
        let (d, hm) = (
            to_local(appt.timezone, e.created_at).0,
            local_hm(appt.timezone, e.created_at),
        );
        let obj = &e.data["appointment"];
        // An offer's start is the slot it offered (docs/rules.md#the-waitlist).
        let (date, start) = match e.data.get("waitlist") {
            Some(_) => (&e.data["date"], &e.data["time"]),
            None => (&obj["date"], &obj["start_time"]),
        };
        let (date, start) = (date.as_str().unwrap_or(""), start.as_str().unwrap_or(""));
        let parsed = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d");
        let short_date = parsed.map_or_else(|_| date.to_string(), lang::day_month);
        let date = parsed.map_or_else(|_| date.to_string(), lang::date_short);
        t.row(vec![
            e.id.to_string().into(),
            Item::new(format!("{} {hm}", lang::date_short(d)))
                .or_short(format!("{} {hm}", lang::day_month(d))),
            Item::new(lang::t(&format!(
                "event-{}",
                e.kind.as_str().replace('.', "-")
            )))
            .or_short(lang::t(&format!(
                "event-short-{}",
                e.kind.as_str().replace('.', "-")
            ))),
            obj["status"]
                .as_str()
                .and_then(Status::parse)
                .map_or("", lang::status)
                .into(),
            Item::new(format!("{date} {start}")).or_short(format!("{short_date} {start}")),
            match (e.actor.as_deref(), e.os_user.as_deref()) {
                (Some(a), Some(os)) => {
                    Item::new(tr!("actor-at", who = actor_words(a), account = clean(os)))
                        .or_short(actor_words(a))
                }
                (Some(a), None) => actor(a),
                (None, _) => or_dash(None).into(),
            },
        ]);
    }
    let mut out = format!(
        "{}\n{}",
        tr!(
            "h-history",
            id = short(&appt.id),
            patient = patient_of(appt)
        ),
        t.render()
    );
    if !h.messages.is_empty() {
        let ms: Vec<_> = h
            .messages
            .iter()
            .map(|m| (&m.message, appt.timezone))
            .collect();
        out.push_str("\n\n");
        out.push_str(&messages(&ms));
    }
    out
}

/// Messages, each with its visit's zone (under an appointment's history, on
/// a patient's card): when each went (or is due), what it is, its status
/// with the providers' receipts (`delivered`, `read`) and the channel it
/// went through.
pub(super) fn messages(
    ms: &[(&crate::store::reminders::Reminder, crate::core::zone::Tz)],
) -> String {
    let mut t = Sheet::new(vec![
        col("When"),
        col("Message"),
        col("Status"),
        text("From", 8),
    ])
    .steps(&[Step::Drop("From")]);
    for &(m, zone) in ms {
        let at = m
            .read_at
            .or(m.delivered_at)
            .or(m.sent_at)
            .unwrap_or(m.due_at);
        let (d, hm) = (to_local(zone, at).0, local_hm(zone, at));
        t.row(vec![
            Item::new(format!("{} {hm}", lang::date_short(d)))
                .or_short(format!("{} {hm}", lang::day_month(d))),
            super::messages::message_kind(m),
            lang::t(&format!("reminder-{}", crate::wire::message_status(m))).into(),
            m.channel
                .as_deref()
                .map_or_else(|| or_dash(None).into(), |c| clean(c).into()),
        ]);
    }
    format!("{}\n{}", tr!("h-history_messages"), t.render())
}

/// `import`: what was booked, and each rejected line with its code.
pub fn imported(done: &crate::app::import::Imported, dry_run: bool) -> String {
    let mut out = tr!(
        if dry_run {
            "h-import_dry"
        } else {
            "h-imported"
        },
        booked = done.booked,
        again = done.idempotent,
        rejected = done.rejected_count
    );
    // Each rejected line fits the width, its words carried on under it.
    let width = width();
    for r in &done.rejected {
        let line = tr!(
            "h-import_line",
            line = r.line,
            code = r.error.code.as_str(),
            message = clean(&lang::message(&r.error.msg))
        );
        out.push('\n');
        out.push_str(&wrap("  ", &line, width));
    }
    let untold = done.rejected_count - done.rejected.len();
    if untold > 0 {
        out.push_str(&format!(
            "\n  {}",
            tr!("h-import_untold", n = untold, shown = done.rejected.len())
        ));
    }
    out
}

/// Who made a change, in words (docs/rules.md#events): a command run at
/// the desk by its OS user's name alone (`cli:ana` is `ana`), a member of
/// staff signed in by their name (`staff:Marta` is `Marta`), the others
/// said (`board (ana)`, `API (bot)`, `appt`); JSON keeps what is stored.
fn actor(stored: &str) -> Item {
    Item::new(actor_words(stored))
}

/// [`actor`]'s words.
pub(super) fn actor_words(stored: &str) -> String {
    let who = |prefix: &str| stored.strip_prefix(prefix).map(clean);
    if let Some(user) = who("cli:") {
        user
    } else if let Some(name) = who("staff:") {
        name
    } else if let Some(user) = who("board:") {
        tr!("actor-board", who = user)
    } else if let Some(token) = who("api:") {
        tr!("actor-api", who = token)
    } else {
        match stored {
            "import" => tr!("actor-import"),
            "system" => tr!("actor-system"),
            "patient" => tr!("actor-patient"),
            other => clean(other),
        }
    }
}
