//! The one error type of appt: a stable code, its exit class, a message and
//! machine-readable details. Printed once, in `main`.

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
    SlotInactive,
    DuplicateBooking,
    WindowOverlap,
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
            Code::SlotInactive => "SLOT_INACTIVE",
            Code::DuplicateBooking => "DUPLICATE_BOOKING",
            Code::WindowOverlap => "WINDOW_OVERLAP",
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
        }
    }

    /// The exit code of the code's class (docs/errors.md).
    pub fn exit_code(self) -> i32 {
        use Code::*;
        match self {
            Internal => 1,
            Usage | Validation | AmbiguousId => 2,
            NotFound => 3,
            AppointmentConflict | SlotFull | SlotInactive | DuplicateBooking | WindowOverlap => 4,
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
        }
    }
}

#[derive(Debug, Clone)]
pub struct Error {
    pub code: Code,
    pub message: String,
    pub details: Value,
    /// A line for humans only, printed under the message.
    pub hint: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
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

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// A `VALIDATION_ERROR` about one field.
    pub fn field(field: &str, problem: impl Into<String>) -> Self {
        let problem = problem.into();
        Error::new(Code::Validation, problem.clone()).details(json!({ field: problem }))
    }

    /// A `VALIDATION_ERROR` about several fields at once.
    pub fn fields(problems: Vec<(String, String)>) -> Self {
        let mut map = Map::new();
        for (k, v) in &problems {
            map.insert(k.clone(), Value::String(v.clone()));
        }
        let message = problems
            .iter()
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        Error::new(Code::Validation, message).details(Value::Object(map))
    }

    pub fn not_found(what: &str) -> Self {
        Error::new(Code::NotFound, format!("{what} not found"))
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(Code::Internal, message)
    }

    pub fn database(message: impl Into<String>) -> Self {
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
        Error::internal(format!("I/O error: {e}"))
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::internal(format!("JSON error: {e}"))
    }
}
