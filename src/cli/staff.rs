//! `appt staff add|list|update|remove|pin` (docs/security.md#staff). A PIN
//! is asked twice on a terminal, never echoed, or read from a file
//! (`--pin-file`, `-` for standard input); never from the command line.

use super::prompt;
use super::Ctx;
use crate::app::staff::{self, AddRequest, Update};
use crate::error::{Error, Result};
use crate::output::lang::tr;
use crate::output::{human, json, Report};
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Add a member of staff, with their PIN (the first member is a manager)
    ///
    /// The PIN (4 to 8 digits) is asked twice on a terminal and never shown;
    /// a script gives it in a file with --pin-file (- for standard input).
    #[command(
        after_help = "Examples:\n  appt staff add Marta --role manager\n  appt staff add Lucía --role recepción\n  appt staff add \"Dra. Ana\" --role doctor --doctor \"Ana García\"\n  appt staff add Pedro --role reception --clinic Central --pin-file pin.txt"
    )]
    Add {
        /// Their name, as they sign in with it (unique, case and accents aside)
        name: String,
        /// What they may do: reception, doctor or manager (recepción, médico, gerente)
        #[arg(long, value_name = "ROLE")]
        role: String,
        /// The doctor they are (required for the role doctor)
        #[arg(long, short = 'd', value_name = "DOCTOR")]
        doctor: Option<String>,
        /// Read the PIN from this file (- for standard input) instead of asking it
        #[arg(long, value_name = "FILE|-")]
        pin_file: Option<PathBuf>,
    },
    /// List the staff: name, role, doctor, clinic (never a PIN)
    #[command(
        after_help = "Examples:\n  appt staff list\n  appt staff list --json | jq -r '.staff[] | \"\\(.name) \\(.role)\"'"
    )]
    List,
    /// Rename a member, or change their role, doctor or clinic
    #[command(
        after_help = "Examples:\n  appt staff update Lucía --role manager\n  appt staff update Pedro --clinic none   # every clinic\n  appt staff update \"Dra. Ana\" --doctor \"Ana García\""
    )]
    Update {
        /// The member's name or ID
        #[arg(value_name = "NAME")]
        member: String,
        /// New name
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// New role: reception, doctor or manager
        #[arg(long, value_name = "ROLE")]
        role: Option<String>,
        /// The doctor they are (none: no doctor)
        #[arg(long, short = 'd', value_name = "DOCTOR")]
        doctor: Option<String>,
        /// The one clinic they work at (none: every clinic)
        #[arg(long = "works-at", value_name = "CLINIC")]
        works_at: Option<String>,
    },
    /// Remove a member of staff (the last manager stays)
    #[command(
        after_help = "Examples:\n  appt staff remove Pedro\n  appt staff remove Pedro -y --json"
    )]
    Remove {
        /// The member's name or ID
        #[arg(value_name = "NAME")]
        member: String,
        /// Do not ask for confirmation (only a terminal asks)
        #[arg(short, long)]
        yes: bool,
    },
    /// Set a member's PIN (4 to 8 digits), asked twice and never shown
    #[command(
        after_help = "Examples:\n  appt staff pin Lucía\n  appt staff pin Pedro --pin-file pin.txt"
    )]
    Pin {
        /// The member's name or ID
        #[arg(value_name = "NAME")]
        member: String,
        /// Read the PIN from this file (- for standard input) instead of asking it
        #[arg(long, value_name = "FILE|-")]
        pin_file: Option<PathBuf>,
    },
}

/// The PIN from `file`, else asked twice at the terminal; off a terminal
/// without a file there is nobody to ask.
fn pin(ctx: &Ctx, file: Option<&Path>) -> Result<String> {
    if let Some(f) = file {
        return super::secret::read("pin_file", f);
    }
    if !ctx.interactive {
        return Err(Error::field(
            "pin",
            crate::text::msg!("e-a_pin_is_asked_at_a_terminal"),
        ));
    }
    prompt::pin_twice()
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add {
            name,
            role,
            doctor,
            pin_file,
        } => {
            let req = AddRequest {
                name,
                role,
                doctor,
                clinic: ctx.clinic.clone(),
            };
            let pin = pin(ctx, pin_file.as_deref())?;
            let m = staff::add(&mut ctx.open()?, &req, &pin, ctx.now)?;
            Ok(ctx
                .report(
                    || json::staff_member(&m),
                    || {
                        tr!(
                            "c-staff_added",
                            a = human::clean(&m.name),
                            b = human::role(m.role)
                        )
                    },
                )
                .made("staff member added", &m.id))
        }
        Cmd::List => {
            let all = staff::list(&mut ctx.open()?)?;
            Ok(ctx.report(
                || json::list("staff", all.iter().map(json::staff_member).collect()),
                || human::staff(&all),
            ))
        }
        Cmd::Update {
            member,
            name,
            role,
            doctor,
            works_at,
        } => {
            let u = Update {
                name,
                role,
                doctor,
                clinic: works_at,
            };
            let m = staff::update(&mut ctx.open()?, &member, &u, ctx.now)?;
            Ok(ctx
                .report(
                    || json::staff_member(&m),
                    || {
                        tr!(
                            "c-staff_updated",
                            a = human::clean(&m.name),
                            b = human::role(m.role)
                        )
                    },
                )
                .made("staff member updated", &m.id))
        }
        Cmd::Remove { member, yes } => {
            let mut st = ctx.open()?;
            let mut who = member;
            let go = prompt::confirm(ctx, yes, || {
                let m = staff::show(&mut st, &who)?;
                who = m.id.clone();
                Ok(tr!("c-staff_remove_q", a = human::clean(&m.name)))
            })?;
            if !go {
                return Ok(prompt::declined(ctx));
            }
            let m = staff::remove(&mut st, &who)?;
            Ok(ctx
                .report(
                    || json::staff_member(&m),
                    || tr!("c-staff_removed", a = human::clean(&m.name)),
                )
                .made("staff member removed", &m.id))
        }
        Cmd::Pin { member, pin_file } => {
            let mut st = ctx.open()?;
            // The member is found before the PIN is asked: a name mistyped
            // is said at once, not after the PIN was typed twice.
            let m = staff::show(&mut st, &member)?;
            let pin = pin(ctx, pin_file.as_deref())?;
            let m = staff::set_pin(&mut st, &m.id, &pin, ctx.now)?;
            Ok(ctx
                .report(
                    || json::staff_member(&m),
                    || tr!("c-staff_pin_set", a = human::clean(&m.name)),
                )
                .made("staff pin set", &m.id))
        }
    }
}
