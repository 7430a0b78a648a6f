//! `appt patient add|list|show|update`.

use super::clinic::check_name;
use super::prompt::Ask;
use super::Ctx;
use crate::core::{phone, Patient};
use crate::error::{Error, Result};
use crate::output::{human, json, Report};
use crate::store::{self, patients};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Add a patient (unique by phone)
    Add {
        /// Full name
        #[arg(long)]
        name: Option<String>,
        /// Phone in E.164; spaces, dashes, dots and parentheses are removed
        #[arg(long)]
        phone: Option<String>,
        /// National ID (stored encrypted)
        #[arg(long)]
        national_id: Option<String>,
        /// Email address
        #[arg(long)]
        email: Option<String>,
    },
    /// List patients, optionally searching name and phone
    List {
        /// Text found in the name or the phone
        #[arg(long)]
        search: Option<String>,
        /// At most this many [default: 200]
        #[arg(long, default_value_t = 200)]
        limit: i64,
    },
    /// Show a patient
    Show {
        /// Patient ID, prefix or phone
        patient: String,
    },
    /// Change a patient
    Update {
        /// Patient ID, prefix or phone
        patient: String,
        /// New full name
        #[arg(long)]
        name: Option<String>,
        /// New phone
        #[arg(long)]
        phone: Option<String>,
        /// New national ID
        #[arg(long)]
        national_id: Option<String>,
        /// New email
        #[arg(long)]
        email: Option<String>,
    },
}

pub fn check_phone(raw: &str) -> Result<String> {
    phone::normalize(raw).map_err(|e| Error::field("phone", e))
}

fn check_email(e: &str) -> Result<String> {
    let e = e.trim();
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(u, d)| {
            !u.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
        })
        && !e.contains(char::is_whitespace);
    if ok {
        Ok(e.to_string())
    } else {
        Err(Error::field(
            "email",
            "Email must look like name@example.com",
        ))
    }
}

pub fn check_national_id(s: &str) -> Result<String> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 64 {
        return Err(Error::field(
            "national_id",
            "National ID must be 1 to 64 characters",
        ));
    }
    Ok(s.to_string())
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add {
            name,
            phone,
            national_id,
            email,
        } => {
            let mut ask = Ask::new(ctx);
            let name = ask.text(name, "name", "--name", "Full name")?;
            let phone = ask.text(phone, "phone", "--phone", "Phone (+503…)")?;
            ask.finish()?;
            let p = Patient {
                id: store::new_id(),
                full_name: check_name("name", &name.unwrap_or_default())?,
                phone: check_phone(&phone.unwrap_or_default())?,
                national_id: national_id.as_deref().map(check_national_id).transpose()?,
                national_id_unreadable: false,
                email: email.as_deref().map(check_email).transpose()?,
                no_show_count: 0,
                created_at: ctx.now,
                updated_at: ctx.now,
            };
            let mut st = ctx.open()?;
            let keys = ctx.keys(&st)?;
            let tx = st.write()?;
            let sealed = p
                .national_id
                .as_deref()
                .map(|id| keys.for_sealing(&tx)?.seal(id))
                .transpose()?;
            patients::insert(&tx, &p, sealed.as_deref())?;
            tx.commit()?;
            Ok(Report::new(
                json::patient(&p),
                format!(
                    "Added patient {} {} {}",
                    p.full_name,
                    p.phone,
                    human::short(&p.id)
                ),
            ))
        }
        Cmd::List { search, limit } => {
            let st = ctx.open()?;
            let found = patients::search(&st.conn, search.as_deref(), limit.clamp(1, 10_000))?;
            let (cipher, warning) = if found.iter().any(|s| s.has_sealed_id()) {
                ctx.keys(&st)?.for_listing(&st.conn)?
            } else {
                (None, None)
            };
            let all: Vec<Patient> = found
                .into_iter()
                .map(|s| s.reveal(cipher.as_ref()))
                .collect();
            Ok(Report::new(
                json::list("patients", all.iter().map(json::patient).collect()),
                human::patients(&all),
            )
            .warn(warning))
        }
        Cmd::Show { patient } => {
            let st = ctx.open()?;
            let found = patients::find(&st.conn, &patient)?;
            // Showing one patient needs the key: a missing or wrong one is an error.
            let cipher = if found.has_sealed_id() {
                Some(ctx.keys(&st)?.for_opening(&st.conn)?)
            } else {
                None
            };
            let p = found.reveal(cipher.as_ref());
            Ok(Report::new(json::patient(&p), human::patient_card(&p)))
        }
        Cmd::Update {
            patient,
            name,
            phone,
            national_id,
            email,
        } => {
            let mut st = ctx.open()?;
            let national_id = national_id.as_deref().map(check_national_id).transpose()?;
            let keys = ctx.keys(&st)?;
            let tx = st.write()?;
            let found = patients::find(&tx, &patient)?;
            let sealed = national_id
                .as_deref()
                .map(|id| keys.for_sealing(&tx)?.seal(id))
                .transpose()?;
            // Changing other fields does not need the key: without it the stored
            // ID shows as unreadable, with a warning.
            let (cipher, warning) = if national_id.is_none() && found.has_sealed_id() {
                keys.for_listing(&tx)?
            } else {
                (None, None)
            };
            let mut p = found.reveal(cipher.as_ref());
            if let Some(n) = name {
                p.full_name = check_name("name", &n)?;
            }
            if let Some(ph) = phone {
                p.phone = check_phone(&ph)?;
            }
            if let Some(e) = email {
                p.email = if e.trim().is_empty() {
                    None
                } else {
                    Some(check_email(&e)?)
                };
            }
            if national_id.is_some() {
                p.national_id = national_id;
                p.national_id_unreadable = false;
            }
            p.updated_at = ctx.now;
            patients::update(&tx, &p, sealed.as_deref())?;
            tx.commit()?;
            Ok(Report::new(
                json::patient(&p),
                format!("Updated patient {} {}", p.full_name, p.phone),
            )
            .warn(warning))
        }
    }
}
