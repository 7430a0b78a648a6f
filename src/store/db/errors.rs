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
    /// appt asked something the driver could not do (a bug).
    Misuse(String),
    /// Anything else the database answered.
    Other(String),
}

/// The one answer to each kind of failure.
pub(super) fn answer(f: Failure) -> Error {
    match f {
        Failure::Connection(why) => Error::database(format!("PostgreSQL connection failed: {why}"))
            .hint("check that the server is running and --db (or APPT_DB) is right"),
        Failure::Overlap => Error::new(
            Code::AppointmentConflict,
            "Doctor is not available at the requested time",
        ),
        Failure::Constraint(e) => Error::internal(format!("database constraint failed: {e}")),
        Failure::LockTimeout => {
            Error::database("the database is locked by another session past the 10 s timeout")
                .hint(WRITING)
        }
        Failure::Busy(e) => {
            Error::database(format!("database is locked by another process: {e}")).hint(WRITING)
        }
        Failure::Cancelled(e) => Error::database(format!(
            "the server gave up on a statement after {} s ({e})",
            crate::store::pg_net::STATEMENT.as_secs(),
        ))
        .hint("the server may be overloaded; try again in a moment"),
        Failure::TryAgain(e) => {
            Error::database(format!("database error: {e}")).hint("try again in a moment")
        }
        Failure::Unusable(e) => {
            Error::database(format!("the file is not a usable appt database: {e}"))
        }
        Failure::Misuse(e) => Error::internal(format!("database error: {e}")),
        Failure::Other(e) => Error::database(format!("database error: {e}")),
    }
}

const WRITING: &str = "another appt or another program is writing; try again in a moment";

/// A PostgreSQL error's kind.
pub(super) fn of_postgres(e: &tokio_postgres::Error) -> Failure {
    use tokio_postgres::error::SqlState;
    let Some(db) = e.as_db_error() else {
        return Failure::Connection(crate::store::pg_net::reason(e));
    };
    let code = db.code();
    let message = db.message().to_string();
    if *code == SqlState::EXCLUSION_VIOLATION {
        Failure::Overlap
    } else if code.code().starts_with("23") {
        // Class 23: integrity constraint violation.
        Failure::Constraint(message)
    } else if *code == SqlState::QUERY_CANCELED {
        Failure::Cancelled(message)
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

/// A SQLite error's kind.
pub(super) fn of_sqlite(e: &rusqlite::Error) -> Failure {
    use rusqlite::ErrorCode as E;
    let detail = e.to_string();
    match e {
        rusqlite::Error::SqliteFailure(f, _) => match f.code {
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
