//! Writes a transaction holds and sends together ([`Tx::later_changing`],
//! [`Tx::insert_later`]): on PostgreSQL a booking's token, patient,
//! appointment, reminders, event and message go in one round trip rather
//! than six. Rows inserted into the same table and columns ([`Insert`]) are
//! one `INSERT` of all their rows; the other writes are the data-modifying
//! parts of one `WITH`.

use super::tables::{check, On, Table};
use super::tx::{Backend, Tx};
use super::values::Val;
use crate::error::{Error, Result};
use crate::store::asked::{Asked, Key};
use crate::store::columns::count;

/// An `INSERT` of rows into a table's columns (each entry of `columns` a
/// comma-separated list, in the order the values are bound), and what it
/// does on a conflict. The statement is made from it; writes of the same
/// `Insert` held together are one statement of all their rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insert {
    pub into: Table,
    pub columns: &'static [&'static str],
    /// `ON CONFLICT …`, or "".
    pub upsert: &'static str,
}

impl Insert {
    /// How many values a row binds.
    pub fn width(&self) -> usize {
        self.columns.iter().map(|c| count(c)).sum()
    }

    /// The statement inserting `rows` rows.
    pub fn sql(&self, rows: usize) -> String {
        let width = self.width();
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ",
            self.into.name(),
            self.columns.join(", ")
        );
        for r in 0..rows {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            sql.push_str(&super::marks(r * width + 1, width));
            sql.push(')');
        }
        if !self.upsert.is_empty() {
            sql.push(' ');
            sql.push_str(self.upsert);
        }
        sql
    }

    /// What it declares it writes.
    pub fn on(&self) -> On {
        On::writes(self.into.alone())
    }

    /// How many rows `args` holds: a whole number of rows, or a bug.
    fn rows(&self, args: &[Val]) -> Result<usize> {
        let width = self.width();
        if width == 0 || !args.len().is_multiple_of(width) || args.is_empty() {
            return Err(Error::internal(crate::text::msg!(
                "e-values_for_rows_of",
                arg1 = args.len(),
                width = width,
                arg2 = self.into.name()
            )));
        }
        Ok(args.len() / width)
    }
}

/// A write held: an insert's rows, or another statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Write {
    Insert(Insert, usize),
    Other(String),
}

impl Write {
    fn text(&self) -> String {
        match self {
            Write::Insert(i, rows) => i.sql(*rows),
            Write::Other(sql) => sql.clone(),
        }
    }
}

/// A write [`Tx::insert_later`] holds.
pub(in crate::store) struct Held {
    write: Write,
    args: Vec<Val>,
    /// [`Tx::insert_later_keyed`]'s key: only the last of a key is sent.
    key: Option<Key>,
}

/// The most parameters one statement of held writes takes (PostgreSQL's
/// limit is 65,535).
const MAX_PARAMS: usize = 30_000;

impl Tx<'_> {
    /// Inserts `args`' rows now.
    pub fn insert(&self, ins: &Insert, args: &[Val]) -> Result<usize> {
        let rows = ins.rows(args)?;
        self.exec(ins.on(), &ins.sql(rows), args)
    }

    /// Inserts `args`' rows, run now on SQLite (but held inside
    /// [`Tx::together`]) and on PostgreSQL held until the next statement,
    /// the end of an [`Tx::attempt`] or the commit, and run then with the
    /// others held meanwhile. Held writes see none of each other's changes
    /// (a statement sees one snapshot), so none may depend on another's; the
    /// constraints are checked as for separate statements, when it runs.
    pub fn insert_later(&self, ins: &Insert, args: &[Val]) -> Result<()> {
        self.wrote(ins.on());
        self.put_off(Write::Insert(*ins, ins.rows(args)?), args, None)
    }

    /// [`Tx::insert_later`] for rows known to change only the kept answers
    /// `changes` names (a new patient changes who has their phone, and no
    /// one else): those are forgotten, the others stay.
    pub fn insert_later_changing(
        &self,
        ins: &Insert,
        args: &[Val],
        changes: &[Asked],
    ) -> Result<()> {
        self.changed(changes);
        self.put_off(Write::Insert(*ins, ins.rows(args)?), args, None)
    }

    /// [`Tx::insert_later`] for an upsert that makes any held before it for
    /// the same `key` needless (a counter's new value, whose kept answer its
    /// writer keeps right): only the last is sent, and nothing is forgotten.
    pub fn insert_later_keyed(&self, ins: &Insert, key: Asked, args: &[Val]) -> Result<()> {
        self.put_off(Write::Insert(*ins, ins.rows(args)?), args, Some(key.key()))
    }

    /// A write whose answer nobody needs (an `UPDATE` of one row), held as
    /// [`Tx::insert_later`] holds rows, known to change only the kept
    /// answers `changes` names.
    pub fn later_changing(&self, on: On, sql: &str, args: &[Val], changes: &[Asked]) -> Result<()> {
        check(on, sql);
        self.changing(on.writes);
        self.changed(changes);
        self.put_off(Write::Other(sql.to_string()), args, None)
    }

    fn put_off(&self, write: Write, args: &[Val], key: Option<Key>) -> Result<()> {
        self.changing(match &write {
            Write::Insert(ins, _) => ins.on().writes,
            Write::Other(_) => &[],
        });
        if self.backend() == Backend::Sqlite && !self.held.get() {
            return self.run(&write.text(), args).map(drop);
        }
        self.pending.borrow_mut().push(Held {
            write,
            args: args.to_vec(),
            key,
        });
        Ok(())
    }

    /// What must happen before a statement is sent: an attempt holding its
    /// writes ([`Tx::together`]) first sends those held before it and opens
    /// its savepoint, then the held writes go.
    pub(super) fn before_statement(&self) -> Result<()> {
        if let Some(mark) = self.unsent.take() {
            let own = self.pending.borrow_mut().split_off(mark);
            if let Err(e) = self.flush() {
                self.broken.set(true);
                return Err(e);
            }
            self.savepoints(self.opening("attempt"))?;
            *self.pending.borrow_mut() = own;
        }
        self.flush()
    }

    /// Runs what was held, in as few statements as it can: rows of the
    /// same [`Insert`] are one `INSERT` of all their rows (in the order they
    /// were held, so events keep the order of their IDs), the others the
    /// data-modifying parts of one `WITH`. Those parts run in no set order
    /// and see none of each other's rows, so any other statement held twice
    /// starts another (an upsert never meets its own row twice).
    pub(super) fn flush(&self) -> Result<()> {
        let mut pending = std::mem::take(&mut *self.pending.borrow_mut());
        if pending.is_empty() {
            return Ok(());
        }
        // A keyed write held again later is needless.
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
                self.run(&w.write.text(), &w.args)?;
            }
            return Ok(());
        }
        let mut parts: Vec<Part> = Vec::new();
        let mut params = 0;
        for w in &pending {
            let fits = params + w.args.len() <= MAX_PARAMS;
            if fits {
                if let Some(p) = parts.iter_mut().find(|p| p.joins(w)) {
                    p.add_rows(w);
                    params += w.args.len();
                    continue;
                }
            }
            if !fits || parts.iter().any(|p| p.write == w.write) {
                self.run_together(&parts)?;
                parts.clear();
                params = 0;
            }
            parts.push(Part {
                write: w.write.clone(),
                args: w.args.clone(),
                joinable: w.key.is_some(),
                writes: 1,
            });
            params += w.args.len();
        }
        self.run_together(&parts)
    }

    /// Held writes as one statement.
    fn run_together(&self, parts: &[Part]) -> Result<()> {
        let Some((last, rest)) = parts.split_last() else {
            return Ok(());
        };
        let merged = parts.iter().any(|p| p.writes > 1);
        if rest.is_empty() {
            let text = last.write.text();
            return match merged {
                true => self.run_once(&text, &last.args),
                false => self.run(&text, &last.args),
            }
            .map(drop);
        }
        let mut sql = String::from("WITH ");
        let mut args = Vec::new();
        for (i, p) in rest.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "w{i} AS ({})",
                renumber(&p.write.text(), args.len())
            ));
            args.extend_from_slice(&p.args);
        }
        sql.push(' ');
        sql.push_str(&renumber(&last.write.text(), args.len()));
        args.extend_from_slice(&last.args);
        match merged {
            true => self.run_once(&sql, &args),
            false => self.run(&sql, &args),
        }
        .map(drop)
    }
}

/// One part of the statement [`Tx::flush`] sends: a held write, or the
/// rows of several of one [`Insert`].
struct Part {
    write: Write,
    args: Vec<Val>,
    /// Held with a key: an upsert whose rows may join (no two of them meet
    /// one row).
    joinable: bool,
    writes: usize,
}

impl Part {
    /// Whether `w`'s rows join this part's: the same insert, and not an
    /// upsert unless both are keyed.
    fn joins(&self, w: &Held) -> bool {
        match (&self.write, &w.write) {
            (Write::Insert(mine, _), Write::Insert(theirs, _)) => {
                mine == theirs && (mine.upsert.is_empty() || (self.joinable && w.key.is_some()))
            }
            _ => false,
        }
    }

    fn add_rows(&mut self, w: &Held) {
        if let (Write::Insert(_, rows), Write::Insert(_, more)) = (&mut self.write, &w.write) {
            *rows += more;
        }
        self.args.extend_from_slice(&w.args);
        self.writes += 1;
    }
}

/// `sql` with its `?N` parameters (outside string literals) numbered from
/// `after + 1`, to follow another statement's in one `WITH`.
pub(super) fn renumber(sql: &str, after: usize) -> String {
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
