//! The command line: clap definitions, prompts, and one file per command (or
//! command group). The only layer that knows clap and dialoguer.

mod agenda;
mod backup;
mod board;
mod book;
mod calendar;
mod change;
mod channel;
mod check;
mod choice;
mod clinic;
mod closure;
pub mod complete;
mod completions;
mod demo;
mod doctor;
mod events;
mod export;
mod feed;
mod import;
mod inbox;
mod key;
mod list;
mod next;
pub mod packaging;
mod patient;
mod patient_export;
mod picker;
mod prompt;
mod purge;
mod queue;
mod recall;
mod remind;
mod report;
mod resource;
mod schedule;
mod secret;
mod serve;
mod service;
mod session;
mod show;
mod slots;
mod staff;
mod token;
mod transfer;
pub mod usage;
mod visit;
mod waitlist;
mod webhook;
mod window;

use crate::app::{Create, Store};
use crate::core::{time, Actor};
use crate::error::{Error, Result};
use crate::output::lang::tr;
use crate::output::Report;
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use serde_json::Value;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Clinic appointment scheduler: windows, slots, bookings, reminders
#[derive(Debug, Parser)]
#[command(
    name = "appt",
    version,
    max_term_width = 100,
    after_help = "Examples:\n  appt demo\n  appt agenda -d \"Dr. García\"\n  appt book -d \"Dr. García\" -D tomorrow -t 10:00 -P +50370123456 --name Ana\n  appt list -D today -S scheduled"
)]
pub struct Cli {
    /// Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder's appt/appt.db)
    #[arg(
        long,
        global = true,
        value_name = "PATH|URL",
        help_heading = "Global options"
    )]
    pub db: Option<PathBuf>,
    /// A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board's polling, serve's GET requests [env: APPT_READ_DB]
    #[arg(
        long,
        global = true,
        value_name = "URL",
        help_heading = "Global options"
    )]
    pub read_db: Option<String>,
    /// Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]
    #[arg(
        long,
        global = true,
        value_name = "SECONDS",
        value_parser = max_lag,
        help_heading = "Global options"
    )]
    pub max_lag: Option<u64>,
    /// Print one JSON document on stdout; errors go to stderr as JSON
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,
    /// Never prompt: fail with VALIDATION_ERROR naming what is missing
    #[arg(long, global = true, help_heading = "Global options")]
    pub no_input: bool,
    /// Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)
    #[arg(
        short,
        long,
        global = true,
        value_name = "CLINIC",
        help_heading = "Global options"
    )]
    pub clinic: Option<String>,
    /// Fit tables and messages to N columns (default: COLUMNS, else the terminal's)
    #[arg(
        long,
        global = true,
        value_name = "N",
        value_parser = clap::value_parser!(u16).range(20..),
        help_heading = "Global options"
    )]
    pub width: Option<u16>,
    /// Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person
    #[arg(
        long = "as",
        global = true,
        value_name = "USER",
        help_heading = "Global options"
    )]
    pub as_who: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database (safe to run again)
    #[command(
        after_help = "Examples:\n  appt init\n  appt --db /srv/appt/clinic.db init\n  appt --db postgres://appt:PASSWORD@db.example/clinics init"
    )]
    Init,
    /// Clinics: locations with their time zone and rules
    #[command(
        after_help = "Examples:\n  appt clinic add Central --timezone America/El_Salvador\n  appt clinic list\n  appt clinic update Central --reminders 24h,2h"
    )]
    #[command(subcommand)]
    Clinic(clinic::Cmd),
    /// Doctors
    #[command(
        after_help = "Examples:\n  appt doctor add \"Dr. García\" --specialty \"Medicina General\"\n  appt doctor list\n  appt doctor update \"Dr. García\" --active false"
    )]
    #[command(subcommand)]
    Doctor(doctor::Cmd),
    /// Services (appointment types)
    #[command(
        after_help = "Examples:\n  appt service add \"General Checkup\" --minutes 30\n  appt service list\n  appt service update \"General Checkup\" --minutes 45"
    )]
    #[command(subcommand)]
    Service(service::Cmd),
    /// Rooms and equipment a service needs
    #[command(
        after_help = "Examples:\n  appt resource add \"Sillón 1\" --kind room\n  appt resource list\n  appt service update Ecografía --needs Ecógrafo"
    )]
    #[command(subcommand)]
    Resource(resource::Cmd),
    /// Windows: when bookings are possible
    #[command(
        after_help = "Examples:\n  appt window add -d \"Dr. García\" --days mon-fri --from 09:00 --to 13:00\n  appt window list -d \"Dr. García\"\n  appt window close 3f2a"
    )]
    #[command(subcommand)]
    Window(window::Cmd),
    /// Closures: holidays and leave
    #[command(
        after_help = "Examples:\n  appt closure add -d 7b2e --from 2026-07-01 --to 2026-07-15 -r Vacation\n  appt closure list\n  appt closure remove 9c1d"
    )]
    #[command(subcommand)]
    Closure(closure::Cmd),
    /// Patients
    #[command(
        after_help = "Examples:\n  appt patient add --name \"Ana López\" -P \"+503 7012-3456\"\n  appt patient list --search lópez\n  appt patient show +50370123456"
    )]
    #[command(subcommand)]
    Patient(patient::Cmd),
    /// Free slots of a doctor (or clinic-wide) on a date
    Slots(slots::Args),
    /// Book an appointment
    Book(book::Args),
    /// Move an appointment to another time (or doctor)
    Reschedule(change::RescheduleArgs),
    /// Cancel an appointment
    Cancel(change::CancelArgs),
    /// Move an appointment along scheduled → confirmed → checked_in → in_progress → completed, or no_show
    Status(change::StatusArgs),
    /// Edit an appointment's notes, reason, diagnosis, prescription or follow-up
    Update(change::UpdateArgs),
    /// Show one appointment
    #[command(
        after_help = "Examples:\n  appt show 3f2a\n  appt show 3f2a1b4c --json | jq .status"
    )]
    Show(show::ShowArgs),
    /// An appointment's events, oldest first
    #[command(
        after_help = "Examples:\n  appt history 3f2a\n  appt history 3f2a --json | jq '.events[].type'"
    )]
    History(show::ShowArgs),
    /// List appointments
    List(list::ListArgs),
    /// Count appointments created since a time
    Count(list::CountArgs),
    /// A clinic's figures over a period: utilisation, no-shows, late cancellations, lead time, sources, messages
    Report(report::Args),
    /// The first free slots from now on, across days and doctors
    Next(next::Args),
    /// The day sheet: per doctor, in time order, with free slots as gaps
    Agenda(agenda::Args),
    /// Today's patients per doctor in token order; `queue next` calls the next one in
    Queue(queue::Args),
    /// Patients waiting for a doctor on a date; a freed time is offered to them
    #[command(
        after_help = "Examples:\n  appt waitlist add -d \"Dr. García\" -D tomorrow -P +50370001111 --name Ana\n  appt waitlist list\n  appt waitlist remove 3f2a"
    )]
    #[command(subcommand)]
    Waitlist(waitlist::Cmd),
    /// Reminders, waitlist offers and patient notifications: deliver the due ones (cron), list them
    #[command(
        after_help = "Examples:\n  appt remind due --exec examples/remind-whatsapp.sh\n  appt remind due --dry-run\n  appt remind list -S failed"
    )]
    #[command(subcommand)]
    Remind(remind::Cmd),
    /// Recalls: patients whose follow-up date has come; list them, send each its message once
    #[command(
        after_help = "Examples:\n  appt recall list\n  appt recall list --status due\n  appt recall send"
    )]
    #[command(subcommand)]
    Recall(recall::Cmd),
    /// The event log as JSON Lines, oldest first
    Events(events::Args),
    /// Export appointments as iCalendar, a FHIR R4 Bundle, JSON Lines or CSV
    Export(export::Args),
    /// Webhooks: POST events to other systems (deliver from cron)
    #[command(
        after_help = "Examples:\n  appt webhook add https://crm.example/appt --secret-file crm.secret\n  appt webhook list\n  appt webhook deliver"
    )]
    #[command(subcommand)]
    Webhook(webhook::Cmd),
    /// Channels: WhatsApp, SMS and e-mail accounts appt sends through, per clinic
    #[command(
        after_help = "Examples:\n  appt channel add whatsapp --phone-number-id 123 --token-file wa.key\n  appt channel list\n  appt channel test whatsapp --to \"+503 7012-3456\""
    )]
    #[command(subcommand)]
    Channel(channel::Cmd),
    /// What patients wrote to the clinic's channels that appt did not act on by itself
    #[command(
        after_help = "Examples:\n  appt inbox\n  appt inbox --all --json | jq '.messages[].text'\n  appt inbox done 3f2a"
    )]
    Inbox(inbox::Args),
    /// API tokens for `appt serve`: add (shown once), list, revoke
    #[command(
        after_help = "Examples:\n  appt token add whatsapp-bot --scopes appointments:read,appointments:write\n  appt token list\n  appt token revoke whatsapp-bot"
    )]
    #[command(subcommand)]
    Token(token::Cmd),
    /// The people at the desk: add (with a PIN), list, update, remove, pin
    #[command(
        after_help = "Examples:\n  appt staff add Marta --role manager\n  appt staff add Lucía --role recepción\n  appt staff list\n  appt staff pin Lucía"
    )]
    #[command(subcommand)]
    Staff(staff::Cmd),
    /// Sign in at this terminal with your PIN (once the database has staff)
    #[command(
        after_help = "Examples:\n  appt login Lucía\n  appt login\n  appt login Marta --for 12h"
    )]
    Login(session::LoginArgs),
    /// Sign out of this terminal
    #[command(after_help = "Examples:\n  appt logout\n  appt logout --json")]
    Logout,
    /// Who looked at which patient's clinical record, and when (managers)
    #[command(
        name = "access-log",
        after_help = "Examples:\n  appt access-log\n  appt access-log --patient +50370123456\n  appt access-log --staff Lucía --json"
    )]
    AccessLog(session::AccessLogArgs),
    /// Who is signed in at this terminal
    #[command(after_help = "Examples:\n  appt whoami\n  appt whoami --json | jq -r .role")]
    Whoami,
    /// Calendar feeds: a doctor's visits (or a clinic's) on their phone (subscription, CalDAV)
    #[command(
        after_help = "Examples:\n  appt feed add ana --doctor \"Dra. Ana García\"\n  appt feed list\n  appt feed revoke ana"
    )]
    #[command(subcommand)]
    Feed(feed::Cmd),
    /// A doctor's own calendars (ICS, CalDAV): their busy times block the doctor's slots
    #[command(
        after_help = "Examples:\n  appt calendar add ana-hospital -d Ana --url webcal://p01.example/ana.ics\n  appt calendar list\n  appt calendar sync"
    )]
    #[command(subcommand)]
    Calendar(calendar::Cmd),
    /// Check the database: SQLite's integrity and foreign keys, and appt's own rules
    Check(check::Args),
    /// Copy the database to FILE while others keep working (mode 0600)
    Backup(backup::Args),
    /// Remove what need not be kept of visits that ended before a date: messages, links, events' personal fields
    ///
    /// For every appointment that ended before DATE (in its clinic's time
    /// zone; with --clinic, of that clinic only): its messages no longer
    /// to deliver, its patient's links and the patient's name and phone in
    /// its events go. Appointments, their statuses and clinical record stay.
    /// Works in small transactions: stopped half-way, run it again.
    Purge(purge::Args),
    /// The national-ID key: make a new one and seal every national ID again under it
    #[command(after_help = "Examples:\n  appt key rotate\n  appt key rotate --json")]
    #[command(subcommand)]
    Key(key::Cmd),
    /// Book every line of a JSON Lines file (or -) through the booking rules
    Import(import::Args),
    /// Copy every row into an empty database of either kind (a file or a postgres:// server)
    Transfer(transfer::Args),
    /// Seed a sample clinic into its own database (replacing only an earlier demo) and show today and tomorrow
    ///
    /// The demo database is appt/demo.db in the user data folder
    /// (~/.local/share/appt/demo.db on Linux), or the file given with --db.
    /// APPT_DB is not read: the demo never touches the real database.
    #[command(
        after_help = "Examples:\n  appt demo\n  appt --db /tmp/demo.db demo -y\n  appt --db /tmp/demo.db list -D today"
    )]
    Demo(demo::Args),
    /// Serve the HTTP API for bots, web forms and voice agents (tokens: `appt token`)
    Serve(serve::Args),
    /// The front desk's live screen of one clinic's day: book, check in, move and cancel from the keyboard
    ///
    /// A full-screen view of the day: a column per doctor, a row per slot,
    /// the queue of arrived patients and the day's waitlist. Changes made
    /// anywhere else (another desk, the API, a patient's link, cron) show
    /// within a second. Needs a terminal; `q` or Ctrl-C quits.
    Board(board::Args),
    /// Print the shell completion script for bash, zsh, fish, elvish or powershell
    ///
    /// Every script completes commands and flags. In bash, zsh and fish, TAB
    /// after --doctor, --service, --clinic or --patient (and after doctor show,
    /// service update, …) completes names from the database the line points
    /// at (--db on it, else APPT_DB, else the default), read without changing
    /// anything: a database that is not there completes nothing.
    Completions(completions::Args),
}

/// What every command gets: the clock, the database path, the chosen clinic and
/// how to talk to the user.
#[derive(Clone)]
pub struct Ctx {
    pub json: bool,
    pub interactive: bool,
    pub db: PathBuf,
    /// `--db` given on the command line (demo never touches the user's database).
    pub db_flag: Option<PathBuf>,
    /// Neither `--db` nor `$APPT_DB`: the data folder's `appt.db`.
    pub default_location: bool,
    pub clinic: Option<String>,
    /// The one clock: `$APPT_NOW` or the system's.
    pub now: DateTime<Utc>,
    /// The machine's time zone (`$TZ`, else the system's): what relative dates
    /// mean when a command spans several clinics.
    pub zone: crate::core::zone::Tz,
    /// Who the events of this command name: `cli:<OS user>` ([`os_user`]),
    /// or the member of staff signed in (`staff:<name>`) once the database
    /// has staff ([`session::gate`]).
    pub actor: std::cell::RefCell<Actor>,
    /// What the command asks of who runs it, once the database has staff.
    pub gate: session::Gate,
    /// The database was asked who runs the command.
    pub signed_in: std::cell::Cell<bool>,
    /// Nobody signed in at this terminal is asked their name and PIN here
    /// (`board`: who is at it), rather than refused.
    pub asks_who: bool,
    /// `--read-db` (else `$APPT_READ_DB`) and `--max-lag`: the standby
    /// for the reads that may lag (docs/operations.md#standby-reads).
    pub read_db: Option<(String, std::time::Duration)>,
}

/// The OS user running appt, as its events name them (docs/rules.md#events):
/// `$USER`, else `$LOGNAME`, else the user's name in the password database,
/// else the numeric user ID. The environment first: the login's own name
/// is who sits at the desk, and a test or a wrapper can set it; a desk
/// whose environment names nobody (a service, `env -i`) is still named as
/// `history` can say it (`root`, not `0`). `libc`, already used, asks the
/// database. A name that is blank or holds control characters is passed over.
pub(crate) fn os_user() -> String {
    // SAFETY: getuid(2) takes nothing and always succeeds.
    let uid = unsafe { libc::getuid() };
    ["USER", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .chain(std::iter::once_with(|| passwd_name(uid)).flatten())
        .map(|name| name.trim().to_string())
        .find(|name| !name.is_empty() && !name.chars().any(char::is_control))
        .unwrap_or_else(|| uid.to_string())
}

/// The name the password database gives `uid`, if any.
fn passwd_name(uid: libc::uid_t) -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: a passwd of zeroes is a valid value to be written over.
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is to memory owned here, the buffer's length
    // is its own, and the strings written point into that buffer.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr(), buf.len(), &mut found) };
    if rc != 0 || found.is_null() || pw.pw_name.is_null() {
        return None;
    }
    // SAFETY: getpwuid_r succeeded: pw_name is a NUL-terminated string in `buf`.
    let name = unsafe { std::ffi::CStr::from_ptr(pw.pw_name) };
    name.to_str().ok().map(str::to_string)
}

/// The machine's IANA time zone: `$TZ` when it names one, else the system's,
/// else UTC.
fn machine_zone() -> crate::core::zone::Tz {
    std::env::var("TZ")
        .ok()
        .map(|z| z.trim_start_matches(':').to_string())
        .or_else(|| iana_time_zone::get_timezone().ok())
        .and_then(|z| time::parse_timezone(&z).ok())
        .unwrap_or(crate::core::zone::UTC)
}

impl Ctx {
    /// Who the events of this command name.
    pub fn actor(&self) -> Actor {
        self.actor.borrow().clone()
    }

    /// Opens the database, which must exist (docs/operations.md#the-database):
    /// a mistyped `--db` is an error naming the path, never an empty clinic.
    pub fn open(&self) -> Result<Store> {
        self.open_at(&self.db, Create::Never)
    }

    /// Opens the database for a command that only reads and need not see
    /// the latest write by another desk (`agenda`, `slots`, `list`, `next`,
    /// `report`): with `--read-db`, its reads go to the standby while it
    /// is close enough behind and has this desk's own last write.
    pub fn open_to_read(&self) -> Result<Store> {
        let mut st = self.open()?;
        st.may_lag(true);
        Ok(st)
    }

    /// The standby for the reads that may lag, when one is given;
    /// `remember`: this desk's last write is kept for its next command.
    pub fn reads(&self, remember: bool) -> Result<Option<crate::app::ReadDb>> {
        self.read_db
            .as_ref()
            .map(|(url, lag)| crate::app::ReadDb::new(url, *lag, remember))
            .transpose()
    }

    /// The database a command opened already (to read what it then asks
    /// about), else opened now and kept in `slot`: one connection a command.
    pub fn open_once<'s>(&self, slot: &'s mut Option<Store>) -> Result<&'s mut Store> {
        let st = match slot.take() {
            Some(st) => st,
            None => self.open()?,
        };
        Ok(slot.insert(st))
    }

    /// Opens the database, making it if it is not there: `init` and
    /// `clinic add` only. Only the default location's folder is made.
    pub fn create(&self) -> Result<Store> {
        self.open_at(&self.db, self.creates())
    }

    /// What a command that makes a database may make: the default
    /// location's folder too, a given path's file only.
    pub fn creates(&self) -> Create {
        if self.default_location {
            Create::FileAndFolder
        } else {
            Create::File
        }
    }

    /// Opens the database `target` names (`transfer --to` opens a second
    /// one); what the user must hear of at once (patient data in clear over
    /// a network) goes to stderr now, before the command's work.
    pub fn open_at(&self, target: &std::path::Path, create: Create) -> Result<Store> {
        let mut st = Store::open(target, create)?;
        if target == self.db {
            session::gate(self, &mut st)?;
            if let Some(reads) = self.reads(true)? {
                st.with_standby(reads)?;
            }
        }
        self.tell(&mut st);
        if !self.json {
            self.choose_home(&mut st);
        }
        Ok(st)
    }

    /// The country whose phones human output writes in national form
    /// (docs/rules.md#phones): the clinic's, else the one all share. A
    /// database that cannot say leaves every phone international.
    fn choose_home(&self, st: &mut Store) {
        use crate::app::phones::{At, Dialing};
        let at = At::Desk(self.clinic.as_deref());
        if let Ok(d) = st.read(|tx| Dialing::at(tx, at)) {
            crate::output::phone::choose(d.code().map(str::to_string));
        }
    }

    /// Writes what `st` has to tell the user (its notices) to stderr, now.
    pub fn tell(&self, st: &mut Store) {
        use std::io::Write as _;
        for notice in std::mem::take(&mut st.notices) {
            let line = crate::output::warning_text(&notice, self.json);
            // A warning that cannot be written stops nothing.
            let _ = writeln!(std::io::stderr(), "{line}");
        }
    }

    /// The clock of a command that runs on (`serve`, `board`): fixed at
    /// the command's own "now" when `$APPT_NOW` set it, else the system's.
    pub fn clock(&self) -> Result<crate::app::Clock> {
        Ok(match env_nonempty("APPT_NOW")? {
            Some(_) => crate::app::Clock::Fixed(self.now),
            None => crate::app::Clock::System,
        })
    }

    /// `$APPT_KEY`, the national-ID key, when set.
    pub fn key(&self) -> Result<Option<String>> {
        env_nonempty("APPT_KEY")
    }

    /// Like [`Ctx::report`], for a JSON document too big to build as a tree:
    /// a report whose JSON is written straight from `data`'s views as it is
    /// printed (never held whole in memory); `human` renders it otherwise.
    pub fn report_stream<T: 'static>(
        &self,
        data: T,
        json: impl FnOnce(&T, &mut dyn std::io::Write, bool) -> std::io::Result<()> + 'static,
        human: impl FnOnce(&T) -> String,
    ) -> Report {
        if self.json {
            let mut r = Report::new(Value::Null, String::new());
            r.json_stream = Some(Box::new(move |out, indented| json(&data, out, indented)));
            r
        } else {
            Report::new(Value::Null, human(&data))
        }
    }

    /// The result in the format asked for: only that one is built.
    pub fn report(&self, json: impl FnOnce() -> Value, human: impl FnOnce() -> String) -> Report {
        if self.json {
            Report::new(json(), String::new())
        } else {
            Report::new(Value::Null, human())
        }
    }
}

fn default_db() -> Result<PathBuf> {
    directories::ProjectDirs::from("", "", "appt")
        .map(|d| d.data_dir().join("appt.db"))
        .ok_or_else(|| Error::internal(crate::text::msg!("e-cannot_find_a_home_folder_for_the")))
}

/// An environment variable that is set and not blank; one that is not text is refused.
fn env_nonempty(name: &str) -> Result<Option<String>> {
    match std::env::var(name) {
        Ok(v) => Ok(Some(v).filter(|v| !v.trim().is_empty())),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::field(
            name,
            crate::text::msg!("e-is_not_valid_text", name = name),
        )),
    }
}

pub fn now_from_env() -> Result<DateTime<Utc>> {
    match env_nonempty("APPT_NOW")? {
        Some(v) => time::parse_rfc3339(&v)
            .map_err(|m| Error::field("APPT_NOW", crate::text::msg!("e-appt_now", m = m))),
        None => Ok(Utc::now().with_nanosecond_zero()),
    }
}

trait WholeSeconds {
    fn with_nanosecond_zero(self) -> Self;
}

impl WholeSeconds for DateTime<Utc> {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap_or(self)
    }
}

/// Whether a person at a terminal may be asked: not with `--no-input`,
/// nor where either end of the command is not a terminal.
fn interactive(cli: &Cli) -> bool {
    !cli.no_input && std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// The context a command runs in, from the command line and the environment.
fn context(cli: &Cli) -> Result<Ctx> {
    // A path need not be text: APPT_DB is taken as the OS gives it.
    let db = match (
        &cli.db,
        std::env::var_os("APPT_DB").filter(|p| !p.is_empty()),
    ) {
        (Some(p), _) => p.clone(),
        (None, Some(p)) => PathBuf::from(p),
        (None, None) => default_db()?,
    };
    Ok(Ctx {
        json: cli.json,
        interactive: interactive(cli),
        db,
        db_flag: cli.db.clone(),
        default_location: cli.db.is_none()
            && std::env::var_os("APPT_DB").is_none_or(|p| p.is_empty()),
        clinic: match cli.clinic.clone() {
            Some(c) => Some(c),
            None => env_nonempty("APPT_CLINIC")?,
        },
        now: now_from_env()?,
        zone: machine_zone(),
        actor: std::cell::RefCell::new(Actor::Cli(os_user())),
        gate: session::Gate::of(&cli.command),
        signed_in: std::cell::Cell::new(false),
        asks_who: matches!(cli.command, Command::Board(_)),
        read_db: match cli.read_db.clone() {
            Some(url) => Some(url),
            None => env_nonempty("APPT_READ_DB")?,
        }
        .map(|url| {
            let lag = cli.max_lag.map(std::time::Duration::from_secs);
            (url, lag.unwrap_or(crate::app::MAX_LAG))
        }),
    })
}

/// A flag's minutes (docs/commands.md#dates-times-durations): a bare number
/// (`45`) or a duration (`1h30m`, `1 h 30 min`).
pub(crate) fn minutes(typed: &str) -> std::result::Result<i64, String> {
    crate::core::time::parse_minutes(typed).map_err(|m| crate::output::lang::message(&m))
}

/// `--max-lag`: seconds, a bare number or with a unit (`5s`, `1m`), at most
/// an hour.
fn max_lag(typed: &str) -> std::result::Result<u64, String> {
    let secs =
        crate::core::time::parse_seconds(typed).map_err(|m| crate::output::lang::message(&m))?;
    u64::try_from(secs)
        .ok()
        .filter(|s| *s <= 3600)
        .ok_or_else(|| "0..=3600".to_string())
}

/// Runs the command line `args`, parsed as `cli`. On a terminal, a
/// reference that found several rows, or a name that found none, is picked
/// from a list (the names filtered by what was typed) and the command runs
/// again with the choice in the field that held what was typed
/// ([`choice`], docs/commands.md#references). A failed command changed
/// nothing, so running it again is safe.
pub fn run_args(args: &[std::ffi::OsString], cli: Cli) -> Result<Report> {
    let mut cli = cli;
    let mut choices = Vec::new();
    for _ in 0..3 {
        // Only a person at a terminal is asked to choose: anywhere else the
        // context is not made twice.
        let ctx = match &cli.command {
            Command::Completions(_) => None,
            _ if cli.json || !interactive(&cli) => None,
            _ => context(&cli).ok(),
        };
        let e = match run(cli) {
            Err(e) => e,
            done => return done,
        };
        let Some(ctx) = ctx else { return Err(e) };
        let Some(choice) = prompt::recover(&ctx, &e)? else {
            return Err(e);
        };
        choices.push(choice);
        // `run` took the command: it is parsed again from the same words,
        // and every choice so far put into its own field.
        cli = Cli::try_parse_from(args).map_err(|p| usage::error(&p, args))?;
        if !choices.iter().all(|c| cli.take(c)) {
            return Err(e);
        }
    }
    run(cli)
}

/// Chooses human output's language, once for the process, from
/// `$APPT_LANG` or the locale (docs/commands.md#language); `main` asks it
/// too before it shows a command line clap refused.
pub fn choose_language() -> crate::output::lang::Lang {
    let lang = crate::output::lang::from_env(|name| std::env::var(name).ok());
    crate::output::lang::choose(lang);
    // Where no clinic says how `4/12` reads, the desk's language does.
    crate::app::values::set_desk_language(lang);
    lang
}

pub fn run(cli: Cli) -> Result<Report> {
    choose_language();
    if let Some(n) = cli.width {
        crate::output::fit::set_width(usize::from(n));
    }
    // Needs no database, clinic or clock: a bad APPT_NOW must not stop it.
    if let Command::Completions(a) = &cli.command {
        return completions::run(cli.json, a);
    }
    let ctx = context(&cli)?;
    session::check_as(cli.as_who.as_deref(), ctx.gate)?;
    let report = command(&ctx, cli.command)?;
    // What the command showed of visits' clinical records is recorded
    // before it is printed (docs/security.md#who-looked).
    session::record_looks(&ctx)?;
    Ok(report)
}

/// Runs one command in `ctx`.
fn command(ctx: &Ctx, c: Command) -> Result<Report> {
    match c {
        Command::Init => {
            let store = ctx.create()?;
            let path = store.location.clone();
            Ok(ctx.report(
                || crate::output::json::initialized(&path),
                || tr!("c-db_ready", path = path),
            ))
        }
        Command::Clinic(c) => clinic::run(ctx, c),
        Command::Doctor(c) => doctor::run(ctx, c),
        Command::Service(c) => service::run(ctx, c),
        Command::Resource(c) => resource::run(ctx, c),
        Command::Window(c) => window::run(ctx, c),
        Command::Closure(c) => closure::run(ctx, c),
        Command::Patient(c) => patient::run(ctx, c),
        Command::Slots(a) => slots::run(ctx, a),
        Command::Book(a) => book::run(ctx, a),
        Command::Reschedule(a) => change::reschedule(ctx, a),
        Command::Cancel(a) => change::cancel(ctx, a),
        Command::Status(a) => change::status(ctx, a),
        Command::Update(a) => change::update(ctx, a),
        Command::Show(a) => show::show(ctx, a),
        Command::History(a) => show::history(ctx, a),
        Command::List(a) => list::list(ctx, a),
        Command::Count(a) => list::count(ctx, a),
        Command::Report(a) => report::run(ctx, a),
        Command::Next(a) => next::run(ctx, a),
        Command::Agenda(a) => agenda::run(ctx, a),
        Command::Queue(a) => queue::run(ctx, a),
        Command::Waitlist(c) => waitlist::run(ctx, c),
        Command::Remind(c) => remind::run(ctx, c),
        Command::Recall(c) => recall::run(ctx, c),
        Command::Events(a) => events::run(ctx, a),
        Command::Export(a) => export::run(ctx, a),
        Command::Webhook(c) => webhook::run(ctx, c),
        Command::Channel(c) => channel::run(ctx, c),
        Command::Inbox(a) => inbox::run(ctx, a),
        Command::Token(c) => token::run(ctx, c),
        Command::Staff(c) => staff::run(ctx, c),
        Command::Login(a) => session::login(ctx, a),
        Command::Logout => session::logout(ctx),
        Command::Whoami => session::whoami(ctx),
        Command::Feed(c) => feed::run(ctx, c),
        Command::Calendar(c) => calendar::run(ctx, c),
        Command::Check(a) => check::run(ctx, a),
        Command::Backup(a) => backup::run(ctx, a),
        Command::Purge(a) => purge::run(ctx, a),
        Command::Key(c) => key::run(ctx, c),
        Command::Import(a) => import::run(ctx, a),
        Command::Transfer(a) => transfer::run(ctx, a),
        Command::Demo(a) => demo::run(ctx, a),
        Command::Serve(a) => serve::run(ctx, a),
        Command::Board(a) => board::run(ctx, a),
        Command::Completions(a) => completions::run(ctx.json, &a),
        Command::AccessLog(a) => session::access_log(ctx, a),
    }
}

impl Cli {
    /// Whether the command reads many rows and makes many small values
    /// from them, and is over once it has written them: the event log, the
    /// day sheet, an export (the binary gives such a command an allocator
    /// of its own; `src/main.rs`).
    pub fn is_bulk(&self) -> bool {
        matches!(
            self.command,
            Command::Events(_) | Command::Agenda(_) | Command::Export(_)
        )
    }

    /// The fields of the command line that hold references, with their
    /// kinds (what a picker's choice goes into, `choice::Choice`): the
    /// command's own first, the global `--clinic` last.
    pub(super) fn references(&mut self) -> Vec<(choice::Kind, &mut String)> {
        use choice::References;
        let mut fields = match &mut self.command {
            Command::Clinic(c) => c.references(),
            Command::Doctor(c) => c.references(),
            Command::Service(c) => c.references(),
            Command::Resource(c) => c.references(),
            Command::Window(c) => c.references(),
            Command::Closure(c) => c.references(),
            Command::Patient(c) => c.references(),
            Command::Slots(a) => a.references(),
            Command::Book(a) => a.references(),
            Command::Reschedule(a) => a.references(),
            Command::Cancel(a) => a.references(),
            Command::Status(a) => a.references(),
            Command::Update(a) => a.references(),
            Command::Show(a) | Command::History(a) => a.references(),
            Command::List(a) => a.references(),
            Command::Next(a) => a.references(),
            Command::Agenda(a) => a.references(),
            Command::Queue(a) => a.references(),
            Command::Waitlist(c) => c.references(),
            Command::Export(a) => a.references(),
            Command::Webhook(c) => c.references(),
            // Commands that take no reference a picker could mend.
            Command::Init
            | Command::Count(_)
            | Command::Report(_)
            | Command::Remind(_)
            | Command::Recall(_)
            | Command::Events(_)
            | Command::Channel(_)
            | Command::Inbox(_)
            | Command::Token(_)
            | Command::Staff(_)
            | Command::Login(_)
            | Command::Logout
            | Command::Whoami
            | Command::AccessLog(_)
            | Command::Feed(_)
            | Command::Calendar(_)
            | Command::Check(_)
            | Command::Backup(_)
            | Command::Purge(_)
            | Command::Key(_)
            | Command::Import(_)
            | Command::Transfer(_)
            | Command::Demo(_)
            | Command::Serve(_)
            | Command::Board(_)
            | Command::Completions(_) => Vec::new(),
        };
        fields.extend(choice::given([(
            choice::Kind::Clinic,
            self.clinic.as_mut(),
        )]));
        fields
    }
}
