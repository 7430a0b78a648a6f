//! `appt clinic add|list|show|update`.

use super::prompt::Ask;
use super::Ctx;
use crate::core::{time, Clinic, Settings};
use crate::error::{Error, Result};
use crate::output::{human, json, Report};
use crate::store::{self, clinics};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Add a clinic
    Add {
        /// The clinic's name (unique, case-insensitive)
        name: Option<String>,
        #[command(flatten)]
        settings: SettingsArgs,
    },
    /// List clinics
    List,
    /// Show a clinic and its settings
    Show {
        /// Clinic name or ID
        clinic: String,
    },
    /// Change a clinic's name or settings
    Update {
        /// Clinic name or ID
        clinic: String,
        /// New name
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        settings: SettingsArgs,
    },
}

/// The clinic settings of SPEC §1.1.
#[derive(Debug, clap::Args)]
pub struct SettingsArgs {
    /// IANA time zone, e.g. America/El_Salvador (required for add)
    #[arg(long)]
    pub timezone: Option<String>,
    /// Default slot length in minutes for windows that name none [default: 30]
    #[arg(long, value_name = "M")]
    pub slot_minutes: Option<i64>,
    /// A booking must start at least this long after now, e.g. 2h [default: 0m]
    #[arg(long, value_name = "DURATION")]
    pub min_notice: Option<String>,
    /// A booking must start within this long from now [default: 365d]
    #[arg(long, value_name = "DURATION")]
    pub horizon: Option<String>,
    /// Refuse cancel/reschedule this close to the start unless --force [default: 0m, off]
    #[arg(long, value_name = "DURATION")]
    pub cancel_window: Option<String>,
    /// Reminder offsets before each appointment, e.g. 24h,2h, or none [default: 24h,2h]
    #[arg(long, value_name = "LIST")]
    pub reminders: Option<String>,
    /// One active booking per patient, service and date: on|off [default: on]
    #[arg(long, value_name = "on|off")]
    pub duplicate_check: Option<String>,
    /// Completing an appointment needs --diagnosis: on|off [default: on]
    #[arg(long, value_name = "on|off")]
    pub require_diagnosis: Option<String>,
}

pub fn parse_on_off(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" => Ok(true),
        "off" | "false" | "no" => Ok(false),
        _ => Err(format!("Must be on or off (got '{s}')")),
    }
}

pub fn parse_minutes_in(field: &str, m: i64, lo: i64, hi: i64) -> Result<i64, (String, String)> {
    if (lo..=hi).contains(&m) {
        Ok(m)
    } else {
        Err((
            field.into(),
            format!("{field} must be between {lo} and {hi} minutes"),
        ))
    }
}

fn parse_reminders(s: &str) -> Result<Vec<i64>, String> {
    if s.trim().eq_ignore_ascii_case("none") {
        return Ok(vec![]);
    }
    let mut out = Vec::new();
    for part in s.split(',') {
        let m = time::parse_duration(part)?;
        if m <= 0 {
            return Err("Reminder offsets must be longer than 0m".into());
        }
        out.push(m);
    }
    out.sort_unstable_by(|a, b| b.cmp(a));
    out.dedup();
    Ok(out)
}

impl SettingsArgs {
    /// Applies the given settings over `s`, checking each; every bad field is reported.
    fn apply(&self, s: &mut Settings, tz: &mut chrono_tz::Tz) -> Result<()> {
        let mut bad: Vec<(String, String)> = Vec::new();
        let mut field = |name: &str, r: Result<(), String>| {
            if let Err(e) = r {
                bad.push((name.to_string(), e));
            }
        };
        if let Some(t) = &self.timezone {
            field("timezone", time::parse_timezone(t).map(|t| *tz = t));
        }
        if let Some(m) = self.slot_minutes {
            field(
                "slot_minutes",
                parse_minutes_in("slot_minutes", m, 5, 480)
                    .map(|m| s.slot_minutes = m)
                    .map_err(|e| e.1),
            );
        }
        let duration =
            |v: &Option<String>, target: &mut i64, positive: bool| -> Result<(), String> {
                if let Some(v) = v {
                    let m = time::parse_duration(v)?;
                    if positive && m == 0 {
                        return Err("Must be longer than 0m".into());
                    }
                    *target = m;
                }
                Ok(())
            };
        field(
            "min_notice",
            duration(&self.min_notice, &mut s.min_notice, false),
        );
        field("horizon", duration(&self.horizon, &mut s.horizon, true));
        field(
            "cancel_window",
            duration(&self.cancel_window, &mut s.cancel_window, false),
        );
        if let Some(r) = &self.reminders {
            field("reminders", parse_reminders(r).map(|r| s.reminders = r));
        }
        if let Some(v) = &self.duplicate_check {
            field(
                "duplicate_check",
                parse_on_off(v).map(|b| s.duplicate_check = b),
            );
        }
        if let Some(v) = &self.require_diagnosis {
            field(
                "require_diagnosis",
                parse_on_off(v).map(|b| s.require_diagnosis = b),
            );
        }
        if bad.is_empty() {
            Ok(())
        } else {
            Err(Error::fields(bad))
        }
    }
}

pub fn check_name(field: &str, name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::field(field, format!("{field} must not be empty")));
    }
    if name.chars().count() > 200 {
        return Err(Error::field(
            field,
            format!("{field} must be at most 200 characters"),
        ));
    }
    Ok(name.to_string())
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add { name, settings } => {
            let mut ask = Ask::new(ctx);
            let name = ask.text(name, "name", "NAME", "Clinic name")?;
            let tz_given = ask.text(
                settings.timezone.clone(),
                "timezone",
                "--timezone",
                "Time zone (IANA)",
            )?;
            ask.finish()?;
            let name = check_name("name", &name.unwrap_or_default())?;
            let mut tz = chrono_tz::UTC;
            let settings = SettingsArgs {
                timezone: tz_given,
                ..settings
            };
            let mut s = Settings::default();
            settings.apply(&mut s, &mut tz)?;
            let clinic = Clinic {
                id: store::new_id(),
                name,
                timezone: tz,
                settings: s,
                created_at: ctx.now,
                updated_at: ctx.now,
            };
            let mut st = ctx.open()?;
            let tx = st.write()?;
            clinics::insert(&tx, &clinic)?;
            tx.commit()?;
            Ok(Report::new(
                json::clinic(&clinic),
                format!(
                    "Added clinic {} ({}) {}",
                    clinic.name,
                    clinic.timezone.name(),
                    human::short(&clinic.id)
                ),
            ))
        }
        Cmd::List => {
            let st = ctx.open()?;
            let all = clinics::list(&st.conn)?;
            Ok(Report::new(
                json::list("clinics", all.iter().map(json::clinic).collect()),
                human::clinics(&all),
            ))
        }
        Cmd::Show { clinic } => {
            let st = ctx.open()?;
            let c = clinics::find(&st.conn, &clinic)?;
            Ok(Report::new(json::clinic(&c), human::clinic_card(&c)))
        }
        Cmd::Update {
            clinic,
            name,
            settings,
        } => {
            let mut st = ctx.open()?;
            let tx = st.write()?;
            let mut c = clinics::find(&tx, &clinic)?;
            if let Some(n) = name {
                c.name = check_name("name", &n)?;
            }
            let old_tz = c.timezone;
            settings.apply(&mut c.settings, &mut c.timezone)?;
            if c.timezone != old_tz && clinics::has_appointments(&tx, &c.id)? {
                // Stored local dates and tokens were computed in the old zone.
                return Err(Error::field(
                    "timezone",
                    "The time zone cannot change once the clinic has appointments",
                ));
            }
            c.updated_at = ctx.now;
            clinics::update(&tx, &c)?;
            tx.commit()?;
            Ok(Report::new(
                json::clinic(&c),
                format!("Updated clinic {}", c.name),
            ))
        }
    }
}
