//! Integration tests: drive the `appt` binary against a temporary database with
//! a fixed `APPT_NOW`, parsing `--json` output. One test binary, one module per area.

mod common;

mod binary;
mod board;
mod booking;
mod buffers;
mod concurrency;
mod contract;
mod damage;
mod desk;
mod docs;
mod dst;
mod engines;
mod events;
mod export;
mod faults;
mod help;
mod import;
mod keys;
mod language;
mod layering;
mod lifecycle;
mod limits;
mod local;
mod maintenance;
mod messages;
mod next;
mod notify;
mod openapi;
mod output;
mod packaging;
mod patient_links;
mod prompts;
mod property;
mod queries;
mod reminders;
mod serve;
mod setup;
mod slots;
mod storage;
mod terminal;
mod tokens;
mod webhooks;
mod wire;
mod words;
