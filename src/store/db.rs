//! The seam between appt's SQL and the database driver: statement values
//! ([`Val`]), result rows ([`Row`]) and transactions ([`Tx`]). Table modules
//! write each statement once, with `?1`-style parameters, and run it through a
//! `Tx`; nothing outside `store` sees a driver type.

use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// Which engine a transaction runs on, for the few statements the dialects
/// write differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
}

/// A value bound to a statement parameter. Instants are epoch seconds, dates
/// `YYYY-MM-DD` text and booleans 0/1, the same on every engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}

/// Anything a statement parameter can be made of, taken by reference so a
/// struct's fields can be bound without moving them.
pub trait ToVal {
    fn to_val(&self) -> Val;
}

impl ToVal for i64 {
    fn to_val(&self) -> Val {
        Val::Int(*self)
    }
}

impl ToVal for bool {
    fn to_val(&self) -> Val {
        Val::Int(i64::from(*self))
    }
}

impl ToVal for str {
    fn to_val(&self) -> Val {
        Val::Text(self.to_string())
    }
}

impl ToVal for String {
    fn to_val(&self) -> Val {
        Val::Text(self.clone())
    }
}

impl ToVal for [u8] {
    fn to_val(&self) -> Val {
        Val::Blob(self.to_vec())
    }
}

impl ToVal for Vec<u8> {
    fn to_val(&self) -> Val {
        Val::Blob(self.clone())
    }
}

impl ToVal for DateTime<Utc> {
    fn to_val(&self) -> Val {
        Val::Int(self.timestamp())
    }
}

impl ToVal for NaiveDate {
    fn to_val(&self) -> Val {
        Val::Text(self.to_string())
    }
}

impl<T: ToVal> ToVal for Option<T> {
    fn to_val(&self) -> Val {
        self.as_ref().map_or(Val::Null, ToVal::to_val)
    }
}

impl<T: ToVal + ?Sized> ToVal for &T {
    fn to_val(&self) -> Val {
        (**self).to_val()
    }
}

impl ToVal for Val {
    fn to_val(&self) -> Val {
        self.clone()
    }
}

/// `args![a, b, …]`: statement parameters from anything a [`Val`] can be made of.
#[macro_export]
macro_rules! args {
    ($($v:expr),* $(,)?) => {
        &[$($crate::store::db::ToVal::to_val(&$v)),*][..]
    };
}

impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Val::Null => ValueRef::Null,
            Val::Int(i) => ValueRef::Integer(*i),
            Val::Text(s) => ValueRef::Text(s.as_bytes()),
            Val::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

/// One result row.
pub struct Row<'r> {
    inner: &'r rusqlite::Row<'r>,
}

impl Row<'_> {
    /// Column `i` (from 0) as `T`.
    pub fn get<T: Column>(&self, i: usize) -> Result<T> {
        T::read(self, i)
    }
}

/// A type a column can be read as.
pub trait Column: Sized {
    fn read(row: &Row, i: usize) -> Result<Self>;
}

macro_rules! native_column {
    ($($t:ty),*) => {$(
        impl Column for $t {
            fn read(row: &Row, i: usize) -> Result<Self> {
                Ok(row.inner.get::<_, $t>(i)?)
            }
        }
    )*};
}

native_column!(
    i64,
    Option<i64>,
    String,
    Option<String>,
    Vec<u8>,
    Option<Vec<u8>>
);

impl Column for bool {
    fn read(row: &Row, i: usize) -> Result<Self> {
        Ok(row.get::<i64>(i)? != 0)
    }
}

impl Column for DateTime<Utc> {
    fn read(row: &Row, i: usize) -> Result<Self> {
        Ok(instant(row.get(i)?))
    }
}

impl Column for Option<DateTime<Utc>> {
    fn read(row: &Row, i: usize) -> Result<Self> {
        Ok(row.get::<Option<i64>>(i)?.map(instant))
    }
}

impl Column for NaiveDate {
    fn read(row: &Row, i: usize) -> Result<Self> {
        date(&row.get::<String>(i)?)
    }
}

impl Column for Option<NaiveDate> {
    fn read(row: &Row, i: usize) -> Result<Self> {
        row.get::<Option<String>>(i)?
            .as_deref()
            .map(date)
            .transpose()
    }
}

fn instant(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

fn date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| Error::database(format!("a stored date is damaged: '{s}'")))
}

/// A transaction. Every read and write of a command happens inside one, so a
/// command sees one state of the database and commits all of its change or none.
pub struct Tx<'c> {
    inner: rusqlite::Transaction<'c>,
}

impl<'c> Tx<'c> {
    pub(super) fn sqlite(inner: rusqlite::Transaction<'c>) -> Self {
        Tx { inner }
    }

    pub(super) fn commit(self) -> Result<()> {
        Ok(self.inner.commit()?)
    }

    pub fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    /// Runs a statement; returns how many rows it changed.
    pub fn exec(&self, sql: &str, args: &[Val]) -> Result<usize> {
        let mut st = self.inner.prepare_cached(sql)?;
        Ok(st.execute(rusqlite::params_from_iter(args))?)
    }

    /// Calls `f` on each row, in order, without collecting them.
    pub fn each(
        &self,
        sql: &str,
        args: &[Val],
        mut f: impl FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        let mut st = self.inner.prepare_cached(sql)?;
        let mut rows = st.query(rusqlite::params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            f(&Row { inner: r })?;
        }
        Ok(())
    }

    /// Every row, each turned into a `T` by `f`.
    pub fn rows<T>(
        &self,
        sql: &str,
        args: &[Val],
        mut f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each(sql, args, |r| {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row, if any.
    pub fn row<T>(
        &self,
        sql: &str,
        args: &[Val],
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut st = self.inner.prepare_cached(sql)?;
        let mut rows = st.query(rusqlite::params_from_iter(args))?;
        match rows.next()? {
            Some(r) => Ok(Some(f(&Row { inner: r })?)),
            None => Ok(None),
        }
    }

    /// The first column of the first row (a count, an EXISTS, a RETURNING).
    pub fn one<T: Column>(&self, sql: &str, args: &[Val]) -> Result<T> {
        self.row(sql, args, |r| r.get(0))?
            .ok_or_else(|| Error::internal(format!("no row from: {sql}")))
    }

    /// Several statements with no parameters (a migration).
    pub fn script(&self, sql: &str) -> Result<()> {
        Ok(self.inner.execute_batch(sql)?)
    }
}

/// Runs `f` in a `BEGIN IMMEDIATE` transaction: the write lock is taken before
/// the first read, so the rules checked inside it still hold at commit.
pub(super) fn write<T>(
    conn: &mut rusqlite::Connection,
    f: impl FnOnce(&Tx) -> Result<T>,
) -> Result<T> {
    let tx = Tx::sqlite(conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?);
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// Runs `f` in a read transaction: one consistent state of the database.
pub(super) fn read<T>(
    conn: &mut rusqlite::Connection,
    f: impl FnOnce(&Tx) -> Result<T>,
) -> Result<T> {
    let tx = Tx::sqlite(conn.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?);
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as E;
        match &e {
            rusqlite::Error::SqliteFailure(f, _) => match f.code {
                E::ConstraintViolation => {
                    Error::internal(format!("database constraint failed: {e}"))
                }
                E::DatabaseBusy | E::DatabaseLocked => {
                    Error::database(format!("database is locked by another appt process: {e}"))
                        .hint("another appt is writing; try again in a moment")
                }
                E::NotADatabase | E::DatabaseCorrupt => {
                    Error::database(format!("the file is not a usable appt database: {e}"))
                }
                _ => Error::database(format!("database error: {e}")),
            },
            _ => Error::internal(format!("database error: {e}")),
        }
    }
}
