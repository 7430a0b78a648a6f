//! `appt channel add|list|remove|order|test` (see `app::channel`). A
//! secret comes from a file, `-` (standard input) or the environment, never
//! from the command line.

use super::prompt;
use super::Ctx;
use crate::app::outbox::channel::{self, AddRequest, Input, TestRequest};
use crate::core::channel::Secrets;
use crate::error::{Error, Result};
use crate::output::lang::tr;
use crate::output::{human, json, Report};
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Add a channel to the clinic, last in its order: WhatsApp, SMS or e-mail
    #[command(
        subcommand,
        after_help = "Examples:\n  appt channel add whatsapp --phone-number-id 123 --token-file wa.key\n  appt channel add sms --account-sid AC01 --from +15550001111\n  appt channel add email --smtp-url smtps://d@mx:465 --from d@c.example"
    )]
    Add(Add),
    /// List the clinic's channels in their order (never a secret)
    #[command(
        after_help = "Examples:\n  appt channel list\n  appt channel list --json | jq -r '.channels[].name'"
    )]
    List,
    /// Remove a channel
    #[command(
        after_help = "Examples:\n  appt channel remove sms\n  appt channel remove whatsapp -y --json"
    )]
    Remove {
        /// The channel's name
        #[arg(value_name = "NAME")]
        name: String,
        /// Do not ask for confirmation (only a terminal asks)
        #[arg(short, long)]
        yes: bool,
    },
    /// Set the order the clinic's channels are tried in: the named first, the rest after
    #[command(
        after_help = "Examples:\n  appt channel order whatsapp,sms\n  appt channel order sms --json"
    )]
    Order {
        /// Channel names, comma-separated, first tried first
        #[arg(value_name = "NAME", value_delimiter = ',', required = true)]
        names: Vec<String>,
    },
    /// Send one short test message now through a channel (exit 7 when the provider refuses it)
    #[command(
        after_help = "Examples:\n  appt channel test whatsapp --to \"+503 7012-3456\"\n  appt channel test sms --to 70123456 --json\n  appt channel test email --to ana@example.com"
    )]
    Test {
        /// The channel's name
        #[arg(value_name = "NAME")]
        name: String,
        /// The phone to send to (read in the clinic's country code), or for an e-mail channel the address
        #[arg(long, value_name = "PHONE|EMAIL")]
        to: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum Add {
    /// WhatsApp through Meta's Cloud API (the token from --token-file, else APPT_WHATSAPP_TOKEN)
    #[command(
        after_help = "Examples:\n  appt channel add whatsapp --phone-number-id 123 --token-file wa.key\n  appt channel add whatsapp --phone-number-id 1 --template reminder=r:es\n  appt channel add whatsapp --name wa2 --phone-number-id 1 --token-file -"
    )]
    Whatsapp {
        /// The channel's name, unique in the clinic [default: whatsapp]
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// The WhatsApp Business phone number's ID (Meta's app dashboard)
        #[arg(long, value_name = "ID")]
        phone_number_id: Option<String>,
        /// Read the access token from FILE, or - for standard input
        #[arg(long, value_name = "FILE|-")]
        token_file: Option<PathBuf>,
        /// Read the app secret (signs Meta's webhooks) from FILE, or -
        #[arg(long, value_name = "FILE|-")]
        app_secret_file: Option<PathBuf>,
        /// Read the webhook's verify token from FILE, or -
        #[arg(long, value_name = "FILE|-")]
        verify_token_file: Option<PathBuf>,
        /// The Graph API's base URL [default: https://graph.facebook.com/v21.0]
        #[arg(long, value_name = "URL")]
        api_url: Option<String>,
        /// A message kind's approved template, KIND=NAME:LANG[:PLACEHOLDER,…] (repeatable)
        #[arg(long, value_name = "KIND=TEXT")]
        template: Vec<String>,
    },
    /// SMS through Twilio's REST API (the auth token from --auth-token-file, else APPT_TWILIO_AUTH_TOKEN)
    #[command(
        after_help = "Examples:\n  appt channel add sms --account-sid AC01 --from +15550001111\n  appt channel add sms --name sms2 --account-sid AC01 --from +15550001111\n  appt channel add sms --auth-token-file - --account-sid AC01"
    )]
    Sms {
        /// The channel's name, unique in the clinic [default: sms]
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// The Twilio account's SID (AC…)
        #[arg(long, value_name = "ID")]
        account_sid: Option<String>,
        /// Read the auth token from FILE, or - for standard input
        #[arg(long, value_name = "FILE|-")]
        auth_token_file: Option<PathBuf>,
        /// The sending number, +NUMBER
        #[arg(long, value_name = "PHONE")]
        from: Option<String>,
        /// The REST API's base URL [default: https://api.twilio.com]
        #[arg(long, value_name = "URL")]
        api_url: Option<String>,
    },
    /// E-mail over SMTP with TLS or STARTTLS (the password from --password-file, else APPT_SMTP_PASSWORD)
    #[command(
        after_help = "Examples:\n  appt channel add email --smtp-url smtps://d@mx:465 --from d@c.example\n  appt channel add email --password-file - --smtp-url smtp://d@mx:587"
    )]
    Email {
        /// The channel's name, unique in the clinic [default: email]
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// smtp://USER@HOST:PORT (STARTTLS required) or smtps://USER@HOST:PORT (TLS), no password
        #[arg(long, value_name = "URL")]
        smtp_url: Option<String>,
        /// Read the SMTP password from FILE, or - for standard input
        #[arg(long, value_name = "FILE|-")]
        password_file: Option<PathBuf>,
        /// The sender's address
        #[arg(long, value_name = "EMAIL")]
        from: Option<String>,
        /// Where patients' replies go
        #[arg(long, value_name = "EMAIL")]
        reply_to: Option<String>,
    },
}

/// A flag that must be given.
fn needed(value: Option<String>, field: &str, flag: &str) -> Result<String> {
    value.ok_or_else(|| {
        Error::field(
            field,
            crate::text::msg!("e-channel_flag_required", a = flag.to_string()),
        )
    })
}

/// The main secret: from `file` (or `-`), else the variable `var`.
fn main_secret(file: Option<&Path>, field: &str, var: &str) -> Result<String> {
    if let Some(path) = file {
        return super::secret::read(field, path);
    }
    match std::env::var(var) {
        Ok(v) if !v.trim_end_matches(['\n', '\r']).is_empty() => {
            Ok(v.trim_end_matches(['\n', '\r']).to_string())
        }
        _ => Err(Error::field(
            field,
            crate::text::msg!(
                "e-channel_secret_missing",
                a = field.replace('_', "-"),
                b = var
            ),
        )),
    }
}

/// An optional secret from a file (or `-`).
fn other_secret(file: Option<&Path>, field: &str) -> Result<Option<String>> {
    file.map(|p| super::secret::read(field, p)).transpose()
}

/// Standard input can give one secret only.
fn one_stdin(files: &[Option<&Path>]) -> Result<()> {
    let dashes = files
        .iter()
        .filter(|f| f.is_some_and(|p| p == Path::new("-")))
        .count();
    if dashes > 1 {
        return Err(Error::field(
            "token_file",
            crate::text::msg!("e-channel_one_stdin"),
        ));
    }
    Ok(())
}

fn add_request(ctx: &Ctx, add: Add) -> Result<AddRequest> {
    let (name, input, secrets) = match add {
        Add::Whatsapp {
            name,
            phone_number_id,
            token_file,
            app_secret_file,
            verify_token_file,
            api_url,
            template,
        } => {
            let files = [
                token_file.as_deref(),
                app_secret_file.as_deref(),
                verify_token_file.as_deref(),
            ];
            one_stdin(&files)?;
            let input = Input::WhatsApp {
                phone_number_id: needed(phone_number_id, "phone_number_id", "--phone-number-id")?,
                api_url,
                templates: template,
            };
            let secrets = Secrets {
                token: main_secret(files[0], "token_file", "APPT_WHATSAPP_TOKEN")?,
                app_secret: other_secret(files[1], "app_secret_file")?,
                verify_token: other_secret(files[2], "verify_token_file")?,
            };
            (name, input, secrets)
        }
        Add::Sms {
            name,
            account_sid,
            auth_token_file,
            from,
            api_url,
        } => {
            let input = Input::Sms {
                account_sid: needed(account_sid, "account_sid", "--account-sid")?,
                from: needed(from, "from", "--from")?,
                api_url,
            };
            let secrets = Secrets {
                token: main_secret(
                    auth_token_file.as_deref(),
                    "auth_token_file",
                    "APPT_TWILIO_AUTH_TOKEN",
                )?,
                ..Secrets::default()
            };
            (name, input, secrets)
        }
        Add::Email {
            name,
            smtp_url,
            password_file,
            from,
            reply_to,
        } => {
            let input = Input::Email {
                smtp_url: needed(smtp_url, "smtp_url", "--smtp-url")?,
                from: needed(from, "from", "--from")?,
                reply_to,
            };
            let secrets = Secrets {
                token: main_secret(
                    password_file.as_deref(),
                    "password_file",
                    "APPT_SMTP_PASSWORD",
                )?,
                ..Secrets::default()
            };
            (name, input, secrets)
        }
    };
    Ok(AddRequest {
        clinic: ctx.clinic.clone(),
        name,
        input,
        secrets,
        key: ctx.key()?,
    })
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add(add) => {
            let request = add_request(ctx, add)?;
            let c = channel::add(&mut ctx.open()?, &request, ctx.now)?;
            Ok(ctx
                .report(
                    || json::channel(&c),
                    || {
                        tr!(
                            "c-channel_added",
                            a = human::clean(&c.stored.name),
                            b = c.stored.settings.kind().as_str(),
                            c = human::clean(&c.clinic),
                            n = c.stored.position
                        )
                    },
                )
                .made("channel added", &c.stored.id))
        }
        Cmd::List => {
            let all = channel::list(&mut ctx.open()?, ctx.clinic.as_deref())?;
            Ok(ctx.report(
                || json::list("channels", all.iter().map(json::channel).collect()),
                || human::channels(&all),
            ))
        }
        Cmd::Remove { name, yes } => {
            let mut st = ctx.open()?;
            let clinic = ctx.clinic.as_deref();
            let go = prompt::confirm(ctx, yes, || {
                let c = channel::find(&mut st, clinic, &name)?;
                Ok(tr!(
                    "c-channel_remove_q",
                    a = human::clean(&c.stored.name),
                    b = human::clean(&c.clinic)
                ))
            })?;
            if !go {
                return Ok(prompt::declined(ctx));
            }
            let c = channel::remove(&mut st, clinic, &name)?;
            Ok(ctx
                .report(
                    || json::channel(&c),
                    || {
                        tr!(
                            "c-channel_removed",
                            a = human::clean(&c.stored.name),
                            b = human::clean(&c.clinic)
                        )
                    },
                )
                .made("channel removed", &c.stored.id))
        }
        Cmd::Order { names } => {
            let all = channel::order(&mut ctx.open()?, ctx.clinic.as_deref(), &names.join(","))?;
            Ok(ctx.report(
                || json::list("channels", all.iter().map(json::channel).collect()),
                || human::channels(&all),
            ))
        }
        Cmd::Test { name, to } => {
            let tested = channel::test(
                &mut ctx.open()?,
                &TestRequest {
                    clinic: ctx.clinic.clone(),
                    name,
                    to,
                    key: ctx.key()?,
                },
                ctx.now,
            )?;
            if let Some(e) = tested.failure() {
                return Err(e);
            }
            Ok(ctx.report(
                || json::channel_tested(&tested),
                || {
                    tr!(
                        "c-channel_test_sent",
                        a = human::clean(&tested.channel.stored.name),
                        b = human::clean(&tested.to),
                        id = human::clean(&json::provider_id(&tested.outcome).unwrap_or_default())
                    )
                },
            ))
        }
    }
}
