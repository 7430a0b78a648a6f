//! Tests: dst.
