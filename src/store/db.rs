//! The seam between appt's SQL and the two database drivers (rusqlite for
//! SQLite, postgres for PostgreSQL): statement values ([`Val`]), result rows
//! ([`Row`]) and transactions ([`Tx`]). Table modules write each statement
//! once, with `?1`-style parameters (turned into `$1` for PostgreSQL), and run
//! it through a `Tx`; nothing outside `store` sees a driver type.

use super::pg_client::PgClient;
use crate::error::{Code, Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use std::cell::Cell;
use std::cell::RefCell;

/// Which engine a transaction runs on, for the few statements the dialects
/// write differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A value bound to a statement parameter. Instants are epoch seconds, dates
/// `YYYY-MM-DD` text and booleans 0/1, the same on every engine.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

impl tokio_postgres::types::ToSql for Val {
    fn to_sql(
        &self,
        ty: &tokio_postgres::types::Type,
        out: &mut tokio_postgres::types::private::BytesMut,
    ) -> std::result::Result<tokio_postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
    {
        use tokio_postgres::types::Type;
        match self {
            Val::Null => Ok(tokio_postgres::types::IsNull::Yes),
            Val::Int(i) => match *ty {
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => i.to_string().to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
            Val::Text(t) => t.as_str().to_sql(ty, out),
            Val::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &tokio_postgres::types::Type) -> bool {
        true
    }

    tokio_postgres::types::to_sql_checked!();
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
    fn new(inner: RowRef<'r>) -> Self {
        Row { inner, first: 0 }
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
    pub fn of(&self, table: &'static str, id: usize) -> Result<super::stored::Fields<'_, 'r>> {
        super::stored::Fields::new(self, table, id)
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
                    ValueRef::Blob(_) => Peek::Bytes,
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

native_column!(String, Option<String>, Vec<u8>, Option<Vec<u8>>);

impl Column for Option<i64> {
    fn read(row: &Row, i: usize) -> Result<Self> {
        let j = row.at(i);
        match row.inner {
            RowRef::Sqlite(r) => Ok(r.get::<_, Option<i64>>(j)?),
            // A literal (`SELECT 1`) is an INTEGER there, not a BIGINT.
            RowRef::Postgres(r) => match r.try_get::<_, Option<i64>>(j) {
                Ok(v) => Ok(v),
                Err(_) => Ok(r.try_get::<_, Option<i32>>(j)?.map(i64::from)),
            },
        }
    }
}

impl Column for i64 {
    fn read(row: &Row, i: usize) -> Result<Self> {
        row.get::<Option<i64>>(i)?
            .ok_or_else(|| Error::database(format!("{} is NULL", row.name(i))))
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
                    ValueRef::Blob(b) => Val::Blob(b.to_vec()),
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
        super::stored::instant(secs).map_err(|p| damaged_column(row, i, &p))
    }
}

impl Column for Option<DateTime<Utc>> {
    fn read(row: &Row, i: usize) -> Result<Self> {
        row.get::<Option<i64>>(i)?
            .map(|secs| super::stored::instant(secs).map_err(|p| damaged_column(row, i, &p)))
            .transpose()
    }
}

impl Column for NaiveDate {
    fn read(row: &Row, i: usize) -> Result<Self> {
        super::stored::date(&row.get::<String>(i)?).map_err(|p| damaged_column(row, i, &p))
    }
}

impl Column for Option<NaiveDate> {
    fn read(row: &Row, i: usize) -> Result<Self> {
        row.get::<Option<String>>(i)?
            .map(|s| super::stored::date(&s).map_err(|p| damaged_column(row, i, &p)))
            .transpose()
    }
}

/// A value read without its table and row ([`Row::of`] names them).
fn damaged_column(row: &Row, i: usize, problem: &str) -> Error {
    Error::database(format!("a stored {} {problem}", row.name(i)))
}

/// The parameters `?first`, `?first+1`, … for `n` values: an `IN (…)` list.
pub(super) fn marks(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A transaction. Every read and write of a command happens inside one, so a
/// command sees one state of the database and commits all of its change or none.
pub struct Tx<'c> {
    inner: TxInner<'c>,
    memo: Memo,
    /// A savepoint left open by the last [`Tx::attempt`] that succeeded: the
    /// next one releases it as it opens its own, in one round trip.
    savepoint: Cell<bool>,
    /// Writes [`Tx::later`] queued (on SQLite only inside [`Tx::together`]).
    pending: RefCell<Vec<Held>>,
    /// Inside [`Tx::together`]: attempts hold their writes.
    held: Cell<bool>,
    /// An attempt inside [`Tx::together`] that has sent nothing yet: where
    /// its held writes start.
    unsent: Cell<Option<usize>>,
    /// Writes held together were refused: [`Tx::together`] undoes them.
    broken: Cell<bool>,
    /// [`Tx::together`]'s savepoint is open.
    together_open: Cell<bool>,
    /// Statements sent to PostgreSQL: round trips, which the tests count.
    sent: Cell<usize>,
}

/// A write [`Tx::later`] holds.
struct Held {
    sql: String,
    args: Vec<Val>,
    /// [`Tx::later_keyed`]'s key: only the last of a key is sent.
    key: Option<(&'static str, Vec<Val>)>,
}

/// What [`Tx::memo`] has kept: by the question and arguments it answers,
/// the answer and the tables it was read from.
/// In order, so that the answers to one question with the same first
/// arguments can be found together ([`Tx::amend_kept`]).
type Memo = RefCell<std::collections::BTreeMap<(&'static str, Vec<Val>), Kept>>;

struct Kept {
    on: &'static [&'static str],
    value: std::rc::Rc<dyn std::any::Any>,
}

/// The tables a booking only reads, whose answers [`Tx::memo`] keeps.
pub(super) const MEMO_TABLES: &[&str] = &["clinics", "doctors", "services", "windows", "closures"];

/// The other tables a kept answer may be read from ([`Tx::memo_on`]): a
/// statement naming none of these nor of [`MEMO_TABLES`] forgets nothing.
const ALSO_KEPT_FROM: &[&str] = &["patients", "appointments"];

enum TxInner<'c> {
    Sqlite(rusqlite::Transaction<'c>),
    // The driver's methods take `&mut`; a `Tx` is shared by reference.
    Postgres(RefCell<Pg<'c>>, &'c Statements),
}

/// A PostgreSQL transaction, or the session itself for a glance
/// ([`pg_glance`]): one statement, which is atomic alone. A transaction's
/// opening is sent with its first statement, and its end as it ends
/// (see `pg_client`).
struct Pg<'c> {
    client: &'c mut PgClient,
    kind: PgKind,
    /// Committed, or nothing to end.
    done: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PgKind {
    /// No transaction: each statement on its own.
    Bare,
    /// A read-only snapshot: its `COMMIT` is not waited for.
    Read,
    /// A write: its `COMMIT` is waited for (it is when it is durable).
    Write,
}

impl<'c> Pg<'c> {
    /// `kind`'s transaction on `client`, opened with the first statement.
    fn begin(client: &'c mut PgClient, kind: PgKind, opening: &str) -> Self {
        client.defer(opening);
        Pg {
            client,
            kind,
            done: false,
        }
    }

    fn bare(client: &'c mut PgClient) -> Self {
        Pg {
            client,
            kind: PgKind::Bare,
            done: true,
        }
    }

    fn commit(mut self) -> std::result::Result<(), tokio_postgres::Error> {
        self.done = true;
        // A transaction that sent no statement never began.
        if self.kind == PgKind::Bare || self.client.forget_deferred() {
            return Ok(());
        }
        match self.kind {
            // It only read: nothing of it can fail to last.
            PgKind::Read => self.client.send("COMMIT"),
            _ => self.client.batch_execute("COMMIT"),
        }
    }
}

impl Drop for Pg<'_> {
    /// Ends a transaction not committed (an error, a rehearsal): its
    /// `ROLLBACK` goes ahead of the connection's next request.
    fn drop(&mut self) {
        if !self.done && !self.client.forget_deferred() {
            let _ = self.client.send("ROLLBACK");
        }
    }
}

/// The statements a PostgreSQL connection has prepared, by their text: a
/// statement is parsed once per connection, not on every use (one round
/// trip less per query, which a day's slots run dozens of). Prepared
/// statements belong to the session, so they outlive each transaction.
#[derive(Default)]
pub struct Statements(RefCell<std::collections::HashMap<String, tokio_postgres::Statement>>);

/// The prepared statement for `sql` (with `?N` turned into `$N` when it is
/// first prepared: kept under appt's own text, which is looked up as is).
fn prepared(t: &mut Pg, cache: &Statements, sql: &str) -> Result<tokio_postgres::Statement> {
    if let Some(st) = cache.0.borrow().get(sql) {
        return Ok(st.clone());
    }
    let st = t.client.prepare(&dollars(sql))?;
    cache.0.borrow_mut().insert(sql.to_owned(), st.clone());
    Ok(st)
}

/// `sql` with its `?N` parameters (outside string literals) numbered from
/// `after + 1`, to follow another statement's in one.
fn renumber(sql: &str, after: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        match c {
            '\'' => quoted = !quoted,
            '?' if !quoted => {
                let mut n = 0usize;
                while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                    n = n * 10 + d as usize;
                    chars.next();
                }
                out.push_str(&(n + after).to_string());
            }
            _ => {}
        }
    }
    out
}

/// `?1`-style parameters as PostgreSQL's `$1` (outside string literals).
fn dollars(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => out.push('$'),
            _ => out.push(c),
        }
    }
    out
}

fn pg_args(args: &[Val]) -> Vec<&(dyn tokio_postgres::types::ToSql + Sync)> {
    args.iter()
        .map(|a| a as &(dyn tokio_postgres::types::ToSql + Sync))
        .collect()
}

/// The most parameters one statement of held writes takes (PostgreSQL's
/// limit is 65,535).
const MAX_PARAMS: usize = 30_000;

/// One part of the statement [`Tx::flush`] sends: a held write, or the
/// rows of several `INSERT`s into the same table and columns.
struct Part {
    sql: String,
    args: Vec<Val>,
    /// `(head, rows, tail)` of an `INSERT` that takes more rows: the text
    /// before its rows, the rows (parameters numbered on), the text after.
    rows: Option<(String, String, String)>,
    writes: usize,
}

impl Part {
    fn new(w: &Held, shape: Option<(&str, &str, &str)>) -> Part {
        Part {
            sql: w.sql.clone(),
            args: w.args.clone(),
            rows: shape.map(|(h, r, t)| (h.to_string(), r.to_string(), t.to_string())),
            writes: 1,
        }
    }

    /// An `INSERT … VALUES` whose rows other writes may join: its text
    /// before the rows, the rows, and after them. An upsert only when its
    /// writes are keyed, so no two of them meet one row.
    fn shape(sql: &str, keyed: bool) -> Option<(&str, &str, &str)> {
        if !sql.starts_with("INSERT INTO ") || sql.contains("RETURNING") {
            return None;
        }
        let at = sql.find(" VALUES ")? + " VALUES ".len();
        let (head, rest) = sql.split_at(at);
        let end = rest.find(" ON CONFLICT ").unwrap_or(rest.len());
        if end < rest.len() && !keyed {
            return None;
        }
        let (rows, tail) = rest.split_at(end);
        Some((head, rows, tail))
    }

    fn joins(&self, head: &str, tail: &str) -> bool {
        self.rows
            .as_ref()
            .is_some_and(|(h, _, t)| h == head && t == tail)
    }

    fn add_rows(&mut self, rows: &str, args: &[Val]) {
        if let Some((_, mine, _)) = &mut self.rows {
            mine.push_str(", ");
            mine.push_str(&renumber(rows, self.args.len()));
        }
        self.args.extend_from_slice(args);
        self.writes += 1;
    }

    fn text(&self) -> std::borrow::Cow<'_, str> {
        match &self.rows {
            Some((h, r, t)) => format!("{h}{r}{t}").into(),
            None => self.sql.as_str().into(),
        }
    }
}

impl<'c> Tx<'c> {
    pub(super) fn sqlite(inner: rusqlite::Transaction<'c>) -> Self {
        Tx {
            inner: TxInner::Sqlite(inner),
            memo: Memo::default(),
            savepoint: Default::default(),
            pending: Default::default(),
            held: Default::default(),
            unsent: Default::default(),
            broken: Default::default(),
            together_open: Default::default(),
            sent: Default::default(),
        }
    }

    fn postgres(inner: Pg<'c>, cache: &'c Statements) -> Self {
        Tx {
            inner: TxInner::Postgres(RefCell::new(inner), cache),
            memo: Memo::default(),
            savepoint: Default::default(),
            pending: Default::default(),
            held: Default::default(),
            unsent: Default::default(),
            broken: Default::default(),
            together_open: Default::default(),
            sent: Default::default(),
        }
    }

    pub(super) fn commit(self) -> Result<()> {
        self.flush()?;
        match self.inner {
            TxInner::Sqlite(t) => Ok(t.commit()?),
            TxInner::Postgres(t, _) => Ok(t.into_inner().commit()?),
        }
    }

    /// The file a SQLite transaction's database lives in (`""` in memory);
    /// None on a server.
    pub fn sqlite_file(&self) -> Option<String> {
        match &self.inner {
            TxInner::Sqlite(t) => Some(t.path().unwrap_or_default().to_string()),
            TxInner::Postgres(..) => None,
        }
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Postgres(..) => Backend::Postgres,
        }
    }

    /// Runs a statement; returns how many rows it changed.
    pub fn exec(&self, sql: &str, args: &[Val]) -> Result<usize> {
        self.before_statement()?;
        self.forget(sql);
        self.run(sql, args)
    }

    /// A write whose answer nobody needs (an `INSERT … VALUES` or an
    /// `UPDATE` of one row), run now on SQLite (but held inside
    /// [`Tx::together`]) and on PostgreSQL kept until
    /// the next statement, the end of an [`Tx::attempt`] or the commit, and
    /// run then with the others kept meanwhile as one statement: a booking's
    /// token, patient, appointment, reminders, event and message are one
    /// round trip rather than six. Kept writes see none of each other's changes (a
    /// statement sees one snapshot), so none may depend on another's; the
    /// constraints are checked as for separate statements, when it runs.
    pub fn later(&self, sql: &str, args: &[Val]) -> Result<()> {
        self.forget(sql);
        self.put_off(sql, args, None)
    }

    /// [`Tx::later`] for a write that makes any held before it with the same
    /// `key` needless (a counter's new value): only the last is sent.
    pub fn later_keyed(
        &self,
        key: (&'static str, Vec<Val>),
        sql: &str,
        args: &[Val],
    ) -> Result<()> {
        self.forget(sql);
        self.put_off(sql, args, Some(key))
    }

    fn put_off(
        &self,
        sql: &str,
        args: &[Val],
        key: Option<(&'static str, Vec<Val>)>,
    ) -> Result<()> {
        match &self.inner {
            TxInner::Sqlite(_) if !self.held.get() => self.run(sql, args).map(drop),
            _ => {
                self.pending.borrow_mut().push(Held {
                    sql: sql.to_string(),
                    args: args.to_vec(),
                    key,
                });
                Ok(())
            }
        }
    }

    /// What must happen before a statement is sent: an attempt holding its
    /// writes ([`Tx::together`]) first sends those held before it and opens
    /// its savepoint, then the held writes go.
    fn before_statement(&self) -> Result<()> {
        if let Some(mark) = self.unsent.take() {
            let own = self.pending.borrow_mut().split_off(mark);
            if let Err(e) = self.flush() {
                self.broken.set(true);
                return Err(e);
            }
            self.script(self.opening("attempt"))?;
            *self.pending.borrow_mut() = own;
        }
        self.flush()
    }

    /// Runs what [`Tx::later`] kept, in as few statements as it can: writes
    /// into the same table and columns are one `INSERT` of all their rows
    /// (in the order they were kept, so events keep the order of their IDs),
    /// the others the data-modifying parts of one `WITH`. Those parts run in
    /// no set order and see none of each other's rows, so any other statement
    /// kept twice starts another (an upsert never meets its own row twice).
    fn flush(&self) -> Result<()> {
        let mut pending = std::mem::take(&mut *self.pending.borrow_mut());
        if pending.is_empty() {
            return Ok(());
        }
        // A keyed write kept again later is needless.
        let mut last_of = std::collections::HashMap::new();
        for (i, w) in pending.iter().enumerate() {
            if let Some(k) = &w.key {
                last_of.insert(k.clone(), i);
            }
        }
        let mut i = 0;
        pending.retain(|w| {
            i += 1;
            w.key.as_ref().is_none_or(|k| last_of[k] == i - 1)
        });
        if self.backend() == Backend::Sqlite {
            // No round trips to save: each in its turn (a row's references
            // are checked as each statement ends).
            for w in &pending {
                self.run(&w.sql, &w.args)?;
            }
            return Ok(());
        }
        let mut parts: Vec<Part> = Vec::new();
        let mut params = 0;
        for w in &pending {
            let fits = params + w.args.len() <= MAX_PARAMS;
            let shape = Part::shape(&w.sql, w.key.is_some());
            if fits {
                if let Some((head, rows, tail)) = shape {
                    if let Some(p) = parts.iter_mut().find(|p| p.joins(head, tail)) {
                        p.add_rows(rows, &w.args);
                        params += w.args.len();
                        continue;
                    }
                }
            }
            if !fits || parts.iter().any(|p| p.sql == w.sql) {
                self.run_together(&parts)?;
                parts.clear();
                params = 0;
            }
            parts.push(Part::new(w, shape));
            params += w.args.len();
        }
        self.run_together(&parts)
    }

    /// Kept writes as one statement.
    fn run_together(&self, parts: &[Part]) -> Result<()> {
        let Some((last, rest)) = parts.split_last() else {
            return Ok(());
        };
        let merged = parts.iter().any(|p| p.writes > 1);
        let text = Part::text;
        if rest.is_empty() {
            return self.run_sized(&text(last), &last.args, merged).map(drop);
        }
        let mut sql = String::from("WITH ");
        let mut args = Vec::new();
        for (i, p) in rest.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("w{i} AS ({})", renumber(&text(p), args.len())));
            args.extend_from_slice(&p.args);
        }
        sql.push(' ');
        sql.push_str(&renumber(&text(last), args.len()));
        args.extend_from_slice(&last.args);
        self.run_sized(&sql, &args, merged).map(drop)
    }

    /// [`Tx::run`]; a statement made of many kept writes is not kept
    /// prepared (its text is one of many, seen once).
    fn run_sized(&self, sql: &str, args: &[Val], once: bool) -> Result<usize> {
        match &self.inner {
            TxInner::Postgres(t, _) if once => {
                self.sent.set(self.sent.get() + 1);
                let n = t
                    .borrow_mut()
                    .client
                    .execute_text(&dollars(sql), &pg_args(args))?;
                Ok(usize::try_from(n).unwrap_or(usize::MAX))
            }
            _ => self.run(sql, args),
        }
    }

    fn run(&self, sql: &str, args: &[Val]) -> Result<usize> {
        match &self.inner {
            TxInner::Sqlite(t) => {
                let mut st = t.prepare_cached(sql)?;
                Ok(st.execute(rusqlite::params_from_iter(args))?)
            }
            TxInner::Postgres(t, cache) => {
                self.sent.set(self.sent.get() + 1);
                let mut t = t.borrow_mut();
                let st = prepared(&mut t, cache, sql)?;
                let n = t.client.execute(&st, &pg_args(args))?;
                Ok(usize::try_from(n).unwrap_or(usize::MAX))
            }
        }
    }

    /// Calls `f` on each row, in order, without collecting them.
    pub fn each(
        &self,
        sql: &str,
        args: &[Val],
        mut f: impl FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        self.before_statement()?;
        self.forget_unless_read(sql);
        match &self.inner {
            TxInner::Sqlite(t) => {
                let mut st = t.prepare_cached(sql)?;
                let mut rows = st.query(rusqlite::params_from_iter(args))?;
                while let Some(r) = rows.next()? {
                    f(&Row::new(RowRef::Sqlite(r)))?;
                }
            }
            TxInner::Postgres(t, cache) => {
                self.sent.set(self.sent.get() + 1);
                let mut t = t.borrow_mut();
                let st = prepared(&mut t, cache, sql)?;
                let mut rows = t.client.query_raw(&st, args.iter())?;
                while let Some(r) = rows.next()? {
                    f(&Row::new(RowRef::Postgres(&r)))?;
                }
            }
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
        self.before_statement()?;
        self.forget_unless_read(sql);
        match &self.inner {
            TxInner::Sqlite(t) => {
                let mut st = t.prepare_cached(sql)?;
                let mut rows = st.query(rusqlite::params_from_iter(args))?;
                match rows.next()? {
                    Some(r) => Ok(Some(f(&Row::new(RowRef::Sqlite(r)))?)),
                    None => Ok(None),
                }
            }
            TxInner::Postgres(t, cache) => {
                self.sent.set(self.sent.get() + 1);
                let mut t = t.borrow_mut();
                let st = prepared(&mut t, cache, sql)?;
                let rows = t.client.query(&st, &pg_args(args))?;
                match rows.first() {
                    Some(r) => Ok(Some(f(&Row::new(RowRef::Postgres(r)))?)),
                    None => Ok(None),
                }
            }
        }
    }

    /// The first column of the first row (a count, an EXISTS, a RETURNING).
    pub fn one<T: Column>(&self, sql: &str, args: &[Val]) -> Result<T> {
        self.row(sql, args, |r| r.get(0))?
            .ok_or_else(|| Error::internal(format!("no row from: {sql}")))
    }

    /// Runs `f` under a savepoint: what it wrote stays when it succeeds and is
    /// undone, alone, when it fails (one line of an import). The savepoint
    /// of one that succeeds is released by the next, or by the commit: what
    /// runs between them is never rolled back to it.
    ///
    /// Inside [`Tx::together`] it opens its savepoint only when it first
    /// sends a statement: one that sends none (all it reads was kept, all it
    /// writes held) leaves its writes held with the others when it succeeds,
    /// and drops them when it fails.
    pub fn attempt<T>(&self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        if self.held.get() {
            self.unsent.set(Some(self.pending.borrow().len()));
            let out = f(self);
            match self.unsent.take() {
                Some(mark) => {
                    if out.is_err() {
                        self.pending.borrow_mut().truncate(mark);
                        // What it changed of the kept answers goes with it.
                        self.memo.borrow_mut().clear();
                    }
                    return out;
                }
                // Writes held before it were refused: together undoes them.
                None if self.broken.get() => return out,
                None => return self.judge(out),
            }
        }
        self.script(self.opening("attempt"))?;
        self.judge(f(self))
    }

    /// How many statements it has sent to PostgreSQL.
    #[cfg(test)]
    pub(crate) fn statements_sent(&self) -> usize {
        self.sent.get()
    }

    /// Whether attempts hold their writes ([`Tx::together`]).
    pub fn holding(&self) -> bool {
        self.held.get()
    }

    /// What opens the savepoint `name`, releasing those a success left open.
    fn opening(&self, name: &str) -> &'static str {
        let attempt = self.savepoint.replace(false);
        match (self.together_open.get(), name, attempt) {
            (true, "together", _) => "RELEASE SAVEPOINT together; SAVEPOINT together",
            (_, "together", true) => "RELEASE SAVEPOINT attempt; SAVEPOINT together",
            (_, "together", false) => "SAVEPOINT together",
            (_, _, true) => "RELEASE SAVEPOINT attempt; SAVEPOINT attempt",
            _ => "SAVEPOINT attempt",
        }
    }

    /// An attempt's end, its savepoint open: what it kept for later is part
    /// of it, run before it is judged.
    fn judge<T>(&self, out: Result<T>) -> Result<T> {
        match out.and_then(|v| self.flush().map(|()| v)) {
            Ok(v) => {
                self.savepoint.set(true);
                Ok(v)
            }
            Err(e) => {
                // What was read inside it may have been undone with it.
                self.memo.borrow_mut().clear();
                self.pending.borrow_mut().clear();
                self.script("ROLLBACK TO SAVEPOINT attempt; RELEASE SAVEPOINT attempt")?;
                Err(e)
            }
        }
    }

    /// Runs `f`, whose [`Tx::attempt`]s hold their writes, and sends them
    /// together at its end, under one savepoint (the writes of an import's
    /// lines read ahead: on PostgreSQL a few statements for them all rather
    /// than one a line, and on either engine no savepoint a line, whose
    /// journal copies every page a line touches on SQLite). Returns None
    /// when the database refused them: all `f` did is undone, and the caller
    /// runs it again, attempt by attempt, to find which one it refuses.
    pub fn together<T>(&self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<Option<T>> {
        self.script(self.opening("together"))?;
        self.together_open.set(true);
        self.held.set(true);
        let out = f(self);
        self.held.set(false);
        let refused = if self.broken.get() {
            true
        } else if out.is_err() {
            return out.map(Some);
        } else {
            self.flush().is_err()
        };
        if refused {
            self.broken.set(false);
            self.memo.borrow_mut().clear();
            self.pending.borrow_mut().clear();
            self.savepoint.set(false);
            self.together_open.set(false);
            self.script("ROLLBACK TO SAVEPOINT together; RELEASE SAVEPOINT together")?;
            return Ok(None);
        }
        Ok(out.ok())
    }

    /// The value `read` makes, read once per transaction for the same
    /// question (`what`, a name for it) and arguments: for the tables a
    /// booking only reads ([`MEMO_TABLES`]) and the token counters, so that
    /// an import's lines or a series' occurrences do not ask again for the
    /// same clinic, doctor and windows (on PostgreSQL, a round trip each). A
    /// write in the same transaction that names one of those tables forgets
    /// what was kept, and so does an [`Tx::attempt`] undone; another process
    /// cannot write meanwhile (a write transaction holds the write lock, a
    /// read one sees one snapshot).
    pub fn memo<T: Clone + 'static>(
        &self,
        what: &'static str,
        args: &[Val],
        read: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        self.memo_on(what, MEMO_TABLES, args, read)
    }

    /// [`Tx::memo`] for an answer read from the tables `on` (none: only an
    /// attempt undone forgets it, as for the token counters, which only
    /// their own writer changes). A write naming one of them forgets it,
    /// unless the write says which answers it changes
    /// ([`Tx::later_changing`]).
    pub fn memo_on<T: Clone + 'static>(
        &self,
        what: &'static str,
        on: &'static [&'static str],
        args: &[Val],
        read: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let key = (what, args.to_vec());
        if let Some(kept) = self.memo.borrow().get(&key) {
            if let Some(v) = kept.value.downcast_ref::<T>() {
                return Ok(v.clone());
            }
        }
        let v = read()?;
        self.keep(what, on, args, v.clone());
        Ok(v)
    }

    /// Keeps `value` as the answer to `what` with `args`, read from `on`
    /// (a look-up made for many at once, e.g. an import's next lines).
    pub fn keep<T: 'static>(
        &self,
        what: &'static str,
        on: &'static [&'static str],
        args: &[Val],
        value: T,
    ) {
        self.memo.borrow_mut().insert(
            (what, args.to_vec()),
            Kept {
                on,
                value: std::rc::Rc::new(value),
            },
        );
    }

    /// Whether an answer to `what` with `args` is kept.
    pub fn is_kept(&self, what: &'static str, args: &[Val]) -> bool {
        self.memo.borrow().contains_key(&(what, args.to_vec()))
    }

    /// Changes, with `change`, the kept answers to `what` whose arguments
    /// start with `first` that `applies` picks: a write known to change them
    /// that way (a new appointment is one more busy time on its doctor's
    /// days) keeps them right rather than forgets them.
    pub fn amend_kept<T: Clone + 'static>(
        &self,
        what: &'static str,
        first: &[Val],
        applies: impl Fn(&T) -> bool,
        mut change: impl FnMut(&mut T),
    ) {
        let mut memo = self.memo.borrow_mut();
        let from = (what, first.to_vec());
        for ((w, args), kept) in memo.range_mut(from..) {
            if *w != what || !args.starts_with(first) {
                break;
            }
            if let Some(v) = kept.value.downcast_ref::<T>().filter(|v| applies(v)) {
                let mut v = v.clone();
                change(&mut v);
                kept.value = std::rc::Rc::new(v);
            }
        }
    }

    /// Asks for many keys at once and keeps each one's answer as
    /// [`Tx::memo_on`] would have read it: the row whose `key_of` is the key,
    /// or none. `sql(n)` asks for `n` keys (`?1` to `?n`), a few hundred a
    /// statement (an import's next lines: one round trip for them all).
    pub fn keep_many<T: Clone + 'static>(
        &self,
        what: &'static str,
        on: &'static [&'static str],
        keys: &[&str],
        sql: impl Fn(usize) -> String,
        from_row: impl Fn(&Row) -> Result<T>,
        key_of: impl Fn(&T) -> Option<&str>,
    ) -> Result<()> {
        self.keep_grouped(what, on, keys, sql, from_row, key_of, |rows: Vec<T>| {
            rows.into_iter().next()
        })
    }

    /// [`Tx::keep_many`] for a key that several rows may hold: each key's
    /// rows, in the order read, are kept as `answer` makes them.
    #[allow(clippy::too_many_arguments)]
    pub fn keep_grouped<T, K: 'static>(
        &self,
        what: &'static str,
        on: &'static [&'static str],
        keys: &[&str],
        sql: impl Fn(usize) -> String,
        from_row: impl Fn(&Row) -> Result<T>,
        key_of: impl Fn(&T) -> Option<&str>,
        answer: impl Fn(Vec<T>) -> K,
    ) -> Result<()> {
        let mut keys = keys.to_vec();
        keys.sort_unstable();
        keys.dedup();
        for chunk in keys.chunks(500) {
            let args: Vec<Val> = chunk.iter().map(|k| k.to_val()).collect();
            let mut found: std::collections::HashMap<String, Vec<T>> =
                std::collections::HashMap::new();
            for row in self.rows(&sql(chunk.len()), &args, &from_row)? {
                if let Some(k) = key_of(&row).map(str::to_string) {
                    found.entry(k).or_default().push(row);
                }
            }
            for k in chunk {
                let rows = found.remove(*k).unwrap_or_default();
                self.keep(what, on, crate::args![k], answer(rows));
            }
        }
        Ok(())
    }

    /// Forgets the kept answers read from a table `sql` names.
    fn forget(&self, sql: &str) {
        let mut memo = self.memo.borrow_mut();
        if memo.is_empty() {
            return;
        }
        let named: Vec<&str> = MEMO_TABLES
            .iter()
            .chain(ALSO_KEPT_FROM)
            .copied()
            .filter(|t| sql.contains(t))
            .collect();
        if !named.is_empty() {
            memo.retain(|_, k| !k.on.iter().any(|t| named.contains(t)));
        }
    }

    /// [`Tx::later`] for a write known to change only the kept answers
    /// `changes` names (a new patient changes who has their phone, and no
    /// one else): those are forgotten, the others stay.
    pub fn later_changing(
        &self,
        sql: &str,
        args: &[Val],
        changes: &[(&'static str, Vec<Val>)],
    ) -> Result<()> {
        {
            let mut memo = self.memo.borrow_mut();
            for key in changes {
                memo.remove(key);
            }
        }
        self.put_off(sql, args, None)
    }

    /// [`Tx::forget`] for a statement that may write (a `RETURNING`).
    fn forget_unless_read(&self, sql: &str) {
        if !sql.starts_with("SELECT") {
            self.forget(sql);
        }
    }

    /// Several statements with no parameters (a migration).
    pub fn script(&self, sql: &str) -> Result<()> {
        self.before_statement()?;
        self.forget(sql);
        match &self.inner {
            TxInner::Sqlite(t) => Ok(t.execute_batch(sql)?),
            TxInner::Postgres(t, _) => {
                self.sent.set(self.sent.get() + 1);
                Ok(t.borrow_mut().client.batch_execute(sql)?)
            }
        }
    }
}

/// Runs `f` in a `BEGIN IMMEDIATE` transaction: the write lock is taken before
/// the first read, so the rules checked inside it still hold at commit.
/// With `keep` false it is rolled back whatever `f` did (a dry run).
pub(super) fn write<T>(
    conn: &mut rusqlite::Connection,
    keep: bool,
    f: impl FnOnce(&Tx) -> Result<T>,
) -> Result<T> {
    let tx = Tx::sqlite(conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?);
    let out = f(&tx)?;
    if keep {
        tx.commit()?;
    }
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

/// The one advisory lock every PostgreSQL write transaction takes first:
/// writers are serialised as `BEGIN IMMEDIATE` serialises them on SQLite.
const WRITE_LOCK: i64 = 0x6170_7074_0001;

/// Runs `f` in a READ COMMITTED transaction that first takes the write lock
/// (waiting at most 10 s), so the rules checked inside it still hold at
/// commit. The opening, its lock timeout and the lock go with the first
/// statement, in its round trip, and run before it.
pub(super) fn pg_write<T>(
    client: &mut PgClient,
    cache: &Statements,
    keep: bool,
    f: impl FnOnce(&Tx) -> Result<T>,
) -> Result<T> {
    let opening = format!(
        "START TRANSACTION ISOLATION LEVEL READ COMMITTED; SET LOCAL lock_timeout = '10s'; \
         SELECT pg_advisory_xact_lock({WRITE_LOCK})"
    );
    let tx = Tx::postgres(Pg::begin(client, PgKind::Write, &opening), cache);
    let out = f(&tx)?;
    if keep {
        tx.commit()?;
    } else {
        // A rehearsal meets what the writes kept for later would meet.
        tx.flush()?;
    }
    Ok(out)
}

/// Runs `f` in a read-only REPEATABLE READ transaction: one snapshot (taken
/// by its first statement, which its opening goes with).
pub(super) fn pg_read<T>(
    client: &mut PgClient,
    cache: &Statements,
    f: impl FnOnce(&Tx) -> Result<T>,
) -> Result<T> {
    let opening = "START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";
    let tx = Tx::postgres(Pg::begin(client, PgKind::Read, opening), cache);
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// Runs `f`, which asks one question, on the session itself: no
/// transaction around it (a statement is atomic alone), so one round trip
/// rather than three (a server's token check on every request, the board's
/// poll).
pub(super) fn pg_glance<T>(
    client: &mut PgClient,
    cache: &Statements,
    f: impl FnOnce(&Tx) -> Result<T>,
) -> Result<T> {
    let tx = Tx::postgres(Pg::bare(client), cache);
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        use tokio_postgres::error::SqlState;
        let Some(db) = e.as_db_error() else {
            // The connection itself: down, refused, timed out. Never the URL.
            let why = super::pg_net::reason(&e);
            return Error::database(format!("PostgreSQL connection failed: {why}"))
                .hint("check that the server is running and --db (or APPT_DB) is right");
        };
        let code = db.code();
        if *code == SqlState::EXCLUSION_VIOLATION {
            // The database's own backstop against double booking (docs/operations.md#postgresql).
            return Error::new(
                Code::AppointmentConflict,
                "Doctor is not available at the requested time",
            );
        }
        if *code == SqlState::QUERY_CANCELED {
            return Error::database(format!(
                "the server gave up on a statement after {} s ({})",
                super::pg_net::STATEMENT.as_secs(),
                db.message()
            ))
            .hint("the server may be overloaded; try again in a moment");
        }
        if *code == SqlState::LOCK_NOT_AVAILABLE {
            return Error::database(
                "the database is locked by another session past the 10 s timeout",
            )
            .hint("another appt or another program is writing; try again in a moment");
        }
        if *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED
        {
            return Error::database(format!("database error: {}", db.message()))
                .hint("try again in a moment");
        }
        Error::database(format!("database error: {}", db.message()))
    }
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
                    Error::database(format!("database is locked by another process: {e}"))
                        .hint("another appt or another program is writing; try again in a moment")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Doctor;
    use crate::store::{appointments, doctors, Store};

    #[test]
    fn renumbered_parameters_follow_the_ones_before() {
        assert_eq!(
            renumber("INSERT INTO t VALUES (?1, '?2', ?12, ?1)", 3),
            "INSERT INTO t VALUES (?4, '?2', ?15, ?4)"
        );
        assert_eq!(renumber("SELECT 1", 7), "SELECT 1");
    }

    fn doctor(name: &str) -> Doctor {
        let now = chrono::Utc::now();
        Doctor {
            id: crate::store::new_id(),
            full_name: name.into(),
            specialty: None,
            slot_minutes: None,
            active: true,
            max_per_day: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn doctors_kept(tx: &Tx) -> Result<i64> {
        tx.memo("test::doctors", args![], || {
            tx.one("SELECT count(*) FROM doctors", args![])
        })
    }

    fn meta(tx: &Tx, key: &str) -> Result<Option<String>> {
        tx.row("SELECT value FROM meta WHERE key = ?1", args![key], |r| {
            r.get(0)
        })
    }

    /// What the transaction keeps and what it puts off, the same on either
    /// engine (SQLite runs a kept write at once, PostgreSQL later).
    fn kept_and_later(st: &mut Store) {
        st.write(|tx| {
            // A read kept is forgotten by a write to its table…
            assert_eq!(doctors_kept(tx)?, 0);
            doctors::insert(tx, &doctor("Dr. Uno"))?;
            assert_eq!(doctors_kept(tx)?, 1);
            // …and by an attempt undone, whatever it read meanwhile.
            let undone = tx.attempt(|tx| {
                doctors::insert(tx, &doctor("Dr. Dos"))?;
                assert_eq!(doctors_kept(tx)?, 2);
                Err::<(), _>(Error::field("x", "undone"))
            });
            assert!(undone.is_err());
            assert_eq!(doctors_kept(tx)?, 1);

            // Writes put off run before the next read, together.
            tx.later(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                args!["a", "1"],
            )?;
            tx.later(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                args!["b", "2"],
            )?;
            assert_eq!(meta(tx, "b")?.as_deref(), Some("2"));
            // Two of one statement keep their order (an event log's IDs).
            for kind in ["appointment.booked", "appointment.checked_in"] {
                tx.later(
                    "INSERT INTO events (type, appointment_id, created_at, data, actor) \
                     VALUES (?1, NULL, 0, '{}', 'test')",
                    args![kind],
                )?;
            }
            let kinds: Vec<String> =
                tx.rows("SELECT type FROM events ORDER BY id", args![], |r| r.get(0))?;
            assert_eq!(kinds, ["appointment.booked", "appointment.checked_in"]);
            // One that fails fails its own attempt, which is undone alone.
            tx.attempt(|tx| {
                tx.later(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                    args!["c", "3"],
                )
            })?;
            let clash = tx.attempt(|tx| {
                tx.later(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                    args!["d", "4"],
                )?;
                tx.later(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                    args!["a", "5"],
                )
            });
            assert!(clash.is_err(), "a key taken twice");
            assert_eq!(meta(tx, "a")?.as_deref(), Some("1"));
            assert_eq!(meta(tx, "c")?.as_deref(), Some("3"));
            assert_eq!(meta(tx, "d")?, None);

            // Tokens: counted on, two of one day with no read between them,
            // and one taken by an attempt undone is given again.
            let day = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
            assert_eq!(appointments::next_token(tx, "doc", day)?, 1);
            assert_eq!(appointments::next_token(tx, "doc", day)?, 2);
            let undone = tx.attempt(|tx| {
                assert_eq!(appointments::next_token(tx, "doc", day)?, 3);
                Err::<(), _>(Error::field("x", "undone"))
            });
            assert!(undone.is_err());
            assert_eq!(appointments::next_token(tx, "doc", day)?, 3);
            Ok(())
        })
        .unwrap();
        // Committed: another transaction goes on from the last one written.
        st.write(|tx| {
            let day = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
            assert_eq!(appointments::next_token(tx, "doc", day)?, 4);
            assert_eq!(meta(tx, "a")?.as_deref(), Some("1"));
            assert_eq!(doctors_kept(tx)?, 1);
            Ok(())
        })
        .unwrap();
    }

    fn put(tx: &Tx, key: &str, value: &str) -> Result<()> {
        tx.later(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)",
            args![key, value],
        )
    }

    fn undone(_: &Tx) -> Result<()> {
        Err(Error::field("x", "refused by a rule"))
    }

    /// Attempts inside [`Tx::together`], the same on either engine: each
    /// one's writes stay or go with it, and what the database refuses is
    /// found again attempt by attempt, as an import does.
    fn held_together(st: &mut Store) {
        let pg = st
            .write(|tx| Ok(tx.backend() == Backend::Postgres))
            .unwrap();
        st.write(|tx| {
            put(tx, "taken", "0")?;
            // Twenty attempts, one refused by a rule: their writes are one
            // statement on PostgreSQL, after the savepoint.
            let before = tx.statements_sent();
            let out = tx.together(|tx| {
                Ok((0..20)
                    .map(|i| {
                        tx.attempt(|tx| {
                            put(tx, &format!("k{i}"), "v")?;
                            put(tx, &format!("l{i}"), "w")?;
                            if i == 7 {
                                undone(tx)?;
                            }
                            Ok(())
                        })
                        .is_ok()
                    })
                    .collect::<Vec<_>>())
            })?;
            let oks = out.expect("nothing refused");
            assert_eq!(oks.iter().filter(|ok| !**ok).count(), 1);
            assert!(!oks[7]);
            if pg {
                // The savepoint (with the held "taken" before it) and one INSERT.
                assert_eq!(tx.statements_sent() - before, 3);
            }
            assert_eq!(meta(tx, "k6")?.as_deref(), Some("v"));
            assert_eq!(meta(tx, "l8")?.as_deref(), Some("w"));
            assert_eq!((meta(tx, "k7")?, meta(tx, "l7")?), (None, None));

            // One that must read sends the writes held before it, then its
            // own under a savepoint, which it rolls back to alone.
            let out = tx.together(|tx| {
                tx.attempt(|tx| put(tx, "e", "1"))?;
                let f = tx.attempt(|tx| {
                    put(tx, "f", "1")?;
                    assert_eq!(meta(tx, "e")?.as_deref(), Some("1"));
                    assert_eq!(meta(tx, "f")?.as_deref(), Some("1"));
                    undone(tx)
                });
                assert!(f.is_err());
                tx.attempt(|tx| put(tx, "g", "1"))
            })?;
            assert!(out.is_some());
            assert_eq!(meta(tx, "e")?.as_deref(), Some("1"));
            assert_eq!(meta(tx, "f")?, None);
            assert_eq!(meta(tx, "g")?.as_deref(), Some("1"));

            // The database refuses a held write: the whole of it is undone
            // and run again attempt by attempt, where only that one fails.
            let lines = |tx: &Tx| -> Result<Vec<bool>> {
                Ok(["h", "taken", "i"]
                    .iter()
                    .map(|k| tx.attempt(|tx| put(tx, k, "2")).is_ok())
                    .collect())
            };
            assert!(tx.together(lines)?.is_none(), "met only once sent");
            assert_eq!(meta(tx, "h")?, None, "undone with the rest");
            let oks = lines(tx)?;
            assert_eq!(oks, [true, false, true]);
            // A read in an attempt sends the writes held before it; when
            // they are refused, the whole is undone too.
            let read_after_clash = |tx: &Tx| -> Result<()> {
                let _ = tx.attempt(|tx| put(tx, "taken", "3"));
                tx.attempt(|tx| meta(tx, "j").map(drop))
            };
            assert!(tx.together(read_after_clash)?.is_none());
            assert_eq!(meta(tx, "taken")?.as_deref(), Some("0"));
            Ok(())
        })
        .unwrap();
        st.write(|tx| {
            for (k, v) in [
                ("h", Some("2")),
                ("i", Some("2")),
                ("taken", Some("0")),
                ("k7", None),
            ] {
                assert_eq!(meta(tx, k)?.as_deref(), v, "{k}");
            }
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn attempts_held_together_stay_or_go_each_with_its_own_writes() {
        held_together(&mut Store::in_memory().unwrap());
    }

    #[test]
    #[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
    fn attempts_held_together_stay_or_go_each_with_its_own_writes_on_postgres() {
        crate::store::on_scratch_pg(held_together);
    }

    #[test]
    fn a_transaction_forgets_what_it_kept_and_runs_what_it_put_off_in_time() {
        kept_and_later(&mut Store::in_memory().unwrap());
    }

    #[test]
    #[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
    fn a_transaction_forgets_what_it_kept_and_runs_what_it_put_off_in_time_on_postgres() {
        crate::store::on_scratch_pg(kept_and_later);
    }

    /// A transaction's opening goes with its first statement, and a read's
    /// `COMMIT` is not waited for: a read of two statements waits on the
    /// server twice, a write of one statement twice (it, and its `COMMIT`),
    /// and what ran inside them ran in the transaction they opened (a read's
    /// snapshot, a write's lock taken before its first statement). A
    /// transaction that sends nothing costs nothing.
    #[test]
    #[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
    fn a_transactions_opening_goes_with_its_first_statement_on_postgres() {
        crate::store::on_scratch_pg(|st| {
            // Each statement is prepared at its first use (a round trip of
            // its own): what is counted is a second use.
            let read = |st: &mut Store| {
                st.read(|tx| {
                    Ok((
                        tx.one::<String>("SELECT current_setting('transaction_isolation')", &[])?,
                        tx.one::<String>("SELECT current_setting('transaction_read_only')", &[])?,
                        // One transaction: its start, the same for both.
                        tx.one::<String>("SELECT now()::text", &[])?,
                        {
                            std::thread::sleep(std::time::Duration::from_millis(20));
                            tx.one::<String>("SELECT now()::text", &[])?
                        },
                    ))
                })
                .unwrap()
            };
            read(st);
            let before = st.pg_waits();
            let (isolation, read_only, started, still) = read(st);
            assert_eq!(
                (isolation.as_str(), read_only.as_str()),
                ("repeatable read", "on")
            );
            assert_eq!(started, still, "both statements in one transaction");
            assert_eq!(
                st.pg_waits() - before,
                4,
                "four statements, four round trips"
            );

            let write = |st: &mut Store| {
                st.write(|tx| {
                    tx.one::<i64>(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
                         AND pid = pg_backend_pid() AND granted",
                        &[],
                    )
                })
                .unwrap()
            };
            write(st);
            let before = st.pg_waits();
            assert_eq!(
                write(st),
                1,
                "the write lock is held before the first statement"
            );
            assert_eq!(st.pg_waits() - before, 2, "the statement and the COMMIT");

            // A read that asks nothing, and a write that writes nothing.
            let before = st.pg_waits();
            st.read(|_| Ok(())).unwrap();
            st.write(|_| Ok(())).unwrap();
            assert_eq!(st.pg_waits(), before);

            // After a read left uncommitted by an error, and a rehearsal, the
            // connection is out of any transaction: their ROLLBACKs went first.
            let _ = st.read(|tx| {
                tx.one::<i64>("SELECT 1", &[])?;
                Err::<(), _>(Error::internal("stop"))
            });
            st.rehearse(|tx| tx.one::<i64>("SELECT 1", &[])).unwrap();
            let outside = st
                .glance(|tx| {
                    tx.one::<String>("SELECT current_setting('transaction_isolation')", &[])
                })
                .unwrap();
            let default = st
                .glance(|tx| tx.one::<String>("SHOW default_transaction_isolation", &[]))
                .unwrap();
            assert_eq!(outside, default);
            let open = st
                .glance(|tx| {
                    tx.one::<i64>(
                        "SELECT count(*) FROM pg_stat_activity WHERE pid = pg_backend_pid() \
                         AND backend_xid IS NOT NULL",
                        &[],
                    )
                })
                .unwrap();
            assert_eq!(open, 0);
        });
    }
}
