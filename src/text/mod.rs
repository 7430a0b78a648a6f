//! The words people read, in English or Spanish (docs/commands.md#language):
//! messages keyed by ID with typed arguments, rendered through Project
//! Fluent's `fluent-bundle` from two catalogues compiled in, `en.ftl` and
//! `es.ftl`. Shared by every layer, as `error` is: `core`, `app` and `store`
//! build a [`Msg`] (an ID and its arguments) where they refuse something;
//! JSON keeps it rendered in English; a front end renders it in the language
//! chosen for the person.
//!
//! Fluent rather than a hand-made catalogue: its selectors choose a word by
//! CLDR plural rules (`1 cita`, `2 citas`; `{ $n -> [one] … *[other] … }`),
//! an argument keeps its type (a number stays a number, so the rule can see
//! it), and an `.ftl` file is a plain text a translator can read.
//!
//! An argument is text as it was typed or stored (a name, a time), a
//! number, another message (rendered in the same language first), or a word
//! of the catalogue (a status, a kind of record).

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

/// A language people read: the same two as a clinic's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    #[default]
    En,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }
}

/// The catalogues' text, compiled in.
pub static EN_FTL: &str = include_str!("en.ftl");
pub static ES_FTL: &str = include_str!("es.ftl");

type Bundle = FluentBundle<FluentResource>;

/// A language's bundle with no messages of its own: its plural rules and
/// number formatting, which every message of the language is formatted with.
fn bundle(lang: Lang) -> Bundle {
    let id = lang.as_str().parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around arguments: a terminal shows them as
    // stray characters, and the words are never right-to-left.
    b.set_use_isolating(false);
    b
}

/// A catalogue: its text cut into messages by ID, each parsed the first
/// time it is shown. A command shows a few of some 1,600 messages, and
/// parsing a whole catalogue took about 0.3 ms of every command's start
/// (1 ms on a cold process; docs/performance/issue-69.md#the-catalogues-read-a-message-at-a-time).
/// No message refers to another or to a term (a test holds both
/// catalogues to that), so a message parsed alone reads as in the whole.
struct Catalogue {
    bundle: Bundle,
    messages: std::collections::HashMap<&'static str, Entry>,
}

/// One message's text in its catalogue, and the message parsed from it.
struct Entry {
    text: &'static str,
    parsed: std::sync::OnceLock<FluentResource>,
}

impl Catalogue {
    fn new(lang: Lang, text: &'static str) -> Catalogue {
        let messages = cut(text)
            .into_iter()
            .map(|(id, text)| {
                let parsed = std::sync::OnceLock::new();
                (id, Entry { text, parsed })
            })
            .collect();
        Catalogue {
            bundle: bundle(lang),
            messages,
        }
    }

    /// The message `id`, parsed now if it was not before.
    fn message(&self, id: &str) -> Option<&fluent_syntax::ast::Message<&str>> {
        let entry = self.messages.get(id)?;
        let resource = entry.parsed.get_or_init(|| {
            match FluentResource::try_new(entry.text.to_string()) {
                Ok(r) => r,
                // A test parses both catalogues; what parsed is kept all the same.
                Err((r, _)) => r,
            }
        });
        resource.entries().find_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m),
            _ => None,
        })
    }
}

/// A catalogue's text cut at each message: its ID and its lines, up to the
/// next message or comment. A message starts at a line's first column with
/// its ID; the lines of its text that follow are indented or start with a
/// select's `}` (Fluent's own rule, which its parser keeps to).
fn cut(text: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    let mut open: Option<(&'static str, usize)> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let first = line.as_bytes().first().copied().unwrap_or(b' ');
        let starts = first.is_ascii_alphabetic() || first == b'-' || first == b'#';
        if starts {
            if let Some((id, from)) = open.take() {
                out.push((id, &text[from..at]));
            }
            if first != b'#' {
                let id = line.split(['=', ' ']).next().unwrap_or_default();
                open = Some((id, at));
            }
        }
        at += line.len();
    }
    if let Some((id, from)) = open {
        out.push((id, &text[from..]));
    }
    out
}

static EN: LazyLock<Catalogue> = LazyLock::new(|| Catalogue::new(Lang::En, EN_FTL));
static ES: LazyLock<Catalogue> = LazyLock::new(|| Catalogue::new(Lang::Es, ES_FTL));

fn catalogue(lang: Lang) -> &'static Catalogue {
    match lang {
        Lang::En => &EN,
        Lang::Es => &ES,
    }
}

/// Whether the catalogues hold `id` (English, which holds every ID).
pub fn has(id: &str) -> bool {
    EN.messages.contains_key(id)
}

/// One argument of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// Text shown as it is: a name, a time, an ID, what someone typed.
    Text(String),
    /// A number: a plural selector sees it.
    Num(f64),
    /// Another message, rendered in the same language first.
    Msg(Box<Msg>),
    /// A word of the catalogue by its ID (a status, a kind of record).
    Word(String),
    /// Weekdays as the command line takes them (`mon-fri`, `mon,wed`),
    /// each day said in the language (`lun-vie`).
    Days(String),
    /// A date, written as a person reads it in the language ([`date_words`]):
    /// a message never shows a date as ISO (`--json`'s fields do).
    Date(chrono::NaiveDate),
}

impl Arg {
    /// A word of the catalogue: `Arg::word("status-", "no_show")`; a value
    /// with no entry shows as it is.
    pub fn word(prefix: &str, value: &str) -> Arg {
        let id = format!("{prefix}{value}");
        if has(&id) {
            Arg::Word(id)
        } else {
            Arg::Text(value.to_string())
        }
    }

    fn render(&self, lang: Lang) -> FluentValue<'static> {
        match self {
            Arg::Text(s) => FluentValue::from(s.clone()),
            Arg::Num(n) => FluentValue::from(*n),
            Arg::Msg(m) => FluentValue::from(m.render(lang)),
            Arg::Word(id) => FluentValue::from(render(lang, id, &[])),
            Arg::Days(code) => FluentValue::from(days(lang, code)),
            Arg::Date(d) => FluentValue::from(date_words(lang, *d)),
        }
    }
}

/// A message: an ID of the catalogues and its named arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Msg {
    pub id: Cow<'static, str>,
    pub args: Vec<(&'static str, Arg)>,
}

impl Msg {
    pub fn new(id: impl Into<Cow<'static, str>>) -> Msg {
        Msg {
            id: id.into(),
            args: Vec::new(),
        }
    }

    /// Adds one argument.
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Msg {
        self.args.push((name, value.into()));
        self
    }

    /// Text from outside appt (a driver's, a library's or the system's own
    /// words), shown as it is in every language: the message `text`.
    pub fn verbatim(text: impl Into<String>) -> Msg {
        Msg::new("text").arg("text", Arg::Text(text.into()))
    }

    /// Several messages, each its own sentence, joined by `; `.
    pub fn joined(parts: Vec<Msg>) -> Msg {
        let mut it = parts.into_iter();
        let Some(first) = it.next() else {
            return Msg::verbatim("");
        };
        it.fold(first, |all, next| {
            Msg::new("e-joined")
                .arg("a", Arg::Msg(Box::new(all)))
                .arg("b", Arg::Msg(Box::new(next)))
        })
    }

    /// Names to choose among: `A, or B, or C` (`A o B o C`).
    pub fn either<S: AsRef<str>>(names: &[S]) -> Msg {
        let mut it = names.iter();
        let first = Msg::verbatim(it.next().map_or("", |s| s.as_ref()));
        it.fold(first, |all, next| {
            Msg::new("e-or")
                .arg("a", Arg::Msg(Box::new(all)))
                .arg("b", Arg::Text(next.as_ref().to_string()))
        })
    }

    /// The message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        render(lang, &self.id, &self.args)
    }

    /// The message in English: what JSON and logs keep.
    pub fn english(&self) -> String {
        self.render(Lang::En)
    }
}

impl std::error::Error for Msg {}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english())
    }
}

impl From<Box<Msg>> for Msg {
    fn from(m: Box<Msg>) -> Msg {
        *m
    }
}

impl From<&Box<Msg>> for Msg {
    fn from(m: &Box<Msg>) -> Msg {
        (**m).clone()
    }
}

impl From<&Msg> for Msg {
    fn from(m: &Msg) -> Msg {
        m.clone()
    }
}

impl From<Msg> for Arg {
    fn from(m: Msg) -> Arg {
        Arg::Msg(Box::new(m))
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}

macro_rules! num_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Num(n as f64)
            }
        }
        impl ArgKind for ArgOf<$t> {
            fn to_arg(&self) -> Arg {
                Arg::Num(self.0 as f64)
            }
        }
        impl ArgKind for ArgOf<&$t> {
            fn to_arg(&self) -> Arg {
                Arg::Num(*self.0 as f64)
            }
        }
        impl ArgKind for ArgOf<&&$t> {
            fn to_arg(&self) -> Arg {
                Arg::Num(**self.0 as f64)
            }
        }
    )*};
}

/// What [`msg!`] wraps an argument in to choose its kind by its type: a
/// number stays a number, a message stays a message, an [`Arg`] is taken
/// as it is, and anything else shown (`Display`) is text.
pub struct ArgOf<T>(pub T);

pub trait ArgKind {
    fn to_arg(&self) -> Arg;
}

/// The fallback, found one reference further than the impls above.
pub trait ArgShown {
    fn to_arg(&self) -> Arg;
}

impl<T: fmt::Display> ArgShown for &ArgOf<T> {
    fn to_arg(&self) -> Arg {
        Arg::Text(self.0.to_string())
    }
}

num_args!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize, f64);

impl ArgKind for ArgOf<Msg> {
    fn to_arg(&self) -> Arg {
        Arg::Msg(Box::new(self.0.clone()))
    }
}

impl ArgKind for ArgOf<&Msg> {
    fn to_arg(&self) -> Arg {
        Arg::Msg(Box::new(self.0.clone()))
    }
}

impl ArgKind for ArgOf<&&Msg> {
    fn to_arg(&self) -> Arg {
        Arg::Msg(Box::new((*self.0).clone()))
    }
}

impl ArgKind for ArgOf<chrono::NaiveDate> {
    fn to_arg(&self) -> Arg {
        Arg::Date(self.0)
    }
}

impl ArgKind for ArgOf<&chrono::NaiveDate> {
    fn to_arg(&self) -> Arg {
        Arg::Date(*self.0)
    }
}

impl ArgKind for ArgOf<&&chrono::NaiveDate> {
    fn to_arg(&self) -> Arg {
        Arg::Date(**self.0)
    }
}

impl ArgKind for ArgOf<&Arg> {
    fn to_arg(&self) -> Arg {
        self.0.clone()
    }
}

impl ArgKind for ArgOf<Arg> {
    fn to_arg(&self) -> Arg {
        self.0.clone()
    }
}

/// A system error (a file that cannot be written, a connection refused):
/// the common ones in the person's words (`io-not_found`), the kind's own
/// words kept in English as the system says them; an error appt made of
/// one of its messages as that message; any other as the system's text.
pub fn io_reason(e: &std::io::Error) -> Arg {
    use std::io::ErrorKind::*;
    let id = match e.kind() {
        NotFound => "io-not_found",
        PermissionDenied => "io-permission_denied",
        AlreadyExists => "io-already_exists",
        IsADirectory => "io-is_a_directory",
        NotADirectory => "io-not_a_directory",
        ReadOnlyFilesystem => "io-read_only_filesystem",
        StorageFull => "io-storage_full",
        QuotaExceeded => "io-quota_exceeded",
        BrokenPipe => "io-broken_pipe",
        TimedOut => "io-timed_out",
        ConnectionRefused => "io-connection_refused",
        _ => {
            if let Some(m) = e.get_ref().and_then(|r| r.downcast_ref::<Msg>()) {
                return Arg::Msg(Box::new(m.clone()));
            }
            return Arg::Text(e.to_string());
        }
    };
    Arg::Word(id.to_string())
}

impl ArgKind for ArgOf<&std::io::Error> {
    fn to_arg(&self) -> Arg {
        io_reason(self.0)
    }
}

impl ArgKind for ArgOf<&&std::io::Error> {
    fn to_arg(&self) -> Arg {
        io_reason(self.0)
    }
}

/// `msg!("e-doctor-not-found")`, `msg!("e-slot-full", n = cap)`: a [`Msg`]
/// of that ID, each argument kept by its type (numbers as numbers,
/// messages as messages, anything else as the text it shows).
macro_rules! msg {
    ($id:expr) => {
        $crate::text::Msg::new($id)
    };
    ($id:expr, $($name:ident = $value:expr),+ $(,)?) => {{
        #[allow(unused_imports)]
        use $crate::text::{ArgKind as _, ArgShown as _};
        let mut m = $crate::text::Msg::new($id);
        $(m.args.push((stringify!($name), (&$crate::text::ArgOf(&$value)).to_arg()));)+
        m
    }};
}
pub(crate) use msg;

/// The names of weekdays and months in each language: the one table that
/// messages, pages, the desk's tables and messages' dates all read.
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const WEEKDAYS_ES: [&str; 7] = [
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

/// A weekday's name in `lang`, Monday = 0: `Monday`, `lunes`.
pub fn weekday_name(lang: Lang, monday0: usize) -> &'static str {
    match lang {
        Lang::En => WEEKDAYS_EN[monday0 % 7],
        Lang::Es => WEEKDAYS_ES[monday0 % 7],
    }
}

/// A month's name in `lang`, January = 1: `June`, `junio`.
pub fn month_name(lang: Lang, month: u32) -> &'static str {
    let i = (month as usize + 11) % 12;
    match lang {
        Lang::En => MONTHS_EN[i],
        Lang::Es => MONTHS_ES[i],
    }
}

/// A date as a person reads it in `lang`, in a message: `Sunday 29
/// November 2026`, `domingo 29 de noviembre de 2026`.
pub fn date_words(lang: Lang, d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let day = weekday_name(lang, d.weekday().num_days_from_monday() as usize);
    let month = month_name(lang, d.month());
    match lang {
        Lang::En => format!("{day} {} {month} {}", d.day(), d.year()),
        Lang::Es => format!("{day} {} de {month} de {}", d.day(), d.year()),
    }
}

/// Weekdays as the command line writes them (`mon-fri`), each three-letter
/// day as `lang` writes it (`day-mon`: `lun`); anything else as it is.
pub fn days(lang: Lang, code: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let id = format!("day-{word}");
        if !word.is_empty() && has(&id) {
            out.push_str(&render(lang, &id, &[]));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in code.chars() {
        if c.is_ascii_alphabetic() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The text of `id` in `lang`, its arguments filled; `\n` in a catalogue
/// is a line break. English where Spanish lacks the ID (a test forbids
/// it), the ID itself where both do.
pub fn render(lang: Lang, id: &str, args: &[(&'static str, Arg)]) -> String {
    let found = [catalogue(lang), &*EN]
        .into_iter()
        .find_map(|c| c.message(id).map(|m| (c, m)));
    let Some((c, m)) = found else {
        return id.to_string();
    };
    let Some(pattern) = &m.value else {
        return String::new();
    };
    let mut fargs = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        // A backslash an argument holds (a name typed `Ann\n`) is kept as
        // typed: only the catalogue's own `\n` is a line break.
        let v = match value.render(lang) {
            FluentValue::String(t) if t.contains('\\') => {
                FluentValue::from(t.replace('\\', KEPT_BACKSLASH))
            }
            v => v,
        };
        fargs.set(*name, v);
    }
    let mut errors = Vec::new();
    let out = c.bundle.format_pattern(pattern, Some(&fargs), &mut errors);
    if out.contains('\\') || out.contains(KEPT_BACKSLASH) {
        out.replace("\\n", "\n").replace(KEPT_BACKSLASH, "\\")
    } else {
        out.into_owned()
    }
}

/// What stands for an argument's backslash while a message is formatted
/// (a character of Unicode's private use area, in no catalogue).
const KEPT_BACKSLASH: &str = "\u{F8FF}";

/// The IDs of a catalogue's messages, in order, with the names of the
/// arguments each one's text uses (for the tests that hold the two
/// catalogues together and to the source).
pub fn entries(text: &str) -> Vec<(String, std::collections::BTreeSet<String>)> {
    use fluent_syntax::ast;
    let resource = match fluent_syntax::parser::parse(text) {
        Ok(r) => r,
        Err((r, _)) => r,
    };
    fn walk(p: &ast::Pattern<&str>, out: &mut std::collections::BTreeSet<String>) {
        for e in &p.elements {
            if let ast::PatternElement::Placeable { expression } = e {
                expr(expression, out);
            }
        }
    }
    fn expr(e: &ast::Expression<&str>, out: &mut std::collections::BTreeSet<String>) {
        match e {
            ast::Expression::Select { selector, variants } => {
                inline(selector, out);
                for v in variants {
                    walk(&v.value, out);
                }
            }
            ast::Expression::Inline(i) => inline(i, out),
        }
    }
    fn inline(i: &ast::InlineExpression<&str>, out: &mut std::collections::BTreeSet<String>) {
        match i {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            ast::InlineExpression::Placeable { expression } => expr(expression, out),
            _ => {}
        }
    }
    resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            ast::Entry::Message(m) => {
                let mut names = std::collections::BTreeSet::new();
                if let Some(v) = &m.value {
                    walk(v, &mut names);
                }
                Some((m.id.name.to_string(), names))
            }
            _ => None,
        })
        .collect()
}

/// The errors Fluent finds in a catalogue's text.
pub fn syntax_errors(text: &str) -> Vec<String> {
    match fluent_syntax::parser::parse(text) {
        Ok(_) => Vec::new(),
        Err((_, errors)) => errors.iter().map(|e| format!("{e:?}")).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_parse_and_have_the_same_ids_and_arguments() {
        for (name, text) in [("en.ftl", EN_FTL), ("es.ftl", ES_FTL)] {
            let errors = syntax_errors(text);
            assert!(errors.is_empty(), "{name}: {errors:#?}");
        }
        let en = entries(EN_FTL);
        let es = entries(ES_FTL);
        let en_ids: std::collections::BTreeMap<_, _> = en.iter().cloned().collect();
        let es_ids: std::collections::BTreeMap<_, _> = es.iter().cloned().collect();
        assert_eq!(en.len(), en_ids.len(), "an ID twice in en.ftl");
        assert_eq!(es.len(), es_ids.len(), "an ID twice in es.ftl");
        let missing_es: Vec<_> = en_ids.keys().filter(|k| !es_ids.contains_key(*k)).collect();
        let missing_en: Vec<_> = es_ids.keys().filter(|k| !en_ids.contains_key(*k)).collect();
        assert!(missing_es.is_empty(), "missing in es.ftl: {missing_es:?}");
        assert!(missing_en.is_empty(), "missing in en.ftl: {missing_en:?}");
        for (id, names) in &en_ids {
            assert_eq!(names, &es_ids[id], "{id}: the arguments differ");
        }
    }

    /// Each message, parsed alone when first shown, reads exactly as it
    /// does in its whole catalogue parsed at once, with its arguments as
    /// numbers (each plural form) and as text. A message that referred to
    /// another, or to a term, would read otherwise alone (Fluent writes the
    /// reference it cannot find), so this holds the catalogues to none.
    #[test]
    fn a_message_parsed_alone_reads_as_in_its_whole_catalogue() {
        for (lang, text) in [(Lang::En, EN_FTL), (Lang::Es, ES_FTL)] {
            let mut whole = bundle(lang);
            let resource = FluentResource::try_new(text.to_string()).unwrap_or_else(|(r, _)| r);
            whole.add_resource(resource).expect("one resource");
            let ids = entries(text);
            assert_eq!(
                ids.len(),
                catalogue(lang).messages.len(),
                "{lang:?}: the cut finds every message and nothing else"
            );
            for (id, names) in &ids {
                let Some(value) = whole.get_message(id).and_then(|m| m.value()) else {
                    continue;
                };
                for kind in [
                    Arg::Num(1.0),
                    Arg::Num(2.0),
                    Arg::Num(5.0),
                    Arg::Text("x".into()),
                ] {
                    let args: Vec<(&'static str, Arg)> = names
                        .iter()
                        .map(|n| (&*n.clone().leak(), kind.clone()))
                        .collect();
                    let mut fargs = FluentArgs::new();
                    for (n, a) in &args {
                        fargs.set(*n, a.render(lang));
                    }
                    let expected = whole.format_pattern(value, Some(&fargs), &mut Vec::new());
                    let expected = expected.replace("\\n", "\n");
                    assert_eq!(render(lang, id, &args), expected, "{lang:?} {id}");
                }
            }
        }
    }

    #[test]
    fn counts_take_their_plural_by_the_languages_rules() {
        let m = |n: i64| msg!("c-exported", n = n, shown = "f.csv", format = "csv");
        assert_eq!(m(1).render(Lang::Es), "Se exportó 1 cita a f.csv (csv)");
        assert_eq!(m(2).render(Lang::Es), "Se exportaron 2 citas a f.csv (csv)");
        assert_eq!(
            m(0).render(Lang::En),
            "Exported 0 appointments to f.csv (csv)"
        );
        assert_eq!(
            m(1).render(Lang::En),
            "Exported 1 appointment to f.csv (csv)"
        );
    }

    #[test]
    fn arguments_keep_their_kind() {
        let inner = msg!("e-doctor_not_found");
        let outer = msg!("e-line_problem", line = 3usize, problem = inner);
        assert!(matches!(outer.args[0].1, Arg::Num(_)));
        assert!(matches!(outer.args[1].1, Arg::Msg(_)));
        let gone = std::io::Error::from(std::io::ErrorKind::NotFound);
        let m = msg!("e-i_o_error", e = gone);
        assert_eq!(m.args[0].1, Arg::Word("io-not_found".into()));
        assert!(
            !m.render(Lang::Es).contains("No such"),
            "{}",
            m.render(Lang::Es)
        );
        let ours = std::io::Error::other(msg!("e-doctor_not_found"));
        let m = msg!("e-i_o_error", e = ours);
        assert!(matches!(m.args[0].1, Arg::Msg(_)));
        let typed = String::from("Dr. X");
        let m = msg!("text", text = &typed);
        assert_eq!(m.args[0].1, Arg::Text("Dr. X".into()));
    }
}
