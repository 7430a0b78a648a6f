//! The language of human output (docs/commands.md#language): English or
//! Spanish, chosen once per process by the front end (`cli` reads
//! `$APPT_LANG` and the locale) and used here for every word a person reads.
//!
//! The words live in two plain catalogues compiled in, `lang/en.txt` and
//! `lang/es.txt`: one `id = text` a line, `{name}` placeholders, `\n` for a
//! line break. A plain catalogue rather than a localisation crate: appt needs
//! lookups and placeholders only (no plural rules beyond "one or many", which
//! the ids spell out, no runtime loading), and two text files a translator can
//! read beat a dependency and its build. A test holds the two catalogues to
//! the same ids and the same placeholders.
//!
//! Errors are built in `core`, `app` and `store` as English sentences, which
//! JSON keeps as they are. The catalogue's `e.*` entries are those sentences
//! as templates; [`message`] finds the template an English message was made
//! from, takes back its arguments (stored or typed text stays as it was,
//! a sentence inside is translated in turn) and renders the same id in the
//! chosen language. A test holds every error sentence in the source to an
//! entry, so none is left in English. The verbs of the one-line
//! confirmations (`Booked`, `Marked completed`, `v.*`) are recognised the
//! same way, so the commands keep passing the English word they log.

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

/// The language of human output: the same two as a clinic's messages.
pub use crate::core::Language as Lang;

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

type Catalogue = HashMap<&'static str, &'static str>;

/// The entries of a catalogue, in order: `id = text` (or `id =`, empty).
/// An id holds no `=`, so a line splits at its first one: a search for one
/// byte, where a search for " = " set up a substring searcher for every
/// line (human output reads a catalogue once a process; it was a seventh of
/// a `slots` under callgrind).
fn parse(text: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (k, v) = l.split_once('=')?;
            let k = k.strip_suffix(' ')?.trim();
            let v = if v.is_empty() {
                v
            } else {
                v.strip_prefix(' ')?
            };
            (!k.is_empty()).then_some((k, v))
        })
}

static EN_TEXT: &str = include_str!("lang/en.txt");
static ES_TEXT: &str = include_str!("lang/es.txt");

fn load(text: &'static str) -> Catalogue {
    let mut c = Catalogue::with_capacity(1024);
    c.extend(parse(text));
    c
}

static EN: LazyLock<Catalogue> = LazyLock::new(|| load(EN_TEXT));
static ES: LazyLock<Catalogue> = LazyLock::new(|| load(ES_TEXT));

fn catalogue(lang: Lang) -> &'static Catalogue {
    match lang {
        Lang::En => &EN,
        Lang::Es => &ES,
    }
}

/// The text of `id` in `lang` (English where the id is missing, which a test
/// forbids; the id itself where English lacks it too).
pub fn text_in(lang: Lang, id: &str) -> &'static str {
    catalogue(lang)
        .get(id)
        .or_else(|| EN.get(id))
        .copied()
        .unwrap_or_else(|| Box::leak(id.to_string().into_boxed_str()))
}

/// The text of `id` in the chosen language.
pub fn t(id: &str) -> &'static str {
    text_in(current(), id)
}

/// `template` with each `{name}` replaced by its argument and `\n` by a line break.
pub fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(i) = rest.find(['{', '\\']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if let Some(after) = rest.strip_prefix("\\n") {
            out.push('\n');
            rest = after;
            continue;
        }
        if rest.starts_with('{') {
            if let Some(end) = rest.find('}') {
                let name = &rest[1..end];
                if let Some((_, v)) = args.iter().find(|(n, _)| *n == name) {
                    out.push_str(v);
                    rest = &rest[end + 1..];
                    continue;
                }
            }
        }
        out.push_str(&rest[..1]);
        rest = &rest[1..];
    }
    out.push_str(rest);
    out
}

/// `tr!("id")`, `tr!("id", name = value, …)`: the text of `id` in the chosen
/// language, its placeholders filled.
macro_rules! tr {
    ($id:expr) => {
        $crate::output::lang::fill($crate::output::lang::t($id), &[])
    };
    ($id:expr, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::output::lang::fill(
            $crate::output::lang::t($id),
            &[$((stringify!($name), ($value).to_string())),+],
        )
    };
}
pub(crate) use tr;

/// A column heading in the chosen language (`col.<Heading>` in the catalogue).
pub fn heading(h: &'static str) -> &'static str {
    if current() == Lang::En {
        return h;
    }
    let id = format!("col.{}", h.replace(' ', "_"));
    match catalogue(current()).get(id.as_str()) {
        Some(t) => t,
        None => h,
    }
}

/// A status as people read it (`confirmed`, `confirmada`).
pub fn status(s: crate::core::Status) -> &'static str {
    t(&format!("status.{}", s.as_str()))
}

/// `yes` / `no`, `on` / `off`.
pub fn yes_no(b: bool) -> &'static str {
    t(if b { "word.yes" } else { "word.no" })
}

pub fn on_off(b: bool) -> &'static str {
    t(if b { "word.on" } else { "word.off" })
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
    fill(
        text_in(lang, "pg.when_at"),
        &[
            ("date", crate::core::message::date_words(lang, d)),
            ("time", time.to_string()),
        ],
    )
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
// Error messages: English sentences back to their ids.

/// A template cut into its literal text and its placeholders.
#[derive(Debug)]
enum Piece {
    Lit(&'static str),
    Var(&'static str),
}

fn pieces(template: &'static str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        let Some(end) = rest[i..].find('}').map(|e| i + e) else {
            break;
        };
        if i > 0 {
            out.push(Piece::Lit(&rest[..i]));
        }
        out.push(Piece::Var(&rest[i + 1..end]));
        rest = &rest[end + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Lit(rest));
    }
    out
}

struct Template {
    id: &'static str,
    pieces: Vec<Piece>,
}

/// The English error templates, the most literal text first, so that
/// `Doctor not found` wins over `{what} not found`.
static TEMPLATES: LazyLock<Vec<Template>> = LazyLock::new(|| {
    let mut all: Vec<(usize, Template)> = parse(EN_TEXT)
        .filter(|(id, _)| id.starts_with("e.") || id.starts_with("v."))
        .map(|(id, text)| {
            let pieces = pieces(text);
            let lit: usize = pieces
                .iter()
                .map(|p| match p {
                    Piece::Lit(l) => l.len(),
                    Piece::Var(_) => 0,
                })
                .sum();
            (lit, Template { id, pieces })
        })
        .collect();
    all.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.cmp(b.1.id)));
    all.into_iter().map(|(_, t)| t).collect()
});

/// Matches `s` against `pieces`, collecting the placeholders' text.
fn matches<'a>(pieces: &[Piece], s: &'a str, args: &mut Vec<(&'static str, &'a str)>) -> bool {
    match pieces.first() {
        None => s.is_empty(),
        Some(Piece::Lit(l)) => s
            .strip_prefix(l)
            .is_some_and(|r| matches(&pieces[1..], r, args)),
        Some(Piece::Var(name)) => match pieces.get(1) {
            None => {
                if s.is_empty() {
                    return false;
                }
                args.push((name, s));
                true
            }
            Some(Piece::Lit(next)) => {
                let mut from = 1;
                while let Some(i) = s.get(from..).and_then(|r| r.find(next)).map(|i| i + from) {
                    args.push((name, &s[..i]));
                    if matches(&pieces[1..], &s[i..], args) {
                        return true;
                    }
                    args.pop();
                    from = i + 1;
                    while !s.is_char_boundary(from) {
                        from += 1;
                    }
                }
                false
            }
            Some(Piece::Var(_)) => false,
        },
    }
}

/// The id and arguments of the template an English message was made from.
pub fn recognise(english: &str) -> Option<(&'static str, Vec<(&'static str, &str)>)> {
    TEMPLATES.iter().find_map(|t| {
        let mut args = Vec::new();
        matches(&t.pieces, english, &mut args).then_some((t.id, args))
    })
}

/// An error message, hint or warning (built in English) in the chosen
/// language: its template's text, each argument translated in turn when it is
/// itself a sentence of the catalogue, and kept as it is when it is stored or
/// typed text. English, or a message of no template, stays as it is.
pub fn message(english: &str) -> String {
    message_in(current(), english)
}

pub fn message_in(lang: Lang, english: &str) -> String {
    if lang == Lang::En {
        return english.to_string();
    }
    // Several sentences (every missing field of a command, `Error::fields`)
    // are each their own, when each is one of the catalogue's: a
    // placeholder of the first must not swallow the others.
    let sentences: Vec<&str> = english.split("; ").collect();
    if sentences.len() > 1 && sentences.iter().all(|p| recognise(p).is_some()) {
        let each: Vec<String> = sentences.iter().map(|p| message_in(lang, p)).collect();
        return each.join("; ");
    }
    match recognise(english) {
        Some((id, args)) => {
            let args: Vec<(&str, String)> = args
                .into_iter()
                .map(|(n, v)| (n, argument_in(lang, v)))
                .collect();
            fill(text_in(lang, id), &args)
        }
        None => english.to_string(),
    }
}

/// An argument of a recognised sentence: a sentence of the catalogue in turn,
/// a status or a kind of record (`completed`, `clinic`) in its word, and
/// anything else (a name, a time, an ID) as it was.
fn argument_in(lang: Lang, v: &str) -> String {
    let shown = message_in(lang, v);
    if shown != v {
        return shown;
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%a %d %b %Y") {
        return format!("{} {}", day_short_in(lang, d), d.year());
    }
    ["status.", "arg."]
        .iter()
        .find_map(|p| catalogue(lang).get(format!("{p}{v}").as_str()))
        .map_or(shown, |w| w.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(text: &str) -> BTreeSet<String> {
        pieces(Box::leak(text.to_string().into_boxed_str()))
            .into_iter()
            .filter_map(|p| match p {
                Piece::Var(v) => Some(v.to_string()),
                Piece::Lit(_) => None,
            })
            .collect()
    }

    #[test]
    fn several_sentences_are_each_their_own() {
        assert_eq!(
            message_in(Lang::Es, "--date is required; --reason is required"),
            "falta --date; falta --reason"
        );
    }

    #[test]
    fn both_catalogues_have_the_same_ids_and_placeholders() {
        let en: Vec<_> = parse(EN_TEXT).collect();
        let es: Vec<_> = parse(ES_TEXT).collect();
        let en_ids: BTreeSet<_> = en.iter().map(|(k, _)| *k).collect();
        let es_ids: BTreeSet<_> = es.iter().map(|(k, _)| *k).collect();
        let missing_es: Vec<_> = en_ids.difference(&es_ids).collect();
        let missing_en: Vec<_> = es_ids.difference(&en_ids).collect();
        assert!(missing_es.is_empty(), "missing in es.txt: {missing_es:?}");
        assert!(missing_en.is_empty(), "missing in en.txt: {missing_en:?}");
        assert_eq!(en.len(), en_ids.len(), "an id twice in en.txt");
        assert_eq!(es.len(), es_ids.len(), "an id twice in es.txt");
        for (id, text) in &en {
            let other = ES.get(id).unwrap();
            assert_eq!(
                placeholders(text),
                placeholders(other),
                "{id}: the placeholders differ"
            );
        }
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
    fn an_english_error_comes_back_in_spanish_with_its_arguments() {
        assert_eq!(
            message_in(Lang::Es, "Doctor not found"),
            "Médico no encontrado"
        );
        assert_eq!(message_in(Lang::En, "Doctor not found"), "Doctor not found");
        // serde's words for a line that is not a booking request.
        assert_eq!(
            message_in(Lang::Es, "not a booking request: expected ident"),
            "no es una solicitud de reserva: no es JSON (se esperaba true, false o null)"
        );
        assert_eq!(
            message_in(
                Lang::Es,
                "not a booking request: unknown field `bogus`, expected one of `clinic`, `doctor`"
            ),
            "no es una solicitud de reserva: campo desconocido `bogus`; se esperaba uno de `clinic`, `doctor`"
        );
        // A count in a sentence is a sentence of the catalogue too.
        assert_eq!(
            message_in(
                Lang::Es,
                "2 lines rejected; the first, line 3: Doctor not found"
            ),
            "2 líneas sin reservar; la primera, línea 3: Médico no encontrado"
        );
        assert_eq!(
            message_in(
                Lang::Es,
                "1 line rejected; the first, line 3: Doctor not found"
            ),
            "1 línea sin reservar; la primera, línea 3: Médico no encontrado"
        );
        assert_eq!(
            message_in(Lang::Es, "No free slots on Sat 20 Jun 2026: closed"),
            "No hay turnos libres el sáb 20 jun 2026: closed"
        );
        assert_eq!(
            message_in(Lang::Es, "no such thing at all"),
            "no such thing at all"
        );
        assert_eq!(
            message_in(Lang::Es, "Cannot cancel a completed appointment"),
            "No se puede cancelar una cita atendida"
        );
        assert_eq!(
            message_in(Lang::Es, "not a booking request: Phone must be in E.164 format, e.g. +50377654321"),
            "no es una solicitud de reserva: El teléfono debe estar en formato E.164, p. ej. +50377654321"
        );
        assert_eq!(
            message_in(Lang::Es, "A clinic named 'Centro; Norte' already exists"),
            "Ya existe un(a) clínica con el nombre 'Centro; Norte'"
        );
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
