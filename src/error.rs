//! The one error type of appt: a stable code, its exit class, a message and
//! machine-readable details. Printed once, in `main`.

use crate::text::Msg;
use serde_json::{json, Map, Value};
use std::fmt;

/// Every stable error code of docs/errors.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Internal,
    Usage,
    Validation,
    AmbiguousId,
    NotFound,
    AppointmentConflict,
    SlotFull,
    /// A time held for a patient who is typing the code the booking page
    /// sent them (docs/rules.md#holds).
    SlotHeld,
    SlotInactive,
    DuplicateBooking,
    WindowOverlap,
    /// A doctor's or a service's daily limit reached (docs/rules.md#daily-limits).
    DailyLimit,
    /// A series with an occurrence that cannot be booked or moved (docs/rules.md#series).
    SeriesRefused,
    /// Every resource of a group the service needs is taken for the time
    /// (docs/rules.md#rooms-and-equipment).
    ResourceBusy,
    CalendarBusy,
    PastAppointment,
    InsufficientNotice,
    BeyondHorizon,
    OutsideAvailability,
    InvalidTimeSlot,
    NonexistentLocalTime,
    InvalidAppointmentType,
    InvalidStateTransition,
    CancellationWindow,
    Database,
    DeliveryFailed,
    /// Nobody is signed in, once the database has staff (docs/security.md#signing-in).
    SignInRequired,
    /// The signed-in person's role does not allow it (docs/security.md#staff).
    Forbidden,
    /// HTTP only (docs/api.md#errors): no valid bearer token.
    Unauthorized,
    /// HTTP only: the token lacks the endpoint's scope.
    InsufficientScope,
    /// HTTP only: a known path asked with another method.
    MethodNotAllowed,
    /// HTTP only: a body over 64 KiB.
    PayloadTooLarge,
    /// HTTP only: a body that is not `application/json`.
    UnsupportedMediaType,
    /// HTTP only: too many failed authentications from one address.
    RateLimited,
    /// HTTP only: a provider's request to `/hooks/…` that no channel's
    /// secret signed (docs/api.md#provider-hooks).
    BadSignature,
    /// HTTP only: a write (`PUT`, `DELETE`, …) to a feed's read-only CalDAV
    /// calendar (docs/feeds.md#caldav).
    ReadOnly,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Internal => "INTERNAL_ERROR",
            Code::Usage => "USAGE_ERROR",
            Code::Validation => "VALIDATION_ERROR",
            Code::AmbiguousId => "AMBIGUOUS_ID",
            Code::NotFound => "NOT_FOUND",
            Code::AppointmentConflict => "APPOINTMENT_CONFLICT",
            Code::SlotFull => "SLOT_FULL",
            Code::SlotHeld => "SLOT_HELD",
            Code::SlotInactive => "SLOT_INACTIVE",
            Code::DuplicateBooking => "DUPLICATE_BOOKING",
            Code::WindowOverlap => "WINDOW_OVERLAP",
            Code::DailyLimit => "DAILY_LIMIT",
            Code::SeriesRefused => "SERIES_REFUSED",
            Code::ResourceBusy => "RESOURCE_BUSY",
            Code::CalendarBusy => "CALENDAR_BUSY",
            Code::PastAppointment => "PAST_APPOINTMENT",
            Code::InsufficientNotice => "INSUFFICIENT_NOTICE",
            Code::BeyondHorizon => "BEYOND_HORIZON",
            Code::OutsideAvailability => "OUTSIDE_AVAILABILITY",
            Code::InvalidTimeSlot => "INVALID_TIME_SLOT",
            Code::NonexistentLocalTime => "NONEXISTENT_LOCAL_TIME",
            Code::InvalidAppointmentType => "INVALID_APPOINTMENT_TYPE",
            Code::InvalidStateTransition => "INVALID_STATE_TRANSITION",
            Code::CancellationWindow => "CANCELLATION_WINDOW",
            Code::Database => "DATABASE_ERROR",
            Code::DeliveryFailed => "DELIVERY_FAILED",
            Code::SignInRequired => "SIGN_IN_REQUIRED",
            Code::Forbidden => "FORBIDDEN",
            Code::Unauthorized => "UNAUTHORIZED",
            Code::InsufficientScope => "INSUFFICIENT_SCOPE",
            Code::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Code::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Code::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Code::RateLimited => "RATE_LIMITED",
            Code::BadSignature => "BAD_SIGNATURE",
            Code::ReadOnly => "READ_ONLY",
        }
    }

    /// The exit code of the code's class (docs/errors.md).
    pub fn exit_code(self) -> i32 {
        use Code::*;
        match self {
            Internal => 1,
            Usage | Validation | AmbiguousId => 2,
            NotFound => 3,
            AppointmentConflict | SlotFull | SlotHeld | SlotInactive | DuplicateBooking
            | WindowOverlap | DailyLimit | SeriesRefused | ResourceBusy | CalendarBusy => 4,
            PastAppointment
            | InsufficientNotice
            | BeyondHorizon
            | OutsideAvailability
            | InvalidTimeSlot
            | NonexistentLocalTime
            | InvalidAppointmentType
            | InvalidStateTransition
            | CancellationWindow => 5,
            Database => 6,
            DeliveryFailed => 7,
            SignInRequired | Forbidden => 8,
            // The HTTP-only codes never end a command; a command that met
            // one would have been refused its use.
            Unauthorized | InsufficientScope | MethodNotAllowed | PayloadTooLarge
            | UnsupportedMediaType | RateLimited | BadSignature | ReadOnly => 2,
        }
    }

    /// The HTTP status the code travels with (docs/api.md#errors): its exit
    /// class's status, `PAST_APPOINTMENT` 400 as the seed APIs answer it.
    pub fn http_status(self) -> u16 {
        use Code::*;
        match self {
            PastAppointment => 400,
            Unauthorized => 401,
            InsufficientScope | BadSignature | ReadOnly | SignInRequired | Forbidden => 403,
            MethodNotAllowed => 405,
            PayloadTooLarge => 413,
            UnsupportedMediaType => 415,
            RateLimited => 429,
            DeliveryFailed => 500,
            _ => match self.exit_code() {
                2 => 400,
                3 => 404,
                4 => 409,
                5 => 422,
                6 => 503,
                _ => 500,
            },
        }
    }
}

/// The kinds of record appt looks up by what people type, or reports
/// missing: a closed set, so that a front end decides by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Appointment,
    Calendar,
    Channel,
    CheckedInPatient,
    Clinic,
    Closure,
    Doctor,
    Feed,
    Link,
    Message,
    Page,
    Patient,
    Resource,
    Series,
    Service,
    Staff,
    WaitlistEntry,
    Webhook,
    Window,
}

impl Entity {
    /// Its name in English, as a sentence's subject ("Waitlist entry").
    pub fn name(self) -> &'static str {
        match self {
            Entity::Appointment => "Appointment",
            Entity::Calendar => "Calendar",
            Entity::Channel => "Channel",
            Entity::CheckedInPatient => "Checked-in patient",
            Entity::Clinic => "Clinic",
            Entity::Closure => "Closure",
            Entity::Doctor => "Doctor",
            Entity::Feed => "Feed",
            Entity::Link => "Link",
            Entity::Message => "Message",
            Entity::Page => "Page",
            Entity::Patient => "Patient",
            Entity::Resource => "Resource",
            Entity::Series => "Series",
            Entity::Service => "Service",
            Entity::Staff => "Member",
            Entity::WaitlistEntry => "Waitlist entry",
            Entity::Webhook => "Webhook",
            Entity::Window => "Window",
        }
    }

    /// Its code, as an error's details name it (`waitlist entry`).
    pub fn code(self) -> String {
        self.name().to_lowercase()
    }

    /// The message ID of "… not found".
    fn not_found(self) -> &'static str {
        match self {
            Entity::Appointment => "e-appointment_not_found",
            Entity::Calendar => "e-calendar_not_found",
            Entity::Channel => "e-channel_not_found",
            Entity::CheckedInPatient => "e-checked_in_patient_not_found",
            Entity::Clinic => "e-clinic_not_found",
            Entity::Closure => "e-closure_not_found",
            Entity::Doctor => "e-doctor_not_found",
            Entity::Feed => "e-feed_not_found",
            Entity::Link => "e-link_not_found",
            Entity::Message => "e-message_not_found",
            Entity::Page => "e-page_not_found",
            Entity::Patient => "e-patient_not_found",
            Entity::Resource => "e-resource_not_found",
            Entity::Series => "e-series_not_found",
            Entity::Service => "e-service_not_found",
            Entity::Staff => "e-staff_member_not_found",
            Entity::WaitlistEntry => "e-waitlist_entry_not_found",
            Entity::Webhook => "e-webhook_not_found",
            Entity::Window => "e-window_not_found",
        }
    }
}

/// An error: its code, what it says (a message of the catalogues, so that
/// each front end shows it in its person's language), its English text
/// (what JSON keeps), details for scripts and a hint for people.
#[derive(Debug, Clone)]
pub struct Error {
    pub code: Code,
    /// The kind of record a lookup did not find, or found several of: what
    /// a front end decides by (a picker offers rows of that kind), never
    /// the message's text.
    pub entity: Option<Entity>,
    /// The message in English, as JSON and logs keep it.
    pub message: String,
    /// The message by ID and arguments.
    pub msg: Msg,
    pub details: Value,
    /// A line for humans only, printed under the message (boxed: an error
    /// travels in every `Result`, and most have no hint).
    pub hint: Option<Box<Msg>>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: Code, message: impl Into<Msg>) -> Self {
        let msg = message.into();
        Error {
            code,
            entity: None,
            message: msg.english(),
            msg,
            details: Value::Object(Map::new()),
            hint: None,
        }
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// Adds one key to the details.
    pub fn detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        if !self.details.is_object() {
            self.details = Value::Object(Map::new());
        }
        if let Value::Object(map) = &mut self.details {
            map.insert(key.to_string(), value.into());
        }
        self
    }

    pub fn hint(mut self, hint: impl Into<Msg>) -> Self {
        self.hint = Some(Box::new(hint.into()));
        self
    }

    /// A `VALIDATION_ERROR` about one field.
    pub fn field(field: &str, problem: impl Into<Msg>) -> Self {
        let problem = problem.into();
        let english = problem.english();
        Error::new(Code::Validation, problem).details(json!({ field: english }))
    }

    /// The fields a `VALIDATION_ERROR` names (its details' keys); none
    /// for any other code.
    pub fn named_fields(&self) -> Vec<&str> {
        match (self.code, self.details.as_object()) {
            (Code::Validation, Some(map)) => map.keys().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// A `VALIDATION_ERROR` about several fields at once.
    pub fn fields(problems: Vec<(String, Msg)>) -> Self {
        let mut map = Map::new();
        for (k, v) in &problems {
            map.insert(k.clone(), Value::String(v.english()));
        }
        let message = Msg::joined(problems.into_iter().map(|(_, v)| v).collect());
        Error::new(Code::Validation, message).details(Value::Object(map))
    }

    /// One `VALIDATION_ERROR` naming every field these refusals name, each
    /// with its refusal's message (checks of a request's fields made apart,
    /// reported together).
    pub fn of_fields<'a>(refusals: impl IntoIterator<Item = &'a Error>) -> Self {
        let problems = refusals
            .into_iter()
            .flat_map(|e| {
                e.details
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| (k.clone(), e.msg.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        Error::fields(problems)
    }

    /// `NOT_FOUND`: `Doctor not found`, naming the kind of record.
    pub fn not_found(what: Entity) -> Self {
        let mut e = Error::new(Code::NotFound, Msg::new(what.not_found()));
        e.entity = Some(what);
        e
    }

    /// The same error, about a kind of record (a lookup's several found).
    pub fn about(mut self, what: Entity) -> Self {
        self.entity = Some(what);
        self
    }

    pub fn internal(message: impl Into<Msg>) -> Self {
        Error::new(Code::Internal, message)
    }

    pub fn database(message: impl Into<Msg>) -> Self {
        Error::new(Code::Database, message)
    }

    pub fn to_json(&self) -> Value {
        json!({"error": {"code": self.code.as_str(), "message": self.message, "details": self.details}})
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::internal(crate::text::msg!("e-i_o_error", e = e))
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::internal(crate::text::msg!("e-json_error", e = e))
    }
}
