//! `appt resource add|list|show|update|remove`: a clinic's rooms and
//! equipment (docs/rules.md#rooms-and-equipment).

use super::choice::{Kind, References};
use super::prompt;
use super::Ctx;
use crate::app::resource::{self, ResourceInput};
use crate::error::Result;
use crate::output::lang::tr;
use crate::output::{human, json, Report};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Add a room or a piece of equipment
    #[command(
        after_help = "Examples:\n  appt resource add \"Sillón 1\" --kind room\n  appt resource add Ecógrafo --kind equipment\n  appt resource add Gimnasio --kind room --capacity 6 --clinic Norte"
    )]
    Add {
        /// Its name, unique among the resources
        name: String,
        /// room or equipment (sala, equipo)
        #[arg(long, value_name = "KIND")]
        kind: String,
        /// Visits it takes at once [default: 1]
        #[arg(long, value_name = "N")]
        capacity: Option<i64>,
    },
    /// List the rooms and equipment
    #[command(
        after_help = "Examples:\n  appt resource list\n  appt resource list --json | jq -r '.resources[].name'"
    )]
    List,
    /// Show a room or a piece of equipment
    #[command(
        after_help = "Examples:\n  appt resource show Ecógrafo\n  appt resource show Ecógrafo --json"
    )]
    Show {
        /// Resource name or ID
        resource: String,
    },
    /// Change a room or a piece of equipment
    #[command(
        after_help = "Examples:\n  appt resource update \"Sillón 3\" --active no\n  appt resource update Gimnasio --capacity 8"
    )]
    Update {
        /// Resource name or ID
        resource: String,
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        #[arg(long, value_name = "N")]
        capacity: Option<i64>,
        /// no: given to no new visit, its history kept
        #[arg(long, value_name = "yes|no")]
        active: Option<String>,
    },
    /// Remove one no visit to come holds and no service needs
    #[command(
        after_help = "Examples:\n  appt resource remove \"Sillón 4\"\n  appt resource remove \"Sillón 4\" -y"
    )]
    Remove {
        /// Resource name or ID
        resource: String,
        #[arg(short, long)]
        yes: bool,
    },
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add {
            name,
            kind,
            capacity,
        } => {
            let input = ResourceInput {
                name: Some(name),
                kind: Some(kind),
                capacity,
                active: None,
            };
            let r = resource::add(&mut ctx.open()?, ctx.clinic.as_deref(), &input, ctx.now)?;
            Ok(ctx
                .report(
                    || json::resource(&r),
                    || {
                        tr!(
                            "c-resource_added",
                            k = human::resource_kind(r.kind),
                            a = human::clean(&r.name),
                            b = r.capacity,
                            c = human::short(&r.id)
                        )
                    },
                )
                .made("resource added", &r.id))
        }
        Cmd::List => {
            let all = resource::list(&mut ctx.open()?, ctx.clinic.as_deref())?;
            Ok(ctx.report(
                || json::list("resources", all.iter().map(json::resource).collect()),
                || human::resources(&all),
            ))
        }
        Cmd::Show { resource: name } => {
            let r = resource::show(&mut ctx.open()?, &name)?;
            Ok(ctx.report(
                || json::resource(&r),
                || human::resources(std::slice::from_ref(&r)),
            ))
        }
        Cmd::Update {
            resource: name,
            name: new_name,
            kind,
            capacity,
            active,
        } => {
            let input = ResourceInput {
                name: new_name,
                kind,
                capacity,
                active,
            };
            let r = resource::update(&mut ctx.open()?, &name, &input, ctx.now)?;
            Ok(ctx
                .report(
                    || json::resource(&r),
                    || tr!("c-resource_updated", a = human::clean(&r.name)),
                )
                .made("resource updated", &r.id))
        }
        Cmd::Remove {
            resource: name,
            yes,
        } => {
            let mut st = ctx.open()?;
            let mut id = name;
            let go = prompt::confirm(ctx, yes, || {
                let r = resource::show(&mut st, &id)?;
                id = r.id.clone();
                Ok(tr!("c-resource_remove_q", a = human::clean(&r.name)))
            })?;
            if !go {
                return Ok(prompt::declined(ctx));
            }
            let (r, kept) = resource::remove(&mut st, &id, ctx.now)?;
            Ok(ctx
                .report(
                    || {
                        let mut v = json::resource(&r);
                        v["removed"] = (!kept).into();
                        v
                    },
                    || {
                        if kept {
                            tr!("c-resource_kept", a = human::clean(&r.name))
                        } else {
                            tr!("c-resource_removed", a = human::clean(&r.name))
                        }
                    },
                )
                .made("resource removed", &r.id))
        }
    }
}

impl References for Cmd {
    /// A resource is named as typed: no picker offers them yet.
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        Vec::new()
    }
}
