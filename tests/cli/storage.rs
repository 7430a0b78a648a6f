//! Tests: storage.
