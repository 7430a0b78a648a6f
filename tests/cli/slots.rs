//! Tests: slots.
