//! `appt clinic add|list|show|update`.

use super::choice::{Kind, References};
use super::prompt::{check, Ask};
use super::Ctx;
use crate::app::clinic::{self, SettingsInput};
use crate::error::Result;
use crate::output::lang::tr;
use crate::output::{human, json, Report};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Add a clinic
    ///
    /// Settings not given take their defaults: --slot-minutes 30, --min-notice 0m,
    /// --horizon 365d, --cancel-window 0m (off), --reminders 24h,2h,
    /// --duplicate-check on, --require-diagnosis on, --notify on, no --country-code,
    /// --language en, no --phone, no --public-url, no --retain-messages (kept for ever),
    /// --queue-order time, --late-after 10, --max-overbook-per-day 2,
    /// --online-booking off, no --slug (the name's), --web-horizon 30d,
    /// --web-notice 2h, --web-hold 10m.
    #[command(
        after_help = "Examples:\n  appt clinic add Central --timezone America/El_Salvador\n  appt clinic add Norte --timezone America/Mexico_City --min-notice 2h\n  appt clinic add Tokyo --timezone Asia/Tokyo --duplicate-check off\n  appt clinic add Sur --timezone America/El_Salvador --language es"
    )]
    Add {
        /// The clinic's name (unique, case-insensitive)
        name: Option<String>,
        #[command(flatten)]
        settings: SettingsArgs,
    },
    /// List clinics
    #[command(
        after_help = "Examples:\n  appt clinic list\n  appt clinic list --json | jq -r '.clinics[].name'"
    )]
    List,
    /// Show a clinic and its settings
    #[command(
        after_help = "Examples:\n  appt clinic show Central\n  appt clinic show central --json"
    )]
    Show {
        /// Clinic name or ID
        clinic: String,
    },
    /// Change a clinic's name or settings
    #[command(
        after_help = "Examples:\n  appt clinic update Central --name \"Clínica Central\"\n  appt clinic update Central --country-code +503 --phone 2222-3333\n  appt clinic update Central --template \"reminder=Hola {patient}: {date}\"\n  appt clinic update Central --online-booking on --web-notice 4h"
    )]
    Update {
        /// Clinic name or ID
        clinic: String,
        /// New name
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Put on the booking page every doctor with a window at the clinic
        /// and every service they may do there (as doctor and service
        /// update --online yes would, one by one)
        #[arg(long)]
        all_online: bool,
        #[command(flatten)]
        settings: SettingsArgs,
    },
}

/// The clinic settings of docs/commands.md#appt-clinic-addlistshowupdate.
#[derive(Debug, clap::Args)]
pub struct SettingsArgs {
    /// IANA time zone, e.g. America/El_Salvador (required for add)
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
    /// Slot length in minutes of windows that name none (and whose doctor names none)
    #[arg(long, value_name = "MINUTES", value_parser = crate::cli::minutes)]
    pub slot_minutes: Option<i64>,
    /// A booking must start at least this long after now, e.g. 2h
    #[arg(long, value_name = "DURATION")]
    pub min_notice: Option<String>,
    /// A booking must start within this long from now, e.g. 90d
    #[arg(long, value_name = "DURATION")]
    pub horizon: Option<String>,
    /// Refuse cancel/reschedule this close to the start unless --force, e.g. 2h
    /// or "2 h" (or in Spanish "2 horas"); 0m is off
    #[arg(long, value_name = "DURATION")]
    pub cancel_window: Option<String>,
    /// Reminder offsets before each appointment, e.g. 24h,2h, or none
    #[arg(long, value_name = "OFFSETS")]
    pub reminders: Option<String>,
    /// One active booking per patient, service and date: on|off
    #[arg(long, value_name = "on|off")]
    pub duplicate_check: Option<String>,
    /// Completing an appointment needs --diagnosis: on|off
    #[arg(long, value_name = "on|off")]
    pub require_diagnosis: Option<String>,
    /// Confirmation, rescheduled and cancelled messages to patients through
    /// `remind due`: on|off
    #[arg(long, value_name = "on|off")]
    pub notify: Option<String>,
    /// Country code of the clinic's local phone numbers, e.g. +503: a phone
    /// typed without its + is read in it; none clears it
    #[arg(long, value_name = "+CODE")]
    pub country_code: Option<String>,
    /// The language of the clinic's messages to patients: en|es
    #[arg(long, value_name = "en|es")]
    pub language: Option<String>,
    /// How a date typed 4/12 is read: dmy (4 December) or mdy (12 April);
    /// without it, dmy for a clinic whose language is es, mdy otherwise
    #[arg(long, value_name = "dmy|mdy")]
    pub date_order: Option<String>,
    /// The clinic's phone, as patients are to read it in messages, e.g.
    /// "2222-3333"; none clears it
    #[arg(long, value_name = "PHONE")]
    pub phone: Option<String>,
    /// Where patients' phones reach `appt serve` (usually a TLS proxy), e.g.
    /// https://citas.example.com: messages carry links under it; none clears it
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// The clinic's own text for one kind of message (reminder, confirmation,
    /// rescheduled, cancelled, waitlist_offer, recall) with placeholders such as
    /// {patient}, {date}, {time}, {link}; KIND= restores the built-in text.
    /// Repeatable
    #[arg(long, value_name = "KIND=TEXT")]
    pub template: Vec<String>,
    /// Keep messages, patients' links and the personal fields of events this
    /// long after a visit is over, e.g. 90d; `remind due` purges what is
    /// older; none keeps them for ever
    #[arg(long, value_name = "DURATION")]
    pub retain_messages: Option<String>,
    /// The order `queue next`, `queue` and the board call checked-in
    /// patients in: time (the appointment's start, a walk-in's arrival) or
    /// token (the token number)
    #[arg(long, value_name = "time|token")]
    pub queue_order: Option<String>,
    /// Minutes past its start after which a visit nobody arrived for is
    /// shown late (board, agenda, queue)
    #[arg(long, value_name = "MINUTES")]
    pub late_after: Option<String>,
    /// Who may pay for a visit, comma-separated, e.g. "Privado,ISSS,Seguros
    /// Futuro": an appointment's --payer is one of them; "" clears the list
    #[arg(long, value_name = "PAYERS")]
    pub payers: Option<String>,
    /// The video link a telemedicine visit's messages give instead of the
    /// address ({video_url}), e.g. https://meet.example.com/clinica; none clears it
    #[arg(long, value_name = "URL")]
    pub video_url: Option<String>,
    /// How many overbooked visits (book --overbook) a doctor may have in a
    /// day, 0 to 50; 0 allows none (2 for a new clinic)
    #[arg(long, value_name = "N")]
    pub max_overbook_per_day: Option<i64>,
    /// Whether `appt serve` offers the clinic's online booking page, at
    /// {public URL}/b/{slug}: on|off (off for a new clinic)
    #[arg(long, value_name = "on|off")]
    pub online_booking: Option<String>,
    /// The end of the booking page's address: 1 to 60 of a-z, 0-9 and -,
    /// e.g. san-benito; none takes the clinic's name, lower-cased, without
    /// accents, words joined by - (as a new clinic has it)
    #[arg(long, value_name = "SLUG")]
    pub slug: Option<String>,
    /// How far ahead the booking page offers times, e.g. 14d (30d for a new
    /// clinic)
    #[arg(long, value_name = "DURATION")]
    pub web_horizon: Option<String>,
    /// The least notice a booking on the page takes, e.g. 1h; 0m for none
    /// (2h for a new clinic)
    #[arg(long, value_name = "DURATION")]
    pub web_notice: Option<String>,
    /// How long the page holds a time for a patient typing the code sent
    /// to their phone, 1m to 60m (10m for a new clinic)
    #[arg(long, value_name = "DURATION")]
    pub web_hold: Option<String>,
    /// Whether `appt remind due` also sends the clinic's due recalls (the
    /// patients whose follow-up date has come): on|off (off for a new
    /// clinic)
    #[arg(long, value_name = "on|off")]
    pub recalls: Option<String>,
    /// Country codes besides the clinic's own whose phones the booking
    /// page sends codes to, e.g. +502,+504; none for no other (none for a
    /// new clinic)
    #[arg(long, value_name = "+CODE")]
    pub web_countries: Option<String>,
    /// The most codes the booking page sends in an hour, past which it
    /// offers the clinic's phone (60 for a new clinic)
    #[arg(long, value_name = "N")]
    pub web_codes_per_hour: Option<i64>,
    /// How long a session opened by `appt login` lasts here unless --for
    /// says otherwise: hours, 1 to 24 (8 for a new clinic)
    #[arg(long, value_name = "DURATION")]
    pub session_hours: Option<String>,
}

impl SettingsArgs {
    fn input(self) -> SettingsInput {
        SettingsInput {
            timezone: self.timezone,
            slot_minutes: self.slot_minutes,
            min_notice: self.min_notice,
            horizon: self.horizon,
            cancel_window: self.cancel_window,
            reminders: self.reminders,
            duplicate_check: self.duplicate_check,
            require_diagnosis: self.require_diagnosis,
            notify: self.notify,
            country_code: self.country_code,
            language: self.language,
            date_order: self.date_order,
            phone: self.phone,
            public_url: self.public_url,
            templates: self.template,
            retain_messages: self.retain_messages,
            queue_order: self.queue_order,
            late_after: self.late_after,
            payers: self.payers,
            video_url: self.video_url,
            max_overbook_per_day: self.max_overbook_per_day,
            online_booking: self.online_booking,
            slug: self.slug,
            web_horizon: self.web_horizon,
            web_notice: self.web_notice,
            web_hold: self.web_hold,
            recalls: self.recalls,
            web_countries: self.web_countries,
            web_codes_per_hour: self.web_codes_per_hour,
            session_hours: self.session_hours,
        }
    }
}

pub fn run(ctx: &Ctx, cmd: Cmd) -> Result<Report> {
    match cmd {
        Cmd::Add { name, settings } => {
            let mut ask = Ask::new(ctx);
            let name = ask.text(name, "name", "NAME", || tr!("p-clinic_name"))?;
            let timezone = ask.value(
                settings.timezone.clone(),
                "timezone",
                "--timezone",
                || tr!("p-timezone"),
                None,
                &check::timezone,
            )?;
            ask.finish()?;
            let settings = SettingsArgs {
                timezone,
                ..settings
            };
            let c = clinic::add(
                &mut ctx.create()?,
                &name.unwrap_or_default(),
                &settings.input(),
                ctx.now,
            )?;
            Ok(ctx
                .report(|| json::clinic(&c), || human::clinic_added(&c))
                .made("clinic added", &c.id))
        }
        Cmd::List => {
            let all = clinic::list(&mut ctx.open()?)?;
            Ok(ctx.report(
                || json::list("clinics", all.iter().map(json::clinic).collect()),
                || human::clinics(&all),
            ))
        }
        Cmd::Show { clinic } => {
            let c = clinic::show(&mut ctx.open()?, &clinic)?;
            Ok(ctx.report(|| json::clinic(&c), || human::clinic_card(&c)))
        }
        Cmd::Update {
            clinic,
            name,
            all_online,
            settings,
        } => {
            let (c, online) = clinic::update(
                &mut ctx.open()?,
                &clinic,
                name.as_deref(),
                &settings.input(),
                all_online,
                ctx.now,
            )?;
            Ok(ctx
                .report(
                    || json::clinic(&c),
                    || {
                        let mut out = tr!("c-clinic_updated", a = human::clean(&c.name));
                        if all_online {
                            out.push('\n');
                            out.push_str(&human::put_online(&online.doctors, &online.services));
                        }
                        out
                    },
                )
                .made("clinic updated", &c.id))
        }
    }
}

impl References for Cmd {
    fn references(&mut self) -> Vec<(Kind, &mut String)> {
        match self {
            Cmd::Show { clinic } | Cmd::Update { clinic, .. } => vec![(Kind::Clinic, clinic)],
            _ => Vec::new(),
        }
    }
}
