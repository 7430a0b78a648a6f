//! appt: a command-line clinic appointment scheduler.
//!
//! Layers: `core` (the domain, pure), `store` (SQLite), `cli` (clap, prompts,
//! one file per command group) and `output` (tables and JSON views).

pub mod cli;
pub mod core;
pub mod error;
pub mod output;
pub mod store;
