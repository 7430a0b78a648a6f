//! `appt token add|list|revoke`: the API tokens `appt serve` accepts (see
//! `app::token`). `add` prints the new token itself, before the change
//! commits (as `key rotate` prints a new key): a token whose printing
//! failed is never saved, so no working token is left that nobody saw.

use super::Ctx;
use crate::app::token::{self, AddRequest};
use crate::error::Result;
use crate::output::{self, human, json, Report};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Make an API token for `appt serve`; it is printed once and kept only as its SHA-256
    ///
    /// The token is `appt_` and 43 random characters. Store it at once: appt
    /// keeps only its hash and its first 8 characters (the prefix `token
    /// list` shows). With --clinic (or APPT_CLINIC) the token sees that one
    /// clinic only; without, every clinic.
    #[command(
        after_help = "Examples:\n  appt token add whatsapp-bot --scopes appointments:read,appointments:write\n  appt token add form --scopes appointments:write -c Central --expires 90d\n  appt token add lucia-bot --scopes appointments:read --staff Lucía"
    )]
    Add(AddArgs),
    /// List API tokens: name, prefix, scopes, clinic, created, expires, last used (never the token)
    #[command(
        after_help = "Examples:\n  appt token list\n  appt token list --json | jq -r '.tokens[].name'"
    )]
    List,
    /// Revoke an API token: requests with it are refused from the next one
    ///
    /// A revoked token stays in `token list` (status revoked) as a record;
    /// its name may be given to a new token.
    #[command(
        after_help = "Examples:\n  appt token revoke whatsapp-bot\n  appt token revoke appt_x7Q\n  appt token revoke form --json"
    )]
    Revoke {
        /// The token's name, or its prefix as `token list` shows it (appt_x7Q)
        #[arg(value_name = "NAME")]
        name: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// A name for the token: 1 to 64 letters, digits, '.', '_' or '-' (events it makes name it: api:NAME)
    #[arg(value_name = "NAME")]
    name: String,
    /// What it may do, comma-separated: appointments:read, appointments:write,
    /// appointments:overbook, clinical, patients:export, patients:erase, reports:read,
    /// calendars:admin
    #[arg(long, value_name = "SCOPES")]
    scopes: Vec<String>,
    /// When it stops working: days (90d), hours (12h), a date (2026-12-31, at 00:00 UTC) or an RFC 3339 time [default: never]
    #[arg(long, value_name = "DURATION|DATE")]
    expires: Option<String>,
    /// A member of staff it acts for: it never does more than their role allows, and goes when they are removed
    #[arg(long, value_name = "NAME")]
    staff: Option<String>,
}

pub fn run(ctx: &Ctx, c: Cmd) -> Result<Report> {
    match c {
        Cmd::Add(a) => add(ctx, a),
        Cmd::List => {
            let all = token::list(&mut ctx.open()?)?;
            let now = ctx.now;
            Ok(ctx.report(
                || json::list("tokens", all.iter().map(|t| json::token(t, now)).collect()),
                || human::tokens(&all, now),
            ))
        }
        Cmd::Revoke { name } => {
            let t = token::revoke(&mut ctx.open()?, &name, ctx.now)?;
            Ok(ctx
                .report(|| json::token(&t, ctx.now), || human::token_revoked(&t))
                .made("token revoked", t.name.clone()))
        }
    }
}

fn add(ctx: &Ctx, a: AddArgs) -> Result<Report> {
    let req = AddRequest {
        name: a.name,
        scopes: a.scopes,
        clinic: ctx.clinic.clone(),
        expires: a.expires,
        staff: a.staff,
    };
    let mut st = ctx.open()?;
    let as_json = ctx.json;
    token::add_then(&mut st, &req, ctx.now, &mut |added| {
        output::print_now(
            as_json,
            || json::token_added(added),
            || human::token_added(added),
        )
    })?;
    Ok(Report::quiet())
}
