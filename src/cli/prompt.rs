//! Asking for what the user left out. On a terminal (and without `--no-input`)
//! appt prompts with dialoguer; otherwise every missing value is collected and
//! reported at once as one `VALIDATION_ERROR` naming the flags.
//!
//! The pickers every command that books, moves or lists slots shares live
//! here (doctor, date, the service a window needs, a free slot), as does the
//! confirmation of destructive commands. A value typed wrong is checked with
//! the parser the use case will apply and asked again, never fatal.

use super::choice::{Choice, Kind};
use super::Ctx;
use crate::app::list::{self as listing, ListRequest};
use crate::app::phones::{self, Dialing};
use crate::app::slots::{self, Reason, SlotsRequest};
use crate::app::{doctor, window, Store};
use crate::core::{time, words};
use crate::error::{Code, Error, Result};
use crate::output::lang::{self, tr};
use crate::output::{desk, fit, human, Report};
use chrono::{DateTime, NaiveDate, Utc};
use dialoguer::console::Term;
use dialoguer::Input;
use std::os::fd::AsRawFd;
use std::sync::OnceLock;

/// Checks a typed value; the problem is shown and the value asked again.
pub type Check<'c> = &'c dyn Fn(&str) -> std::result::Result<(), crate::text::Msg>;

/// The checks of typed values: the parsers the use cases apply.
pub mod check {
    use super::*;

    /// Any text that is not blank.
    pub fn filled(s: &str) -> std::result::Result<(), crate::text::Msg> {
        if s.trim().is_empty() {
            Err(crate::text::msg!("e-type_a_value_ctrl_c_to_stop"))
        } else {
            Ok(())
        }
    }

    /// A date in any form `--date` takes. Only its shape is checked here:
    /// which day `today` is, and how `4/12` reads, is the clinic's to say.
    pub fn date(s: &str) -> std::result::Result<(), crate::text::Msg> {
        let any_day = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
        time::parse_date_either(s, any_day, crate::app::values::desk_order()).map(|_| ())
    }

    /// `HH:MM`, 24 h.
    pub fn time(s: &str) -> std::result::Result<(), crate::text::Msg> {
        time::parse_hhmm(s, false).map(|_| ())
    }

    /// Weekdays: `mon-fri`, `mon,wed,fri`.
    pub fn days(s: &str) -> std::result::Result<(), crate::text::Msg> {
        time::parse_days(s).map(|_| ())
    }

    /// A whole number of minutes, 5–480.
    pub fn minutes(s: &str) -> std::result::Result<(), crate::text::Msg> {
        let m: i64 = s
            .trim()
            .parse()
            .map_err(|_| crate::text::msg!("e-type_a_whole_number_of_minutes"))?;
        crate::app::values::length_minutes("minutes", m).map(|_| ())
    }

    /// An e-mail address, or nothing (Enter): an optional one.
    pub fn email(s: &str) -> std::result::Result<(), crate::text::Msg> {
        if s.trim().is_empty() {
            return Ok(());
        }
        crate::app::values::check_email(s)
            .map(|_| ())
            .map_err(|e| e.msg)
    }

    /// An IANA time zone, in any case, spaces for underscores; a miss
    /// names the closest zones.
    pub fn timezone(s: &str) -> std::result::Result<(), crate::text::Msg> {
        time::parse_timezone(s)
            .map(|_| ())
            .map_err(|e| match e.hint {
                Some(h) => crate::text::msg!("e-problem_and_hint", a = e.msg, h = h),
                None => e.msg,
            })
    }
}

pub struct Ask<'a> {
    ctx: &'a Ctx,
    missing: Vec<(String, crate::text::Msg)>,
}

fn prompt_failed(e: dialoguer::Error) -> Error {
    Error::internal(crate::text::msg!("e-prompt_failed", e = e))
}

fn picker_failed(e: std::io::Error) -> Error {
    Error::internal(crate::text::msg!("e-prompt_failed", e = e))
}

/// Ctrl-C at a prompt. console (under dialoguer) reads keys in raw mode and
/// raises SIGINT itself on ^C, which by default ends appt with the cursor a
/// picker hid still hidden. The handler shows it again and then dies of
/// SIGINT as before, so the shell sees 130 and a script's loop stops.
/// Installed only once something is asked: nothing is being written then.
fn guard_interrupt() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: the handler calls only async-signal-safe functions.
        unsafe {
            libc::signal(
                libc::SIGINT,
                on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t,
            );
        }
    });
}

extern "C" fn on_interrupt(_: libc::c_int) {
    // Show the cursor; end the line the prompt was on.
    const RESTORE: &[u8] = b"\x1b[?25h\n";
    // SAFETY: tcsetattr, write, signal and raise are async-signal-safe;
    // `OnceLock::get` is one atomic load.
    unsafe {
        if let Some((tty, before)) = BEFORE_PIN.get() {
            libc::tcsetattr(tty.as_raw_fd(), libc::TCSANOW, before);
        }
        libc::write(2, RESTORE.as_ptr().cast(), RESTORE.len());
        libc::signal(libc::SIGINT, libc::SIG_DFL);
        libc::raise(libc::SIGINT);
    }
}

/// A line for the person at the prompt (stderr, like the prompts).
pub fn say(line: &str) {
    let _ = Term::stderr().write_line(&fit::wrap_lines(line, fit::message_width()));
}

/// A question that fits the terminal: its first lines said, the last
/// asked (a prompt wider than the terminal is drawn again by each redraw,
/// so the desk would read it twice).
fn fitted(question: &str, room: usize) -> String {
    let width = fit::message_width().map(|w| w.saturating_sub(room));
    let wrapped = fit::wrap_lines(question, width);
    let mut lines: Vec<&str> = wrapped.lines().collect();
    let last = lines.pop().unwrap_or_default().trim_start().to_string();
    for l in lines {
        let _ = Term::stderr().write_line(l);
    }
    last
}

impl<'a> Ask<'a> {
    pub fn new(ctx: &'a Ctx) -> Self {
        Ask {
            ctx,
            missing: Vec::new(),
        }
    }

    pub fn interactive(&self) -> bool {
        self.ctx.interactive
    }

    /// Records a missing value without prompting.
    pub fn missing(&mut self, field: &str, flag: impl Into<crate::text::Arg>) {
        let flag: crate::text::Arg = flag.into();
        self.missing.push((
            field.to_string(),
            crate::text::msg!("e-is_required", flag = flag),
        ));
    }

    /// A required text value: as given, else typed at a prompt, else missing (None).
    pub fn text(
        &mut self,
        given: Option<String>,
        field: &str,
        flag: &str,
        label: impl FnOnce() -> String,
    ) -> Result<Option<String>> {
        self.value(given, field, flag, label, None, &check::filled)
    }

    /// A date (default `default`), asked again until it is one.
    pub fn date(
        &mut self,
        given: Option<String>,
        field: &str,
        flag: &str,
        label: impl FnOnce() -> String,
        default: &str,
    ) -> Result<Option<String>> {
        self.value(given, field, flag, label, Some(default), &check::date)
    }

    /// A required value: as given (the use case checks it), else typed at a
    /// prompt until `check` accepts it, else missing (None). The label is
    /// made only for the prompt: a value given asks nothing of the
    /// catalogue (read and parsed when first used, a seventh of `slots`).
    pub fn value(
        &mut self,
        given: Option<String>,
        field: &str,
        flag: &str,
        label: impl FnOnce() -> String,
        default: Option<&str>,
        check: Check,
    ) -> Result<Option<String>> {
        if let Some(v) = given {
            return Ok(Some(v));
        }
        if !self.ctx.interactive {
            self.missing(field, flag);
            return Ok(None);
        }
        Ok(Some(self.typed(&label(), default, check)?))
    }

    /// Typed at a prompt (interactive only) until `check` accepts it.
    pub fn typed(&self, label: &str, default: Option<&str>, check: Check) -> Result<String> {
        guard_interrupt();
        let mut input = Input::<String>::new()
            .with_prompt(label)
            .validate_with(|s: &String| check(s).map_err(|e| lang::message(&e)));
        if let Some(d) = default {
            // A day as the desk says it (`[hoy]`): the answer is read in
            // either language's words.
            let said = match d {
                "today" => tr!("p-default_today"),
                "tomorrow" => tr!("p-default_tomorrow"),
                d => d.to_string(),
            };
            input = input.default(said);
        }
        let v = input.interact_text().map_err(prompt_failed)?;
        Ok(v.trim().to_string())
    }

    /// Typed at a prompt (interactive only); empty is none.
    pub fn optional(&self, label: &str) -> Result<Option<String>> {
        guard_interrupt();
        let v = Input::<String>::new()
            .with_prompt(label)
            .allow_empty(true)
            .interact_text()
            .map_err(prompt_failed)?;
        Ok(Some(v.trim().to_string()).filter(|v| !v.is_empty()))
    }

    /// An optional e-mail: as given (the use case checks it), else typed at
    /// a prompt until it is one or nothing (Enter), else none.
    pub fn email(
        &self,
        given: Option<String>,
        label: impl FnOnce() -> String,
    ) -> Result<Option<String>> {
        if given.is_some() || !self.ctx.interactive {
            return Ok(given);
        }
        guard_interrupt();
        let v = Input::<String>::new()
            .with_prompt(label())
            .allow_empty(true)
            .validate_with(|s: &String| check::email(s).map_err(|e| lang::message(&e)))
            .interact_text()
            .map_err(prompt_failed)?;
        Ok(Some(v.trim().to_string()).filter(|v| !v.is_empty()))
    }

    /// Picks one of `items` at a prompt (interactive only).
    pub fn pick(&self, label: &str, items: &[String]) -> Result<usize> {
        self.pick_from(label, items, 0)
    }

    /// Every picker filters as the user types, whatever its length, and
    /// Enter on a filter that matches nothing does nothing: a picker never
    /// chooses what the desk did not (typing `lopez` at a list without
    /// López once booked the first doctor).
    fn pick_from(&self, label: &str, items: &[String], default: usize) -> Result<usize> {
        guard_interrupt();
        super::picker::pick(label, items, default, "").map_err(picker_failed)
    }

    /// Picks one of `items` with the filter already holding `typed` (what
    /// the user typed that found nothing, or several): they go on from it.
    pub fn pick_typed(&self, label: &str, items: &[String], typed: &str) -> Result<usize> {
        guard_interrupt();
        super::picker::pick(label, items, 0, typed).map_err(picker_failed)
    }

    /// The appointment as given; without one, missing (off a terminal).
    pub fn appointment_given(&mut self, given: Option<String>) -> String {
        if given.is_none() {
            self.missing("id", crate::text::msg!("e-id_or_phone_or_name"));
        }
        given.unwrap_or_default()
    }

    /// The appointment as given (an ID, or a patient's phone or name), else
    /// (on a terminal) picked from the day's active appointments, else
    /// missing.
    pub fn appointment(&mut self, st: &mut Store, given: Option<String>) -> Result<Option<String>> {
        self.appointment_where(st, given, |_| true)
    }

    /// [`Ask::appointment`], offering only the day's appointments `keep`
    /// accepts (a move lists only those that can move).
    pub fn appointment_where(
        &mut self,
        st: &mut Store,
        given: Option<String>,
        keep: impl Fn(&crate::core::Appointment) -> bool,
    ) -> Result<Option<String>> {
        if given.is_some() {
            return Ok(given);
        }
        if !self.interactive() {
            self.missing("id", crate::text::msg!("e-id_or_phone_or_name"));
            return Ok(None);
        }
        let req = ListRequest {
            clinic: self.ctx.clinic.clone(),
            zone: self.ctx.zone,
            date: Some("today".into()),
            from: None,
            to: None,
            status: None,
            doctor: None,
            patient: None,
            source: None,
            series: None,
            visit: Default::default(),
            page: 1,
            limit: 500,
            seen_from: None,
        };
        let day: Vec<_> = listing::list(st, &req, self.ctx.now)?
            .appointments
            .into_iter()
            .filter(|a| a.status.is_active() && keep(a))
            .collect();
        if day.is_empty() {
            return Err(Error::not_found(crate::error::Entity::Appointment)
                .hint(crate::text::msg!("e-nobody_is_booked_for_today")));
        }
        let items: Vec<String> = day.iter().map(desk::appointment_choice).collect();
        let i = self.pick(&tr!("p-appointment"), &items)?;
        Ok(Some(day[i].id.clone()))
    }

    /// The doctor as given, else (on a terminal, from the database `st`)
    /// picked from the active doctors, else missing. With `clinic_wide`
    /// nothing is asked. The list ends with "the whole clinic" when
    /// `offer_clinic_wide` (window add) or when the clinic has clinic-wide
    /// windows to book or list.
    pub fn doctor(
        &mut self,
        st: Option<&mut Store>,
        doctor: &mut Option<String>,
        clinic_wide: &mut bool,
        offer_clinic_wide: bool,
    ) -> Result<()> {
        if doctor.is_some() || *clinic_wide {
            return Ok(());
        }
        let Some(st) = st.filter(|_| self.interactive()) else {
            self.missing(
                "doctor",
                crate::text::msg!("e-flag_or", a = "--doctor", b = "--clinic-wide"),
            );
            return Ok(());
        };
        let ds: Vec<_> = doctor::list(st)?
            .doctors
            .into_iter()
            .filter(|d| d.active)
            .collect();
        let whole = offer_clinic_wide || self.has_clinic_wide_windows(st)?;
        if ds.is_empty() && !whole {
            return Err(Error::not_found(crate::error::Entity::Doctor)
                .hint(crate::text::msg!("e-add_one_with_appt_doctor_add_name")));
        }
        let mut names: Vec<String> = ds
            .iter()
            .map(|d| match d.specialty.as_deref() {
                Some(s) => format!("{} — {}", human::clean(&d.full_name), human::clean(s)),
                None => human::clean(&d.full_name),
            })
            .collect();
        if whole {
            names.push(tr!("p-whole_clinic"));
        }
        let i = self.pick(&tr!("p-doctor"), &names)?;
        match ds.get(i) {
            Some(d) => *doctor = Some(d.id.clone()),
            None => *clinic_wide = true,
        }
        Ok(())
    }

    /// The patient, when neither `patient` nor `phone` was given: their
    /// phone (a local number in the country code of `doctor`'s clinic,
    /// docs/rules.md#phones), and the name and, if they have one, the
    /// e-mail of a patient new to the clinic.
    pub fn patient(
        &mut self,
        st: &mut Store,
        doctor: Option<&str>,
        patient: &Option<String>,
        phone: &mut Option<String>,
        name: &mut Option<String>,
        email: &mut Option<String>,
    ) -> Result<()> {
        if patient.is_some() || phone.is_some() {
            return Ok(());
        }
        // A clinic that cannot be found is the use case's to report.
        let dialing = if self.interactive() {
            phones::dialing(st, self.ctx.clinic.as_deref(), doctor).unwrap_or_default()
        } else {
            Dialing::default()
        };
        *phone = self.value(
            None,
            "phone",
            "--phone or --patient",
            || tr!("p-patient_phone"),
            None,
            &|s| dialing.check(s),
        )?;
        if let Some(p) = phone {
            if name.is_none() && !crate::app::patient::is_known_phone(st, &dialing, p)? {
                *name = self.text(None, "name", "--name", || tr!("p-patient_name"))?;
                *email = self.email(email.take(), || tr!("p-patient_email"))?;
            }
        }
        Ok(())
    }

    fn has_clinic_wide_windows(&self, st: &mut Store) -> Result<bool> {
        let listed = window::list(st, self.ctx.clinic.as_deref(), None, None, self.ctx.now)?;
        Ok(listed.windows.iter().any(|w| w.doctor_id.is_none()))
    }

    /// A free slot of `req`'s day, picked from a list; returns its start as
    /// RFC 3339 with the clinic's offset (so either 01:30 of a fall-back night
    /// is told apart). When the day's hours take only some services and none
    /// was given, the service is picked first (and left in `req`). When
    /// nothing is free: with `ask_date`, why is said and another date asked
    /// (defaulting to the next free day); else it fails, saying why.
    /// `current` (a move) marks the appointment's own time; a move picks no
    /// service.
    pub fn slot(
        &mut self,
        st: &mut Store,
        req: &mut SlotsRequest,
        ask_date: bool,
        current: Option<DateTime<Utc>>,
    ) -> Result<String> {
        loop {
            let mut day = slots::day(st, req, self.ctx.now)?;
            // A move keeps its own service: only a booking picks one, the
            // one the day's hours need, else one of the clinic's several
            // (the slots offered are then of its length).
            if current.is_none()
                && (self.service_for(req, &day)? || self.service_of_several(st, req, &day)?)
            {
                day = slots::day(st, req, self.ctx.now)?;
            }
            let tz = day.target.clinic.timezone;
            let free: Vec<_> = day.free().collect();
            if free.is_empty() {
                let why = crate::text::msg!(
                    "e-no_free_slots_on",
                    a = day.date.format("%a %d %b %Y"),
                    b = desk::why(&day)
                );
                if !ask_date {
                    return Err(Error::new(Code::OutsideAvailability, why)
                        .detail("date", day.date.to_string()));
                }
                say(&lang::message(&why));
                let next = day
                    .why
                    .as_ref()
                    .and_then(|w| w.next_free)
                    .map_or_else(|| "today".to_string(), |(d, _)| d.to_string());
                req.date = self.typed(&tr!("p-date"), Some(&next), &check::date)?;
                continue;
            }
            let hm: Vec<String> = free.iter().map(|s| time::to_local(tz, s.start).1).collect();
            let labels: Vec<String> = free
                .iter()
                .zip(&hm)
                .map(|(s, t)| {
                    let mut label = t.clone();
                    // The two 01:30s of a fall-back night: their offsets tell them apart.
                    if hm.iter().filter(|x| *x == t).count() > 1 {
                        label.push_str(&s.start.with_timezone(&tz).format(" %:z").to_string());
                    }
                    if s.remaining > 1 {
                        label.push_str(&tr!("p-places", n = s.remaining));
                    }
                    if Some(s.start) == current {
                        label.push_str(&tr!("p-its_time"));
                    }
                    label
                })
                .collect();
            let at_current = free.iter().position(|s| Some(s.start) == current);
            let i = self.pick_from(&tr!("p-free_slot"), &labels, at_current.unwrap_or(0))?;
            return Ok(free[i].start.with_timezone(&tz).to_rfc3339());
        }
    }

    /// On a terminal, when the day's hours take only some services and none
    /// was given: picks one into `req`. True when it did.
    pub fn service_for(&self, req: &mut SlotsRequest, day: &slots::DaySlots) -> Result<bool> {
        if req.service.is_some() || !self.interactive() {
            return Ok(false);
        }
        let Some(Reason::NeedsService(names)) = day.why.as_ref().map(|w| &w.reason) else {
            return Ok(false);
        };
        if names.is_empty() {
            return Ok(false);
        }
        let shown: Vec<String> = names.iter().map(|n| human::clean(n)).collect();
        let i = self.pick(&tr!("p-service_only"), &shown)?;
        req.service = Some(names[i].clone());
        Ok(true)
    }

    /// On a terminal, when no service was given and several are possible:
    /// picks one into `req` (docs/commands.md#prompts). True when it did.
    /// Several are those the day's slots name (the doctor's hours take only
    /// some, docs/rules.md#who-does-what), else, where any goes, the
    /// clinic's; one the hours imply is no question.
    fn service_of_several(
        &self,
        st: &mut Store,
        req: &mut SlotsRequest,
        day: &slots::DaySlots,
    ) -> Result<bool> {
        if req.service.is_some() || !self.interactive() {
            return Ok(false);
        }
        let mut all: Vec<crate::core::Service> = Vec::new();
        for s in day.slots.iter().flat_map(|s| &s.services) {
            if !all.iter().any(|a| a.id == s.id) {
                all.push(s.clone());
            }
        }
        if all.is_empty() {
            all = crate::app::service::list(st)?;
        }
        if all.len() < 2 {
            return Ok(false);
        }
        let shown: Vec<String> = all
            .iter()
            .map(|s| {
                tr!(
                    "p-service_item",
                    name = human::clean(&s.name),
                    n = s.duration_minutes
                )
            })
            .collect();
        let i = self.pick(&tr!("p-service"), &shown)?;
        req.service = Some(all[i].id.clone());
        Ok(true)
    }

    /// Fails with every missing value named, if any.
    pub fn finish(self) -> Result<()> {
        if self.missing.is_empty() {
            Ok(())
        } else {
            Err(Error::fields(self.missing))
        }
    }
}

/// What a terminal offers for a reference that found several rows or a
/// name that found none: the row chosen, with what it is and what was
/// typed (so that it goes into the field that held it), or None when
/// there is nothing to pick from (the error stands).
pub fn recover(ctx: &Ctx, e: &Error) -> Result<Option<Choice>> {
    let typed = e.details["ref"].as_str().unwrap_or_default();
    // The kind of row the failed reference was looked for in.
    let Some(kind) = e.entity else {
        return Ok(None);
    };
    let chosen = |id: Option<&str>| {
        id.map(|id| Choice {
            kind,
            typed: typed.to_string(),
            id: id.to_string(),
        })
    };
    let ask = Ask::new(ctx);
    match e.code {
        Code::AmbiguousId => {
            let Some(candidates) = e.details["candidates"].as_array() else {
                return Ok(None);
            };
            say(&human::clean(&lang::message(&e.msg)));
            let names: Vec<String> = candidates
                .iter()
                .map(|c| human::clean(c["name"].as_str().unwrap_or_default()))
                .collect();
            let i = ask.pick(&tr!("p-which_one"), &names)?;
            Ok(chosen(candidates[i]["id"].as_str()))
        }
        Code::NotFound if !typed.is_empty() => {
            let mut st = ctx.open()?;
            let rows: Vec<(String, String)> = match kind {
                Kind::Doctor => doctor::list(&mut st)?
                    .doctors
                    .into_iter()
                    .map(|d| (d.id, d.full_name))
                    .collect(),
                Kind::Clinic => crate::app::clinic::list(&mut st)?
                    .into_iter()
                    .map(|c| (c.id, c.name))
                    .collect(),
                Kind::Service => crate::app::service::list(&mut st)?
                    .into_iter()
                    .map(|s| (s.id, s.name))
                    .collect(),
                _ => return Ok(None),
            };
            if rows.is_empty() {
                return Ok(None);
            }
            // The kind of record as a code (`doctor`): the catalogue says it
            // with its article (`Ningún médico`, `Ninguna clínica`).
            let what = kind.code();
            say(&tr!(
                "p-nobody_called",
                what = what,
                typed = human::clean(typed)
            ));
            let names: Vec<String> = rows.iter().map(|(_, n)| human::clean(n)).collect();
            // The filter starts from what was typed when that finds any name.
            let start = if names.iter().any(|n| super::picker::matches(n, typed)) {
                typed
            } else {
                ""
            };
            let i = ask.pick_typed(&tr!("p-did_you_mean"), &names, start)?;
            Ok(chosen(Some(&rows[i].0)))
        }
        _ => Ok(None),
    }
}

/// A destructive command's confirmation (docs/commands.md#conventions): asked on a terminal
/// unless `yes`; with `--no-input` or off a terminal there is nobody to ask
/// and the command goes ahead, as scripts expect. `question` is built only
/// when asked (it may read the database); the answer defaults to no.
pub fn confirm(ctx: &Ctx, yes: bool, question: impl FnOnce() -> Result<String>) -> Result<bool> {
    if yes || !ctx.interactive {
        return Ok(true);
    }
    let question = fitted(&question()?, "? [y/N]: ".len());
    yes_or_no(&question)
}

/// A yes/no question (docs/commands.md#spanish-input): typed and Enter, in
/// either language (`s`, `sí`, `si`, `y`, `yes` / `n`, `no`, as
/// `core::words::answer` reads them); Enter alone is no; anything else is
/// asked again, never taken as no. (dialoguer's own yes/no question takes
/// one key, `y` or `n`, so a Spanish `s` was a no.)
pub fn yes_or_no(question: &str) -> Result<bool> {
    guard_interrupt();
    let typed = Input::<String>::new()
        .with_prompt(format!("{question} {}", lang::t("p-yes_no_keys")))
        .allow_empty(true)
        .validate_with(|s: &String| match s.trim() {
            "" => Ok(()),
            t => words::answer(t)
                .map(|_| ())
                .ok_or_else(|| lang::t("p-answer_yes_or_no").to_string()),
        })
        .interact_text()
        .map_err(prompt_failed)?;
    Ok(words::answer(typed.trim()).unwrap_or(false))
}

/// The terminal as it was before a PIN was first asked: Ctrl-C puts it
/// back (`on_interrupt`), or the shell the desk goes back to would show
/// nothing typed in it. (Put back after the asking, it is what the shell
/// left, so Ctrl-C may put it back at any time.)
static BEFORE_PIN: OnceLock<(std::fs::File, libc::termios)> = OnceLock::new();

/// The terminal's echo held off for the whole of a PIN's asking. dialoguer
/// turns it off only while it reads a line, so keys typed before a prompt
/// came up (after "the two PINs differ", say) were shown before they were
/// thrown away. Dropped, the terminal is as it was.
struct Unechoed;

impl Unechoed {
    /// None without a terminal to hold (dialoguer then fails to ask).
    fn hold() -> Option<Unechoed> {
        if BEFORE_PIN.get().is_none() {
            let tty = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/tty")
                .ok()?;
            let mut before = std::mem::MaybeUninit::uninit();
            // SAFETY: tcgetattr fills `before` when it returns 0.
            if unsafe { libc::tcgetattr(tty.as_raw_fd(), before.as_mut_ptr()) } != 0 {
                return None;
            }
            // SAFETY: filled above.
            let _ = BEFORE_PIN.set((tty, unsafe { before.assume_init() }));
        }
        let (tty, before) = BEFORE_PIN.get()?;
        let mut quiet = *before;
        quiet.c_lflag &= !libc::ECHO;
        // SAFETY: a termios read from this terminal, its echo cleared.
        unsafe { libc::tcsetattr(tty.as_raw_fd(), libc::TCSANOW, &quiet) };
        Some(Unechoed)
    }
}

impl Drop for Unechoed {
    fn drop(&mut self) {
        if let Some((tty, before)) = BEFORE_PIN.get() {
            // SAFETY: the terminal's own termios, as it was.
            unsafe { libc::tcsetattr(tty.as_raw_fd(), libc::TCSANOW, before) };
        }
    }
}

/// A PIN typed twice at the terminal and never shown (docs/security.md#staff):
/// asked again until it is 4 to 8 digits and both are the same.
pub fn pin_twice() -> Result<String> {
    guard_interrupt();
    let _quiet = Unechoed::hold();
    dialoguer::Password::new()
        .with_prompt(lang::t("p-pin"))
        .with_confirmation(lang::t("p-pin_again"), lang::t("p-pins_differ"))
        .validate_with(|p: &String| {
            crate::core::staff::check_pin(p).map_err(|e| lang::message(&e.msg))
        })
        .interact()
        .map_err(prompt_failed)
}

/// A PIN typed once at the terminal, never shown: signing in.
pub fn pin_once() -> Result<String> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(Error::field(
            "pin",
            crate::text::msg!("e-a_pin_is_asked_at_a_terminal"),
        ));
    }
    guard_interrupt();
    let _quiet = Unechoed::hold();
    dialoguer::Password::new()
        .with_prompt(lang::t("p-pin_to_sign_in"))
        .interact()
        .map_err(prompt_failed)
}

/// What a declined confirmation reports: nothing changed, and exit 0 (the
/// user chose; nothing failed). `--json` prints `{"ok":false,"declined":true}`.
pub fn declined(ctx: &Ctx) -> Report {
    say(&tr!("p-nothing_changed"));
    ctx.report(crate::output::json::declined, String::new)
}
