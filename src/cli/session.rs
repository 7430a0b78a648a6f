//! `appt login|logout|whoami` and the check every command meets once a
//! database has staff (docs/security.md#signing-in). A session belongs to
//! the terminal it was opened on: its secret is kept in a file of this OS
//! user's alone (mode 0600), named for the database and the terminal, and
//! the database keeps the secret's hash beside the terminal, so the file
//! copied to another terminal signs nobody in. Scripts name a person with
//! `APPT_STAFF` and `APPT_STAFF_PIN_FILE` instead; the sweeps run as before.

use super::{prompt, Command, Ctx};
use crate::app::session::{self, Credentials};
use crate::app::Store;
use crate::core::roles::{self, Need};
use crate::core::staff::Person;
use crate::core::Actor;
use crate::error::{Code, Error, Result};
use crate::output::lang::tr;
use crate::output::{human, json, Report};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// What a command asks of who runs it, once the database has staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// A signed-in person whose role meets the need
    /// (docs/security.md#roles).
    Person(Need),
    /// Nobody: the sweeps cron runs (`remind due`, `webhook deliver`,
    /// `calendar sync`, `purge`, `backup`), which `--as system` names.
    Sweep,
    /// Nobody, and `--as system` means nothing: making a database, the
    /// demo's own, signing in and out, the server (its tokens say who).
    Open,
}

impl Gate {
    /// Each command's gate: the table docs/security.md#roles shows, and
    /// a test walks for every role.
    pub fn of(c: &Command) -> Gate {
        use super::{calendar as cal, clinic, closure, doctor, patient, resource, service, window};
        use Need::{Desk, Manage};
        let need = match c {
            Command::Remind(super::remind::Cmd::Due { .. })
            | Command::Webhook(super::webhook::Cmd::Deliver)
            | Command::Calendar(cal::Cmd::Sync { .. })
            | Command::Purge(_)
            | Command::Backup(_) => return Gate::Sweep,
            Command::Init
            | Command::Completions(_)
            | Command::Demo(_)
            | Command::Serve(_)
            | Command::Login(_)
            | Command::Logout
            | Command::Whoami => return Gate::Open,
            // What the desk reads of the clinic's set-up.
            Command::Clinic(clinic::Cmd::List | clinic::Cmd::Show { .. })
            | Command::Doctor(doctor::Cmd::List | doctor::Cmd::Show { .. })
            | Command::Service(service::Cmd::List)
            | Command::Resource(resource::Cmd::List | resource::Cmd::Show { .. })
            | Command::Window(window::Cmd::List { .. })
            | Command::Closure(closure::Cmd::List { .. }) => Desk,
            // The set-up itself, and what reads or sends the whole of it.
            Command::Clinic(_)
            | Command::Doctor(_)
            | Command::Service(_)
            | Command::Resource(_)
            | Command::Window(_)
            | Command::Closure(_)
            | Command::Patient(patient::Cmd::Export(_) | patient::Cmd::Erase { .. })
            | Command::Report(_)
            | Command::Events(_)
            | Command::Export(_)
            | Command::Webhook(_)
            | Command::Channel(_)
            | Command::Token(_)
            | Command::Staff(_)
            | Command::Feed(_)
            | Command::Calendar(_)
            | Command::Check(_)
            | Command::Key(_)
            | Command::Import(_)
            | Command::Transfer(_)
            | Command::AccessLog(_) => Manage,
            // The desk's work; what a visit's clinical fields ask is
            // asked of each visit.
            Command::Patient(_)
            | Command::Slots(_)
            | Command::Book(_)
            | Command::Reschedule(_)
            | Command::Cancel(_)
            | Command::Status(_)
            | Command::Update(_)
            | Command::Show(_)
            | Command::History(_)
            | Command::List(_)
            | Command::Count(_)
            | Command::Next(_)
            | Command::Agenda(_)
            | Command::Queue(_)
            | Command::Waitlist(_)
            | Command::Remind(_)
            | Command::Recall(_)
            | Command::Inbox(_)
            | Command::Board(_) => Desk,
        };
        Gate::Person(need)
    }
}

/// `--as WHO`: only `system`, and only for the sweeps.
pub fn check_as(who: Option<&str>, gate: Gate) -> Result<()> {
    match who {
        None => Ok(()),
        Some(w) if w != "system" => Err(Error::field(
            "as",
            crate::text::msg!("e-as_takes_system_only"),
        )),
        Some(_) if gate == Gate::Sweep => Ok(()),
        Some(_) => Err(Error::new(
            Code::Forbidden,
            crate::text::msg!("e-as_system_only_for_the_sweeps"),
        )),
    }
}

/// This terminal: the device on standard input and the login session
/// (`getsid`) it belongs to; None off a terminal.
pub fn terminal() -> Option<String> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return None;
    }
    let device = std::fs::read_link("/proc/self/fd/0").ok()?;
    // SAFETY: getsid(0) asks about this process; it cannot fail for it.
    let sid = unsafe { libc::getsid(0) };
    Some(format!("{} session {sid}", device.display()))
}

/// The folder of this user's session files: `$APPT_SESSIONS`, else the
/// runtime folder (`$XDG_RUNTIME_DIR/appt`, gone at log-out), else the
/// data folder's `sessions`.
fn folder() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("APPT_SESSIONS").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    let dirs = directories::ProjectDirs::from("", "", "appt")
        .ok_or_else(|| Error::internal(crate::text::msg!("e-cannot_find_a_home_folder_for_the")))?;
    Ok(match dirs.runtime_dir() {
        Some(d) => d.to_path_buf(),
        None => dirs.data_dir().join("sessions"),
    })
}

/// The session file of `terminal` for the database at `location`.
fn file(location: &str, terminal: &str) -> Result<PathBuf> {
    let name: String = Sha256::digest(format!("{location}\n{terminal}").as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(folder()?.join(format!("session-{name}")))
}

/// The secret in this terminal's session file, if there is one.
fn secret(location: &str, terminal: &str) -> Option<String> {
    let text = std::fs::read_to_string(file(location, terminal).ok()?).ok()?;
    Some(text.trim().to_string()).filter(|s| !s.is_empty())
}

/// What this process was given to say who runs it.
fn credentials(st: &Store) -> Result<Credentials> {
    if let Some(name) = super::env_nonempty("APPT_STAFF")? {
        let Some(path) = std::env::var_os("APPT_STAFF_PIN_FILE").filter(|p| !p.is_empty()) else {
            return Err(Error::new(
                Code::SignInRequired,
                crate::text::msg!("e-appt_staff_needs_a_pin_file"),
            ));
        };
        let pin = super::secret::read("APPT_STAFF_PIN_FILE", std::path::Path::new(&path))?;
        return Ok(Credentials::Pin { name, pin });
    }
    let location = st.location.clone();
    Ok(match terminal() {
        Some(terminal) => match secret(&location, &terminal) {
            Some(secret) => Credentials::Session { secret, terminal },
            None => Credentials::Nobody,
        },
        None => Credentials::Nobody,
    })
}

/// The check a command meets as it opens its database: once the database
/// has staff, a command that asks for a person runs as the one signed in
/// (its events name them), else `SIGN_IN_REQUIRED`; and their role must
/// meet the command's need, else `FORBIDDEN`.
pub fn gate(ctx: &Ctx, st: &mut Store) -> Result<()> {
    let Gate::Person(need) = ctx.gate else {
        return Ok(());
    };
    if ctx.signed_in.get() {
        return Ok(());
    }
    if session::staff_exist(st)? {
        let who = match credentials(st)? {
            // The board asks who is at it.
            Credentials::Nobody if ctx.asks_who && ctx.interactive => {
                let name =
                    prompt::Ask::new(ctx).typed(&tr!("p-who_is_there"), None, &|_| Ok(()))?;
                let pin = prompt::pin_once()?;
                Credentials::Pin { name, pin }
            }
            who => who,
        };
        let m = session::person(st, &who, ctx.now)?;
        roles::allow(m.role, need)?;
        let person = Person {
            os_user: Some(super::os_user()),
            ..m.person()
        };
        crate::output::reader::choose(person.clone());
        *ctx.actor.borrow_mut() = Actor::Staff(person);
    }
    ctx.signed_in.set(true);
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    /// Your name, as the staff list has it (asked when left out)
    #[arg(value_name = "NAME")]
    name: Option<String>,
    /// How long the session lasts: hours, 1 to 24 (8h, 12) [default: the clinic's --session-hours, 8h]
    #[arg(long = "for", value_name = "DURATION")]
    hours: Option<String>,
}

/// Refuses a command that needs this terminal off one.
fn at_terminal() -> Result<String> {
    terminal()
        .ok_or_else(|| Error::field("terminal", crate::text::msg!("e-login_is_at_a_terminal")))
}

pub fn login(ctx: &Ctx, a: LoginArgs) -> Result<Report> {
    let terminal = at_terminal()?;
    let hours = a
        .hours
        .as_deref()
        .map(|h| crate::core::staff::session_hours(h).map_err(|m| Error::field("for", m)))
        .transpose()?;
    let name = match a.name {
        Some(n) => n,
        None if ctx.interactive => {
            prompt::Ask::new(ctx).typed(&tr!("p-staff_name"), None, &|_| Ok(()))?
        }
        None => {
            return Err(Error::field(
                "name",
                crate::text::msg!("e-must_not_be_empty", field = "name"),
            ))
        }
    };
    let mut st = ctx.open()?;
    let pin = prompt::pin_once()?;
    let at = ctx.clinic.as_deref();
    let opened = session::login(&mut st, &name, &pin, &terminal, hours, at, ctx.now)?;
    let location = st.location.clone();
    write_secret(&file(&location, &terminal)?, &opened.secret)?;
    Ok(ctx.report(
        || json::signed_in(&opened.member, opened.expires_at),
        || {
            tr!(
                "c-signed_in",
                a = human::clean(&opened.member.name),
                b = human::role(opened.member.role),
                c = {
                    // The desk's own clock: the machine's zone.
                    let (day, hm) = crate::core::time::to_local(ctx.zone, opened.expires_at);
                    format!("{day} {hm}")
                }
            )
        },
    ))
}

/// Writes a session's secret where only this OS user reads it.
fn write_secret(path: &std::path::Path, secret: &str) -> Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let failed = |e: std::io::Error| {
        Error::internal(crate::text::msg!(
            "e-cannot_write_the_session_file",
            path = path.display().to_string(),
            e = e.to_string()
        ))
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    let _ = std::fs::remove_file(path);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(failed)?;
    f.write_all(secret.as_bytes()).map_err(failed)?;
    f.sync_all().map_err(failed)
}

pub fn logout(ctx: &Ctx) -> Result<Report> {
    let terminal = at_terminal()?;
    let mut st = ctx.open()?;
    let location = st.location.clone();
    let path = file(&location, &terminal)?;
    let closed = match secret(&location, &terminal) {
        Some(s) => session::logout(&mut st, &s)?,
        None => false,
    };
    let _ = std::fs::remove_file(&path);
    Ok(ctx.report(|| json::signed_out(closed, &path), || tr!("c-signed_out")))
}

pub fn whoami(ctx: &Ctx) -> Result<Report> {
    let mut st = ctx.open()?;
    if !session::staff_exist(&mut st)? {
        let actor = ctx.actor().to_string();
        return Ok(ctx.report(
            || json::nobody_signs_in(&actor),
            || tr!("c-no_staff_you_are", a = actor.clone()),
        ));
    }
    let who = credentials(&st)?;
    let m = session::person(&mut st, &who, ctx.now)?;
    Ok(ctx.report(
        || json::staff_member(&m),
        || {
            tr!(
                "c-you_are",
                a = human::clean(&m.name),
                b = human::role(m.role)
            )
        },
    ))
}

/// Records the visits this command showed with their clinical fields to
/// the person signed in (docs/security.md#who-looked), before its result
/// is printed: a look that cannot be recorded is not shown.
pub fn record_looks(ctx: &Ctx) -> Result<()> {
    let looks = crate::output::reader::take_shown();
    if looks.is_empty() {
        return Ok(());
    }
    let mut st = ctx.open()?;
    let os_user = Actor::Cli(super::os_user()).to_string();
    crate::app::access::record(&mut st, &looks, &ctx.actor(), &os_user, &words(), ctx.now)
}

/// This command's words (`patient show`), as the access log names it.
fn words() -> String {
    use clap::CommandFactory;
    let Ok(mut m) = super::Cli::command().try_get_matches_from(std::env::args_os()) else {
        return String::new();
    };
    let mut out = Vec::new();
    while let Some((name, sub)) = m.remove_subcommand() {
        out.push(name);
        m = sub;
    }
    out.join(" ")
}

#[derive(Debug, clap::Args)]
pub struct AccessLogArgs {
    /// Only this patient's record: phone, name or ID
    #[arg(long, value_name = "PATIENT")]
    patient: Option<String>,
    /// Only what this member of staff looked at
    #[arg(long, value_name = "NAME")]
    staff: Option<String>,
    /// At most N looks, latest first
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(i64).range(1..=100_000))]
    limit: i64,
}

/// `appt access-log`: who looked at which patient's clinical record, when.
pub fn access_log(ctx: &Ctx, a: AccessLogArgs) -> Result<Report> {
    let req = crate::app::access::LogRequest {
        clinic: ctx.clinic.clone(),
        patient: a.patient,
        staff: a.staff,
        limit: a.limit,
    };
    let looks = crate::app::access::log(&mut ctx.open()?, &req)?;
    Ok(ctx.report(|| json::looks(&looks), || human::looks(&looks, ctx.zone)))
}
