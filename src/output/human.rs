//! Human output: comfy-table tables, a card for `show`, one-line confirmations.
//! Times are shown in the clinic's local time.

use crate::app::agenda::Agenda;
use crate::app::slots::{DaySlots, Slot};
use crate::core::time::{format_days, format_duration, format_hhmm, format_offset, to_local};
use crate::core::{Appointment, Clinic, Doctor, Patient, Recurrence, Service, Status, Window};
use comfy_table::{presets, Cell, Color, ContentArrangement, Table};
use std::io::IsTerminal;

/// Stored text as a terminal may show it: control characters (escape
/// sequences, bells, carriage returns, C1 codes) become visible pictures
/// (`␛`, `␇`, `␍`), so a name can never drive the terminal. Line breaks stay.
pub fn clean(s: &str) -> String {
    s.chars().map(picture).collect()
}

fn picture(c: char) -> char {
    match c {
        '\n' => c,
        '\t' => ' ',
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
        '\u{7f}' => '\u{2421}',
        '\u{80}'..='\u{9f}' => '\u{fffd}',
        _ => c,
    }
}

/// The last line of defence for everything printed for humans: every control
/// character neutralised as [`clean`] does, except, when `colour` is on, the
/// SGR colour sequences (`ESC [ … m`) that appt itself puts around statuses.
/// Stored text is cleaned before it gets here, so those are appt's own.
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
        out.push(picture(c));
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

pub fn table(headers: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(headers.iter().map(Cell::new));
    t
}

pub fn status_cell(s: Status) -> Cell {
    let cell = Cell::new(s.as_str());
    if !colour() {
        return cell;
    }
    cell.fg(match s {
        Status::Scheduled => Color::Blue,
        Status::Confirmed => Color::Cyan,
        Status::CheckedIn | Status::InProgress => Color::Yellow,
        Status::Completed => Color::Green,
        Status::Cancelled | Status::NoShow => Color::Red,
    })
}

fn or_dash(s: Option<&str>) -> String {
    clean(s.filter(|s| !s.is_empty()).unwrap_or("—"))
}

/// `Mon 15 Jun 2026 14:00–14:30`
pub fn when(a: &Appointment) -> String {
    format!(
        "{} {}–{}",
        a.local_date.format("%a %d %b %Y"),
        to_local(a.timezone, a.starts_at).1,
        to_local(a.timezone, a.ends_at).1
    )
}

fn who(a: &Appointment) -> String {
    match (&a.doctor_name, &a.service_name) {
        (Some(d), _) => clean(d),
        (None, Some(s)) => format!("{} (clinic-wide)", clean(s)),
        (None, None) => "clinic-wide".into(),
    }
}

/// `Booked 3f2a1b4c: Juan Pérez with Dr. García, Mon 15 Jun 2026 14:00–14:30, token 3`
pub fn confirm(verb: &str, a: &Appointment) -> String {
    format!(
        "{verb} {}: {} with {}, {}, token {} [{}]",
        short(&a.id),
        clean(&a.patient_name),
        who(a),
        when(a),
        a.token_number,
        a.status.as_str()
    )
}

pub fn appointments(list: &[Appointment]) -> String {
    if list.is_empty() {
        return "No appointments.".into();
    }
    let mut t = table(&[
        "Date", "Time", "Tok", "Patient", "Phone", "Doctor", "Service", "Status", "ID",
    ]);
    for a in list {
        t.add_row(vec![
            Cell::new(a.local_date),
            Cell::new(format!(
                "{}–{}",
                to_local(a.timezone, a.starts_at).1,
                to_local(a.timezone, a.ends_at).1
            )),
            Cell::new(a.token_number),
            Cell::new(clean(&a.patient_name)),
            Cell::new(clean(&a.patient_phone)),
            Cell::new(who(a)),
            Cell::new(or_dash(a.service_name.as_deref())),
            status_cell(a.status),
            Cell::new(short(&a.id)),
        ]);
    }
    t.to_string()
}

pub fn appointment_card(a: &Appointment) -> String {
    let mut lines = vec![
        format!("Appointment {}  [{}]", a.id, a.status.as_str()),
        format!("  When      {} ({})", when(a), a.timezone.name()),
        format!("  Clinic    {}", clean(&a.clinic_name)),
        format!("  Doctor    {}", who(a)),
        format!(
            "  Patient   {} {}",
            clean(&a.patient_name),
            clean(&a.patient_phone)
        ),
        format!("  Service   {}", or_dash(a.service_name.as_deref())),
        format!("  Token     {}", a.token_number),
        format!("  Source    {}", clean(&a.source)),
    ];
    let optional = [
        ("Session", a.session.as_deref()),
        ("Batch", a.batch.as_deref()),
        ("Reason", a.reason.as_deref()),
        ("Notes", a.notes.as_deref()),
        ("Diagnosis", a.diagnosis.as_deref()),
        ("Rx", a.prescription.as_deref()),
        ("Cancelled", a.cancellation_reason.as_deref()),
        ("Ext. ref", a.external_reference_id.as_deref()),
    ];
    for (label, v) in optional {
        if let Some(v) = v {
            lines.push(format!("  {label:<9} {}", clean(v)));
        }
    }
    if let Some(d) = a.follow_up_date {
        lines.push(format!("  Follow-up {d}"));
    }
    lines.join("\n")
}

pub fn clinics(list: &[Clinic]) -> String {
    let mut t = table(&[
        "Name",
        "Time zone",
        "Slot",
        "Notice",
        "Horizon",
        "Cancel win.",
        "Reminders",
        "ID",
    ]);
    for c in list {
        let s = &c.settings;
        t.add_row(vec![
            clean(&c.name),
            c.timezone.name().to_string(),
            format!("{}m", s.slot_minutes),
            format_duration(s.min_notice),
            format_duration(s.horizon),
            format_duration(s.cancel_window),
            reminders(&s.reminders),
            short(&c.id).to_string(),
        ]);
    }
    t.to_string()
}

/// `Added clinic Central (America/El_Salvador) 3f2a1b4c`
pub fn clinic_added(c: &Clinic) -> String {
    format!(
        "Added clinic {} ({}) {}",
        clean(&c.name),
        c.timezone.name(),
        short(&c.id)
    )
}

pub fn reminders(r: &[i64]) -> String {
    if r.is_empty() {
        "none".into()
    } else {
        r.iter()
            .map(|m| format_offset(*m))
            .collect::<Vec<_>>()
            .join(",")
    }
}

pub fn clinic_card(c: &Clinic) -> String {
    let s = &c.settings;
    let onoff = |b: bool| if b { "on" } else { "off" };
    [
        format!("Clinic {}  ({})", clean(&c.name), c.id),
        format!("  Time zone          {}", c.timezone.name()),
        format!("  Slot length        {}m", s.slot_minutes),
        format!("  Minimum notice     {}", format_duration(s.min_notice)),
        format!("  Booking horizon    {}", format_duration(s.horizon)),
        format!("  Cancel window      {}", format_duration(s.cancel_window)),
        format!("  Reminders          {}", reminders(&s.reminders)),
        format!("  Duplicate check    {}", onoff(s.duplicate_check)),
        format!("  Require diagnosis  {}", onoff(s.require_diagnosis)),
        format!("  Notify patients    {}", onoff(s.notify)),
    ]
    .join("\n")
}

pub fn doctors(list: &[Doctor]) -> String {
    let mut t = table(&["Name", "Specialty", "Slot", "Active", "ID"]);
    for d in list {
        t.add_row(vec![
            clean(&d.full_name),
            or_dash(d.specialty.as_deref()),
            d.slot_minutes
                .map(|m| format!("{m}m"))
                .unwrap_or_else(|| "—".into()),
            if d.active { "yes" } else { "no" }.into(),
            short(&d.id).to_string(),
        ]);
    }
    t.to_string()
}

pub fn services(list: &[Service]) -> String {
    let mut t = table(&["Name", "Minutes", "ID"]);
    for s in list {
        t.add_row(vec![
            clean(&s.name),
            s.duration_minutes.to_string(),
            short(&s.id).to_string(),
        ]);
    }
    t.to_string()
}

/// `names` turns a doctor ID into a name.
pub fn windows(list: &[Window], names: impl Fn(&str) -> String) -> String {
    let mut t = table(&[
        "Who", "When", "Hours", "Slot", "Cap", "Session", "Batch", "Valid", "Status", "ID",
    ]);
    for w in list {
        let when = match &w.recurrence {
            Recurrence::Weekly(m) => format_days(*m),
            Recurrence::Date(d) => d.to_string(),
        };
        let valid = match (w.valid_from, w.valid_to) {
            (None, None) => "always".to_string(),
            (f, t) => format!(
                "{}…{}",
                f.map(|d| d.to_string()).unwrap_or_default(),
                t.map(|d| d.to_string()).unwrap_or_default()
            ),
        };
        t.add_row(vec![
            w.doctor_id
                .as_deref()
                .map(|id| clean(&names(id)))
                .unwrap_or_else(|| "clinic-wide".into()),
            when,
            format!("{}–{}", format_hhmm(w.from), format_hhmm(w.to)),
            format!("{}m", w.slot_minutes),
            w.capacity.to_string(),
            or_dash(w.session.as_deref()),
            or_dash(w.batch.as_deref()),
            valid,
            if w.open { "open" } else { "closed" }.into(),
            short(&w.id).to_string(),
        ]);
    }
    t.to_string()
}

pub fn closures(list: &[crate::app::closure::Closed]) -> String {
    let mut t = table(&["Who", "From", "To", "Reason", "ID"]);
    for c in list {
        t.add_row(vec![
            clean(&c.who),
            c.closure.from.to_string(),
            c.closure.to.to_string(),
            or_dash(c.closure.reason.as_deref()),
            short(&c.closure.id).to_string(),
        ]);
    }
    t.to_string()
}

pub fn patients(list: &[Patient]) -> String {
    if list.is_empty() {
        return "No patients.".into();
    }
    let mut t = table(&["Name", "Phone", "National ID", "Email", "No-shows", "ID"]);
    for p in list {
        t.add_row(vec![
            clean(&p.full_name),
            clean(&p.phone),
            national_id(p),
            or_dash(p.email.as_deref()),
            p.no_show_count.to_string(),
            short(&p.id).to_string(),
        ]);
    }
    t.to_string()
}

fn national_id(p: &Patient) -> String {
    if p.national_id_unreadable {
        "(unreadable)".into()
    } else {
        or_dash(p.national_id.as_deref())
    }
}

pub fn patient_card(p: &Patient) -> String {
    [
        format!("Patient {}  ({})", clean(&p.full_name), p.id),
        format!("  Phone        {}", clean(&p.phone)),
        format!("  National ID  {}", national_id(p)),
        format!("  Email        {}", or_dash(p.email.as_deref())),
        format!("  No-shows     {}", p.no_show_count),
    ]
    .join("\n")
}

/// `appt check`: one block per violation, each row on its own line (short
/// IDs, so a row fits 80 columns; the JSON has them whole).
pub fn check(found: &[crate::store::check::Violation]) -> String {
    use crate::store::check::Row;
    if found.is_empty() {
        return "OK: no problems found".into();
    }
    let mut out = format!(
        "{} problem{} found:",
        found.len(),
        if found.len() == 1 { "" } else { "s" }
    );
    for v in found {
        out.push_str(&format!("\n\n[{}] {}", v.check, v.message));
        for r in &v.rows {
            let line = match r {
                Row::Appointment(a) => format!(
                    "{}  {}–{}  {}  token {}  {}",
                    short(&a.id),
                    a.local(a.starts_at),
                    to_local(a.timezone, a.ends_at).1,
                    a.status,
                    a.token_number,
                    match a.window_capacity {
                        Some(c) => format!("capacity {c}"),
                        None => "window gone".into(),
                    }
                ),
                Row::Reminder(r) => {
                    let (d, hm) = to_local(r.timezone, r.due_at);
                    format!(
                        "reminder {}  {}  due {d} {hm}  {}  appointment {}",
                        short(&r.id),
                        format_offset(r.offset_minutes),
                        r.status,
                        short(&r.appointment_id)
                    )
                }
                Row::Key(k) => format!(
                    "{} rowid {}: {} = {} (no such row in {})",
                    k.table,
                    k.rowid.map(|i| i.to_string()).unwrap_or_else(|| "—".into()),
                    k.column.as_deref().unwrap_or("?"),
                    k.value.as_deref().unwrap_or("NULL"),
                    k.parent
                ),
                Row::Problem(p) => p.clone(),
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
        .unwrap_or_else(|| "clinic-wide".into());
    let title = format!(
        "{who} at {}, {} ({})",
        clean(&d.target.clinic.name),
        d.date.format("%a %d %b %Y"),
        tz.name()
    );
    let shown: Vec<&Slot> = d
        .slots
        .iter()
        .filter(|s| all || s.refusal.is_none())
        .collect();
    if shown.is_empty() {
        return format!("{title}: {}", super::desk::why(d));
    }
    let mut t = table(if all {
        &["Time", "Left", "Session", "Batch", "Available"][..]
    } else {
        &["Time", "Left", "Session", "Batch"][..]
    });
    for s in shown {
        let mut cells = vec![
            Cell::new(format!(
                "{}–{}",
                to_local(tz, s.start).1,
                to_local(tz, s.end).1
            )),
            Cell::new(s.remaining),
            Cell::new(or_dash(s.session.as_deref())),
            Cell::new(or_dash(s.batch.as_deref())),
        ];
        if all {
            cells.push(Cell::new(super::desk::availability(d, s.refusal)));
        }
        t.add_row(cells);
    }
    format!("{title}\n{t}")
}

/// `agenda`: per doctor, appointments and free slots interleaved by time; a
/// closure or a doctor's leave with its reason.
pub fn agenda(a: &Agenda) -> String {
    let tz = a.clinic.timezone;
    let mut text = format!(
        "{} — {} ({})",
        clean(&a.clinic.name),
        a.date.format("%A %d %B %Y"),
        tz.name()
    );
    if a.sections.is_empty() {
        text.push_str("\nNothing scheduled and no windows open.");
    }
    for s in &a.sections {
        let title = match &s.doctor {
            Some(d) => format!(
                "{}{}",
                clean(&d.full_name),
                d.specialty
                    .as_deref()
                    .map(|s| format!(" — {}", clean(s)))
                    .unwrap_or_default()
            ),
            None => "Clinic-wide".into(),
        };
        text.push_str(&format!("\n\n{title}"));
        if let Some(reason) = &s.closed {
            text.push_str(&format!("\nClosed: {}", clean(reason)));
            if s.appointments.is_empty() {
                continue;
            }
        }
        let mut rows: Vec<(chrono::DateTime<chrono::Utc>, Vec<Cell>)> = s
            .appointments
            .iter()
            .map(|x| {
                (
                    x.starts_at,
                    vec![
                        Cell::new(x.token_number),
                        Cell::new(format!(
                            "{}–{}",
                            to_local(tz, x.starts_at).1,
                            to_local(tz, x.ends_at).1
                        )),
                        Cell::new(clean(&x.patient_name)),
                        Cell::new(clean(&x.patient_phone)),
                        Cell::new(or_dash(x.service_name.as_deref())),
                        status_cell(x.status),
                        Cell::new(short(&x.id)),
                    ],
                )
            })
            .collect();
        rows.extend(s.free.iter().map(|f| {
            let free = if f.remaining > 1 {
                format!("· free ({} left) ·", f.remaining)
            } else {
                "· free ·".to_string()
            };
            (
                f.start,
                vec![
                    Cell::new(""),
                    Cell::new(to_local(tz, f.start).1),
                    Cell::new(free),
                    Cell::new(""),
                    Cell::new(""),
                    Cell::new(""),
                    Cell::new(""),
                ],
            )
        }));
        // Appointments and free slots interleaved by start instant.
        rows.sort_by_key(|r| r.0);
        let mut t = table(&["Tok", "Time", "Patient", "Phone", "Service", "Status", "ID"]);
        for (_, r) in rows {
            t.add_row(r);
        }
        text.push_str(&format!("\n{t}"));
    }
    text
}

/// `history`: an appointment's events, oldest first.
pub fn history(appt: &Appointment, evs: &[crate::store::events::Event]) -> String {
    let mut t = table(&["#", "When", "Event", "Status", "Start"]);
    for e in evs {
        let (d, hm) = to_local(appt.timezone, e.created_at);
        let obj = &e.data["appointment"];
        t.add_row(vec![
            e.id.to_string(),
            format!("{d} {hm}"),
            e.kind.clone(),
            obj["status"].as_str().unwrap_or("").to_string(),
            format!(
                "{} {}",
                obj["date"].as_str().unwrap_or(""),
                obj["start_time"].as_str().unwrap_or("")
            ),
        ]);
    }
    format!(
        "History of {} ({})\n{t}",
        short(&appt.id),
        clean(&appt.patient_name)
    )
}

/// `remind list`.
pub fn reminders_list(rows: &[(crate::store::reminders::Reminder, Appointment)]) -> String {
    if rows.is_empty() {
        return "No reminders.".into();
    }
    let mut t = table(&[
        "Due",
        "Offset",
        "Status",
        "Tries",
        "Patient",
        "Appointment",
        "ID",
    ]);
    for (r, a) in rows {
        let (d, hm) = to_local(a.timezone, r.due_at);
        t.add_row(vec![
            format!("{d} {hm}"),
            message_kind(r),
            r.status.clone(),
            r.attempts.to_string(),
            clean(&recipient(r, a).0),
            when(a),
            short(&r.id).to_string(),
        ]);
    }
    t.to_string()
}

/// `webhook list`; the secret itself is never shown.
pub fn webhooks(all: &[crate::store::webhooks::Webhook]) -> String {
    if all.is_empty() {
        return "No webhooks.".into();
    }
    let mut t = table(&[
        "URL",
        "Events",
        "Signed",
        "Delivered",
        "Last event",
        "Retry at",
        "Last error",
        "ID",
    ]);
    for w in all {
        t.add_row(vec![
            clean(&w.url),
            w.events
                .as_ref()
                .map(|e| e.join(","))
                .unwrap_or_else(|| "all".into()),
            if w.secret.is_some() { "yes" } else { "no" }.into(),
            w.delivered.to_string(),
            w.cursor.to_string(),
            w.next_attempt_at
                .map(crate::core::time::fmt_utc)
                .unwrap_or_default(),
            clean(w.last_error.as_deref().unwrap_or_default()),
            short(&w.id).to_string(),
        ]);
    }
    t.to_string()
}

/// `import`: what was booked, and each rejected line with its code.
pub fn imported(done: &crate::app::import::Imported, dry_run: bool) -> String {
    let verb = if dry_run { "Would book" } else { "Booked" };
    let mut out = format!(
        "{verb} {}, already booked {}, rejected {}",
        done.booked,
        done.idempotent,
        done.rejected.len()
    );
    for r in &done.rejected {
        out.push_str(&format!(
            "\n  line {}: {} {}",
            r.line,
            r.error.code.as_str(),
            clean(&r.error.message)
        ));
    }
    out
}

/// `next`: the first free slots, earliest first.
pub fn next_slots(found: &crate::app::next::Found) -> String {
    let tz = found.clinic.timezone;
    if found.slots.is_empty() {
        return format!(
            "No free slots at {} within its booking horizon.",
            clean(&found.clinic.name)
        );
    }
    let mut t = table(&["Date", "Time", "Doctor", "Left", "Session"]);
    for f in &found.slots {
        t.add_row(vec![
            Cell::new(f.date.format("%a %d %b")),
            Cell::new(format!(
                "{}–{}",
                to_local(tz, f.slot.start).1,
                to_local(tz, f.slot.end).1
            )),
            Cell::new(clean(&f.doctor.full_name)),
            Cell::new(f.slot.remaining),
            Cell::new(or_dash(f.slot.session.as_deref())),
        ]);
    }
    format!(
        "First free at {} ({}):\n{t}",
        clean(&found.clinic.name),
        tz.name()
    )
}

/// `patient show`: the card, then upcoming and recent visits.
pub fn patient_visits(card: &crate::app::patient::Card) -> String {
    let mut out = patient_card(&card.patient);
    for (title, list) in [("Upcoming", &card.upcoming), ("Recent", &card.recent)] {
        if list.is_empty() {
            out.push_str(&format!("\n{title}: none"));
        } else {
            out.push_str(&format!("\n{title}:"));
            for a in list {
                out.push_str(&format!(
                    "\n  {}  {}  {}  {}",
                    when(a),
                    who(a),
                    a.status.as_str(),
                    short(&a.id)
                ));
            }
        }
    }
    out
}

/// `remind due --dry-run`: what would be delivered, and a one-line summary.
/// A reminder's offset, or the kind of any other message.
fn message_kind(r: &crate::store::reminders::Reminder) -> String {
    if r.is_reminder() {
        format_offset(r.offset_minutes)
    } else {
        r.kind.replace('_', " ")
    }
}

/// Who a message goes to: the appointment's patient, or for an offer the
/// waiting patient.
fn recipient(r: &crate::store::reminders::Reminder, a: &Appointment) -> (String, String) {
    let waiting = r.data.as_ref().map(|d| &d["offer"]["waitlist"]["patient"]);
    match waiting.and_then(|p| Some((p["full_name"].as_str()?, p["phone"].as_str()?))) {
        Some((name, phone)) => (name.to_string(), phone.to_string()),
        None => (a.patient_name.clone(), a.patient_phone.clone()),
    }
}

pub fn dry_sweep(sweep: &crate::app::remind::Sweep) -> String {
    let mut out = String::new();
    if !sweep.would_deliver.is_empty() {
        let mut t = table(&["Due", "Offset", "Patient", "Phone", "Appointment", "ID"]);
        for (r, a) in &sweep.would_deliver {
            let (d, hm) = to_local(a.timezone, r.due_at);
            t.add_row(vec![
                format!("{d} {hm}"),
                message_kind(r),
                clean(&recipient(r, a).0),
                clean(&recipient(r, a).1),
                when(a),
                short(&r.id).to_string(),
            ]);
        }
        out = format!("{t}\n");
    }
    out.push_str(&format!(
        "Would send {}, expire {}, cancel {} (dry run: nothing changed)",
        sweep.would_deliver.len(),
        sweep.expired,
        sweep.cancelled
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_pictures() {
        assert_eq!(
            clean("Eve\u{1b}]0;pwned\u{7}\u{1b}[2J\r\u{9b}1m\u{7f}\tx\ny"),
            "Eve␛]0;pwned␇␛[2J␍\u{fffd}1m␡ x\ny"
        );
        assert_eq!(clean("José Pérez"), "José Pérez");
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
