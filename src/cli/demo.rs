//! `appt demo`: seeds a sample clinic into its own database (never the user's
//! real one) through the same use cases a user runs, then shows today's agenda
//! and tomorrow's free slots.

use super::prompt;
use super::Ctx;
use crate::app::{agenda, demo, slots, Create};
use crate::error::{Error, Result};
use crate::output::lang::tr;
use crate::output::{human, json, Report};
use std::path::PathBuf;

fn demo_path(ctx: &Ctx) -> Result<PathBuf> {
    if let Some(p) = &ctx.db_flag {
        return Ok(p.clone());
    }
    directories::ProjectDirs::from("", "", "appt")
        .map(|d| d.data_dir().join("demo.db"))
        .ok_or_else(|| Error::internal(crate::text::msg!("e-cannot_find_a_data_folder_for_the")))
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Replace an earlier demo database without asking (only a terminal asks)
    #[arg(short, long)]
    pub yes: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    let path = demo_path(ctx)?;
    // Only an earlier demo is ever replaced (anything else is refused): that
    // replacement is what a terminal confirms.
    if demo::exists(&path) {
        let go = prompt::confirm(ctx, a.yes, || {
            Ok(tr!(
                "c-demo_replace_q",
                a = human::clean(&path.display().to_string())
            ))
        })?;
        if !go {
            return Ok(prompt::declined(ctx));
        }
    }
    // The default demo file's folder is made; a given path's must exist.
    let folders = if ctx.db_flag.is_some() {
        Create::File
    } else {
        Create::FileAndFolder
    };
    let mut st = demo::create(&path, folders)?;
    let booked = demo::seed(&mut st, &ctx.actor(), ctx.now)?;
    // The demo's phones as its desk reads them: its clinic's country is
    // known only now that it is seeded.
    if !ctx.json {
        ctx.choose_home(&mut st);
    }
    let sheet = agenda::agenda(&mut st, None, Some("today"), None, 1, ctx.now)?.remove(0);
    let mut tomorrow = Vec::new();
    for doc in demo::DOCTORS {
        let req = slots::SlotsRequest {
            doctor: Some(doc.into()),
            date: "tomorrow".into(),
            explain: !ctx.json,
            ..Default::default()
        };
        tomorrow.push(slots::day(&mut st, &req, ctx.now)?);
    }
    let shown = path.display();
    Ok(ctx
        .report(
            || json::demo(&shown.to_string(), booked, &sheet, &tomorrow),
            || {
                let mut free = tr!("c-demo_free");
                for d in &tomorrow {
                    free.push_str(&format!("\n\n{}", human::day_slots(d, false)));
                }
                tr!(
                    "c-demo_ready",
                    shown = shown,
                    a = human::agenda(&sheet),
                    free = free
                )
            },
        )
        .saved(format!("demo database seeded at {shown}")))
}
