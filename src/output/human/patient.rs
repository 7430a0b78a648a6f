//! Patients for humans: `patient list`, the card of `patient show`, and
//! what `patient erase` did.

use super::appointment::who;
use super::when;
use super::{clean, or_dash, patient_name, short};
use crate::core::Patient;
use crate::output::fit::{col, ellipsis, join, text, width, Sheet, Step};
use crate::output::lang::{self, tr};
use crate::output::phone::shown;

pub fn patients(list: &[Patient]) -> String {
    if list.is_empty() {
        return tr!("h-no_patients");
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
            patient_name(p).into(),
            clean(&shown(&p.phone)).into(),
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
        tr!("h-unreadable")
    } else {
        or_dash(p.national_id.as_deref())
    }
}

/// The preferred channel in the desk's words; none set: the clinic's order.
fn channel(p: &Patient) -> String {
    use crate::core::channel::Kind;
    use crate::core::Preference;
    lang::t(match p.channel {
        None => "patient-channel_unset",
        Some(Preference::Nothing) => "patient-channel_none",
        Some(Preference::Via(Kind::WhatsApp)) => "patient-channel_whatsapp",
        Some(Preference::Via(Kind::Sms)) => "patient-channel_sms",
        Some(Preference::Via(Kind::Email)) => "patient-channel_email",
    })
    .to_string()
}

pub fn patient_card(p: &Patient) -> String {
    [
        join(
            &[
                tr!("h-card_patient", name = patient_name(p)),
                format!(" ({})", p.id),
            ],
            width(),
        ),
        format!(
            "  {:<13}{}",
            lang::t("patient-phone"),
            clean(&shown(&p.phone))
        ),
        format!("  {:<13}{}", lang::t("patient-national_id"), national_id(p)),
        format!(
            "  {:<13}{}",
            lang::t("patient-email"),
            or_dash(p.email.as_deref())
        ),
        format!("  {:<13}{}", lang::t("patient-channel"), channel(p)),
        format!("  {:<13}{}", lang::t("patient-no_shows"), p.no_show_count),
    ]
    .join("\n")
}

/// `patient show`: the card, upcoming and recent visits, then the last
/// messages about them.
pub fn patient_visits(card: &crate::app::patient::Card) -> String {
    let mut out = patient_card(&card.patient);
    for (title, list) in [
        (lang::t("h-upcoming"), &card.upcoming),
        (lang::t("h-recent"), &card.recent),
    ] {
        if list.is_empty() {
            out.push_str(&format!("\n{title}: {}", lang::t("h-no_visits")));
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
    if !card.messages.is_empty() {
        let ms: Vec<_> = card
            .messages
            .iter()
            .map(|(m, a)| (&m.message, a.timezone))
            .collect();
        out.push_str("\n\n");
        out.push_str(&super::appointment::messages(&ms));
    }
    out
}

/// `patient erase`: what went, and what stays.
pub fn erased(e: &crate::app::erase::Erased) -> String {
    let id = short(&e.patient.id);
    let done = if e.clinical {
        tr!("c-patient_erased_clinical", id = id, n = e.appointments)
    } else {
        tr!("c-patient_erased", id = id, n = e.appointments)
    };
    if e.cancelled.is_empty() {
        return done;
    }
    format!(
        "{done}\n{}",
        tr!("c-patient_erase_cancelled", n = e.cancelled.len())
    )
}

/// `patient erase`'s question, after the visits still to come that the
/// erasure cancels, one a line (docs/privacy.md#erasure).
pub fn erase_question(question: &str, coming: &[crate::core::Appointment]) -> String {
    if coming.is_empty() {
        return question.to_string();
    }
    let mut lines = vec![tr!("c-patient_erase_coming", n = coming.len())];
    for a in coming {
        lines.push(format!(
            "  {} {} · {}",
            crate::output::lang::day_short(a.local_date),
            crate::core::time::local_hm(a.timezone, a.starts_at),
            a.doctor_name.as_deref().map(clean).unwrap_or_default()
        ));
    }
    lines.push(question.to_string());
    lines.join("\n")
}
