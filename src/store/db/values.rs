//! Values bound to statements ([`Val`]) and the rows they answer with
//! ([`Row`], read column by column through [`Column`]).

use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};

/// A value bound to a statement parameter. Instants are epoch seconds, dates
/// `YYYY-MM-DD` text and booleans 0/1, the same on every engine.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Val {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
    /// An ID kept as its 16 bytes ([`id`]): a BLOB on SQLite, a `uuid` on
    /// PostgreSQL (sent as its text, which the server reads as the column's
    /// type).
    Id([u8; 16]),
}

/// An ID bound to a column that keeps IDs as their 16 bytes (a message's
/// own, docs/performance.md#footprint). Text that is no ID is bound as
/// NULL, which matches no row, as an unknown ID would not have.
pub fn id(s: &str) -> Val {
    uuid::Uuid::try_parse(s).map_or(Val::Null, |u| Val::Id(u.into_bytes()))
}

/// A date bound to a column that keeps it as its day number (an
/// appointment's local date, since schema 60, docs/performance.md#footprint).
pub fn day(d: NaiveDate) -> Val {
    Val::Int(day_number(d))
}

/// The number of days from 1970-01-01 to `d` (negative before it).
pub fn day_number(d: NaiveDate) -> i64 {
    (d - NaiveDate::default()).num_days()
}

/// The date a day number ([`day_number`]) stands for, if there is one.
pub fn date_of_day(n: i64) -> Option<NaiveDate> {
    NaiveDate::default().checked_add_signed(chrono::Duration::try_days(n)?)
}

/// An ID or none ([`id`]): `None` is bound as NULL.
pub fn maybe_id(s: Option<&str>) -> Val {
    s.map_or(Val::Null, id)
}

/// Each of `ids` as [`id`] binds it.
pub fn ids<'a>(ids: &'a [&str]) -> impl Iterator<Item = Val> + 'a {
    ids.iter().map(|s| id(s))
}

/// An ID's 16 bytes as appt shows it: lowercase hex in five groups.
pub fn shown_id(bytes: [u8; 16]) -> String {
    uuid::Uuid::from_bytes(bytes).to_string()
}

/// SQL for column `c`, an ID kept as its 16 bytes, as appt shows it (as
/// [`shown_id`] does): to find it in text, such as an event's data.
pub fn shown_id_sql(backend: super::Backend, c: &str) -> String {
    match backend {
        super::Backend::Sqlite => {
            let part = |from: u8, len: u8| format!("substr(hex({c}), {from}, {len})");
            format!(
                "lower({} || '-' || {} || '-' || {} || '-' || {} || '-' || {})",
                part(1, 8),
                part(9, 4),
                part(13, 4),
                part(17, 4),
                part(21, 12)
            )
        }
        super::Backend::Postgres => format!("CAST({c} AS TEXT)"),
    }
}

/// ID `id` written into a statement for a column that keeps IDs as their
/// 16 bytes, where it cannot be bound (a look-up's filter): a BLOB literal on SQLite, the `uuid`'s text on
/// PostgreSQL (which reads it as the column's type); NULL, which equals
/// nothing, for text that is no ID (as [`id`] binds it).
pub fn id_literal(backend: super::Backend, id: &str) -> String {
    match (uuid::Uuid::try_parse(id), backend) {
        (Err(_), _) => "NULL".to_string(),
        (Ok(u), super::Backend::Sqlite) => format!("X'{}'", u.simple()),
        (Ok(u), super::Backend::Postgres) => format!("'{}'", u.hyphenated()),
    }
}

/// PostgreSQL's column `j` of `r`, a `uuid`, as its 16 bytes.
fn pg_id(r: &tokio_postgres::Row, j: usize) -> Result<Option<[u8; 16]>> {
    Ok(r.try_get::<_, Option<uuid::Uuid>>(j)?
        .map(uuid::Uuid::into_bytes))
}

/// A stored BLOB that is an ID's 16 bytes. appt's other BLOBs (a national
/// ID or a channel's secrets, sealed) are a nonce, a tag and the text: 28
/// bytes at least.
pub fn stored_id(b: &[u8]) -> Option<[u8; 16]> {
    b.try_into().ok()
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
            Val::Id(b) => ValueRef::Blob(b),
        }))
    }
}

/// On PostgreSQL a value is sent as text, except a byte string (see
/// [`pg_params`]): its parameter is declared `unknown`, so the server
/// reads the text as the type the statement needs there (`42` as an
/// `integer`, a `bigint` or a `boolean`, `2026-03-08` as a `date`), as it
/// would a literal.
impl tokio_postgres::types::ToSql for Val {
    fn to_sql(
        &self,
        _: &tokio_postgres::types::Type,
        out: &mut tokio_postgres::types::private::BytesMut,
    ) -> std::result::Result<tokio_postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
    {
        match self {
            Val::Null => return Ok(tokio_postgres::types::IsNull::Yes),
            Val::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Val::Text(t) => out.extend_from_slice(t.as_bytes()),
            Val::Blob(b) => out.extend_from_slice(b),
            Val::Id(b) => out.extend_from_slice(shown_id(*b).as_bytes()),
        }
        Ok(tokio_postgres::types::IsNull::No)
    }

    fn encode_format(&self, _: &tokio_postgres::types::Type) -> tokio_postgres::types::Format {
        match self {
            Val::Blob(_) => tokio_postgres::types::Format::Binary,
            _ => tokio_postgres::types::Format::Text,
        }
    }

    fn accepts(_: &tokio_postgres::types::Type) -> bool {
        true
    }

    tokio_postgres::types::to_sql_checked!();
}

/// `args` as a PostgreSQL statement's parameters: a byte string as `bytea`,
/// in binary; anything else as `unknown`, in text, so the server gives it
/// the type the statement needs there, as it would a literal.
pub fn pg_params(
    args: &[Val],
) -> Vec<(
    &(dyn tokio_postgres::types::ToSql + Sync),
    tokio_postgres::types::Type,
)> {
    use tokio_postgres::types::Type;
    args.iter()
        .map(|v| {
            let ty = match v {
                Val::Blob(_) => Type::BYTEA,
                _ => Type::UNKNOWN,
            };
            (v as &(dyn tokio_postgres::types::ToSql + Sync), ty)
        })
        .collect()
}

/// One result row, or the columns of it from one on ([`Row::from`]).
pub struct Row<'r> {
    inner: RowRef<'r>,
    /// The statement's column that is this row's column 0.
    first: usize,
}

#[derive(Clone, Copy)]
enum RowRef<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r tokio_postgres::Row),
}

impl<'r> Row<'r> {
    pub(super) fn sqlite(r: &'r rusqlite::Row<'r>) -> Self {
        Row {
            inner: RowRef::Sqlite(r),
            first: 0,
        }
    }

    pub(super) fn postgres(r: &'r tokio_postgres::Row) -> Self {
        Row {
            inner: RowRef::Postgres(r),
            first: 0,
        }
    }

    /// The columns from `first` on, as a row of their own: a statement that
    /// joins two tables' columns reads each with its table's reader.
    pub fn from(&self, first: usize) -> Row<'r> {
        Row {
            inner: self.inner,
            first: self.first + first,
        }
    }

    /// The statement's column that is this row's column `i`.
    fn at(&self, i: usize) -> usize {
        self.first + i
    }

    /// Column `i` (from 0) as `T`.
    pub fn get<T: Column>(&self, i: usize) -> Result<T> {
        T::read(self, i)
    }

    /// The row as stored in `table`, its ID in column `id`: values read
    /// through it that appt cannot read back name the table, the row and the
    /// column (`store::stored`).
    pub fn of(
        &self,
        table: &'static str,
        id: usize,
    ) -> Result<crate::store::stored::Fields<'_, 'r>> {
        crate::store::stored::Fields::new(self, table, id)
    }

    /// Column `i`'s name, as the statement gives it (`a.status` is `status`).
    pub fn name(&self, i: usize) -> String {
        let j = self.at(i);
        let name = match self.inner {
            RowRef::Sqlite(r) => r.as_ref().column_name(j).ok().map(str::to_string),
            RowRef::Postgres(r) => r.columns().get(j).map(|c| c.name().to_string()),
        };
        name.unwrap_or_else(|| format!("column {j}"))
    }

    /// Column `i` as stored, borrowed (no copy of a long text).
    pub fn peek(&self, i: usize) -> Result<Peek<'_>> {
        let j = self.at(i);
        match self.inner {
            RowRef::Sqlite(r) => {
                use rusqlite::types::ValueRef;
                Ok(match r.get_ref(j)? {
                    ValueRef::Null => Peek::Null,
                    ValueRef::Integer(v) => Peek::Int(v),
                    ValueRef::Real(_) => Peek::Real,
                    ValueRef::Text(t) => std::str::from_utf8(t).map_or(Peek::Bytes, Peek::Text),
                    ValueRef::Blob(b) => stored_id(b).map_or(Peek::Bytes, Peek::Id),
                })
            }
            RowRef::Postgres(r) => {
                use tokio_postgres::types::Type;
                let ty = r.columns()[j].type_().clone();
                Ok(if ty == Type::BYTEA {
                    r.try_get::<_, Option<&[u8]>>(j)?
                        .map_or(Peek::Null, |_| Peek::Bytes)
                } else if ty == Type::INT8 || ty == Type::INT4 || ty == Type::INT2 {
                    self.get::<Option<i64>>(i)?.map_or(Peek::Null, Peek::Int)
                } else if ty == Type::UUID {
                    pg_id(r, j)?.map_or(Peek::Null, Peek::Id)
                } else {
                    r.try_get::<_, Option<&str>>(j)?
                        .map_or(Peek::Null, Peek::Text)
                })
            }
        }
    }
}

/// A stored value, borrowed from its row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Peek<'a> {
    Null,
    Int(i64),
    Text(&'a str),
    /// A BLOB, or text that is not UTF-8.
    Bytes,
    /// An ID kept as its 16 bytes.
    Id([u8; 16]),
    /// A floating-point value (appt stores none).
    Real,
}

impl Peek<'_> {
    /// What kind of value it is, for messages.
    pub fn what(&self) -> &'static str {
        match self {
            Peek::Null => "NULL",
            Peek::Int(_) => "an integer",
            Peek::Text(_) => "text",
            Peek::Bytes => "bytes",
            Peek::Id(_) => "an ID",
            Peek::Real => "a real number",
        }
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
                let j = row.at(i);
                match row.inner {
                    RowRef::Sqlite(r) => Ok(r.get::<_, $t>(j)?),
                    RowRef::Postgres(r) => Ok(r.try_get::<_, $t>(j)?),
                }
            }
        }
    )*};
}

native_column!(Vec<u8>, Option<Vec<u8>>);

/// Text, or an ID kept as its 16 bytes, shown as text.
impl Column for Option<String> {
    fn read(row: &Row, i: usize) -> Result<Self> {
        let j = row.at(i);
        match row.inner {
            RowRef::Sqlite(r) => {
                use rusqlite::types::ValueRef;
                let found = match r.get_ref(j)? {
                    ValueRef::Null => return Ok(None),
                    ValueRef::Text(t) => std::str::from_utf8(t).ok().map(str::to_string),
                    ValueRef::Blob(b) => stored_id(b).map(shown_id),
                    _ => None,
                };
                // Anything else: the driver's error, naming what it holds.
                found.map_or_else(|| Ok(r.get::<_, Option<String>>(j)?), |s| Ok(Some(s)))
            }
            RowRef::Postgres(r) => {
                if *r.columns()[j].type_() == tokio_postgres::types::Type::UUID {
                    Ok(pg_id(r, j)?.map(shown_id))
                } else {
                    Ok(r.try_get::<_, Option<String>>(j)?)
                }
            }
        }
    }
}

impl Column for String {
    fn read(row: &Row, i: usize) -> Result<Self> {
        row.get::<Option<String>>(i)?
            .ok_or_else(|| Error::database(crate::text::msg!("e-is_null_2", a = row.name(i))))
    }
}

impl Column for Option<i64> {
    fn read(row: &Row, i: usize) -> Result<Self> {
        let j = row.at(i);
        match row.inner {
            RowRef::Sqlite(r) => Ok(r.get::<_, Option<i64>>(j)?),
            // A literal (`SELECT 1`) is an INTEGER there, not a BIGINT; an
            // event's type a SMALLINT.
            RowRef::Postgres(r) => {
                use tokio_postgres::types::Type;
                let ty = r.columns()[j].type_();
                if *ty == Type::INT4 {
                    Ok(r.try_get::<_, Option<i32>>(j)?.map(i64::from))
                } else if *ty == Type::INT2 {
                    Ok(r.try_get::<_, Option<i16>>(j)?.map(i64::from))
                } else {
                    Ok(r.try_get::<_, Option<i64>>(j)?)
                }
            }
        }
    }
}

impl Column for i64 {
    fn read(row: &Row, i: usize) -> Result<Self> {
        row.get::<Option<i64>>(i)?
            .ok_or_else(|| Error::database(crate::text::msg!("e-is_null_2", a = row.name(i))))
    }
}

/// Any column as it is stored, for copying rows between engines.
impl Column for Val {
    fn read(row: &Row, i: usize) -> Result<Self> {
        let j = row.at(i);
        match row.inner {
            RowRef::Sqlite(r) => {
                use rusqlite::types::ValueRef;
                Ok(match r.get_ref(j)? {
                    ValueRef::Null => Val::Null,
                    ValueRef::Integer(v) => Val::Int(v),
                    // appt stores no floating-point values.
                    ValueRef::Real(v) => Val::Int(v as i64),
                    ValueRef::Text(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => {
                        stored_id(b).map_or_else(|| Val::Blob(b.to_vec()), Val::Id)
                    }
                })
            }
            RowRef::Postgres(r) => {
                use tokio_postgres::types::Type;
                let ty = r.columns()[j].type_().clone();
                Ok(if ty == Type::BYTEA {
                    r.try_get::<_, Option<Vec<u8>>>(j)?
                        .map_or(Val::Null, Val::Blob)
                } else if ty == Type::INT8 || ty == Type::INT4 || ty == Type::INT2 {
                    row.get::<Option<i64>>(i)?.map_or(Val::Null, Val::Int)
                } else if ty == Type::UUID {
                    pg_id(r, j)?.map_or(Val::Null, Val::Id)
                } else {
                    r.try_get::<_, Option<String>>(j)?
                        .map_or(Val::Null, Val::Text)
                })
            }
        }
    }
}

impl Column for bool {
    fn read(row: &Row, i: usize) -> Result<Self> {
        // PostgreSQL's EXISTS is a boolean; stored flags are integers on both.
        if let RowRef::Postgres(r) = row.inner {
            if let Ok(b) = r.try_get::<_, bool>(row.at(i)) {
                return Ok(b);
            }
        }
        Ok(row.get::<i64>(i)? != 0)
    }
}

impl Column for DateTime<Utc> {
    fn read(row: &Row, i: usize) -> Result<Self> {
        let secs: i64 = row.get(i)?;
        crate::store::stored::instant(secs).map_err(|p| damaged_column(row, i, &p))
    }
}

impl Column for Option<DateTime<Utc>> {
    fn read(row: &Row, i: usize) -> Result<Self> {
        row.get::<Option<i64>>(i)?
            .map(|secs| crate::store::stored::instant(secs).map_err(|p| damaged_column(row, i, &p)))
            .transpose()
    }
}

impl Column for NaiveDate {
    fn read(row: &Row, i: usize) -> Result<Self> {
        crate::store::stored::date(&row.get::<String>(i)?).map_err(|p| damaged_column(row, i, &p))
    }
}

impl Column for Option<NaiveDate> {
    fn read(row: &Row, i: usize) -> Result<Self> {
        row.get::<Option<String>>(i)?
            .map(|s| crate::store::stored::date(&s).map_err(|p| damaged_column(row, i, &p)))
            .transpose()
    }
}

/// A value read without its table and row ([`Row::of`] names them).
fn damaged_column(row: &Row, i: usize, problem: &crate::text::Msg) -> Error {
    Error::database(crate::text::msg!(
        "e-a_stored",
        a = row.name(i),
        problem = problem
    ))
}

/// The parameters `?first`, `?first+1`, … for `n` values: an `IN (…)` list.
pub(in crate::store) fn marks(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
