//! appt: a command-line clinic appointment scheduler.
//!
//! Layers: `core` (the domain, pure), `app` (the use cases), `store` (the
//! database), `cli` (clap, prompts, one file per command group) and `output`
//! (tables and JSON views).

pub mod app;
pub mod cli;
pub mod core;
pub mod error;
pub mod output;
pub mod store;
