//! The domain: types, time arithmetic, windows and slots, the booking rules and
//! the status machine. Pure functions over values: no SQL, no printing, no
//! clock reads ("now" is always handed in).

pub mod access;
pub mod appointment_fields;
pub mod booking;
pub mod booking_page;
pub mod changes;
pub mod channel;
pub mod check;
pub mod delivery;
pub mod email;
pub mod erasure;
pub mod feed;
pub mod ical;
pub mod inbound;
pub mod limits;
pub mod message;
pub mod model;
pub mod offer;
pub mod overbook;
pub mod patient_step;
pub mod phone;
pub mod queue;
pub mod reach;
pub mod recall;
pub mod report;
pub mod secrets;
pub mod series;
pub mod slots;
pub mod status;
pub mod text;
pub mod time;
pub mod visit_kind;
pub mod visits;
pub mod words;
pub mod zone;

pub use model::*;
pub use reach::Preference;
pub use visit_kind::{Modality, Urgency, VisitType};
pub use words::DateOrder;
