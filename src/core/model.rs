//! The domain's types.

use crate::core::zone::Tz;
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// The language a clinic's messages to patients are written in
/// (docs/rules.md#messages): the languages of [`crate::text`].
pub use crate::text::Lang as Language;

impl Language {
    /// `en` or `es` (any case); anything else is a `VALIDATION_ERROR` naming `language`.
    pub fn parse(s: &str) -> Result<Language> {
        let t = s.trim().to_ascii_lowercase();
        Language::ALL
            .into_iter()
            .find(|l| l.as_str() == t)
            .ok_or_else(|| Error::field("language", crate::text::msg!("e-language_must_be", a = s)))
    }
}

/// The order a clinic calls its waiting room in (docs/rules.md#the-queue):
/// by the appointment's start (a walk-in's arrival), or by token number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueOrder {
    #[default]
    Time,
    Token,
}

impl QueueOrder {
    pub const ALL: [QueueOrder; 2] = [QueueOrder::Time, QueueOrder::Token];

    pub fn as_str(self) -> &'static str {
        match self {
            QueueOrder::Time => "time",
            QueueOrder::Token => "token",
        }
    }

    /// `time` or `token` (any case; a Spanish desk's `hora` and `ficha`
    /// too); anything else is a `VALIDATION_ERROR` naming `queue_order`.
    pub fn parse(s: &str) -> Result<QueueOrder> {
        match s.trim().to_lowercase().as_str() {
            "time" | "hora" => return Ok(QueueOrder::Time),
            "token" | "ficha" => return Ok(QueueOrder::Token),
            _ => {}
        }
        Err(Error::field(
            "queue_order",
            crate::text::msg!("e-queue_order_must_be", a = s),
        ))
    }
}

/// The settings of docs/commands.md#appt-clinic-addlistshowupdate. Durations are whole minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub slot_minutes: i64,
    pub min_notice: i64,
    pub horizon: i64,
    pub cancel_window: i64,
    /// Reminder offsets in minutes, largest first.
    pub reminders: Vec<i64>,
    pub duplicate_check: bool,
    pub require_diagnosis: bool,
    /// Patient notifications (confirmation, rescheduled, cancelled) through `remind due`.
    pub notify: bool,
    /// The country code local phones are read in (`+503`; docs/rules.md#phones).
    pub country_code: Option<String>,
    /// The language of the clinic's messages to patients.
    pub language: Language,
    /// How `4/12` is read at this clinic (docs/commands.md#spanish-input);
    /// None reads it the way its language does ([`Settings::date_order`]).
    pub date_order: Option<super::DateOrder>,
    /// The clinic's phone as it is to be read in messages (as typed, checked
    /// to look like a phone number; docs/commands.md#appt-clinic-addlistshowupdate).
    pub phone: Option<String>,
    /// Where patients' phones reach `appt serve` (`https://…`, no trailing
    /// slash): the base of the links in messages.
    pub public_url: Option<String>,
    /// A clinic's own text for a kind of message (`reminder` → text with
    /// placeholders); a kind not here has the built-in text.
    pub templates: BTreeMap<String, String>,
    /// How long, in minutes, the clinic keeps its messages and the personal
    /// fields of its events once a visit is over (`remind due` purges the
    /// rest, docs/privacy.md#retention); None keeps them for ever.
    pub retain_messages: Option<i64>,
    /// The order `queue`, `queue next` and the board call the waiting room in.
    pub queue_order: QueueOrder,
    /// Minutes past its start after which a visit nobody arrived for is
    /// shown late (docs/rules.md#the-queue).
    pub late_after: i64,
    /// Who may pay for a visit here (`Privado`, `ISSS`, …), in the order
    /// given; an appointment's payer is one of them (docs/rules.md#visits).
    pub payers: Vec<String>,
    /// The link a telemedicine visit's messages give instead of the
    /// address (`{video_url}`).
    pub video_url: Option<String>,
    /// How many overbooked visits a doctor may have in a day
    /// (docs/rules.md#overbooking); 0 allows none.
    pub max_overbook_per_day: i64,
    /// Whether `appt serve` offers the clinic's online booking page.
    pub online_booking: bool,
    /// The end of the booking page's address (`/b/<slug>`); None takes the
    /// slug of the clinic's name ([`Settings::slug_or`]).
    pub slug: Option<String>,
    /// How far ahead, in minutes, the booking page offers times.
    pub web_horizon: i64,
    /// The least notice, in minutes, a booking made on the page takes.
    pub web_notice: i64,
    /// How long, in minutes, the page holds a time while the patient types
    /// their code (1 to 60).
    pub web_hold: i64,
    /// Whether `remind due` sends the clinic's due recalls
    /// (docs/rules.md#recalls).
    pub recalls: bool,
    /// The country codes (`+502`), besides the clinic's own, of the phones
    /// the booking page sends codes to (docs/booking.md#codes).
    pub web_countries: Vec<String>,
    /// The most codes the booking page sends in an hour.
    pub web_codes_per_hour: i64,
    /// How many hours a session opened at the clinic's desk lasts unless
    /// `login --for` says otherwise (docs/security.md#signing-in).
    pub session_hours: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            slot_minutes: 30,
            min_notice: 0,
            horizon: 365 * 24 * 60,
            cancel_window: 0,
            reminders: vec![24 * 60, 120],
            duplicate_check: true,
            require_diagnosis: true,
            notify: true,
            country_code: None,
            language: Language::En,
            date_order: None,
            phone: None,
            public_url: None,
            templates: BTreeMap::new(),
            retain_messages: None,
            queue_order: QueueOrder::Time,
            late_after: 10,
            payers: Vec::new(),
            video_url: None,
            max_overbook_per_day: super::overbook::DEFAULT_MAX_PER_DAY,
            online_booking: false,
            slug: None,
            web_horizon: super::booking_page::DEFAULT_HORIZON,
            web_notice: super::booking_page::DEFAULT_NOTICE,
            web_hold: super::booking_page::DEFAULT_HOLD,
            recalls: false,
            web_countries: Vec::new(),
            web_codes_per_hour: super::booking_page::DEFAULT_CODES_PER_HOUR,
            session_hours: super::staff::SESSION_HOURS.0,
        }
    }
}

impl Settings {
    /// The clinic's rules as a patient's own pages apply them (the booking
    /// page, and a visit's page offering another time): the web notice and
    /// horizon, within the desk's own.
    pub fn web_rules(&self) -> Settings {
        let mut w = self.clone();
        w.min_notice = self.web_notice.max(self.min_notice);
        w.horizon = self.web_horizon.min(self.horizon);
        w
    }

    /// The first and last starts a patient's page offers at `now`
    /// ([`Settings::web_rules`]).
    pub fn web_bounds(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let w = self.web_rules();
        (
            now + chrono::Duration::minutes(w.min_notice),
            now + chrono::Duration::minutes(w.horizon),
        )
    }

    /// How `4/12` is read at this clinic: its own setting, else its
    /// language's order (day first in Spanish).
    pub fn date_order(&self) -> super::DateOrder {
        self.date_order
            .unwrap_or_else(|| super::DateOrder::of_language(self.language))
    }

    /// The slug of the clinic's booking page: its own `--slug`, else the
    /// slug of its name, `clinic_name` ([`super::booking_page::of_name`]).
    pub fn slug_or(&self, clinic_name: &str) -> String {
        self.slug
            .clone()
            .unwrap_or_else(|| super::booking_page::of_name(clinic_name))
    }

    /// The booking page's path, `/b/<slug>` ([`Settings::slug_or`]).
    pub fn page_path(&self, clinic_name: &str) -> String {
        format!("/b/{}", self.slug_or(clinic_name))
    }
}

#[derive(Debug, Clone)]
pub struct Clinic {
    pub id: String,
    pub name: String,
    pub timezone: Tz,
    pub settings: Settings,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Doctor {
    pub id: String,
    pub full_name: String,
    pub specialty: Option<String>,
    pub slot_minutes: Option<i64>,
    pub active: bool,
    /// The most active appointments a local day may hold (docs/rules.md#daily-limits).
    pub max_per_day: Option<i64>,
    /// Whether the online booking page offers the doctor.
    pub online: bool,
    /// The services the doctor does (IDs); empty for every service
    /// (docs/rules.md#who-does-what).
    pub services: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub duration_minutes: i64,
    /// The most active appointments of the service a local day may hold, per
    /// doctor or per clinic's clinic-wide windows (docs/rules.md#daily-limits).
    pub max_per_day: Option<i64>,
    /// Minutes the doctor is kept free before and after each appointment of
    /// the service (docs/rules.md#buffers).
    pub buffer_before: i64,
    pub buffer_after: i64,
    /// Whether the online booking page offers the service.
    pub online: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// When a window applies: on some weekdays, or on one date.
#[derive(Debug, Clone, PartialEq)]
pub enum Recurrence {
    /// Bit 0 is Monday … bit 6 Sunday.
    Weekly(u8),
    Date(NaiveDate),
}

#[derive(Debug, Clone)]
pub struct Window {
    pub id: String,
    pub clinic_id: String,
    pub doctor_id: Option<String>,
    pub recurrence: Recurrence,
    /// Local minutes after midnight; `to` may be 1440 (24:00).
    pub from: i64,
    pub to: i64,
    pub slot_minutes: i64,
    pub capacity: i64,
    pub session: Option<String>,
    pub batch: Option<String>,
    /// Allowed service IDs; empty means any service.
    pub services: Vec<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub open: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Closure {
    pub id: String,
    pub clinic_id: Option<String>,
    pub doctor_id: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Patient {
    pub id: String,
    pub full_name: String,
    pub phone: String,
    pub national_id: Option<String>,
    /// A national ID is stored but cannot be opened (no key, or a damaged row).
    pub national_id_unreadable: bool,
    pub email: Option<String>,
    /// The patient's preferred channel (`--channel`); None: the clinic's
    /// order decides (docs/rules.md#which-channel).
    pub channel: Option<super::Preference>,
    pub no_show_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the patient was erased on request (docs/privacy.md#erasure):
    /// then the name is [`crate::core::erasure::ERASED_NAME`] and the phone
    /// reads as empty.
    pub erased_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Scheduled,
    Confirmed,
    CheckedIn,
    InProgress,
    Completed,
    Cancelled,
    NoShow,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Scheduled,
        Status::Confirmed,
        Status::CheckedIn,
        Status::InProgress,
        Status::Completed,
        Status::Cancelled,
        Status::NoShow,
    ];
    /// The statuses that hold capacity (docs/rules.md#windows-and-slots).
    pub const ACTIVE: [Status; 4] = [
        Status::Scheduled,
        Status::Confirmed,
        Status::CheckedIn,
        Status::InProgress,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Scheduled => "scheduled",
            Status::Confirmed => "confirmed",
            Status::CheckedIn => "checked_in",
            Status::InProgress => "in_progress",
            Status::Completed => "completed",
            Status::Cancelled => "cancelled",
            Status::NoShow => "no_show",
        }
    }

    /// The statuses an appointment ends in: it holds no capacity, and
    /// nothing moves it on.
    pub const FINISHED: [Status; 3] = [Status::Completed, Status::Cancelled, Status::NoShow];

    /// The names of `statuses`, as stored.
    pub const fn names<const N: usize>(statuses: [Status; N]) -> [&'static str; N] {
        let mut out = [""; N];
        let mut i = 0;
        while i < N {
            out[i] = statuses[i].as_str();
            i += 1;
        }
        out
    }

    /// The number stored (docs/performance.md#footprint): its place in
    /// [`Status::ALL`], from 1.
    pub const fn code(self) -> i64 {
        match self {
            Status::Scheduled => 1,
            Status::Confirmed => 2,
            Status::CheckedIn => 3,
            Status::InProgress => 4,
            Status::Completed => 5,
            Status::Cancelled => 6,
            Status::NoShow => 7,
        }
    }

    /// The numbers of `statuses`, as stored.
    pub const fn codes<const N: usize>(statuses: [Status; N]) -> [i64; N] {
        let mut out = [0; N];
        let mut i = 0;
        while i < N {
            out[i] = statuses[i].code();
            i += 1;
        }
        out
    }

    pub fn parse(s: &str) -> Option<Status> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn is_active(self) -> bool {
        Status::ACTIVE.contains(&self)
    }

    pub fn is_final(self) -> bool {
        !self.is_active()
    }
}

impl super::Coded for Status {
    const ALL: &'static [Status] = &Status::ALL;

    fn code(self) -> i64 {
        Status::code(self)
    }

    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// Where a booking came from. A source is stored as its place in this
/// list, from 1 (docs/performance.md#footprint): a source is only ever
/// added at the end.
pub const SOURCES: [&str; 7] = [
    "manual", "phone", "whatsapp", "web", "walk_in", "import", "api",
];

/// The number a source is stored as; None for a name not in [`SOURCES`].
pub fn source_code(name: &str) -> Option<i64> {
    SOURCES
        .iter()
        .position(|s| *s == name)
        .map(|i| i as i64 + 1)
}

/// The source a stored number stands for.
pub fn source_named(code: i64) -> Option<&'static str> {
    usize::try_from(code - 1)
        .ok()
        .and_then(|i| SOURCES.get(i))
        .copied()
}

/// Who a booking's capacity and tokens belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Doctor(String),
    /// The clinic-wide windows of one clinic.
    ClinicWide(String),
}

#[derive(Debug, Clone)]
pub struct PartyRef {
    pub id: String,
    pub full_name: String,
}

/// An appointment as stored: its own columns, nothing read from another
/// table. What `book` makes and a change writes back.
#[derive(Debug, Clone, PartialEq)]
pub struct AppointmentRow {
    pub id: String,
    pub clinic_id: String,
    pub doctor_id: Option<String>,
    pub patient_id: String,
    pub service_id: Option<String>,
    pub window_id: Option<String>,
    pub local_date: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub status: Status,
    pub token_number: i64,
    pub source: String,
    pub session: Option<String>,
    pub batch: Option<String>,
    pub reason: Option<String>,
    pub notes: Option<String>,
    pub diagnosis: Option<String>,
    pub prescription: Option<String>,
    pub follow_up_required: bool,
    pub follow_up_date: Option<NaiveDate>,
    pub cancellation_reason: Option<String>,
    pub external_reference_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub no_show_at: Option<DateTime<Utc>>,
    /// The series it was booked in (`book --repeat`, docs/rules.md#series).
    pub series_id: Option<String>,
    /// Minutes the doctor is kept free before and after it: its service's
    /// buffers when it was booked (docs/rules.md#buffers).
    pub buffer_before: i64,
    pub buffer_after: i64,
    /// What kind of visit it is (docs/rules.md#visits).
    pub urgency: super::Urgency,
    pub modality: super::Modality,
    pub visit_type: super::VisitType,
    /// One of the clinic's payers, as the clinic spells it.
    pub payer: Option<String>,
    /// Fitted in past availability or capacity (docs/rules.md#overbooking).
    pub overbooked: Option<super::overbook::Overbooked>,
}

#[cfg(test)]
impl AppointmentRow {
    /// A scheduled 30-minute visit of patient `p` with doctor `d` at clinic
    /// `c` starting at `start`, nothing else set: the tests' appointment,
    /// each changing what it looks at.
    pub fn sample(id: &str, start: chrono::DateTime<chrono::Utc>) -> AppointmentRow {
        AppointmentRow {
            id: id.into(),
            clinic_id: "c".into(),
            doctor_id: Some("d".into()),
            patient_id: "p".into(),
            service_id: None,
            window_id: None,
            local_date: start.date_naive(),
            starts_at: start,
            ends_at: start + chrono::Duration::minutes(30),
            duration_minutes: 30,
            status: Status::Scheduled,
            token_number: 1,
            source: "manual".into(),
            session: None,
            batch: None,
            reason: None,
            notes: None,
            diagnosis: None,
            prescription: None,
            follow_up_required: false,
            follow_up_date: None,
            cancellation_reason: None,
            external_reference_id: None,
            created_at: start,
            updated_at: start,
            confirmed_at: None,
            checked_in_at: None,
            started_at: None,
            completed_at: None,
            cancelled_at: None,
            no_show_at: None,
            series_id: None,
            buffer_before: 0,
            buffer_after: 0,
            urgency: Default::default(),
            modality: Default::default(),
            visit_type: Default::default(),
            payer: None,
            overbooked: None,
        }
    }
}

/// An appointment as read back: its row, and what its JSON object shows of
/// its clinic, patient, doctor and service (read with it). Its row's fields
/// read through it (`a.starts_at`).
#[derive(Debug, Clone)]
pub struct Appointment {
    pub row: AppointmentRow,
    /// The clinic's zone: what the local date and times are in.
    pub timezone: Tz,
    pub clinic_name: String,
    pub patient_name: String,
    pub patient_phone: String,
    /// The patient was erased (docs/privacy.md#erasure): the name is the
    /// placeholder, shown in each language's words, and there is no phone.
    pub patient_erased: bool,
    pub doctor_name: Option<String>,
    pub doctor_specialty: Option<String>,
    pub service_name: Option<String>,
    pub service_minutes: Option<i64>,
    /// The rooms and equipment it was given, one per group its service
    /// needs (docs/rules.md#rooms-and-equipment).
    pub resources: Vec<super::resource_kind::Given>,
}

impl std::ops::Deref for Appointment {
    type Target = AppointmentRow;
    fn deref(&self) -> &AppointmentRow {
        &self.row
    }
}

impl std::ops::DerefMut for Appointment {
    fn deref_mut(&mut self) -> &mut AppointmentRow {
        &mut self.row
    }
}

/// Who made a change, as its event names it (docs/rules.md#events). The
/// front end that hands a change to a use case says who: the command line
/// its OS user; the import and appt's own doings (a waitlist offer) are
/// named by the use case itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A command run on this machine by this OS user: `cli:<user>`.
    Cli(String),
    /// A row `appt import` booked: `import`.
    Import,
    /// What appt does by itself, not asked by anyone (a waitlist offer of a
    /// freed time, a sweep): `system`.
    System,
    /// A program calling `appt serve` with the token of this name:
    /// `api:<name>`; with the member of staff it is tied to, whose role it
    /// never exceeds.
    Api(String, Option<super::staff::Person>),
    /// A patient answering from their message's link: `patient`.
    Patient,
    /// `appt board` run by this OS user: `board:<user>`.
    Board(String),
    /// A patient booking on the clinic's page (docs/booking.md): `web`.
    Web,
    /// A member of staff signed in (docs/security.md#staff): `staff:<name>`.
    Staff(super::staff::Person),
}

impl Actor {
    /// The member of staff this is, if it is one.
    pub fn person(&self) -> Option<&super::staff::Person> {
        match self {
            Actor::Staff(p) | Actor::Api(_, Some(p)) => Some(p),
            _ => None,
        }
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Cli(user) => write!(f, "cli:{user}"),
            Actor::Import => f.write_str("import"),
            Actor::System => f.write_str("system"),
            Actor::Api(token, _) => write!(f, "api:{token}"),
            Actor::Patient => f.write_str("patient"),
            Actor::Board(user) => write!(f, "board:{user}"),
            Actor::Web => f.write_str("web"),
            Actor::Staff(p) => write!(f, "staff:{}", p.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A status and a source are stored as their numbers: the numbers
    /// never change, and a new value only ever takes the next one.
    #[test]
    fn statuses_and_sources_are_stored_as_their_numbers() {
        crate::core::coded::assert_numbered_in_order::<Status>();
        assert_eq!(Status::codes(Status::ACTIVE), [1, 2, 3, 4]);
        assert_eq!(Status::codes(Status::FINISHED), [5, 6, 7]);
        for (i, s) in SOURCES.iter().enumerate() {
            assert_eq!(source_code(s), Some(i as i64 + 1));
            assert_eq!(source_named(i as i64 + 1), Some(*s));
        }
        assert_eq!(
            (source_code("walk_in"), source_code("api")),
            (Some(5), Some(7))
        );
        assert_eq!(
            (source_code("Manual"), source_named(0), source_named(8)),
            (None, None, None)
        );
    }
}
