//! `appt board`: the front desk's live screen (docs/board.md), run by
//! `crate::board` on this terminal.

use super::Ctx;
use crate::app::board::Columns;
use crate::board::{self, Options};
use crate::core::Actor;
use crate::error::{Error, Result};
use crate::output::{lang, Report};
use serde_json::Value;
use std::io::IsTerminal;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Keys:\n  arrows, h j k l   move between doctors and times\n  PgUp PgDn         ten rows up, down (Home, End: the first, the last)\n  [  ]  t           the day before, the day after, today\n  Enter             book a free cell (asks the phone, the name of a\n                    new patient, the service where the window needs\n                    one); while moving, put the appointment there\n  c a s d n         confirm, arrived, start, done (asks the diagnosis\n                    where the clinic requires one), no-show\n  x                 cancel (asks the reason)\n  m                 move: then Enter on a free cell, Esc to stop\n  w                 a walk-in for the selected doctor\n  /                 find a patient by name or phone\n  v                 the rooms and machines as the columns, or the\n                    doctors again\n  p                 another person at the board (once there is staff):\n                    locked until they type their name and PIN\n  ?  q  Ctrl-C      help, quit, quit\n\nStatus symbols:\n  ○ scheduled  ✓ confirmed  → arrived  ▶ in progress  ■ done  ✗ no-show\n\nExamples:\n  appt board\n  appt board --date tomorrow\n  appt board --by resource\n  APPT_LANG=es appt board -c \"Clínica Central\""
)]
pub struct Args {
    /// The day to open on (YYYY-MM-DD, today, tomorrow, a weekday; default today)
    #[arg(short = 'D', long, value_name = "DATE")]
    pub date: Option<String>,
    /// The columns: doctor (each doctor's day) or resource (each room's
    /// and machine's); médico, recurso, sala in Spanish
    #[arg(long, value_name = "COLUMNS", default_value = "doctor")]
    pub by: String,
    /// Once the database has staff: lock after this long without a key, until a PIN is typed (10m, 1h; 0: never) [default: 10m]
    #[arg(long, value_name = "DURATION", value_parser = super::minutes)]
    pub lock_after: Option<i64>,
}

/// Minutes without a key before a board with staff locks, unless
/// `--lock-after` says otherwise.
const LOCK_AFTER: i64 = 10;

pub fn run(ctx: &Ctx, a: Args) -> Result<Report> {
    if ctx.json {
        return Err(Error::field(
            "json",
            crate::text::msg!("e-appt_board_is_a_screen"),
        ));
    }
    let by = Columns::parse(&a.by)
        .ok_or_else(|| Error::field("by", crate::text::msg!("e-board_by", s = a.by.clone())))?;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(Error::field(
            "terminal",
            crate::text::msg!("e-appt_board_needs_a_terminal"),
        ));
    }
    let store = ctx.open_to_read()?;
    // Signed in, the board's changes are the person's, and it locks when
    // left alone.
    let (actor, lock_after) = match ctx.actor() {
        person @ Actor::Staff(_) => {
            let minutes = a.lock_after.unwrap_or(LOCK_AFTER);
            let after = u64::try_from(minutes).ok().filter(|m| *m > 0);
            (
                person,
                after.map(|m| std::time::Duration::from_secs(m * 60)),
            )
        }
        _ => (Actor::Board(super::os_user()), None),
    };
    board::run(Options {
        store,
        clinic: ctx.clinic.clone(),
        date: a.date,
        clock: ctx.clock()?,
        actor,
        lock_after,
        lang: lang::current(),
        color: std::env::var_os("NO_COLOR").is_none(),
        key: ctx.key()?,
        by,
    })?;
    Ok(Report::new(Value::Null, String::new()))
}
