//! The language of human output (docs/commands.md#language): English or
//! Spanish, chosen once per process by the front end (`cli` reads
//! `$APPT_LANG` and the locale) and used here for every word a person reads.
//!
//! The words are messages of the catalogues of [`crate::text`] (Fluent,
//! `src/text/en.ftl` and `es.ftl`), by ID with typed arguments: `tr!` here
//! renders one in the chosen language, and an error, built in `core`, `app`
//! or `store` as a [`Msg`], is rendered by [`message`] at the last moment.
//! No English sentence is matched back to find its translation.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, OnceLock};

pub(crate) use crate::text::msg;
/// The language of human output: the same two as a clinic's messages.
pub use crate::text::Lang;
pub use crate::text::{Arg, Msg};

static CHOSEN: OnceLock<Lang> = OnceLock::new();

/// Sets the language of this process's human output; the first choice stays.
pub fn choose(lang: Lang) {
    let _ = CHOSEN.set(lang);
}

/// The language chosen, English until one is.
pub fn current() -> Lang {
    CHOSEN.get().copied().unwrap_or(Lang::En)
}

/// The language the environment asks for: `APPT_LANG`, else the locale
/// (`LC_ALL`, `LC_MESSAGES`, `LANG`, the first one set), `es…` meaning
/// Spanish; anything else, or nothing, English.
pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Lang {
    let asked = ["APPT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|name| var(name).filter(|v| !v.trim().is_empty()));
    match asked {
        Some(v) if v.trim().to_ascii_lowercase().starts_with("es") => Lang::Es,
        _ => Lang::En,
    }
}

/// The text of `id` in `lang`, with no arguments (kept once rendered: a
/// heading or a word is asked for at every row of a table).
pub fn text_in(lang: Lang, id: &str) -> &'static str {
    static SEEN: LazyLock<Mutex<HashMap<(Lang, String), &'static str>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(t) = seen.get(&(lang, id.to_string())) {
        return t;
    }
    let t: &'static str = Box::leak(crate::text::render(lang, id, &[]).into_boxed_str());
    seen.insert((lang, id.to_string()), t);
    t
}

/// The text of `id` in the chosen language.
pub fn t(id: &str) -> &'static str {
    text_in(current(), id)
}

/// The text of `id` in `lang` with its arguments.
pub fn fill(lang: Lang, id: &str, args: &[(&'static str, Arg)]) -> String {
    crate::text::render(lang, id, args)
}

/// Whether the catalogues have `id`.
pub fn has(id: &str) -> bool {
    crate::text::has(id)
}

/// `tr!("id")`, `tr!("id", name = value, …)`: the text of `id` in the chosen
/// language, its arguments kept by their type (a count as a number, so that
/// the catalogue chooses its plural).
macro_rules! tr {
    ($id:expr) => {
        $crate::output::lang::t($id).to_string()
    };
    ($id:expr, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::text::msg!($id, $($name = $value),+).render($crate::output::lang::current())
    };
}
pub(crate) use tr;

/// A column heading in the chosen language (`col.<Heading>` in the catalogue).
pub fn heading(h: &'static str) -> &'static str {
    if current() == Lang::En {
        return h;
    }
    let id = format!("col-{}", h.replace(' ', "_").replace('#', "hash"));
    if has(&id) {
        t(&id)
    } else {
        h
    }
}

/// A status as people read it (`confirmed`, `confirmada`).
pub fn status(s: crate::core::Status) -> &'static str {
    use crate::core::Status;
    // Asked at each row of a day sheet: each label made once per language.
    static SHOWN: [[OnceLock<&'static str>; Status::ALL.len()]; Lang::ALL.len()] =
        [const { [const { OnceLock::new() }; Status::ALL.len()] }; Lang::ALL.len()];
    let lang = current();
    fn place<T: PartialEq>(all: &[T], x: T) -> usize {
        all.iter().position(|y| *y == x).unwrap_or(0)
    }
    SHOWN[place(&Lang::ALL, lang)][place(&Status::ALL, s)]
        .get_or_init(|| text_in(lang, &format!("status-{}", s.as_str())))
}

/// `yes` / `no`, `on` / `off`.
pub fn yes_no(b: bool) -> &'static str {
    t(if b { "word-yes" } else { "word-no" })
}

pub fn on_off(b: bool) -> &'static str {
    t(if b { "word-on" } else { "word-off" })
}

// ---------------------------------------------------------------------------
// Dates.

use chrono::{Datelike, NaiveDate};

/// A weekday's name, Monday = 0: `Monday`, `lunes`.
pub fn weekday(i: usize) -> &'static str {
    weekday_in(current(), i)
}

fn weekday_in(lang: Lang, i: usize) -> &'static str {
    crate::core::message::weekday_name(lang, i)
}

/// The first three letters of a name: `Mon`, `mié`.
fn three(name: &'static str) -> &'static str {
    &name[..name.char_indices().nth(3).map_or(name.len(), |(i, _)| i)]
}

/// A weekday's short name, Monday = 0: `Mon`, `lun`.
pub fn weekday_short(i: usize) -> &'static str {
    three(weekday(i))
}

fn month_in(lang: Lang, m: u32) -> &'static str {
    crate::core::message::month_name(lang, m)
}

fn wd(d: NaiveDate) -> usize {
    d.weekday().num_days_from_monday() as usize
}

/// `Monday 23 November 2026`, `lunes 23 de noviembre de 2026`.
pub fn date_long(d: NaiveDate) -> String {
    date_long_in(current(), d)
}

/// [`date_long`] in `lang`.
pub fn date_long_in(lang: Lang, d: NaiveDate) -> String {
    let (day, month) = (weekday_in(lang, wd(d)), month_in(lang, d.month()));
    match lang {
        Lang::En => format!("{day} {:02} {month} {}", d.day(), d.year()),
        Lang::Es => format!("{day} {} de {month} de {}", d.day(), d.year()),
    }
}

/// A visit's local day and time as a page writes it in `lang`: `Monday 15
/// June at 14:00`, `lunes 15 de junio a las 14:00` (the day as the clinic's
/// messages write it, `core::message::date_words`).
pub fn when_in(lang: Lang, d: NaiveDate, time: &str) -> String {
    msg!(
        "pg-when_at",
        date = crate::core::message::date_words(lang, d),
        time = time
    )
    .render(lang)
}

/// `Mon 23 Nov 2026`, `lun 23 nov 2026`.
pub fn date_short(d: NaiveDate) -> String {
    format!("{} {}", day_short(d), d.year())
}

/// `Mon 23 Nov`, `lun 23 nov`.
pub fn day_short(d: NaiveDate) -> String {
    day_short_in(current(), d)
}

/// [`day_short`] in `lang`: Spanish writes the day as it is said
/// (`mar 1 dic`), English pads it to two digits (`Tue 01 Dec`).
pub fn day_short_in(lang: Lang, d: NaiveDate) -> String {
    format!(
        "{} {} {}",
        three(weekday_in(lang, wd(d))),
        day_number(lang, d),
        three(month_in(lang, d.month()))
    )
}

fn day_number(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::En => format!("{:02}", d.day()),
        Lang::Es => d.day().to_string(),
    }
}

/// `23 Nov`, `23 nov`.
pub fn day_month(d: NaiveDate) -> String {
    let lang = current();
    format!(
        "{} {}",
        day_number(lang, d),
        three(month_in(lang, d.month()))
    )
}

/// The name of the weekday of `d`: `Monday`, `lunes`.
pub fn weekday_of(d: NaiveDate) -> &'static str {
    weekday(wd(d))
}

/// A set of weekdays, bit 0 Monday: `mon-fri`, `lun-vie`, `mon,wed`
/// (written as `core::time::format_days_with` writes a mask).
pub fn days(mask: u8) -> String {
    crate::core::time::format_days_with(mask, |d| weekday_short(d).to_lowercase())
}

/// Weekdays written as core writes them (`mon-fri`, `mon,wed`) in the chosen language.
pub fn days_named(english: &str) -> String {
    const EN: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match EN.iter().position(|d| *d == word.as_str()) {
            Some(i) => out.push_str(&weekday_short(i).to_lowercase()),
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in english.chars() {
        if c.is_alphabetic() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

// ---------------------------------------------------------------------------
// Messages built below the front ends.

/// A message (an error's, a hint, a warning) in the chosen language.
pub fn message(m: &Msg) -> String {
    m.render(current())
}

/// [`message`] in `lang`.
pub fn message_in(lang: Lang, m: &Msg) -> String {
    m.render(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_sentences_are_each_their_own() {
        let m = Msg::joined(vec![
            msg!("e-is_required", flag = "--date"),
            msg!("e-is_required", flag = "--reason"),
        ]);
        assert_eq!(m.render(Lang::Es), "falta --date; falta --reason");
        assert_eq!(m.english(), "--date is required; --reason is required");
    }

    #[test]
    fn the_environment_chooses_the_language() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(from_env(env(&[])), Lang::En);
        assert_eq!(from_env(env(&[("APPT_LANG", "es")])), Lang::Es);
        assert_eq!(from_env(env(&[("LANG", "es_SV.UTF-8")])), Lang::Es);
        assert_eq!(
            from_env(env(&[("LC_MESSAGES", "es_ES"), ("LANG", "en_US")])),
            Lang::Es
        );
        assert_eq!(
            from_env(env(&[("LC_ALL", "C"), ("LANG", "es_SV")])),
            Lang::En
        );
        assert_eq!(
            from_env(env(&[("APPT_LANG", "en"), ("LANG", "es_SV.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            from_env(env(&[("APPT_LANG", ""), ("LANG", "es_SV.UTF-8")])),
            Lang::Es
        );
    }

    #[test]
    fn an_error_is_said_in_either_language_with_its_arguments() {
        let m = msg!("e-doctor_not_found");
        assert_eq!(m.render(Lang::Es), "Médico no encontrado");
        assert_eq!(m.render(Lang::En), "Doctor not found");
        // A message inside another is said in the same language.
        let m = msg!(
            "e-rejected_the_first_line",
            a = msg!("e-lines", n = 2),
            b = 3,
            c = msg!("e-doctor_not_found")
        );
        assert_eq!(
            m.render(Lang::Es),
            "2 líneas sin reservar; la primera, línea 3: Médico no encontrado"
        );
        // Text typed or stored stays as it was.
        let m = msg!(
            "e-a_named_already_exists",
            a = "clinic",
            name = "Centro; Norte"
        );
        assert_eq!(
            m.render(Lang::Es),
            "Ya existe una clínica con el nombre 'Centro; Norte'"
        );
        let m = msg!(
            "e-cannot_cancel_a_appointment",
            a = Arg::word("status-", "completed")
        );
        assert_eq!(m.render(Lang::Es), "No se puede cancelar una cita atendida");
    }

    #[test]
    fn dates_in_both_languages() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(date_long_in(Lang::Es, d), "lunes 23 de noviembre de 2026");
        assert_eq!(day_short_in(Lang::Es, d), "lun 23 nov");
        assert_eq!(date_long_in(Lang::En, d), "Monday 23 November 2026");
        assert_eq!(day_short_in(Lang::En, d), "Mon 23 Nov");
        let w = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(day_short_in(Lang::Es, w), "mié 25 nov");
    }
}
