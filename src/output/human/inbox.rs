//! The clinic's inbox, for humans: `appt inbox` and `inbox done`.

use super::when_item;
use super::{clean, short};
use crate::app::inbox::Item;
use crate::core::time::to_local;
use crate::output::fit::{col, text, Item as Cell, Sheet, Step};
use crate::output::lang::{self, tr};
use crate::output::phone::shown;

/// `appt inbox`: newest first, each with who wrote and their next visit.
pub fn inbox(items: &[Item]) -> String {
    if items.is_empty() {
        return tr!("h-inbox_empty");
    }
    let mut t = Sheet::new(vec![
        col("When"),
        text("Who", 10),
        text("Message", 16),
        text("Appointment", 10),
        col("ID"),
    ])
    .steps(&[Step::Drop("Appointment")]);
    for i in items {
        let m = &i.message;
        let (date, hm) = to_local(i.zone, m.received_at);
        let who = match (&m.patient_name, &m.patient_phone, &m.sender) {
            (Some(name), Some(phone), _) => format!("{} {}", clean(name), shown(phone)),
            (_, _, Some(sender)) => shown(sender),
            _ => "-".to_string(),
        };
        let mut said = clean(&m.body);
        if m.answer_status.as_deref() == Some("failed") {
            said = tr!("h-inbox_answer_not_sent", a = said, b = m.outcome.clone());
        }
        t.row(vec![
            Cell::new(format!("{} {hm}", lang::day_month(date))),
            who.into(),
            said.into(),
            i.next.as_ref().map_or_else(|| "-".into(), when_item),
            short(&m.id).into(),
        ]);
    }
    t.render()
}

/// `appt inbox show ID`: one message whole, wrapped to the terminal, with
/// who wrote, by which channel, when, what appt did with it and the
/// patient's next visit.
pub fn inbox_message(i: &Item) -> String {
    use crate::output::fit::{width, wrap};
    let m = &i.message;
    let (date, hm) = to_local(i.zone, m.received_at);
    let who = match (&m.patient_name, &m.patient_phone, &m.sender) {
        (Some(name), Some(phone), _) => format!("{} {}", clean(name), shown(phone)),
        (_, _, Some(sender)) => shown(sender),
        _ => "-".to_string(),
    };
    let next = i.next.as_ref().map_or_else(|| "-".to_string(), super::when);
    let mut out = tr!(
        "h-inbox_message",
        id = short(&m.id),
        when = format!("{} {hm}", lang::date_short(date)),
        who = who,
        channel = clean(&m.channel),
        next = next
    );
    out.push_str("\n\n");
    out.push_str(&wrap("  ", &clean(&m.body), width()));
    if m.answer_status.as_deref() == Some("failed") {
        out.push_str("\n\n");
        out.push_str(&tr!(
            "h-inbox_answer_failed",
            why = clean(m.answer_error.as_deref().unwrap_or_default())
        ));
    }
    out
}
