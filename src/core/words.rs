//! The words the desk types, in English or Spanish (docs/commands.md#spanish-input):
//! relative days (`hoy`, `mañana`, `pasado mañana`), weekdays (`lunes`, `lun`,
//! `monday`), day/month dates read in the clinic's order (`4/12`), statuses
//! (`llegó`, `en consulta`), a message's status and kind (`enviado`,
//! `recordatorio`), a patient's preferred channel (`correo`,
//! `ninguno`), duration units (`2 h`, `30 min`, `1 día`) and
//! yes/no answers (`s`, `sí`, `y`, `n`) and a setting's on/off (`on`, `sí`,
//! `no`). Both languages' words are taken
//! whatever the language of the desk, case and accents ignored. The one
//! place they are read: `core::time` parses dates, days and durations with
//! them, and every front end asks here (never a copy of a list).

use super::channel::Kind;
use super::message::{self, weekday_name};
use super::{Language, Modality, Preference, Status, Urgency, VisitType};
use chrono::{Datelike, Duration, NaiveDate};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// How a date written `4/12` is read: day first (`dmy`, 4 December) or
/// month first (`mdy`, 12 April). A clinic's setting (`--date-order`); a
/// clinic that sets none reads its language's way: `dmy` for Spanish,
/// `mdy` for English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    Dmy,
    Mdy,
}

impl DateOrder {
    pub const ALL: [DateOrder; 2] = [DateOrder::Dmy, DateOrder::Mdy];

    pub fn as_str(self) -> &'static str {
        match self {
            DateOrder::Dmy => "dmy",
            DateOrder::Mdy => "mdy",
        }
    }

    /// `dmy` or `mdy` (any case).
    pub fn parse(s: &str) -> Option<DateOrder> {
        let t = s.trim().to_ascii_lowercase();
        DateOrder::ALL.into_iter().find(|o| o.as_str() == t)
    }

    /// The order a language writes dates in: day first in Spanish.
    pub fn of_language(lang: Language) -> DateOrder {
        match lang {
            Language::Es => DateOrder::Dmy,
            Language::En => DateOrder::Mdy,
        }
    }

    /// How the error messages name the short form: `D/M` or `M/D`.
    pub fn pattern(self) -> &'static str {
        match self {
            DateOrder::Dmy => "D/M",
            DateOrder::Mdy => "M/D",
        }
    }
}

/// What was typed, as it is compared: accents off, lower case, runs of
/// spaces as one, trimmed (`  Pasado  Mañana ` is `pasado manana`).
pub fn plain(s: &str) -> String {
    let bare: String = s
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase();
    bare.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Days from today a relative day names: `hoy`/`today` 0, `mañana`/`tomorrow`
/// 1, `pasado mañana` 2, `ayer`/`yesterday` -1.
pub fn relative_day(typed: &str) -> Option<i64> {
    match plain(typed).as_str() {
        "today" | "hoy" => Some(0),
        "tomorrow" | "manana" => Some(1),
        "pasado manana" | "pasadomanana" => Some(2),
        "yesterday" | "ayer" => Some(-1),
        _ => None,
    }
}

/// The weekday a word names, Monday = 0: a day's whole name in either
/// language (`miércoles`, `wednesday`), or its first three letters or more
/// (`mié`, `mier`, `wed`, `wednes`).
pub fn weekday(typed: &str) -> Option<u32> {
    let t = plain(typed);
    if t.chars().count() < 3 {
        return None;
    }
    (0..7).find_map(|i| {
        [Language::En, Language::Es]
            .iter()
            .any(|&l| plain(weekday_name(l, i)).starts_with(&t))
            .then_some(i as u32)
    })
}

/// The next `weekday` (Monday = 0) from `today`: today itself when it is
/// that day, else the first one after it.
pub fn next_weekday(today: NaiveDate, weekday: u32) -> NaiveDate {
    let from = today.weekday().num_days_from_monday();
    today + Duration::days(i64::from((weekday + 7 - from) % 7))
}

/// What a short date typed with slashes is: not that shape at all, a day
/// (`4/12`, `04/12/2026`, read in `order`), or that shape naming no day
/// (the sentence says why).
#[derive(Debug, PartialEq)]
pub enum Slashed {
    Other,
    Day(NaiveDate),
    NoSuchDay(crate::text::Msg),
}

/// How far back a short date without its year may lie: the desk looks back
/// at the last weeks (`20/11` typed on the 25th), and otherwise means a day
/// to come.
pub const LOOK_BACK_DAYS: i64 = 90;

/// `D/M` or `D/M/YYYY` (`M/D…` in `mdy`), one or two digits for the day
/// and the month, four for the year. Without a year, the first day of that
/// date from [`LOOK_BACK_DAYS`] before `today` on: the next one, or one of
/// the last three months (`4/1` typed in December is next January, `24/12`
/// typed in June this Christmas, `20/11` typed on the 25th five days ago).
pub fn slashed(typed: &str, today: NaiveDate, order: DateOrder) -> Slashed {
    let t = typed.trim();
    let parts: Vec<&str> = t.split('/').collect();
    let digits = |p: &str, most: usize| {
        !p.is_empty() && p.len() <= most && p.bytes().all(|b| b.is_ascii_digit())
    };
    let shaped = match parts.as_slice() {
        [a, b] => digits(a, 2) && digits(b, 2),
        [a, b, y] => digits(a, 2) && digits(b, 2) && y.len() == 4 && digits(y, 4),
        _ => false,
    };
    if !shaped {
        return Slashed::Other;
    }
    let n = |p: &str| p.parse::<u32>().unwrap_or(0);
    let (day, month) = match order {
        DateOrder::Dmy => (n(parts[0]), n(parts[1])),
        DateOrder::Mdy => (n(parts[1]), n(parts[0])),
    };
    if !(1..=12).contains(&month) {
        return Slashed::NoSuchDay(crate::text::msg!(
            "e-does_not_exist_there_is_no_month",
            t = t,
            a = month
        ));
    }
    let no_day = || {
        Slashed::NoSuchDay(crate::text::msg!(
            "e-does_not_exist_that_month_has_no",
            t = t,
            a = day
        ))
    };
    if let Some(y) = parts.get(2) {
        return NaiveDate::from_ymd_opt(n(y) as i32, month, day).map_or_else(no_day, Slashed::Day);
    }
    let from = today - Duration::days(LOOK_BACK_DAYS);
    let first = [-1, 0, 1, 2, 3, 4]
        .iter()
        .filter_map(|dy| NaiveDate::from_ymd_opt(today.year() + dy, month, day))
        .find(|d| *d >= from);
    first.map_or_else(no_day, Slashed::Day)
}

/// A status as typed in either language: its code (`checked_in`, `no-show`,
/// `checked in`) or the desk's words (`llegó`, `en sala`, `en espera`,
/// `en consulta`, `atendida`, `ausente`, `no se presentó`, …).
pub fn status(typed: &str) -> Option<Status> {
    let t = plain(&typed.replace(['_', '-'], " "));
    let s = match t.as_str() {
        "scheduled" | "programada" | "programado" | "agendada" | "agendado" => Status::Scheduled,
        "confirmed" | "confirmada" | "confirmado" => Status::Confirmed,
        "checked in" | "arrived" | "llego" | "en sala" | "en espera" => Status::CheckedIn,
        "in progress" | "en consulta" => Status::InProgress,
        "completed" | "done" | "atendida" | "atendido" | "completada" | "completado" => {
            Status::Completed
        }
        "cancelled" | "canceled" | "cancelada" | "cancelado" => Status::Cancelled,
        "no show" | "ausente" | "no se presento" | "no vino" => Status::NoShow,
        _ => return None,
    };
    Some(s)
}

/// A message's status as typed in either language: its code or the word
/// `remind list` shows (`pendiente`, `enviado`, `fallido`, `cancelado`,
/// `vencido`, either gender).
pub fn message_status(typed: &str) -> Option<message::Status> {
    use message::Status as S;
    let s = match plain(typed).as_str() {
        "pending" | "pendiente" => S::Pending,
        "sent" | "enviado" | "enviada" => S::Sent,
        "failed" | "fallido" | "fallida" => S::Failed,
        "cancelled" | "canceled" | "cancelado" | "cancelada" => S::Cancelled,
        "expired" | "vencido" | "vencida" => S::Expired,
        _ => return None,
    };
    Some(s)
}

/// A message's kind as typed in either language: its code (`waitlist_offer`,
/// `waitlist offer`) or the word `remind list` shows (`recordatorio`,
/// `confirmación`, `reprogramada`, `cancelación`, `oferta`, `control`), its
/// short form in a narrow table too (`confirm.`, `cancel.`, `cambio`).
pub fn message_kind(typed: &str) -> Option<message::Kind> {
    use message::Kind as K;
    let k = match plain(&typed.replace(['_', '-'], " ")).as_str() {
        "reminder" | "recordatorio" => K::Reminder,
        "confirmation" | "confirmacion" | "confirm." | "confirm" => K::Confirmation,
        "rescheduled" | "reprogramada" | "reprogramacion" | "cambio" => K::Rescheduled,
        "cancelled" | "canceled" | "cancelacion" | "cancel." | "cancel" => K::Cancelled,
        "waitlist offer" | "oferta" | "oferta de lista de espera" => K::WaitlistOffer,
        "recall" | "control" => K::Recall,
        _ => return None,
    };
    Some(k)
}

/// An urgency as typed in either language: its code or `urgente`,
/// `emergencia` (`normal` is the same word in both).
pub fn urgency(typed: &str) -> Option<Urgency> {
    let t = plain(&typed.replace(['_', '-'], " "));
    let u = match t.as_str() {
        "normal" | "routine" | "rutina" | "ordinaria" | "ordinario" => Urgency::Normal,
        "urgent" | "urgente" | "urgencia" => Urgency::Urgent,
        "emergency" | "emergencia" => Urgency::Emergency,
        _ => return None,
    };
    Some(u)
}

/// A modality as typed in either language: its code (`in_person`,
/// `in person`) or `presencial`, `telemedicina`, `video`, `domicilio`, `a domicilio`.
pub fn modality(typed: &str) -> Option<Modality> {
    let t = plain(&typed.replace(['_', '-'], " "));
    let m = match t.as_str() {
        "in person" | "presencial" | "en persona" | "consultorio" => Modality::InPerson,
        "telemedicine" | "telemedicina" | "video" | "videollamada" | "virtual" => {
            Modality::Telemedicine
        }
        "home" | "home visit" | "domicilio" | "a domicilio" | "visita domiciliar" => Modality::Home,
        _ => return None,
    };
    Some(m)
}

/// A visit type as typed in either language: its code (`follow_up`,
/// `follow up`) or `primera vez`, `primera`, `control`, `seguimiento`,
/// `subsecuente`.
pub fn visit_type(typed: &str) -> Option<VisitType> {
    let t = plain(&typed.replace(['_', '-'], " "));
    let v = match t.as_str() {
        "first" | "first visit" | "new" | "primera vez" | "primera" | "nuevo" | "nueva" => {
            VisitType::First
        }
        "follow up" | "followup" | "control" | "seguimiento" | "subsecuente" => VisitType::FollowUp,
        _ => return None,
    };
    Some(v)
}

/// A member of staff's role as typed in either language: its code or
/// `recepción`, `recepcionista`, `médico`, `médica`, `doctora`, `gerente`,
/// `administrador`, `administradora`.
pub fn role(typed: &str) -> Option<super::staff::Role> {
    use super::staff::Role;
    let r = match plain(typed).as_str() {
        "reception" | "receptionist" | "recepcion" | "recepcionista" => Role::Reception,
        "doctor" | "doctora" | "medico" | "medica" => Role::Doctor,
        "manager" | "admin" | "gerente" | "administrador" | "administradora" => Role::Manager,
        _ => return None,
    };
    Some(r)
}

/// A patient's preferred channel as typed in either language: its code
/// (`whatsapp`, `sms`, `email`, `none`) or `correo`, `correo electrónico`,
/// `e-mail`, `mensaje de texto`, `ninguno`, `ninguna`.
pub fn preference(typed: &str) -> Option<Preference> {
    let t = plain(&typed.replace(['_', '-'], " "));
    let p = match t.as_str() {
        "whatsapp" | "whats app" | "wa" => Preference::Via(Kind::WhatsApp),
        "sms" | "text" | "texto" | "mensaje de texto" => Preference::Via(Kind::Sms),
        "email" | "e mail" | "mail" | "correo" | "correo electronico" => {
            Preference::Via(Kind::Email)
        }
        "none" | "ninguno" | "ninguna" | "nada" => Preference::Nothing,
        _ => return None,
    };
    Some(p)
}

/// The minutes a duration's unit stands for, and its rank (days before
/// hours before minutes): `d`, `día`, `days`; `h`, `hora`, `hours`; `m`,
/// `min`, `minutos`, `minutes`.
pub fn duration_unit(typed: &str) -> Option<(i64, u8)> {
    match plain(typed).as_str() {
        "d" | "dia" | "dias" | "day" | "days" => Some((1440, 0)),
        "h" | "hr" | "hrs" | "hora" | "horas" | "hour" | "hours" => Some((60, 1)),
        "m" | "min" | "mins" | "minuto" | "minutos" | "minute" | "minutes" => Some((1, 2)),
        _ => None,
    }
}

/// The months' names in either language, full and short, January first.
const MONTHS: [&[&str]; 12] = [
    &["enero", "ene", "january", "jan"],
    &["febrero", "feb", "february"],
    &["marzo", "mar", "march"],
    &["abril", "abr", "april", "apr"],
    &["mayo", "may"],
    &["junio", "jun", "june"],
    &["julio", "jul", "july"],
    &["agosto", "ago", "august", "aug"],
    &["septiembre", "setiembre", "sep", "sept", "set", "september"],
    &["octubre", "oct", "october"],
    &["noviembre", "nov", "november"],
    &["diciembre", "dic", "december", "dec"],
];

/// A month by its name (`junio`, `nov`, `june`), 1 to 12.
fn month_named(s: &str) -> Option<u32> {
    MONTHS
        .iter()
        .position(|names| names.contains(&s))
        .map(|i| i as u32 + 1)
}

/// A month as the desk types it → its first and last dates: `2026-11`,
/// `11/2026`, `last` (`pasado`, `anterior`), `this` (`este`, `actual`), a
/// name (`junio`, `nov`: the latest such month up to this one, as a report
/// looks back) or a name and a year (`junio 2026`, `junio de 2026`),
/// relative to `today` (docs/commands.md#appt-report).
pub fn month(
    s: &str,
    today: chrono::NaiveDate,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate), crate::text::Msg> {
    let err = || crate::text::msg!("e-month_must_be", s = s);
    let first_of = |y: i32, m: u32| chrono::NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(err);
    use chrono::Datelike;
    let this = first_of(today.year(), today.month())?;
    let first = match plain(s.trim()).as_str() {
        "this" | "este" | "actual" | "current" => this,
        "last" | "pasado" | "anterior" | "previous" => this
            .pred_opt()
            .map(|d| first_of(d.year(), d.month()))
            .ok_or_else(err)??,
        typed if typed.starts_with(|c: char| c.is_alphabetic()) => {
            let mut words = typed.split(' ').filter(|w| *w != "de" && *w != "of");
            let m = words.next().and_then(month_named).ok_or_else(err)?;
            match (words.next(), words.next()) {
                (None, _) if m <= today.month() => first_of(today.year(), m)?,
                (None, _) => first_of(today.year() - 1, m)?,
                (Some(y), None) => first_of(y.parse().map_err(|_| err())?, m)?,
                _ => return Err(err()),
            }
        }
        typed => {
            let (y, m) = match (typed.split_once('-'), typed.split_once('/')) {
                (Some((y, m)), _) => (y, m),
                (None, Some((m, y))) => (y, m),
                _ => return Err(err()),
            };
            let (y, m) = (
                y.trim().parse().map_err(|_| err())?,
                m.trim().parse().map_err(|_| err())?,
            );
            first_of(y, m)?
        }
    };
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(err)?;
    Ok((first, next.pred_opt().ok_or_else(err)?))
}

/// A yes/no answer in either language: `s`, `sí`, `si`, `y`, `yes` are yes;
/// `n`, `no` are no; anything else is no answer (asked again).
pub fn answer(typed: &str) -> Option<bool> {
    match plain(typed).as_str() {
        "s" | "si" | "y" | "yes" => Some(true),
        "n" | "no" => Some(false),
        _ => None,
    }
}

/// `all` in either language (`all`, `todos`, `todas`, `todo`): every one,
/// as `doctor add --services all` says it; nothing typed counts as all.
pub fn is_all(typed: &str) -> bool {
    matches!(
        plain(typed).as_str(),
        "" | "all" | "todos" | "todas" | "todo"
    )
}

/// `none` in either language (`none`, `ninguno`, `ninguna`, `nada`):
/// nothing, as `service update --needs none` says it.
pub fn is_none(typed: &str) -> bool {
    matches!(
        plain(typed).as_str(),
        "none" | "ninguno" | "ninguna" | "nada"
    )
}

/// A setting's on or off in either language: `on`, `true`, `yes`, `sí`,
/// `si` are on; `off`, `false`, `no` are off; anything else is None.
pub fn on_off(typed: &str) -> Option<bool> {
    match plain(typed).as_str() {
        "on" | "true" | "yes" | "si" => Some(true),
        "off" | "false" | "no" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_month_by_number_word_or_name() {
        let today = d("2026-11-27");
        let m = |s: &str| month(s, today).map(|(a, b)| (a.to_string(), b.to_string()));
        let june = Ok(("2026-06-01".to_string(), "2026-06-30".to_string()));
        for typed in [
            "2026-06",
            "06/2026",
            "junio",
            "Jun",
            "june",
            "junio de 2026",
            "June 2026",
        ] {
            assert_eq!(m(typed), june, "{typed}");
        }
        // A month later in the year than this one is last year's.
        assert_eq!(
            m("diciembre"),
            Ok(("2025-12-01".to_string(), "2025-12-31".to_string()))
        );
        assert_eq!(
            m("Noviembre"),
            Ok(("2026-11-01".to_string(), "2026-11-30".to_string()))
        );
        assert_eq!(
            m("pasado"),
            Ok(("2026-10-01".to_string(), "2026-10-31".to_string()))
        );
        for bad in ["juno", "junio 20x6", "junio 2026 x", "13/2026", ""] {
            assert!(m(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kinds_of_visit_in_either_language() {
        assert_eq!(urgency("URGENTE"), Some(Urgency::Urgent));
        assert_eq!(urgency("Emergencia"), Some(Urgency::Emergency));
        assert_eq!(urgency("emergency"), Some(Urgency::Emergency));
        assert_eq!(modality("Telemedicina"), Some(Modality::Telemedicine));
        assert_eq!(modality("in-person"), Some(Modality::InPerson));
        assert_eq!(modality("a domicilio"), Some(Modality::Home));
        assert_eq!(visit_type("Primera  Vez"), Some(VisitType::First));
        assert_eq!(visit_type("control"), Some(VisitType::FollowUp));
        assert_eq!(visit_type("seguimiento"), Some(VisitType::FollowUp));
        assert_eq!(visit_type("follow_up"), Some(VisitType::FollowUp));
        assert_eq!(urgency("pronto"), None);
    }

    #[test]
    fn a_preferred_channel_in_either_language() {
        let email = Some(Preference::Via(Kind::Email));
        assert_eq!(preference("Correo"), email);
        assert_eq!(preference("correo electrónico"), email);
        assert_eq!(preference("E-mail"), email);
        assert_eq!(preference("NINGUNO"), Some(Preference::Nothing));
        assert_eq!(preference("none"), Some(Preference::Nothing));
        assert_eq!(
            preference("WhatsApp"),
            Some(Preference::Via(Kind::WhatsApp))
        );
        assert_eq!(preference("sms"), Some(Preference::Via(Kind::Sms)));
        assert_eq!(preference("paloma"), None);
        assert_eq!(preference(""), None);
    }

    #[test]
    fn relative_days_in_either_language() {
        for (typed, n) in [
            ("hoy", 0),
            ("HOY", 0),
            ("today", 0),
            ("mañana", 1),
            ("Manana", 1),
            ("tomorrow", 1),
            ("pasado mañana", 2),
            ("  Pasado   MAÑANA ", 2),
            ("ayer", -1),
            ("yesterday", -1),
        ] {
            assert_eq!(relative_day(typed), Some(n), "{typed}");
        }
        for bad in ["", "mañanas", "pasado", "tomorow", "ayer2"] {
            assert_eq!(relative_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn weekdays_by_name_or_three_letters_in_either_language() {
        for (typed, i) in [
            ("lunes", 0),
            ("lun", 0),
            ("Lunes", 0),
            ("monday", 0),
            ("mon", 0),
            ("martes", 1),
            ("mar", 1),
            ("tue", 1),
            ("tues", 1),
            ("miércoles", 2),
            ("miercoles", 2),
            ("mié", 2),
            ("MIE", 2),
            ("wed", 2),
            ("jueves", 3),
            ("jue", 3),
            ("thu", 3),
            ("viernes", 4),
            ("vie", 4),
            ("fri", 4),
            ("sábado", 5),
            ("sab", 5),
            ("sáb", 5),
            ("sat", 5),
            ("domingo", 6),
            ("dom", 6),
            ("sun", 6),
        ] {
            assert_eq!(weekday(typed), Some(i), "{typed}");
        }
        for bad in ["", "lu", "mo", "lunesx", "funday", "s"] {
            assert_eq!(weekday(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_weekday_is_the_next_one_today_included() {
        // 2026-06-15 is a Monday.
        let monday = d("2026-06-15");
        assert_eq!(next_weekday(monday, 0), monday);
        assert_eq!(next_weekday(monday, 4), d("2026-06-19"));
        assert_eq!(next_weekday(monday, 6), d("2026-06-21"));
        let friday = d("2026-06-19");
        assert_eq!(next_weekday(friday, 0), d("2026-06-22"));
        assert_eq!(next_weekday(friday, 4), friday);
        // Across a month's and a year's end.
        assert_eq!(next_weekday(d("2026-06-30"), 2), d("2026-07-01"));
        assert_eq!(next_weekday(d("2026-12-31"), 4), d("2027-01-01"));
        assert_eq!(next_weekday(d("2026-12-31"), 3), d("2026-12-31"));
        assert_eq!(next_weekday(d("2026-12-31"), 2), d("2027-01-06"));
    }

    #[test]
    fn slashed_dates_read_in_the_clinics_order() {
        let today = d("2026-11-25");
        use DateOrder::*;
        assert_eq!(slashed("4/12", today, Dmy), Slashed::Day(d("2026-12-04")));
        // Month first: 12 April, next year's (this year's is long past).
        assert_eq!(slashed("4/12", today, Mdy), Slashed::Day(d("2027-04-12")));
        assert_eq!(
            slashed("04/12/2026", today, Dmy),
            Slashed::Day(d("2026-12-04"))
        );
        assert_eq!(
            slashed("12/04/2027", today, Mdy),
            Slashed::Day(d("2027-12-04"))
        );
        // Without a year, the next such day, or one of the last three
        // months: next January, this Christmas, last week.
        assert_eq!(slashed("4/1", today, Dmy), Slashed::Day(d("2027-01-04")));
        assert_eq!(
            slashed("24/12", d("2026-06-15"), Dmy),
            Slashed::Day(d("2026-12-24"))
        );
        assert_eq!(slashed("20/11", today, Dmy), Slashed::Day(d("2026-11-20")));
        assert_eq!(slashed("25/11", today, Dmy), Slashed::Day(d("2026-11-25")));
        assert_eq!(
            slashed("31/12", d("2027-01-02"), Dmy),
            Slashed::Day(d("2026-12-31"))
        );
        // Ninety days back is the last day looked back at; one more is next year's.
        assert_eq!(slashed("27/8", today, Dmy), Slashed::Day(d("2026-08-27")));
        assert_eq!(slashed("26/8", today, Dmy), Slashed::Day(d("2027-08-26")));
        // 29 February: the next year that has one.
        assert_eq!(
            slashed("29/2", d("2027-11-25"), Dmy),
            Slashed::Day(d("2028-02-29"))
        );
        assert_eq!(
            slashed("29/2", d("2028-03-10"), Dmy),
            Slashed::Day(d("2028-02-29"))
        );
        assert!(matches!(
            slashed("29/2/2026", today, Dmy),
            Slashed::NoSuchDay(e) if e.english().contains("no day 29")
        ));
        assert!(matches!(
            slashed("13/12", today, Mdy),
            Slashed::NoSuchDay(e) if e.english().contains("no month 13")
        ));
        assert!(matches!(slashed("32/1", today, Dmy), Slashed::NoSuchDay(_)));
        // Other shapes are not this form at all (ISO has dashes).
        for other in [
            "2026-12-04",
            "2026/12/04",
            "4/12/26",
            "4-12",
            "4/",
            "/12",
            "4/12/2026/1",
            "a/b",
            "123/1",
        ] {
            assert_eq!(slashed(other, today, Dmy), Slashed::Other, "{other}");
        }
    }

    #[test]
    fn statuses_by_code_or_the_desks_words() {
        use Status::*;
        for (typed, st) in [
            ("scheduled", Scheduled),
            ("programada", Scheduled),
            ("confirmed", Confirmed),
            ("Confirmada", Confirmed),
            ("checked_in", CheckedIn),
            ("checked-in", CheckedIn),
            ("llegó", CheckedIn),
            ("LLEGO", CheckedIn),
            ("en sala", CheckedIn),
            ("en espera", CheckedIn),
            ("in_progress", InProgress),
            ("en consulta", InProgress),
            ("en_consulta", InProgress),
            ("completed", Completed),
            ("atendida", Completed),
            ("cancelled", Cancelled),
            ("cancelada", Cancelled),
            ("no_show", NoShow),
            ("ausente", NoShow),
            ("no se presentó", NoShow),
            ("No se presento", NoShow),
        ] {
            assert_eq!(status(typed), Some(st), "{typed}");
        }
        for bad in ["", "llegada", "en", "consulta", "no"] {
            assert_eq!(status(bad), None, "{bad}");
        }
    }

    #[test]
    fn message_statuses_and_kinds_by_code_or_the_words_shown() {
        use message::{Kind, Status};
        for st in Status::ALL {
            assert_eq!(message_status(st.as_str()), Some(*st), "{st:?}");
        }
        for k in Kind::ALL {
            assert_eq!(message_kind(k.as_str()), Some(*k), "{k:?}");
        }
        for (typed, st) in [
            ("Pendiente", Status::Pending),
            ("enviado", Status::Sent),
            ("ENVIADA", Status::Sent),
            ("fallido", Status::Failed),
            ("cancelada", Status::Cancelled),
            ("vencido", Status::Expired),
        ] {
            assert_eq!(message_status(typed), Some(st), "{typed}");
        }
        for (typed, k) in [
            ("recordatorio", Kind::Reminder),
            ("Confirmación", Kind::Confirmation),
            ("confirmacion", Kind::Confirmation),
            ("reprogramada", Kind::Rescheduled),
            ("cancelación", Kind::Cancelled),
            ("waitlist-offer", Kind::WaitlistOffer),
            ("oferta", Kind::WaitlistOffer),
            ("control", Kind::Recall),
            ("confirm.", Kind::Confirmation),
            ("cancel.", Kind::Cancelled),
            ("cambio", Kind::Rescheduled),
        ] {
            assert_eq!(message_kind(typed), Some(k), "{typed}");
        }
        // Delivered and read are shown, not stored: not a status to list by.
        for bad in ["", "sending", "entregado", "leído", "enviar"] {
            assert_eq!(message_status(bad), None, "{bad}");
        }
        for bad in ["", "notice", "recordatorios", "confirmed"] {
            assert_eq!(message_kind(bad), None, "{bad}");
        }
    }

    #[test]
    fn answers_in_either_language_and_nothing_else() {
        for on in ["on", "ON", "true", "yes", "sí", "Sí", " si "] {
            assert_eq!(on_off(on), Some(true), "{on}");
        }
        for off in ["off", "Off", "false", "no", "NO"] {
            assert_eq!(on_off(off), Some(false), "{off}");
        }
        assert_eq!(on_off("maybe"), None);
        for yes in ["s", "S", "sí", "SÍ", "si", "y", "Y", "yes", " yes "] {
            assert_eq!(answer(yes), Some(true), "{yes}");
        }
        for no in ["n", "N", "no", "NO"] {
            assert_eq!(answer(no), Some(false), "{no}");
        }
        for other in ["", "x", "yeah", "nop", "sip", "o"] {
            assert_eq!(answer(other), None, "{other}");
        }
    }

    #[test]
    fn date_orders_and_their_defaults() {
        assert_eq!(DateOrder::parse("DMY"), Some(DateOrder::Dmy));
        assert_eq!(DateOrder::parse(" mdy "), Some(DateOrder::Mdy));
        assert_eq!(DateOrder::parse("ymd"), None);
        assert_eq!(DateOrder::of_language(Language::Es), DateOrder::Dmy);
        assert_eq!(DateOrder::of_language(Language::En), DateOrder::Mdy);
    }
}
