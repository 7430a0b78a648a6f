//! appt: a command-line clinic appointment scheduler.
//!
//! Layers: `core` (the domain, pure), `app` (the use cases), `store` (the
//! database), `cli` (clap, prompts, one file per command group) and `output`
//! (tables and JSON views); `wire` holds the JSON shapes that `app` stores
//! or hands to hooks and `output` shows.

pub mod app;
pub mod board;
pub mod cli;
pub mod core;
pub mod error;
pub mod output;
pub mod serve;
pub mod store;
pub mod text;
/// The JSON shapes of docs/commands.md#the-appointment-object that are stored (event payloads) or handed to
/// other programs (hook stdin), shared by the use cases and the output.
pub(crate) mod wire;
