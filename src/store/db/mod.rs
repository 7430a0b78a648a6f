//! The seam between appt's SQL and the two database drivers (rusqlite for
//! SQLite, tokio-postgres through [`crate::store::pg_client`] for
//! PostgreSQL). Table modules write each statement once, with `?1`-style
//! parameters (turned into `$1` for PostgreSQL), declare the tables it reads
//! and writes ([`On`], [`Insert`]) and run it through a [`Tx`]; nothing
//! outside `store` sees a driver type.
//!
//! - [`values`]: what a statement binds ([`Val`]) and the rows it answers
//!   ([`Row`], [`Column`]);
//! - [`tables`]: the tables as values and each statement's declaration;
//! - [`tx`]: the transaction, its attempts, and the openings of each kind;
//! - [`memo`]: the answers a transaction keeps, forgotten by the writes
//!   declared to change them;
//! - [`lasting`]: the answers a SQLite connection keeps from one read
//!   transaction to the next while the database is unchanged;
//! - [`held`]: the writes it holds and sends together;
//! - [`changes`]: how many times each table was changed, counted as a
//!   write transaction commits;
//! - [`errors`]: the drivers' errors, one answer for each kind on both
//!   engines.

mod changes;
mod errors;
mod held;
mod lasting;
mod memo;
mod tables;
mod tx;
mod values;

pub use changes::Changes;
pub use held::Insert;
pub use tables::{On, Table};
pub(super) use tx::Lasting;
pub(super) use tx::{pg_read, pg_within, pg_write, read, write};
pub use tx::{Backend, Tx};
pub(in crate::store) use values::marks;
pub use values::{
    date_of_day, day, day_number, id, id_literal, ids, maybe_id, pg_params, shown_id, shown_id_sql,
    stored_id, Column, Peek, Row, ToVal, Val,
};

#[cfg(test)]
mod tests;
