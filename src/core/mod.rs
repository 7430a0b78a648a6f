//! The domain: types, time arithmetic, windows and slots, the booking rules and
//! the status machine. Pure functions over values: no SQL, no printing, no
//! clock reads ("now" is always handed in).

pub mod access;
pub(crate) mod appointment_fields;
pub(crate) mod booking;
pub(crate) mod booking_page;
pub(crate) mod changes;
pub(crate) mod channel;
pub(crate) mod check;
pub(crate) mod coded;
pub(crate) mod delivery;
pub(crate) mod email;
pub(crate) mod erasure;
pub(crate) mod event_kind;
pub(crate) mod feed;
pub(crate) mod ical;
pub(crate) mod inbound;
pub(crate) mod limits;
pub(crate) mod message;
pub(crate) mod model;
pub(crate) mod offer;
pub(crate) mod outside;
pub(crate) mod overbook;
pub(crate) mod patient_step;
pub(crate) mod phone;
pub(crate) mod queue;
pub(crate) mod reach;
pub(crate) mod recall;
pub(crate) mod report;
pub(crate) mod resource_kind;
pub(crate) mod resources;
pub(crate) mod roles;
pub(crate) mod secrets;
pub(crate) mod series;
pub(crate) mod slots;
pub(crate) mod staff;
pub(crate) mod status;
pub(crate) mod text;
pub(crate) mod time;
pub(crate) mod visit_kind;
pub(crate) mod visits;
pub(crate) mod words;
pub mod zone;

pub use coded::Coded;
pub use event_kind::EventKind;
pub use message::{Kind as MessageKind, Status as MessageStatus};
pub use model::*;
pub use reach::Preference;
pub use visit_kind::{Modality, Urgency, VisitType};
pub use words::DateOrder;
