//! The schema's upgrades, in order: one list for both engines. A step is SQL
//! written once for each engine (the same file name under `schema/sqlite/`
//! and `schema/postgres/`), or code run the same on both (a step that
//! changes data, not tables). A database's schema version counts the steps
//! it has taken (SQLite's `PRAGMA user_version`, PostgreSQL's `appt_schema`
//! table); each step runs in one transaction with the change of its version.
//! A test builds both engines' schemas and compares them (`schemas.rs` in the
//! integration tests), so the two scripts of a step cannot drift apart
//! unnoticed.

use super::db::Tx;
use crate::error::Result;

/// What one step does.
pub(super) enum Step {
    /// A script for each engine, with `{ACTIVE}` where the active statuses go.
    Sql {
        sqlite: &'static str,
        postgres: &'static str,
    },
    /// Code, the same on both engines, run in the step's transaction.
    Code(fn(&Tx) -> Result<()>),
    /// Code run a batch per transaction until it answers that it is done,
    /// the version changed with the last batch: a step over every row of a
    /// large table. Each batch leaves the database whole, and a step killed
    /// half-way goes on where it stopped.
    Batches(fn(&Tx) -> Result<bool>),
    /// [`Step::Batches`] over a table that others refer to, made anew and
    /// put in its place: SQLite runs it with its foreign keys off (they
    /// cannot be turned off within a transaction), so that the old table
    /// can go while the others' references wait for the new one. The step
    /// itself makes sure nothing is left behind.
    Rebuild(fn(&Tx) -> Result<bool>),
}

/// One step of the list, and the version a database has once it is taken.
pub(super) struct Migration {
    pub version: i64,
    pub step: Step,
}

/// A step written in SQL: `schema/sqlite/NAME.sql` and
/// `schema/postgres/NAME.sql`, NAME starting with the version in three digits.
macro_rules! sql {
    ($version:literal, $name:literal) => {{
        const _: () = assert!(numbered($name, $version));
        Migration {
            version: $version,
            step: Step::Sql {
                sqlite: include_str!(concat!("schema/sqlite/", $name, ".sql")),
                postgres: include_str!(concat!("schema/postgres/", $name, ".sql")),
            },
        }
    }};
}

/// Whether a script's file name starts with `version` in three digits and `_`.
const fn numbered(name: &str, version: i64) -> bool {
    let b = name.as_bytes();
    if b.len() < 5 || b[3] != b'_' {
        return false;
    }
    let mut number = 0;
    let mut i = 0;
    while i < 3 {
        if !b[i].is_ascii_digit() {
            return false;
        }
        number = number * 10 + (b[i] - b'0') as i64;
        i += 1;
    }
    number == version
}

/// Every step, in order.
pub(super) const MIGRATIONS: &[Migration] = &[
    sql!(1, "001_init"),
    sql!(2, "002_webhooks"),
    sql!(3, "003_reliability"),
    sql!(4, "004_exclusive"),
    sql!(5, "005_desk"),
    sql!(6, "006_indexes"),
    sql!(7, "007_bound_ids"),
    sql!(8, "008_check"),
    sql!(9, "009_actor"),
    sql!(10, "010_country_code"),
    sql!(11, "011_api_tokens"),
    sql!(12, "012_messages"),
    sql!(13, "013_daily_limits"),
    sql!(14, "014_series_buffers"),
    sql!(15, "015_busy_index"),
    sql!(16, "016_created_index"),
    sql!(17, "017_clinic_refs"),
    sql!(18, "018_webhook_clinical"),
    // Names' search keys as this appt folds them. Until it was a step, every
    // opening of a database checked whether it was done.
    Migration {
        version: 19,
        step: Step::Code(super::lookup::refold),
    },
    sql!(20, "020_text_order"),
    // Events stored whole, rewritten as appt stores them now (docs/rules.md#events).
    Migration {
        version: 21,
        step: Step::Batches(super::rewrite::batch),
    },
    sql!(22, "022_erasure"),
    sql!(23, "023_retention"),
    sql!(24, "024_footprint"),
    sql!(25, "025_offers"),
    sql!(26, "026_date_order"),
    sql!(27, "027_queue"),
    sql!(28, "028_visits"),
    sql!(29, "029_overbook"),
    sql!(30, "030_channels"),
    sql!(31, "031_sent_via"),
    sql!(32, "032_answers"),
    sql!(33, "033_preferred_channel"),
    sql!(34, "034_online_settings"),
    sql!(35, "035_holds"),
    sql!(36, "036_recalls"),
    sql!(37, "037_waiting_holds"),
    sql!(38, "038_feeds"),
    sql!(39, "039_auth_failures"),
    sql!(40, "040_doctor_services"),
    sql!(41, "041_web_abuse"),
    sql!(42, "042_name_given"),
    sql!(43, "043_cancel_asked"),
    sql!(44, "044_resources"),
    sql!(45, "045_hold_resources"),
    sql!(46, "046_calendars"),
    sql!(47, "047_calendar_writes"),
    sql!(48, "048_calendar_sync"),
    sql!(49, "049_changes"),
    // A booking's event without the fields it set (docs/rules.md#events).
    Migration {
        version: 50,
        step: Step::Batches(super::rewrite::slim_bookings),
    },
    sql!(51, "051_staff"),
    sql!(52, "052_token_staff"),
    sql!(53, "053_access_log"),
    sql!(54, "054_session_hours"),
    sql!(55, "055_event_os_user"),
    // Each event's type stored as its number (docs/rules.md#events).
    Migration {
        version: 56,
        step: Step::Batches(super::rewrite::number_types),
    },
    // Each message's status and kind stored as its number
    // (docs/rules.md#reminders-and-notifications).
    Migration {
        version: 57,
        step: Step::Batches(super::rewrite::number_messages),
    },
    // Each message's ID stored as its 16 bytes (docs/performance.md#footprint).
    Migration {
        version: 58,
        step: Step::Batches(super::rewrite::message_ids),
    },
    // Each appointment's ID stored as its 16 bytes, wherever it is kept
    // (docs/performance.md#footprint).
    Migration {
        version: 59,
        step: Step::Batches(super::visit_ids::appointment_ids),
    },
    // Each appointment's status, source and kind of visit stored as its
    // number (docs/performance.md#footprint).
    Migration {
        version: 60,
        step: Step::Rebuild(super::visit_codes::appointment_codes),
    },
    // Each patient's ID stored as its 16 bytes, wherever it is kept
    // (docs/performance.md#footprint).
    Migration {
        version: 61,
        step: Step::Rebuild(super::patient_ids::patient_ids_step),
    },
    // Each clinic's, doctor's, service's and window's ID stored as its 16
    // bytes, wherever it is kept (docs/performance.md#footprint).
    Migration {
        version: 62,
        step: Step::Rebuild(super::setup_ids::setup_ids),
    },
];

/// The schema version of a database this appt made or upgraded.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

// Each step's version is its place in the list.
const _: () = {
    let mut i = 0;
    while i < MIGRATIONS.len() {
        assert!(MIGRATIONS[i].version == i as i64 + 1);
        i += 1;
    }
};

/// The step that takes a database at `version` to the next, if there is one.
pub(super) fn after(version: i64) -> Option<&'static Migration> {
    usize::try_from(version)
        .ok()
        .and_then(|v| MIGRATIONS.get(v))
}

/// The steps that take a new database to `version`.
pub(super) fn up_to(version: i64) -> impl Iterator<Item = &'static Migration> {
    MIGRATIONS
        .iter()
        .take(usize::try_from(version).unwrap_or(0))
}

/// A step's script with the active statuses ([`super::ACTIVE_NAMES`]) put in, so
/// the database's own rules (the unique external reference, PostgreSQL's
/// exclusion constraint) count the statuses the code counts.
pub(super) fn script(sql: &str) -> String {
    sql.replace("{ACTIVE}", super::ACTIVE_NAMES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scripts_file_name_starts_with_its_version() {
        assert!(numbered("018_webhook_clinical", 18));
        assert!(!numbered("018_webhook_clinical", 17));
        assert!(!numbered("18_webhook_clinical", 18));
    }

    #[test]
    fn the_sql_list_of_active_statuses_is_the_cores() {
        let listed: Vec<String> = crate::core::Status::ACTIVE
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        assert_eq!(
            super::super::ACTIVE_NAMES,
            format!("({})", listed.join(","))
        );
        assert!(script("IN {ACTIVE}").ends_with(super::super::ACTIVE_NAMES));
    }
}
