//! Tests: queries.
