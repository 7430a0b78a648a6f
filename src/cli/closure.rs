//! `appt closure add|list|remove`.

use super::prompt::Ask;
use super::Ctx;
use crate::core::{time, Closure};
use crate::error::{Error, Result};
use crate::output::{human, json, Report};
use crate::store::{self, clinics, closures, doctors};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Close a doctor (leave) or, with --clinic, a whole clinic (holiday) for some dates
    Add {
        /// The doctor who takes no bookings (else the clinic given with --clinic)
        #[arg(long)]
        doctor: Option<String>,
        /// First closed date
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last closed date [default: the from date]
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Why, e.g. "Holiday" (shown to the front desk when a booking is refused)
        #[arg(long)]
        reason: Option<String>,
    },
    /// List closures
    List {
        /// Only this doctor's closures
        #[arg(long)]
        doctor: Option<String>,
    },
    /// Delete a closure
    Remove {
        /// Closure ID (or unique prefix)
        closure: String,
    },
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add {
            doctor,
            from,
            to,
            reason,
        } => {
            let mut ask = Ask::new(ctx);
            if doctor.is_none() && ctx.clinic.is_none() {
                ask.missing("doctor", "--doctor or --clinic");
            }
            let from = ask.text_or(from, "from", "--from", "First closed date", Some("today"))?;
            ask.finish()?;
            let mut st = ctx.open()?;
            let tx = st.write()?;
            let doctor = doctor
                .as_deref()
                .map(|d| doctors::find(&tx, d))
                .transpose()?;
            let clinic = match &doctor {
                Some(_) => None,
                None => Some(clinics::default(&tx, ctx.clinic.as_deref())?),
            };
            let tz = match &clinic {
                Some(c) => c.timezone,
                None => clinics::default(&tx, ctx.clinic.as_deref())
                    .map(|c| c.timezone)
                    .unwrap_or(chrono_tz::UTC),
            };
            let today = time::local_today(tz, ctx.now);
            let from = time::parse_date(&from.unwrap_or_default(), today)
                .map_err(|e| Error::field("from", e))?;
            let to = match to {
                Some(t) => time::parse_date(&t, today).map_err(|e| Error::field("to", e))?,
                None => from,
            };
            if to < from {
                return Err(Error::field("to", "to must not be before from"));
            }
            let c = Closure {
                id: store::new_id(),
                clinic_id: clinic.as_ref().map(|c| c.id.clone()),
                doctor_id: doctor.as_ref().map(|d| d.id.clone()),
                from,
                to,
                reason: reason
                    .map(|r| r.trim().to_string())
                    .filter(|r| !r.is_empty()),
                created_at: ctx.now,
            };
            closures::insert(&tx, &c)?;
            tx.commit()?;
            let who = doctor
                .map(|d| d.full_name)
                .or(clinic.map(|c| c.name))
                .unwrap_or_default();
            Ok(Report::new(
                json::closure(&c),
                format!("Closed {who} {from}…{to} {}", human::short(&c.id)),
            ))
        }
        Cmd::List { doctor } => {
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
            let (c, d) = (
                clinic.as_ref().map(|c| c.id.as_str()),
                doctor.as_ref().map(|d| d.id.as_str()),
            );
            // A doctor filter alone shows that doctor's closures; a clinic filter alone the clinic's.
            let all = closures::list(&st.conn, if d.is_some() { None } else { c }, d)?;
            let (cl, ds) = (clinics::list(&st.conn)?, doctors::list(&st.conn)?);
            let names = |x: &Closure| {
                x.doctor_id
                    .as_ref()
                    .and_then(|id| ds.iter().find(|d| &d.id == id).map(|d| d.full_name.clone()))
                    .or_else(|| {
                        x.clinic_id.as_ref().and_then(|id| {
                            cl.iter()
                                .find(|c| &c.id == id)
                                .map(|c| format!("{} (clinic)", c.name))
                        })
                    })
                    .unwrap_or_default()
            };
            Ok(Report::new(
                json::list("closures", all.iter().map(json::closure).collect()),
                human::closures(&all, names),
            ))
        }
        Cmd::Remove { closure } => {
            let mut st = ctx.open()?;
            let tx = st.write()?;
            let c = closures::find(&tx, &closure)?;
            closures::remove(&tx, &c.id)?;
            tx.commit()?;
            Ok(Report::new(
                json::closure(&c),
                format!("Removed closure {}", human::short(&c.id)),
            ))
        }
    }
}
