//! The drivers' errors as appt's: each driver's error is first told apart
//! as a [`Failure`], the same kinds on either engine, and one function
//! answers each kind, so that the same failure is the same code on SQLite
//! and on PostgreSQL.

use crate::error::{Code, Error};

/// What went wrong in a driver, whichever engine.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Failure {
    /// The server could not be reached or dropped the connection (why, never the URL).
    Connection(String),
    /// PostgreSQL's exclusion constraint, the database's own backstop
    /// against double booking (docs/operations.md#postgresql).
    Overlap,
    /// The guard on rooms and equipment: a resource would hold more visits
    /// at once than its capacity (docs/rules.md#rooms-and-equipment).
    ResourceBusy,
    /// A constraint the rules should have kept (a bug, or a row written
    /// by another program).
    Constraint(String),
    /// Another session held PostgreSQL's write lock past the 10 s timeout.
    LockTimeout,
    /// Another process held SQLite's write lock past the busy timeout.
    Busy(String),
    /// The server cancelled a statement past its deadline.
    Cancelled(String),
    /// A conflict with another transaction that trying again resolves.
    TryAgain(String),
    /// Not a database appt can use.
    Unusable(String),
    /// A write sent to a server that takes none (a standby).
    ReadOnly,
    /// appt asked something the driver could not do (a bug).
    Misuse(String),
    /// Anything else the database answered.
    Other(String),
}

/// The one answer to each kind of failure.
pub(super) fn answer(f: Failure) -> Error {
    match f {
        Failure::Connection(why) => Error::database(crate::text::msg!(
            "e-postgresql_connection_failed",
            why = why
        ))
        .hint(crate::text::msg!("e-check_that_the_server_is_running_and")),
        Failure::Overlap => Error::new(
            Code::AppointmentConflict,
            crate::text::msg!("e-doctor_is_not_available_at_the_requested"),
        ),
        Failure::ResourceBusy => Error::new(
            Code::ResourceBusy,
            crate::text::msg!("e-resource_busy_guard"),
        ),
        Failure::Constraint(e) => {
            Error::internal(crate::text::msg!("e-database_constraint_failed", e = e))
        }
        Failure::LockTimeout => Error::database(crate::text::msg!(
            "e-the_database_is_locked_by_another_session"
        ))
        .hint(crate::text::Msg::new(WRITING)),
        Failure::Busy(e) => Error::database(crate::text::msg!(
            "e-database_is_locked_by_another_process",
            e = e
        ))
        .hint(crate::text::Msg::new(WRITING)),
        Failure::Cancelled(e) => Error::database(crate::text::msg!(
            "e-the_server_gave_up_on_a_statement",
            a = crate::store::pg_net::STATEMENT.as_secs(),
            b = e
        ))
        .hint(crate::text::msg!(
            "e-the_server_may_be_overloaded_try_again"
        )),
        Failure::TryAgain(e) => Error::database(crate::text::msg!("e-database_error", e = e))
            .hint(crate::text::msg!("e-try_again_in_a_moment")),
        Failure::Unusable(e) => {
            Error::database(crate::text::msg!("e-the_file_is_not_a_usable_appt", e = e))
        }
        Failure::ReadOnly => Error::database(crate::text::msg!("e-the_server_takes_no_writes"))
            .hint(crate::text::msg!("e-name_the_primary_or_every_server")),
        Failure::Misuse(e) => Error::internal(crate::text::msg!("e-database_error", e = e)),
        Failure::Other(e) => Error::database(crate::text::msg!("e-database_error", e = e)),
    }
}

const WRITING: &str = "e-another_appt_or_another_program_is_writing";

/// The SQLSTATE the guard on rooms and equipment raises (schema 44).
const RESOURCE_GUARD: &str = "AR001";

/// A PostgreSQL error's kind.
pub(super) fn of_postgres(e: &tokio_postgres::Error) -> Failure {
    use tokio_postgres::error::SqlState;
    let Some(db) = e.as_db_error() else {
        if is_conversion(e) {
            return Failure::Misuse(crate::store::pg_net::reason(e));
        }
        return Failure::Connection(crate::store::pg_net::reason(e));
    };
    let code = db.code();
    let message = db.message().to_string();
    if *code == SqlState::EXCLUSION_VIOLATION {
        Failure::Overlap
    } else if code.code() == RESOURCE_GUARD {
        Failure::ResourceBusy
    } else if code.code().starts_with("23") {
        // Class 23: integrity constraint violation.
        Failure::Constraint(message)
    } else if *code == SqlState::QUERY_CANCELED {
        Failure::Cancelled(message)
    } else if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
        Failure::ReadOnly
    } else if *code == SqlState::LOCK_NOT_AVAILABLE {
        Failure::LockTimeout
    } else if *code == SqlState::T_R_SERIALIZATION_FAILURE
        || *code == SqlState::T_R_DEADLOCK_DETECTED
    {
        Failure::TryAgain(message)
    } else {
        Failure::Other(message)
    }
}

/// Whether the driver failed to turn a value into appt's type (a column
/// read as the wrong type, a NULL where none may be): a bug in appt, told
/// by the cause's type, never by its text; the server was reached.
fn is_conversion(e: &tokio_postgres::Error) -> bool {
    use tokio_postgres::types::{WasNull, WrongType};
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        if c.is::<WrongType>() || c.is::<WasNull>() {
            return true;
        }
        cause = c.source();
    }
    false
}

/// A SQLite error's kind.
pub(super) fn of_sqlite(e: &rusqlite::Error) -> Failure {
    use rusqlite::ErrorCode as E;
    let detail = e.to_string();
    match e {
        rusqlite::Error::SqliteFailure(f, _) => match f.code {
            // The schema's one trigger, the guard on rooms and equipment.
            E::ConstraintViolation
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_TRIGGER =>
            {
                Failure::ResourceBusy
            }
            E::ConstraintViolation => Failure::Constraint(detail),
            E::DatabaseBusy | E::DatabaseLocked => Failure::Busy(detail),
            E::NotADatabase | E::DatabaseCorrupt => Failure::Unusable(detail),
            _ => Failure::Other(detail),
        },
        _ => Failure::Misuse(detail),
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        answer(of_postgres(&e))
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        answer(of_sqlite(&e))
    }
}
