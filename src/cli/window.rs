//! `appt window add|list|close|open|remove`.

use super::choice::{given, Kind, References};
use super::prompt::{self, check, Ask};
use super::Ctx;
use crate::app::window::{self, describe, WindowInput};
use crate::core::time;
use crate::error::Result;
use crate::output::lang::tr;
use crate::output::{human, json, Report};
use clap::Subcommand;

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Add a weekly or one-date window for a doctor or the whole clinic
    #[command(
        after_help = "Examples:\n  appt window add -d \"Dr. García\" --days mon-fri --from 09:00 --to 13:00\n  appt window add -d 7b2e --days sat --from 08:00 --to 12:00 --session AM\n  appt window add --clinic-wide -D +7 --from 08:00 --to 11:00 --capacity 9\n  appt window add --resource Rayos --days lun-vie --from 8:00 --to 12:00"
    )]
    Add(AddArgs),
    /// List windows
    #[command(
        after_help = "Examples:\n  appt window list\n  appt window list -d \"Dr. García\" -D tomorrow\n  appt window list --resource Rayos"
    )]
    List {
        /// Only this doctor's windows
        #[arg(short, long)]
        doctor: Option<String>,
        /// Only the windows that apply on this date (date windows replace weekly ones)
        #[arg(short = 'D', long, value_name = "DATE", allow_negative_numbers = true)]
        date: Option<String>,
        /// A room's or a machine's own hours instead
        #[arg(long, value_name = "RESOURCE", conflicts_with_all = ["doctor", "date"])]
        resource: Option<String>,
    },
    /// Stop taking bookings in a window (its slots show as SLOT_INACTIVE)
    #[command(
        after_help = "Examples:\n  appt window close 3f2a\n  appt window close 3f2a1b4c --json"
    )]
    Close {
        /// Window ID (or unique prefix)
        #[arg(value_name = "ID")]
        window: String,
    },
    /// Take bookings in a closed window again
    #[command(
        after_help = "Examples:\n  appt window open 3f2a\n  appt window open 3f2a1b4c --json"
    )]
    Open {
        /// Window ID (or unique prefix)
        #[arg(value_name = "ID")]
        window: String,
    },
    /// Delete a window that has no upcoming appointments
    #[command(
        after_help = "Examples:\n  appt window remove 3f2a\n  appt window remove 3f2a1b4c --json\n  appt window remove 3f2a -y"
    )]
    Remove {
        /// Window ID (or unique prefix)
        #[arg(value_name = "ID")]
        window: String,
        /// Do not ask for confirmation (only a terminal asks)
        #[arg(short, long)]
        yes: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The doctor this window belongs to
    #[arg(short, long, conflicts_with = "clinic_wide")]
    pub doctor: Option<String>,
    /// A window for the whole clinic (no doctor)
    #[arg(long)]
    pub clinic_wide: bool,
    /// Weekdays: mon-fri, mon,wed,fri, mon-fri,sun, or in Spanish lun-vie, lun,mié,vie, sáb
    #[arg(long, value_name = "DAYS", conflicts_with = "date")]
    pub days: Option<String>,
    /// One date (YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N, or in Spanish: mañana, viernes); replaces weekly windows that day
    #[arg(short = 'D', long, value_name = "DATE", allow_negative_numbers = true)]
    pub date: Option<String>,
    /// Start, local HH:MM
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// End, local HH:MM (24:00 for midnight)
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// Slot grid in minutes [default: the doctor's, else the clinic's]
    #[arg(long, value_name = "MINUTES", value_parser = crate::cli::minutes)]
    pub slot_minutes: Option<i64>,
    /// How many appointments may overlap at any instant [default: 1]
    #[arg(long, value_name = "N")]
    pub capacity: Option<i64>,
    /// Session label: Morning, Afternoon, Evening or free text
    #[arg(long, value_name = "SESSION")]
    pub session: Option<String>,
    /// Batch label
    #[arg(long)]
    pub batch: Option<String>,
    /// Only these services (names or IDs, comma-separated)
    #[arg(long, value_name = "SERVICES")]
    pub services: Option<String>,
    /// First date the weekly window applies
    #[arg(long, allow_negative_numbers = true, value_name = "DATE")]
    pub valid_from: Option<String>,
    /// Last date the weekly window applies
    #[arg(long, allow_negative_numbers = true, value_name = "DATE")]
    pub valid_to: Option<String>,
    /// A room's or a machine's own hours (with --days, --from, --to): it is then free only within them
    #[arg(long, value_name = "RESOURCE", conflicts_with_all = ["doctor", "clinic_wide", "date"], requires_all = ["days", "from", "to"])]
    pub resource: Option<String>,
}

/// The slot length a window of `doctor` (an ID, or a name as typed; None:
/// clinic-wide) gets when it names none: the doctor's, else the clinic's.
fn usual_slot(ctx: &Ctx, st: &mut crate::app::Store, doctor: Option<&str>) -> Result<i64> {
    let own = match doctor {
        Some(d) => crate::app::doctor::list(st)?
            .doctors
            .into_iter()
            .find(|x| x.id == d)
            .and_then(|x| x.slot_minutes),
        None => None,
    };
    match own {
        Some(m) => Ok(m),
        None => Ok(crate::app::board::clinic(st, ctx.clinic.as_deref())
            .map_or(30, |c| c.settings.slot_minutes)),
    }
}

/// `window add --resource R`: a resource's own hours
/// (docs/rules.md#rooms-and-equipment).
fn resource_hours(ctx: &Ctx, resource: String, a: AddArgs) -> Result<Report> {
    let input = crate::app::resource::HoursInput {
        resource,
        days: a.days.unwrap_or_default(),
        from: a.from.unwrap_or_default(),
        to: a.to.unwrap_or_default(),
    };
    let h = crate::app::resource::add_hours(&mut ctx.open()?, &input)?;
    Ok(ctx
        .report(
            || json::resource_hours(&h),
            || {
                tr!(
                    "c-resource_hours_added",
                    a = human::clean(&h.resource.name),
                    days = crate::output::lang::days(h.weekdays),
                    from = time::format_hhmm(h.from),
                    to = time::format_hhmm(h.to)
                )
            },
        )
        .made("resource hours added", &h.id))
}

fn add(ctx: &Ctx, mut a: AddArgs) -> Result<Report> {
    if let Some(r) = a.resource.take() {
        return resource_hours(ctx, r, a);
    }
    let mut ask = Ask::new(ctx);
    // Off a terminal nothing is picked: missing flags fail before the database is opened.
    let mut st = ask.interactive().then(|| ctx.open()).transpose()?;
    ask.doctor(st.as_mut(), &mut a.doctor, &mut a.clinic_wide, true)?;
    if a.days.is_none() && a.date.is_none() {
        if ask.interactive() {
            let kinds = [tr!("p-every_week"), tr!("p-one_date")];
            if ask.pick(&tr!("p-repeats"), &kinds)? == 0 {
                let label = &tr!("p-days");
                // Weekdays as the desk says them (`lun-vie`), either language's taken.
                let weekdays = crate::text::days(crate::output::lang::current(), "mon-fri");
                a.days = Some(ask.typed(label, Some(&weekdays), &check::days)?);
            } else {
                a.date = Some(ask.typed(&tr!("p-date"), Some("today"), &check::date)?);
            }
        } else {
            ask.missing(
                "days",
                crate::text::msg!("e-flag_or", a = "--days", b = "--date"),
            );
        }
    }
    let from = ask.value(
        a.from,
        "from",
        "--from",
        || tr!("p-from"),
        None,
        &check::time,
    )?;
    let after_from = |s: &str| {
        let end = time::parse_hhmm(s, true)?;
        match from.as_deref().map(|f| time::parse_hhmm(f, false)) {
            Some(Ok(start)) if end <= start => Err(crate::text::msg!("e-to_must_be_after_from")),
            _ => Ok(()),
        }
    };
    let to = ask.value(a.to, "to", "--to", || tr!("p-to"), None, &after_from)?;
    if a.slot_minutes.is_none() {
        if let Some(st) = st.as_mut().filter(|_| ask.interactive()) {
            let usual = usual_slot(ctx, st, a.doctor.as_deref())?;
            let typed = ask.typed(
                &tr!("p-slot_minutes"),
                Some(&usual.to_string()),
                &check::minutes,
            )?;
            // The usual length is left to the window's default (the doctor's,
            // else the clinic's), so a later change of it still applies.
            a.slot_minutes = typed.parse().ok().filter(|m| *m != usual);
        }
    }
    if a.session.is_none() && ask.interactive() {
        a.session = ask.optional(&tr!("p-session"))?;
    }
    ask.finish()?;
    let input = WindowInput {
        clinic: ctx.clinic.clone(),
        doctor: a.doctor,
        days: a.days,
        date: a.date,
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
        slot_minutes: a.slot_minutes,
        capacity: a.capacity,
        session: a.session,
        batch: a.batch,
        services: a.services,
        valid_from: a.valid_from,
        valid_to: a.valid_to,
    };
    let mut st = match st {
        Some(st) => st,
        None => ctx.open()?,
    };
    let added = window::add(&mut st, &input, ctx.now)?;
    let w = &added.window;
    Ok(ctx
        .report(
            || json::window(w),
            || {
                tr!(
                    "c-window_added",
                    a = human::short(&w.id),
                    b = human::clean(&added.who),
                    c = human::clean(&added.clinic),
                    d = describe(w)
                )
            },
        )
        .made("window added", &w.id)
        .warn(added.warning))
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add(a) => add(ctx, a),
        Cmd::List {
            resource: Some(r), ..
        } => {
            let own = crate::app::resource::own_time(&mut ctx.open()?, &r)?;
            Ok(ctx.report(
                || {
                    json::list(
                        "hours",
                        own.hours.iter().map(json::resource_hours).collect(),
                    )
                },
                || human::resource_hours(&own.hours),
            ))
        }
        Cmd::List { doctor, date, .. } => {
            let listed = window::list(
                &mut ctx.open()?,
                ctx.clinic.as_deref(),
                doctor.as_deref(),
                date.as_deref(),
                ctx.now,
            )?;
            Ok(ctx.report(
                || json::list("windows", listed.windows.iter().map(json::window).collect()),
                || {
                    human::windows(
                        &listed.windows,
                        |id| listed.name_of(id),
                        |w| listed.offers(w),
                    )
                },
            ))
        }
        Cmd::Close { window } => set_open(ctx, &window, false),
        Cmd::Open { window } => set_open(ctx, &window, true),
        Cmd::Remove { window, yes } => {
            let mut st = ctx.open()?;
            if let Some(h) = crate::app::resource::find_hours(&mut st, &window)? {
                return remove_hours(ctx, st, h, yes);
            }
            let mut id = window;
            let go = prompt::confirm(ctx, yes, || {
                let w = window::find(&mut st, &id)?;
                id = w.id.clone();
                Ok(tr!(
                    "c-window_remove_q",
                    a = human::short(&w.id),
                    b = describe(&w)
                ))
            })?;
            if !go {
                return Ok(prompt::declined(ctx));
            }
            let w = window::remove(&mut st, &id, ctx.now)?;
            Ok(ctx
                .report(
                    || json::window(&w),
                    || {
                        tr!(
                            "c-window_removed",
                            a = human::short(&w.id),
                            b = describe(&w)
                        )
                    },
                )
                .made("window removed", &w.id))
        }
    }
}

/// `window remove ID` of a room's or machine's own hours.
fn remove_hours(
    ctx: &Ctx,
    mut st: crate::app::Store,
    h: crate::app::resource::HoursAdded,
    yes: bool,
) -> Result<Report> {
    let what = |h: &crate::app::resource::HoursAdded| {
        format!(
            "{} {} {}–{}",
            human::clean(&h.resource.name),
            crate::output::lang::days(h.weekdays),
            time::format_hhmm(h.from),
            time::format_hhmm(h.to)
        )
    };
    let go = prompt::confirm(ctx, yes, || {
        Ok(tr!(
            "c-window_remove_q",
            a = human::short(&h.id),
            b = what(&h)
        ))
    })?;
    if !go {
        return Ok(prompt::declined(ctx));
    }
    let h = crate::app::resource::remove_hours(&mut st, &h.id)?;
    Ok(ctx
        .report(
            || json::resource_hours(&h),
            || tr!("c-window_removed", a = human::short(&h.id), b = what(&h)),
        )
        .made("resource hours removed", &h.id))
}

fn set_open(ctx: &Ctx, window: &str, open: bool) -> Result<Report> {
    let w = window::set_open(&mut ctx.open()?, window, open)?;
    let verb = if open { "Opened" } else { "Closed" };
    Ok(ctx
        .report(
            || json::window(&w),
            || {
                tr!(
                    if open {
                        "c-window_opened"
                    } else {
                        "c-window_closed"
                    },
                    a = human::short(&w.id),
                    b = describe(&w)
                )
            },
        )
        .made(format!("window {}", verb.to_lowercase()), &w.id))
}

impl References for Cmd {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        match self {
            Cmd::Add(a) => given([
                (Kind::Doctor, a.doctor.as_mut()),
                (Kind::Service, a.services.as_mut()),
            ]),
            Cmd::List {
                doctor, resource, ..
            } => given([
                (Kind::Doctor, doctor.as_mut()),
                (Kind::Resource, resource.as_mut()),
            ]),
            Cmd::Close { window } | Cmd::Open { window } | Cmd::Remove { window, .. } => {
                vec![(Kind::Window, window)]
            }
        }
    }
}
