//! `appt patient add|list|show|update|erase`; `export` is in [`super::patient_export`].

use super::choice::{Kind, References};
use super::prompt::{self, Ask};
use super::Ctx;
use crate::app::erase::{self, EraseRequest};
use crate::app::patient::{self, PatientInput};
use crate::app::phones::Dialing;
use crate::error::Result;
use crate::output::lang::tr;
use crate::output::{human, json, Report};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Add a patient (unique by phone)
    #[command(
        after_help = "Examples:\n  appt patient add --name \"Ana López\" -P \"+503 7012-3456\"\n  appt patient add --name Luis -P +50371234567 --national-id 01234567-8\n  appt patient add --name Rosa -P +50370001111 --channel sms"
    )]
    Add {
        /// Full name
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Phone in E.164, or a local number at a clinic with a country code;
        /// spaces, dashes, dots and parentheses are removed
        #[arg(short = 'P', long, value_name = "PHONE")]
        phone: Option<String>,
        /// National ID (stored encrypted)
        #[arg(long)]
        national_id: Option<String>,
        /// Email address
        #[arg(long)]
        email: Option<String>,
        /// How the patient prefers to be sent messages: whatsapp, sms, email,
        /// or none for no messages [default: the clinic's order]
        #[arg(long, value_name = "CHANNEL")]
        channel: Option<String>,
    },
    /// List patients, optionally searching name and phone
    #[command(
        after_help = "Examples:\n  appt patient list\n  appt patient list --search lopez\n  appt patient list --search 7012 -n 20"
    )]
    List {
        /// Text found in the name or the phone
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// At most this many
        #[arg(short = 'n', long, value_name = "N", default_value_t = 200)]
        limit: i64,
    },
    /// Show a patient
    #[command(
        after_help = "Examples:\n  appt patient show +50370123456\n  appt patient show 4f1c --json | jq .upcoming"
    )]
    Show {
        /// Patient ID, prefix or phone
        patient: String,
    },
    /// Change a patient
    #[command(
        after_help = "Examples:\n  appt patient update +50370123456 --name \"Ana María López\"\n  appt patient update 4f1c -P \"+503 7999-0000\" --email ana@example.com\n  appt patient update 4f1c --channel ninguno"
    )]
    Update {
        /// Patient ID, prefix or phone
        patient: String,
        /// New full name
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// New phone
        #[arg(short = 'P', long, value_name = "PHONE")]
        phone: Option<String>,
        /// New national ID
        #[arg(long)]
        national_id: Option<String>,
        /// New email ("" clears it)
        #[arg(long)]
        email: Option<String>,
        /// New preferred channel: whatsapp, sms, email or none ("" clears
        /// it: the clinic's order)
        #[arg(long, value_name = "CHANNEL")]
        channel: Option<String>,
    },
    /// Everything appt holds about a patient, for a patient who asks for it
    Export(super::patient_export::Args),
    /// Erase a patient on request: name, phone, e-mail, national ID,
    /// messages and links go; their appointments stay, anonymised
    #[command(
        after_help = "Examples:\n  appt patient erase +50370123456 --reason \"request of 2026-06-01\"\n  appt patient erase 4f1c --reason \"request 118\" --clinical --yes --json"
    )]
    Erase {
        /// Patient ID, prefix or phone (a patient erased already: their whole ID)
        patient: String,
        /// Why: recorded with the erasure (the request's date or number)
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
        /// The clinical record of their appointments goes too (diagnosis,
        /// prescription, follow-up)
        #[arg(long)]
        clinical: bool,
        /// Do not ask for confirmation (only a terminal asks)
        #[arg(short, long)]
        yes: bool,
    },
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add {
            name,
            phone,
            national_id,
            email,
            channel,
        } => {
            let mut st = ctx.open()?;
            let mut ask = Ask::new(ctx);
            let name = ask.text(name, "name", "--name", || tr!("p-full_name"))?;
            // What a typed local number is read in (docs/rules.md#phones);
            // a clinic that cannot be read is the use case's to report.
            let dialing = if phone.is_none() && ask.interactive() {
                patient::dialing(&mut st, ctx.clinic.as_deref()).unwrap_or_default()
            } else {
                Dialing::default()
            };
            let label = || match dialing.code() {
                Some(code) => tr!("p-phone_local", code = code),
                None => tr!("p-phone"),
            };
            let phone = ask.value(phone, "phone", "--phone", label, None, &|s| {
                dialing.check(s)
            })?;
            let email = ask.email(email, || tr!("p-email"))?;
            ask.finish()?;
            let input = PatientInput {
                name,
                phone,
                national_id,
                email,
                channel,
                key: ctx.key()?,
                clinic: ctx.clinic.clone(),
            };
            let p = patient::add(&mut st, &input, ctx.now)?;
            Ok(ctx
                .report(
                    || json::patient(&p),
                    || {
                        tr!(
                            "c-patient_added",
                            a = human::clean(&p.full_name),
                            b = human::clean(&p.phone),
                            c = human::short(&p.id)
                        )
                    },
                )
                .made("patient added", &p.id))
        }
        Cmd::List { search, limit } => {
            let found = patient::list(&mut ctx.open()?, search.as_deref(), limit, ctx.key()?)?;
            let all = &found.value;
            Ok(ctx
                .report(
                    || json::list("patients", all.iter().map(json::patient).collect()),
                    || human::patients(all),
                )
                .warn(found.warning))
        }
        Cmd::Show { patient } => {
            let card = patient::show(
                &mut ctx.open()?,
                &patient,
                ctx.clinic.as_deref(),
                ctx.key()?,
                ctx.now,
            )?;
            Ok(ctx.report(
                || json::patient_card(&card),
                || human::patient_visits(&card),
            ))
        }
        Cmd::Update {
            patient,
            name,
            phone,
            national_id,
            email,
            channel,
        } => {
            let input = PatientInput {
                name,
                phone,
                national_id,
                email,
                channel,
                key: ctx.key()?,
                clinic: ctx.clinic.clone(),
            };
            let done = patient::update(&mut ctx.open()?, &patient, &input, ctx.now)?;
            let p = &done.value;
            Ok(ctx
                .report(
                    || json::patient(p),
                    || {
                        tr!(
                            "c-patient_updated",
                            a = human::clean(&p.full_name),
                            b = human::clean(&p.phone)
                        )
                    },
                )
                .made("patient updated", &p.id)
                .warn(done.warning))
        }
        Cmd::Export(a) => super::patient_export::run(ctx, a),
        Cmd::Erase {
            patient,
            reason,
            clinical,
            yes,
        } => erase(ctx, patient, reason, clinical, yes),
    }
}

/// `patient erase`: asks on a terminal for a missing reason, then whether
/// to erase (naming whom), unless `--yes`.
fn erase(
    ctx: &Ctx,
    patient: String,
    reason: Option<String>,
    clinical: bool,
    yes: bool,
) -> Result<Report> {
    let mut st = ctx.open()?;
    let mut ask = Ask::new(ctx);
    let reason = ask.text(reason, "reason", "--reason", || tr!("p-erase_reason"))?;
    ask.finish()?;
    let mut req = EraseRequest {
        patient,
        reason,
        clinical,
        clinic: ctx.clinic.clone(),
        seen_from: None,
    };
    let go = prompt::confirm(ctx, yes, || {
        let p = erase::who(&mut st, &req)?;
        // The one shown is the one erased, whatever else the words find later.
        req.patient = p.id.clone();
        let question = tr!(
            "c-patient_erase_q",
            a = human::patient_name(&p),
            b = if p.phone.is_empty() {
                human::short(&p.id).to_string()
            } else {
                human::clean(&p.phone)
            }
        );
        // Their visits still to come are cancelled with it: said first.
        let coming = erase::coming(&mut st, &p.id, ctx.now)?;
        Ok(human::erase_question(&question, &coming))
    })?;
    if !go {
        return Ok(prompt::declined(ctx));
    }
    let done = erase::erase(&mut st, &req, &ctx.actor(), ctx.now)?;
    Ok(ctx
        .report(|| json::erased(&done), || human::erased(&done))
        .made("patient erased", &done.patient.id))
}

impl References for Cmd {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        match self {
            Cmd::Show { patient }
            | Cmd::Update { patient, .. }
            | Cmd::Export(super::patient_export::Args { patient, .. }) => {
                vec![(Kind::Patient, patient)]
            }
            _ => Vec::new(),
        }
    }
}
