//! `appt window add|list|close|open|remove`.

use super::clinic::parse_minutes_in;
use super::prompt::Ask;
use super::Ctx;
use crate::core::slots::{clash, clash_in_time, windows_on};
use crate::core::{time, Owner, Recurrence, Window};
use crate::error::{Code, Error, Result};
use crate::output::{human, json, Report};
use crate::store::{self, clinics, doctors, services, windows};
use clap::Subcommand;
use serde_json::json;

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Add a weekly or one-date window for a doctor or the whole clinic
    Add(AddArgs),
    /// List windows
    List {
        /// Only this doctor's windows
        #[arg(long)]
        doctor: Option<String>,
        /// Only the windows that apply on this date (date windows replace weekly ones)
        #[arg(long)]
        date: Option<String>,
    },
    /// Stop taking bookings in a window (its slots show as SLOT_INACTIVE)
    Close {
        /// Window ID (or unique prefix)
        window: String,
    },
    /// Take bookings in a closed window again
    Open {
        /// Window ID (or unique prefix)
        window: String,
    },
    /// Delete a window that has no upcoming appointments
    Remove {
        /// Window ID (or unique prefix)
        window: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The doctor this window belongs to
    #[arg(long, conflicts_with = "clinic_wide")]
    pub doctor: Option<String>,
    /// A window for the whole clinic (no doctor)
    #[arg(long)]
    pub clinic_wide: bool,
    /// Weekdays: mon-fri, mon,wed,fri, mon-fri,sun
    #[arg(long, conflicts_with = "date")]
    pub days: Option<String>,
    /// One date (YYYY-MM-DD, today, tomorrow, +N); replaces weekly windows that day
    #[arg(long)]
    pub date: Option<String>,
    /// Start, local HH:MM
    #[arg(long, value_name = "HH:MM")]
    pub from: Option<String>,
    /// End, local HH:MM (24:00 for midnight)
    #[arg(long, value_name = "HH:MM")]
    pub to: Option<String>,
    /// Slot grid in minutes [default: the doctor's, else the clinic's]
    #[arg(long, value_name = "M")]
    pub slot_minutes: Option<i64>,
    /// How many appointments may overlap at any instant [default: 1]
    #[arg(long, value_name = "N")]
    pub capacity: Option<i64>,
    /// Session label: Morning, Afternoon, Evening or free text
    #[arg(long)]
    pub session: Option<String>,
    /// Batch label
    #[arg(long)]
    pub batch: Option<String>,
    /// Only these services (names or IDs, comma-separated)
    #[arg(long, value_name = "S1,S2")]
    pub services: Option<String>,
    /// First date the weekly window applies
    #[arg(long, value_name = "DATE")]
    pub valid_from: Option<String>,
    /// Last date the weekly window applies
    #[arg(long, value_name = "DATE")]
    pub valid_to: Option<String>,
}

fn describe(w: &Window) -> String {
    let when = match &w.recurrence {
        Recurrence::Weekly(m) => time::format_days(*m),
        Recurrence::Date(d) => d.to_string(),
    };
    format!(
        "{when} {}-{}",
        time::format_hhmm(w.from),
        time::format_hhmm(w.to)
    )
}

fn label(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn add(ctx: &Ctx, a: AddArgs) -> Result<Report> {
    let mut ask = Ask::new(ctx);
    if a.doctor.is_none() && !a.clinic_wide {
        ask.missing("doctor", "--doctor or --clinic-wide");
    }
    if a.days.is_none() && a.date.is_none() {
        ask.missing("days", "--days or --date");
    }
    let from = ask.text(a.from, "from", "--from", "From (HH:MM)")?;
    let to = ask.text(a.to, "to", "--to", "To (HH:MM)")?;
    ask.finish()?;

    let mut st = ctx.open()?;
    let tx = st.write()?;
    let clinic = clinics::default(&tx, ctx.clinic.as_deref())?;
    let doctor = a
        .doctor
        .as_deref()
        .map(|d| doctors::find(&tx, d))
        .transpose()?;
    let today = time::local_today(clinic.timezone, ctx.now);

    let mut bad: Vec<(String, String)> = Vec::new();
    let mut check =
        |field: &str, r: Result<i64, String>| r.map_err(|e| bad.push((field.into(), e))).ok();
    let from = check("from", time::parse_hhmm(&from.unwrap_or_default(), false));
    let to = check("to", time::parse_hhmm(&to.unwrap_or_default(), true));
    let recurrence = match (&a.days, &a.date) {
        (Some(d), _) => time::parse_days(d)
            .map(Recurrence::Weekly)
            .map_err(|e| bad.push(("days".into(), e)))
            .ok(),
        (None, Some(d)) => time::parse_date(d, today)
            .map(Recurrence::Date)
            .map_err(|e| bad.push(("date".into(), e)))
            .ok(),
        (None, None) => None,
    };
    let mut date_field = |field: &str, v: &Option<String>| {
        v.as_deref().and_then(|v| {
            time::parse_date(v, today)
                .map_err(|e| bad.push((field.into(), e)))
                .ok()
        })
    };
    let valid_from = date_field("valid_from", &a.valid_from);
    let valid_to = date_field("valid_to", &a.valid_to);
    let default_slot = doctor
        .as_ref()
        .and_then(|d| d.slot_minutes)
        .unwrap_or(clinic.settings.slot_minutes);
    let slot_minutes = parse_minutes_in(
        "slot_minutes",
        a.slot_minutes.unwrap_or(default_slot),
        5,
        480,
    )
    .map_err(|e| bad.push(e))
    .ok();
    let capacity = a.capacity.unwrap_or(1);
    if !(1..=1000).contains(&capacity) {
        bad.push((
            "capacity".into(),
            "capacity must be between 1 and 1000".into(),
        ));
    }
    if let (Some(f), Some(t)) = (from, to) {
        if f >= t {
            bad.push(("to".into(), "to must be after from".into()));
        }
    }
    if let (Some(f), Some(t)) = (valid_from, valid_to) {
        if f > t {
            bad.push((
                "valid_to".into(),
                "valid_to must not be before valid_from".into(),
            ));
        }
    }
    if !bad.is_empty() {
        return Err(Error::fields(bad));
    }
    let service_ids = match &a.services {
        Some(list) => list
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| services::find(&tx, s).map(|s| s.id))
            .collect::<Result<Vec<_>>>()?,
        None => vec![],
    };
    let w = Window {
        id: store::new_id(),
        clinic_id: clinic.id.clone(),
        doctor_id: doctor.as_ref().map(|d| d.id.clone()),
        recurrence: recurrence.unwrap_or(Recurrence::Weekly(0)),
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
        slot_minutes: slot_minutes.unwrap_or(default_slot),
        capacity,
        session: label(a.session),
        batch: label(a.batch),
        services: service_ids,
        valid_from,
        valid_to,
        open: true,
        created_at: ctx.now,
    };
    let owner = match &doctor {
        Some(d) => Owner::Doctor(d.id.clone()),
        None => Owner::ClinicWide(clinic.id.clone()),
    };
    let mut clashing = None;
    for o in windows::of_owner(&tx, &owner)? {
        // Same zone: the local times of SPEC 5.1. Another zone: real time.
        let tz = if o.clinic_id == clinic.id {
            clinic.timezone
        } else {
            clinics::get(&tx, &o.clinic_id)?.timezone
        };
        let hit = if tz == clinic.timezone {
            clash(&w, &o)
        } else {
            clash_in_time(&w, clinic.timezone, &o, tz, today)
        };
        if hit {
            clashing = Some(o);
            break;
        }
    }
    if let Some(other) = &clashing {
        return Err(Error::new(
            Code::WindowOverlap,
            format!(
                "Overlaps the window {} ({})",
                describe(other),
                human::short(&other.id)
            ),
        )
        .details(json!({"window_id": other.id, "window": describe(other)})));
    }
    windows::insert(&tx, &w)?;
    tx.commit()?;
    let who = doctor
        .map(|d| d.full_name)
        .unwrap_or_else(|| "clinic-wide".into());
    Ok(Report::new(
        json::window(&w),
        format!(
            "Added window {} for {who} at {}: {}",
            human::short(&w.id),
            clinic.name,
            describe(&w)
        ),
    ))
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add(a) => add(ctx, a),
        Cmd::List { doctor, date } => {
            let st = ctx.open()?;
            let clinic = ctx
                .clinic
                .as_deref()
                .map(|c| clinics::find(&st.conn, c))
                .transpose()?;
            let doctor = doctor
                .as_deref()
                .map(|d| doctors::find(&st.conn, d))
                .transpose()?;
            let mut all = windows::list(
                &st.conn,
                clinic.as_ref().map(|c| c.id.as_str()),
                doctor.as_ref().map(|d| d.id.as_str()),
            )?;
            if let Some(date) = date {
                let tz = match &clinic {
                    Some(c) => c.timezone,
                    None => clinics::default(&st.conn, None)?.timezone,
                };
                let on = time::parse_date(&date, time::local_today(tz, ctx.now))
                    .map_err(|e| Error::field("date", e))?;
                // Date windows replace weekly ones per owner (doctor, or clinic-wide per clinic).
                let mut owners: Vec<(String, Option<String>)> = all
                    .iter()
                    .map(|w| (w.clinic_id.clone(), w.doctor_id.clone()))
                    .collect();
                owners.dedup();
                let mut kept = Vec::new();
                for (c, d) in owners {
                    let mine: Vec<Window> = all
                        .iter()
                        .filter(|w| w.clinic_id == c && w.doctor_id == d)
                        .cloned()
                        .collect();
                    kept.extend(windows_on(&mine, on).into_iter().cloned());
                }
                all = kept;
            }
            let names = doctors::list(&st.conn)?;
            let name_of = |id: &str| {
                names
                    .iter()
                    .find(|d| d.id == id)
                    .map(|d| d.full_name.clone())
                    .unwrap_or_else(|| id.to_string())
            };
            Ok(Report::new(
                json::list("windows", all.iter().map(json::window).collect()),
                human::windows(&all, name_of),
            ))
        }
        Cmd::Close { window } => set_open(ctx, &window, false),
        Cmd::Open { window } => set_open(ctx, &window, true),
        Cmd::Remove { window } => {
            let mut st = ctx.open()?;
            let tx = st.write()?;
            let w = windows::find(&tx, &window)?;
            let n = windows::upcoming_bookings(&tx, &w.id, store::epoch(ctx.now))?;
            if n > 0 {
                return Err(Error::field(
                    "window",
                    format!("The window has {n} upcoming appointments; close it instead"),
                )
                .hint(format!("appt window close {}", human::short(&w.id))));
            }
            windows::remove(&tx, &w.id)?;
            tx.commit()?;
            Ok(Report::new(
                json::window(&w),
                format!("Removed window {} ({})", human::short(&w.id), describe(&w)),
            ))
        }
    }
}

fn set_open(ctx: &Ctx, window: &str, open: bool) -> Result<Report> {
    let mut st = ctx.open()?;
    let tx = st.write()?;
    let mut w = windows::find(&tx, window)?;
    windows::set_open(&tx, &w.id, open)?;
    tx.commit()?;
    w.open = open;
    let verb = if open { "Opened" } else { "Closed" };
    Ok(Report::new(
        json::window(&w),
        format!("{verb} window {} ({})", human::short(&w.id), describe(&w)),
    ))
}
