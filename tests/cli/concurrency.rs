//! Tests: concurrency.
