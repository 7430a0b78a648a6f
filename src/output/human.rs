//! Human output: comfy-table tables, a card for `show`, one-line confirmations.
//! Times are shown in the clinic's local time.

use super::fit::{col, ellipsis, join, text, width, wrap, Item, Sheet, Step};
use super::lang::{self, tr};
use crate::app::agenda::Agenda;
use crate::app::slots::{DaySlots, Slot};
use crate::core::time::{format_duration, format_hhmm, format_offset, local_hm, to_local};
use crate::core::{Appointment, Clinic, Doctor, Patient, Recurrence, Service, Status, Window};
use comfy_table::Color;
use std::io::IsTerminal;

/// Stored text as a terminal may show it, on one line: control characters
/// (escape sequences, bells, carriage returns, line feeds, C1 codes) become
/// visible pictures (`␛`, `␇`, `␍`, `␤`), and characters that reorder or hide
/// text (bidirectional overrides and isolates, zero-width spaces, line and
/// paragraph separators) become `�` or `␤`, so a name can never drive the
/// terminal, spoof what is shown beside it or break a table or card.
pub fn clean(s: &str) -> String {
    s.chars().map(picture).collect()
}

/// Like [`clean`], for free text that may run over several lines (notes, a
/// diagnosis): its line breaks (`\n`, or `\r\n`) stay, and everything else
/// is neutralised as [`clean`] does.
pub fn clean_lines(s: &str) -> String {
    s.split('\n')
        .map(|line| clean(line.strip_suffix('\r').unwrap_or(line)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn picture(c: char) -> char {
    match c {
        '\t' => ' ',
        '\n' | '\u{2028}' | '\u{2029}' => '\u{2424}',
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
        '\u{7f}' => '\u{2421}',
        '\u{80}'..='\u{9f}' => '\u{fffd}',
        '\u{200b}' | '\u{feff}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => '\u{fffd}',
        // The bidi marks (left-to-right, right-to-left, Arabic letter).
        '\u{200e}' | '\u{200f}' | '\u{061c}' => '\u{fffd}',
        _ => c,
    }
}

/// The last line of defence for everything printed for humans: every control
/// character neutralised as [`clean`] does, except the line feeds between
/// lines and, when `colour` is on, the SGR colour sequences (`ESC [ … m`)
/// that appt itself puts around statuses. Stored text is cleaned before it
/// gets here, so those are appt's own.
pub fn neutralise(text: &str, colour: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}' && colour {
            if let Some(len) = sgr_len(rest) {
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
        }
        out.push(if c == '\n' { c } else { picture(c) });
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The length of the `ESC [ digits;… m` sequence `s` starts with, if it does.
fn sgr_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix("\u{1b}[")?;
    let n = body
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    (body.as_bytes().get(n) == Some(&b'm')).then_some(2 + n + 1)
}

pub fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// Whether human output may be coloured: a terminal, and `NO_COLOR` unset.
pub fn colour() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

/// A status, coloured when colour is on.
pub fn status_item(s: Status) -> Item {
    let colour = colour().then_some(match s {
        Status::Scheduled => Color::Blue,
        Status::Confirmed => Color::Cyan,
        Status::CheckedIn | Status::InProgress => Color::Yellow,
        Status::Completed => Color::Green,
        Status::Cancelled | Status::NoShow => Color::Red,
    });
    Item::new(lang::status(s)).colour(colour)
}

/// `14:00–14:30`, or `14:00` where the column is short.
fn span(
    tz: crate::core::zone::Tz,
    start: chrono::DateTime<chrono::Utc>,
    end: chrono::DateTime<chrono::Utc>,
) -> Item {
    let from = local_hm(tz, start);
    Item::new(format!("{from}–{}", local_hm(tz, end))).or_short(from)
}

/// `Mon 15 Jun 2026 14:00–14:30`, or `2026-06-15 14:00` where the column is short.
fn when_item(a: &Appointment) -> Item {
    Item::new(when(a)).or_short(format!(
        "{} {}",
        a.local_date,
        local_hm(a.timezone, a.starts_at)
    ))
}

/// The visit a message is about, as [`when_item`] shows it: a waitlist
/// offer's offered slot (docs/rules.md#the-waitlist), never the time of the
/// appointment that freed it, which may have moved since (a receptionist
/// calling from the table would offer a taken time); else its appointment's.
fn message_when(r: &crate::store::reminders::Reminder, a: &Appointment) -> Item {
    if r.offer().is_none() {
        return when_item(a);
    }
    let Some(slot) = r.offered_slot(a) else {
        return "—".into();
    };
    let tz = slot.timezone;
    let (date, from) = (to_local(tz, slot.start).0, local_hm(tz, slot.start));
    Item::new(format!(
        "{} {from}–{}",
        lang::date_short(date),
        local_hm(tz, slot.end)
    ))
    .or_short(format!("{date} {from}"))
}

/// A card's label, padded: `  Doctor    `.
fn label(id: &str) -> String {
    format!("  {:<10}", lang::t(id))
}

fn or_dash(s: Option<&str>) -> String {
    clean(s.filter(|s| !s.is_empty()).unwrap_or("—"))
}

/// `Mon 15 Jun 2026 14:00–14:30`
pub fn when(a: &Appointment) -> String {
    format!(
        "{} {}–{}",
        lang::date_short(a.local_date),
        local_hm(a.timezone, a.starts_at),
        local_hm(a.timezone, a.ends_at)
    )
}

fn who(a: &Appointment) -> String {
    match (&a.doctor_name, &a.service_name) {
        (Some(d), _) => clean(d),
        (None, Some(s)) => tr!("h.clinic_wide_service", service = clean(s)),
        (None, None) => tr!("h.clinic_wide"),
    }
}

/// `Booked 3f2a1b4c: Juan Pérez with Dr. García, Mon 15 Jun 2026 14:00–14:30, token 3`
/// (Broken between its parts, never inside a date or time, where it would
/// pass the width.)
pub fn confirm(verb: &str, a: &Appointment) -> String {
    join(
        &[
            tr!(
                "h.confirm_who",
                verb = lang::message(verb),
                id = short(&a.id),
                patient = clean(&a.patient_name),
                doctor = who(a)
            ),
            format!("{},", when(a)),
            tr!(
                "h.confirm_token",
                token = a.token_number,
                status = lang::status(a.status)
            ),
        ],
        width(),
    )
}

pub fn appointments(list: &[Appointment]) -> String {
    if list.is_empty() {
        return tr!("h.no_appointments");
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
    ]);
    for a in list {
        t.row(vec![
            a.local_date.to_string().into(),
            span(a.timezone, a.starts_at, a.ends_at),
            a.token_number.to_string().into(),
            clean(&a.patient_name).into(),
            clean(&a.patient_phone).into(),
            who(a).into(),
            or_dash(a.service_name.as_deref()).into(),
            status_item(a.status),
            short(&a.id).into(),
        ]);
    }
    t.render()
}

/// A series booked, moved or cancelled (docs/rules.md#series): `verb` says
/// which (`Booked`, `Rescheduled`, `Cancelled`); its occurrences, then the
/// ones left out and why.
pub fn series(
    verb: &str,
    series_id: &str,
    list: &[Appointment],
    skipped: &[crate::app::series::Skipped],
) -> String {
    let n = list.len();
    let id = short(series_id);
    let mut text = match verb {
        "Cancelled" => tr!("h.series_cancelled", n = n, id = id),
        "Rescheduled" => tr!("h.series_rescheduled", n = n, id = id),
        _ => tr!("h.series_booked", n = n, id = id),
    };
    text.push('\n');
    text.push_str(&appointments(list));
    if !skipped.is_empty() {
        text.push_str(&format!("\n{}", tr!("h.series_skipped")));
        for s in skipped {
            text.push_str(&format!(
                "\n  {}  {}: {}",
                s.date,
                s.error.code.as_str(),
                clean(&lang::message(&s.error.message))
            ));
        }
    }
    text
}

pub fn appointment_card(a: &Appointment) -> String {
    let w = width();
    let mut lines = vec![
        tr!(
            "h.card_appointment",
            id = a.id,
            status = lang::status(a.status)
        ),
        format!("{}{} ({})", label("card.When"), when(a), a.timezone.name()),
        wrap(&label("card.Clinic"), &clean(&a.clinic_name), w),
        wrap(&label("card.Doctor"), &who(a), w),
        wrap(
            &label("card.Patient"),
            &format!("{} {}", clean(&a.patient_name), clean(&a.patient_phone)),
            w,
        ),
        wrap(
            &label("card.Service"),
            &or_dash(a.service_name.as_deref()),
            w,
        ),
        format!("{}{}", label("card.Token"), a.token_number),
        wrap(&label("card.Source"), &clean(&a.source), w),
    ];
    let optional = [
        ("card.Session", a.session.as_deref()),
        ("card.Batch", a.batch.as_deref()),
        ("card.Reason", a.reason.as_deref()),
        ("card.Notes", a.notes.as_deref()),
        ("card.Diagnosis", a.diagnosis.as_deref()),
        ("card.Rx", a.prescription.as_deref()),
        ("card.Cancelled", a.cancellation_reason.as_deref()),
        ("card.Ext_ref", a.external_reference_id.as_deref()),
        ("card.Series", a.series_id.as_deref()),
    ];
    for (id, v) in optional {
        if let Some(v) = v {
            lines.push(wrap(&label(id), &clean_lines(v), w));
        }
    }
    if let Some(d) = a.follow_up_date {
        lines.push(format!("{}{d}", label("card.Follow-up")));
    }
    lines.join("\n")
}

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
        "h.clinic_added",
        name = clean(&c.name),
        zone = c.timezone.name(),
        id = short(&c.id)
    )
}

pub fn reminders(r: &[i64]) -> String {
    if r.is_empty() {
        tr!("word.none")
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
        "clinic.timezone",
        "clinic.slot",
        "clinic.notice",
        "clinic.horizon",
        "clinic.cancel",
        "clinic.reminders",
        "clinic.duplicates",
        "clinic.diagnosis",
        "clinic.notify",
        "clinic.country_code",
        "clinic.language",
        "clinic.phone",
        "clinic.public_url",
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
                tr!("h.card_clinic", name = clean(&c.name)),
                format!(" ({})", c.id),
            ],
            width(),
        ),
        l("clinic.timezone", c.timezone.name().to_string()),
        l("clinic.slot", format!("{}m", s.slot_minutes)),
        l("clinic.notice", format_duration(s.min_notice)),
        l("clinic.horizon", format_duration(s.horizon)),
        l("clinic.cancel", format_duration(s.cancel_window)),
        l("clinic.reminders", reminders(&s.reminders)),
        l("clinic.duplicates", onoff(s.duplicate_check).to_string()),
        l("clinic.diagnosis", onoff(s.require_diagnosis).to_string()),
        l("clinic.notify", onoff(s.notify).to_string()),
        l(
            "clinic.country_code",
            s.country_code
                .as_deref()
                .map_or_else(|| lang::t("word.none").to_string(), str::to_string),
        ),
        l("clinic.language", s.language.as_str().to_string()),
        l(
            "clinic.phone",
            s.phone
                .as_deref()
                .map_or_else(|| lang::t("word.none").to_string(), clean),
        ),
        l(
            "clinic.public_url",
            s.public_url
                .as_deref()
                .map_or_else(|| lang::t("word.none").to_string(), clean),
        ),
    ]
    .into_iter()
    .chain(
        s.templates
            .iter()
            .map(|(kind, text)| format!("  {}", tr!("clinic.template", a = kind, b = clean(text)))),
    )
    .collect::<Vec<_>>()
    .join("\n")
}

pub fn doctors(list: &[Doctor]) -> String {
    let mut t = Sheet::new(vec![
        text("Name", 14),
        text("Specialty", 12),
        col("Slot"),
        col("Per day"),
        col("Active"),
        col("ID"),
    ])
    .steps(&[Step::Drop("Per day"), Step::Drop("Slot")]);
    for d in list {
        t.row(vec![
            clean(&d.full_name).into(),
            or_dash(d.specialty.as_deref()).into(),
            d.slot_minutes
                .map(|m| format!("{m}m"))
                .unwrap_or_else(|| "—".into())
                .into(),
            per_day(d.max_per_day).into(),
            lang::yes_no(d.active).into(),
            short(&d.id).into(),
        ]);
    }
    t.render()
}

pub fn services(list: &[Service]) -> String {
    // Buffers only when a service has one: a column of dashes would cut the names.
    let buffered = list
        .iter()
        .any(|s| s.buffer_before > 0 || s.buffer_after > 0);
    let mut cols = vec![text("Name", 12), col("Minutes"), col("Per day")];
    if buffered {
        cols.push(col("Buffers"));
    }
    cols.push(col("ID"));
    let mut t = Sheet::new(cols).steps(&[Step::Drop("Buffers"), Step::Drop("Per day")]);
    for s in list {
        let mut row: Vec<Item> = vec![
            clean(&s.name).into(),
            s.duration_minutes.to_string().into(),
            per_day(s.max_per_day).into(),
        ];
        if buffered {
            row.push(buffers(s.buffer_before, s.buffer_after).into());
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
pub fn windows(list: &[Window], names: impl Fn(&str) -> String) -> String {
    let mut t = Sheet::new(vec![
        text("Who", 12),
        col("When"),
        col("Hours"),
        col("Slot"),
        col("Cap"),
        text("Session", 8),
        text("Batch", 5),
        col("Valid"),
        col("Status"),
        col("ID"),
    ])
    .steps(&[
        Step::Drop("Batch"),
        Step::Drop("Session"),
        Step::Drop("Slot"),
        Step::Drop("Cap"),
        Step::Drop("Valid"),
    ]);
    for w in list {
        let when = match &w.recurrence {
            Recurrence::Weekly(m) => lang::days(*m),
            Recurrence::Date(d) => d.to_string(),
        };
        let valid = match (w.valid_from, w.valid_to) {
            (None, None) => tr!("word.always"),
            (f, t) => format!(
                "{}…{}",
                f.map(|d| d.to_string()).unwrap_or_default(),
                t.map(|d| d.to_string()).unwrap_or_default()
            ),
        };
        t.row(vec![
            w.doctor_id
                .as_deref()
                .map(|id| clean(&names(id)))
                .unwrap_or_else(|| tr!("h.clinic_wide"))
                .into(),
            when.into(),
            format!("{}–{}", format_hhmm(w.from), format_hhmm(w.to)).into(),
            format!("{}m", w.slot_minutes).into(),
            w.capacity.to_string().into(),
            or_dash(w.session.as_deref()).into(),
            or_dash(w.batch.as_deref()).into(),
            valid.into(),
            lang::t(if w.open { "word.open" } else { "word.closed" }).into(),
            short(&w.id).into(),
        ]);
    }
    t.render()
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
            clean(&c.who).into(),
            c.closure.from.to_string().into(),
            c.closure.to.to_string().into(),
            or_dash(c.closure.reason.as_deref()).into(),
            short(&c.closure.id).into(),
        ]);
    }
    t.render()
}

pub fn patients(list: &[Patient]) -> String {
    if list.is_empty() {
        return tr!("h.no_patients");
    }
    let mut t = Sheet::new(vec![
        text("Name", 14),
        col("Phone"),
        text("National ID", 11),
        text("Email", 12),
        col("No-shows"),
        col("ID"),
    ])
    .steps(&[Step::Drop("Email"), Step::Drop("National ID")]);
    for p in list {
        t.row(vec![
            clean(&p.full_name).into(),
            clean(&p.phone).into(),
            national_id(p).into(),
            or_dash(p.email.as_deref()).into(),
            p.no_show_count.to_string().into(),
            short(&p.id).into(),
        ]);
    }
    t.render()
}

fn national_id(p: &Patient) -> String {
    if p.national_id_unreadable {
        tr!("h.unreadable")
    } else {
        or_dash(p.national_id.as_deref())
    }
}

pub fn patient_card(p: &Patient) -> String {
    [
        join(
            &[
                tr!("h.card_patient", name = clean(&p.full_name)),
                format!(" ({})", p.id),
            ],
            width(),
        ),
        format!("  {:<13}{}", lang::t("patient.phone"), clean(&p.phone)),
        format!("  {:<13}{}", lang::t("patient.national_id"), national_id(p)),
        format!(
            "  {:<13}{}",
            lang::t("patient.email"),
            or_dash(p.email.as_deref())
        ),
        format!("  {:<13}{}", lang::t("patient.no_shows"), p.no_show_count),
    ]
    .join("\n")
}

/// `appt key rotate`: the new key's version, what was sealed again, and where
/// the key is (with `$APPT_KEY`: the key itself, to be stored now).
pub fn key_rotated(r: &crate::app::key::Rotated) -> String {
    let ids = |n: u64| {
        if n == 1 {
            tr!("h.national_ids_one", n = n)
        } else {
            tr!("h.national_ids", n = n)
        }
    };
    let mut lines = Vec::new();
    match (&r.key, &r.key_file) {
        (Some(key), _) => {
            lines.push(tr!("h.key_new", version = r.version));
            lines.push(key.clone());
            lines.push(tr!("h.key_resealed", ids = ids(r.resealed)));
        }
        (None, Some(file)) => {
            lines.push(tr!(
                "h.key_rotated",
                version = r.version,
                ids = ids(r.resealed)
            ));
            lines.push(tr!("h.key_file", file = file.display()));
            for k in &r.kept {
                lines.push(tr!("h.key_kept", file = k.display()));
            }
        }
        (None, None) => lines.push(tr!(
            "h.key_rotated",
            version = r.version,
            ids = ids(r.resealed)
        )),
    }
    if r.unreadable > 0 {
        lines.push(tr!("h.key_unreadable", ids = ids(r.unreadable)));
    }
    lines.join("\n")
}

/// `appt check`: one block per violation, each row on its own line (short
/// IDs, so a row fits 80 columns; the JSON has them whole).
pub fn check(found: &[crate::store::check::Violation]) -> String {
    use crate::store::check::Row;
    if found.is_empty() {
        return tr!("h.check_ok");
    }
    let mut out = if found.len() == 1 {
        tr!("h.check_one")
    } else {
        tr!("h.check_many", n = found.len())
    };
    for v in found {
        out.push_str(&format!("\n\n[{}] {}", v.check, lang::message(&v.message)));
        for r in &v.rows {
            let line = match r {
                Row::Appointment(a) => {
                    let mut line = format!(
                        "{}  {}–{}  {}  {}  {}",
                        short(&a.id),
                        a.local(a.starts_at),
                        to_local(a.timezone, a.ends_at).1,
                        a.status,
                        tr!("h.token", token = a.token_number),
                        match a.window_capacity {
                            Some(c) => tr!("h.capacity", n = c),
                            None => tr!("h.window_gone"),
                        }
                    );
                    if a.buffer_before > 0 || a.buffer_after > 0 {
                        line.push_str(&format!(
                            "  {}",
                            tr!(
                                "h.check_buffers",
                                before = a.buffer_before,
                                after = a.buffer_after
                            )
                        ));
                    }
                    line
                }
                Row::Reminder(r) => {
                    let (d, hm) = to_local(r.timezone, r.due_at);
                    tr!(
                        "h.check_reminder",
                        id = short(&r.id),
                        offset = format_offset(r.offset_minutes),
                        due = format!("{d} {hm}"),
                        status = r.status,
                        appointment = short(&r.appointment_id)
                    )
                }
                Row::Key(k) => tr!(
                    "h.check_key",
                    table = k.table,
                    rowid = k.rowid.map(|i| i.to_string()).unwrap_or_else(|| "—".into()),
                    column = k.column.as_deref().unwrap_or("?"),
                    value = k.value.as_deref().unwrap_or("NULL"),
                    parent = k.parent
                ),
                Row::Patient(p) => tr!(
                    "h.check_patient",
                    id = short(&p.id),
                    problem = lang::message(&p.problem)
                ),
                Row::Damage(d) => format!(
                    "{} {}: {} = {}",
                    d.table,
                    short(&d.id),
                    d.column,
                    d.value
                        .as_deref()
                        .map_or("NULL".into(), |v| format!("'{}'", clean(v)))
                ),
                Row::Problem(p) => lang::message(p),
            };
            out.push_str(&format!("\n  {line}"));
        }
    }
    out
}

/// `slots`: a title and the free (or, with `all`, every) grid slot.
pub fn day_slots(d: &DaySlots, all: bool) -> String {
    let tz = d.target.clinic.timezone;
    let who = d
        .target
        .doctor
        .as_ref()
        .map(|x| clean(&x.full_name))
        .unwrap_or_else(|| tr!("h.clinic_wide"));
    let title = join(
        &[
            tr!(
                "h.slots_title",
                who = who,
                clinic = clean(&d.target.clinic.name)
            ),
            lang::date_short(d.date),
            format!("({})", tz.name()),
        ],
        width(),
    );
    let shown: Vec<&Slot> = d
        .slots
        .iter()
        .filter(|s| all || s.refusal.is_none())
        .collect();
    if shown.is_empty() {
        return format!("{title}: {}", super::desk::why(d));
    }
    let mut cols = vec![
        col("Time"),
        col("Left"),
        text("Session", 8),
        text("Batch", 5),
    ];
    if all {
        cols.push(col("Available"));
    }
    let mut t = Sheet::new(cols).steps(&[Step::Drop("Batch"), Step::Drop("Session")]);
    for s in shown {
        let mut cells = vec![
            span(tz, s.start, s.end),
            s.remaining.to_string().into(),
            or_dash(s.session.as_deref()).into(),
            or_dash(s.batch.as_deref()).into(),
        ];
        if all {
            cells.push(super::desk::availability(d, s.refusal).into());
        }
        t.row(cells);
    }
    format!("{title}\n{}", t.render())
}

/// `agenda`: per doctor, appointments and free slots interleaved by time; a
/// closure or a doctor's leave with its reason.
pub fn agenda(a: &Agenda) -> String {
    let tz = a.clinic.timezone;
    let mut out = join(
        &[
            format!("{} —", clean(&a.clinic.name)),
            lang::date_long(a.date),
            format!("({})", tz.name()),
        ],
        width(),
    );
    if a.sections.is_empty() {
        out.push_str(&format!("\n{}", tr!("h.agenda_empty")));
    }
    for s in &a.sections {
        let title = match &s.doctor {
            Some(d) => join(
                &[
                    clean(&d.full_name),
                    d.specialty
                        .as_deref()
                        .map(|s| format!("— {}", clean(s)))
                        .unwrap_or_default(),
                ],
                width(),
            ),
            None => tr!("h.clinic_wide_title"),
        };
        out.push_str(&format!("\n\n{title}"));
        if let Some(reason) = &s.closed {
            out.push_str(&format!(
                "\n{}",
                tr!("h.closed_reason", reason = clean(reason))
            ));
            if s.appointments.is_empty() {
                continue;
            }
        }
        let blank = || -> Vec<Item> { (0..4).map(|_| "".into()).collect() };
        let mut t = Sheet::new(vec![
            col("Tok"),
            col("Time").short("Start"),
            text("Patient", 14),
            col("Phone"),
            text("Service", 10),
            col("Status"),
            col("ID"),
        ])
        .steps(&[
            Step::Drop("Service"),
            Step::Short("Time"),
            Step::Drop("Phone"),
        ]);
        let mut session: Option<String> = None;
        for line in agenda_lines(s) {
            // A label where the session changes (Morning, Afternoon…).
            if let Some(name) = line.session().filter(|n| session.as_deref() != Some(*n)) {
                session = Some(name.to_string());
                let mut label = vec!["".into(), "".into(), format!("— {} —", clean(name)).into()];
                label.extend(blank());
                t.row(label);
            }
            match line {
                Line::Visit(x) => t.row(vec![
                    x.token_number.to_string().into(),
                    span(tz, x.starts_at, x.ends_at),
                    clean(&x.patient_name).into(),
                    clean(&x.patient_phone).into(),
                    or_dash(x.service_name.as_deref()).into(),
                    status_item(x.status),
                    short(&x.id).into(),
                ]),
                Line::Free(run) => {
                    let (first, last) = (run[0], run[run.len() - 1]);
                    let places: i64 = run.iter().map(|f| f.remaining).sum();
                    let n = run.len();
                    let free = match (n, places) {
                        (1, 1) => tr!("h.free"),
                        (1, p) => tr!("h.free_left", n = p),
                        (n, p) if p == n as i64 => tr!("h.free_run", n = n),
                        (n, p) => tr!("h.free_run_places", n = n, places = p),
                    };
                    let time: Item = if run.len() == 1 {
                        local_hm(tz, first.start).into()
                    } else {
                        span(tz, first.start, last.end)
                    };
                    let mut row = vec!["".into(), time, free.into()];
                    row.extend(blank());
                    t.row(row);
                }
                Line::Buffer(at) => {
                    let mut row = vec!["".into(), local_hm(tz, at).into(), tr!("h.buffer").into()];
                    row.extend(blank());
                    t.row(row);
                }
            }
        }
        out.push_str(&format!("\n{}", t.render()));
        // The day in one line: who is booked, who has come, what is left.
        let booked = s.appointments.len();
        let arrived = s
            .appointments
            .iter()
            .filter(|a| a.checked_in_at.is_some())
            .count();
        let places: i64 = s.free.iter().map(|f| f.remaining).sum();
        out.push_str(&format!(
            "\n{}",
            tr!(
                "h.day_summary",
                booked = booked,
                arrived = arrived,
                free = places
            )
        ));
    }
    out
}

/// A line of a doctor's day: a visit, a run of free slots with no visit
/// between them (one row: `09:40–12:00 · 7 free ·`), or a slot of the grid
/// held only by the buffer around a visit (docs/rules.md#buffers).
enum Line<'a> {
    Visit(&'a Appointment),
    Free(Vec<&'a crate::app::slots::Slot>),
    Buffer(chrono::DateTime<chrono::Utc>),
}

impl Line<'_> {
    fn session(&self) -> Option<&str> {
        match self {
            Line::Visit(a) => a.session.as_deref(),
            Line::Free(run) => run[0].session.as_deref(),
            Line::Buffer(_) => None,
        }
    }
}

/// A section's visits and free slots by start, runs of free slots of one
/// session merged.
fn agenda_lines(s: &crate::app::agenda::Section) -> Vec<Line<'_>> {
    let mut all: Vec<(chrono::DateTime<chrono::Utc>, Line)> = s
        .appointments
        .iter()
        .map(|a| (a.starts_at, Line::Visit(a)))
        .chain(s.free.iter().map(|f| (f.start, Line::Free(vec![f]))))
        .chain(s.buffered.iter().map(|b| (*b, Line::Buffer(*b))))
        .collect();
    all.sort_by_key(|(at, line)| (*at, !matches!(line, Line::Visit(_))));
    let mut lines: Vec<Line> = Vec::new();
    for (_, line) in all {
        match (lines.last_mut(), line) {
            (Some(Line::Free(run)), Line::Free(next))
                if run[run.len() - 1].end == next[0].start && run[0].session == next[0].session =>
            {
                run.extend(next)
            }
            (_, line) => lines.push(line),
        }
    }
    lines
}

/// `history`: an appointment's events, oldest first, and who made each
/// (docs/rules.md#events; `—` for events recorded before appt named them).
pub fn history(appt: &Appointment, evs: &[crate::store::events::Event]) -> String {
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
        let short_date = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map_or_else(|_| date.to_string(), lang::day_month);
        t.row(vec![
            e.id.to_string().into(),
            Item::new(format!("{d} {hm}")).or_short(format!("{} {hm}", lang::day_month(d))),
            Item::new(lang::t(&format!("event.{}", e.kind)))
                .or_short(lang::t(&format!("event.short.{}", e.kind))),
            obj["status"]
                .as_str()
                .and_then(Status::parse)
                .map_or("", lang::status)
                .into(),
            Item::new(format!("{date} {start}")).or_short(format!("{short_date} {start}")),
            or_dash(e.actor.as_deref()).into(),
        ]);
    }
    format!(
        "{}\n{}",
        tr!(
            "h.history",
            id = short(&appt.id),
            patient = clean(&appt.patient_name)
        ),
        t.render()
    )
}

/// `remind list`.
pub fn reminders_list(rows: &[(crate::store::reminders::Reminder, Appointment)]) -> String {
    if rows.is_empty() {
        return tr!("h.no_reminders");
    }
    let mut t = Sheet::new(vec![
        col("Due"),
        col("Message").short("Kind"),
        col("Status"),
        col("Tries"),
        text("Patient", 12),
        col("Appointment"),
        col("ID"),
    ])
    .steps(&[
        Step::Drop("Tries"),
        Step::Short("Appointment"),
        Step::Short("Message"),
        Step::Short("Due"),
    ]);
    for (r, a) in rows {
        let (d, hm) = (
            to_local(a.timezone, r.due_at).0,
            local_hm(a.timezone, r.due_at),
        );
        t.row(vec![
            Item::new(format!("{d} {hm}")).or_short(format!("{} {hm}", lang::day_month(d))),
            message_kind(r),
            lang::t(&format!("reminder.{}", r.status.as_str())).into(),
            r.attempts.to_string().into(),
            clean(r.recipient(a).0).into(),
            message_when(r, a),
            short(&r.id).into(),
        ]);
    }
    t.render()
}

/// `webhook list`; the secret itself is never shown, nor a password in a URL.
pub fn webhooks(all: &[crate::store::webhooks::Webhook]) -> String {
    if all.is_empty() {
        return tr!("h.no_webhooks");
    }
    let mut t = Sheet::new(vec![
        text("URL", 20),
        text("Events", 8),
        col("Signed"),
        col("Delivered"),
        col("Last event"),
        col("Retry at"),
        text("Last error", 10),
        col("ID"),
    ])
    .steps(&[
        Step::Drop("Signed"),
        Step::Drop("Last event"),
        Step::Drop("Last error"),
        Step::Drop("Delivered"),
    ]);
    for w in all {
        t.row(vec![
            clean(&w.shown_url()).into(),
            clean(
                &w.events
                    .as_ref()
                    .map(|e| e.join(","))
                    .unwrap_or_else(|| tr!("word.all")),
            )
            .into(),
            lang::yes_no(w.secret.is_some()).into(),
            w.delivered.to_string().into(),
            w.cursor.to_string().into(),
            w.next_attempt_at
                .map(crate::core::time::fmt_utc)
                .unwrap_or_default()
                .into(),
            clean(&lang::message(&w.shown_error().unwrap_or_default())).into(),
            short(&w.id).into(),
        ]);
    }
    t.render()
}

/// `import`: what was booked, and each rejected line with its code.
pub fn imported(done: &crate::app::import::Imported, dry_run: bool) -> String {
    let mut out = tr!(
        if dry_run {
            "h.import_dry"
        } else {
            "h.imported"
        },
        booked = done.booked,
        again = done.idempotent,
        rejected = done.rejected_count
    );
    // Each rejected line fits the width, its words carried on under it.
    let width = width();
    for r in &done.rejected {
        let line = tr!(
            "h.import_line",
            line = r.line,
            code = r.error.code.as_str(),
            message = clean(&lang::message(&r.error.message))
        );
        out.push('\n');
        out.push_str(&wrap("  ", &line, width));
    }
    let untold = done.rejected_count - done.rejected.len();
    if untold > 0 {
        out.push_str(&format!(
            "\n  {}",
            tr!("h.import_untold", n = untold, shown = done.rejected.len())
        ));
    }
    out
}

/// `next`: the first free slots, earliest first.
pub fn next_slots(found: &crate::app::next::Found) -> String {
    let tz = found.clinic.timezone;
    if found.slots.is_empty() {
        return tr!("h.next_none", clinic = clean(&found.clinic.name));
    }
    let mut t = Sheet::new(vec![
        col("Date"),
        col("Time").short("Start"),
        text("Doctor", 12),
        col("Left"),
        text("Session", 8),
    ])
    .steps(&[Step::Drop("Session"), Step::Short("Time")]);
    for f in &found.slots {
        t.row(vec![
            lang::day_short(f.date).into(),
            span(tz, f.slot.start, f.slot.end),
            clean(&f.doctor.full_name).into(),
            f.slot.remaining.to_string().into(),
            or_dash(f.slot.session.as_deref()).into(),
        ]);
    }
    let title = join(
        &[
            tr!("h.next_title", clinic = clean(&found.clinic.name)),
            format!("({}):", tz.name()),
        ],
        width(),
    );
    format!("{title}\n{}", t.render())
}

/// `patient show`: the card, then upcoming and recent visits.
pub fn patient_visits(card: &crate::app::patient::Card) -> String {
    let mut out = patient_card(&card.patient);
    for (title, list) in [
        (lang::t("h.upcoming"), &card.upcoming),
        (lang::t("h.recent"), &card.recent),
    ] {
        if list.is_empty() {
            out.push_str(&format!("\n{title}: {}", lang::t("word.none")));
        } else {
            out.push_str(&format!("\n{title}:"));
            for a in list {
                // The doctor's name gives way: the rest is a date, a time, a
                // status and an ID, none of which may wrap.
                let status = lang::status(a.status);
                let rest = 2 + when(a).chars().count() + 2 + 2 + status.chars().count() + 2 + 8;
                let who = match width() {
                    Some(w) => ellipsis(&who(a), w.saturating_sub(rest).max(8)),
                    None => who(a),
                };
                out.push_str(&format!(
                    "\n  {}  {}  {}  {}",
                    when(a),
                    who,
                    status,
                    short(&a.id)
                ));
            }
        }
    }
    out
}

/// What a message is: `reminder 24h`, `confirmation`, `waitlist offer`, …;
/// shortly `24h`, `confirm`, `offer` where the column is narrow.
fn message_kind(r: &crate::store::reminders::Reminder) -> Item {
    let offset = format_offset(r.offset_minutes);
    let short = match r.kind.as_str() {
        "reminder" => offset.clone(),
        "waitlist_offer" => tr!("kind.offer"),
        "confirmation" => tr!("kind.confirm"),
        "rescheduled" => tr!("kind.moved"),
        "cancelled" => tr!("kind.cancel"),
        other => other.into(),
    };
    let long = if r.is_reminder() {
        tr!("kind.reminder", offset = offset)
    } else {
        match r.kind.as_str() {
            "waitlist_offer" => tr!("kind.waitlist_offer"),
            "confirmation" => tr!("kind.confirmation"),
            "rescheduled" => tr!("kind.rescheduled"),
            "cancelled" => tr!("kind.cancelled"),
            other => other.replace('_', " "),
        }
    };
    Item::new(long).or_short(short)
}

/// `remind due --dry-run`: what would be delivered, and a one-line summary.
pub fn dry_sweep(sweep: &crate::app::remind::Sweep) -> String {
    let mut out = String::new();
    if !sweep.would_deliver.is_empty() {
        let mut t = Sheet::new(vec![
            col("Due"),
            col("Message").short("Kind"),
            text("Patient", 12),
            col("Phone"),
            col("Appointment"),
            col("ID"),
        ])
        .steps(&[
            Step::Short("Appointment"),
            Step::Short("Message"),
            Step::Short("Due"),
            Step::Drop("Phone"),
        ]);
        for (r, a) in &sweep.would_deliver {
            let (d, hm) = (
                to_local(a.timezone, r.due_at).0,
                local_hm(a.timezone, r.due_at),
            );
            let (name, phone) = r.recipient(a);
            t.row(vec![
                Item::new(format!("{d} {hm}")).or_short(format!("{} {hm}", lang::day_month(d))),
                message_kind(r),
                clean(name).into(),
                clean(phone).into(),
                message_when(r, a),
                short(&r.id).into(),
            ]);
        }
        out = format!("{}\n", t.render());
    }
    out.push_str(&tr!(
        "h.dry_sweep",
        send = sweep.would_deliver.len(),
        expire = sweep.expired,
        cancel = sweep.cancelled
    ));
    out
}

/// `token add`: what the token may do, then the token alone on its last
/// line (shown this once).
pub fn token_added(a: &crate::app::token::Added) -> String {
    let t = &a.info;
    let mut lines = vec![tr!(
        "h.token_added",
        name = clean(&t.name),
        scopes = scopes(&t.scopes)
    )];
    if let Some(c) = &t.clinic {
        lines.push(tr!("h.token_clinic", clinic = clean(c)));
    }
    lines.push(match t.expires_at {
        Some(at) => tr!("h.token_expires", at = crate::core::time::fmt_utc(at)),
        None => tr!("h.token_never_expires"),
    });
    lines.push(tr!("h.token_shown_once"));
    lines.push(a.token.clone());
    lines.join("\n")
}

fn scopes(s: &[crate::core::access::Scope]) -> String {
    s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
}

/// `token list`: every token, revoked ones too, never the token itself.
pub fn tokens(
    all: &[crate::store::api_tokens::Token],
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    if all.is_empty() {
        return tr!("h.no_tokens");
    }
    let stamp = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(crate::core::time::fmt_utc).unwrap_or_default()
    };
    let mut t = Sheet::new(vec![
        text("Name", 8),
        col("Prefix"),
        text("Scopes", 10),
        text("Clinic", 8),
        col("Created"),
        col("Expires"),
        col("Last used"),
        col("Status"),
    ])
    .steps(&[
        Step::Drop("Created"),
        Step::Drop("Last used"),
        Step::Drop("Clinic"),
    ]);
    for k in all {
        t.row(vec![
            clean(&k.name).into(),
            clean(&k.prefix).into(),
            scopes(&k.scopes).into(),
            k.clinic
                .as_deref()
                .map(clean)
                .unwrap_or_else(|| tr!("word.all"))
                .into(),
            stamp(Some(k.created_at)).into(),
            k.expires_at
                .map(crate::core::time::fmt_utc)
                .unwrap_or_else(|| tr!("word.never"))
                .into(),
            stamp(k.last_used_at).into(),
            match crate::app::token::status(k, now) {
                "revoked" => tr!("h.token_revoked"),
                "expired" => tr!("h.token_expired"),
                _ => tr!("h.token_active"),
            }
            .into(),
        ]);
    }
    t.render()
}

/// `token revoke`: which token, from when.
pub fn token_revoked(t: &crate::store::api_tokens::Token) -> String {
    tr!(
        "c.token_revoked",
        name = clean(&t.name),
        prefix = clean(&t.prefix)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_pictures() {
        assert_eq!(
            clean("Eve\u{1b}]0;pwned\u{7}\u{1b}[2J\r\u{9b}1m\u{7f}\tx\ny"),
            "Eve␛]0;pwned␇␛[2J␍\u{fffd}1m␡ x␤y"
        );
        assert_eq!(clean("José Pérez"), "José Pérez");
    }

    #[test]
    fn text_that_reorders_hides_or_breaks_lines_is_neutralised() {
        for c in [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200b}', '\u{feff}', '\u{200e}', '\u{200f}', '\u{061c}',
        ] {
            assert_eq!(clean(&format!("a{c}b")), "a\u{fffd}b", "U+{:04X}", c as u32);
            assert_eq!(neutralise(&format!("a{c}b"), true), "a\u{fffd}b");
        }
        assert_eq!(clean("a\u{2028}b\u{2029}c\r\nd\ne"), "a␤b␤c␍␤d␤e");
        assert_eq!(neutralise("a\u{2028}b\nc", false), "a␤b\nc");
        // Free text keeps its lines (Windows' too), and nothing else.
        assert_eq!(
            clean_lines("one\r\ntwo\nthree\u{202e}"),
            "one\ntwo\nthree\u{fffd}"
        );
        // What scripts need to be written stays: joiners, accents, RTL letters.
        assert_eq!(clean("ناصر\u{200d}نور Ñúñez"), "ناصر\u{200d}نور Ñúñez");
    }

    #[test]
    fn only_colour_sequences_survive_and_only_with_colour() {
        let text = "\u{1b}[34mscheduled\u{1b}[39m \u{1b}]0;t\u{7} \u{1b}[2J";
        assert_eq!(
            neutralise(text, true),
            "\u{1b}[34mscheduled\u{1b}[39m ␛]0;t␇ ␛[2J"
        );
        assert_eq!(neutralise(text, false), "␛[34mscheduled␛[39m ␛]0;t␇ ␛[2J");
        // A lone ESC at the end, or an unfinished sequence, is neutralised.
        assert_eq!(neutralise("a\u{1b}", true), "a␛");
        assert_eq!(neutralise("\u{1b}[12", true), "␛[12");
    }
}
