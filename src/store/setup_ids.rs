//! Schema 62: every clinic's, doctor's, service's and window's ID kept as
//! its 16 bytes (a BLOB on SQLite, a `uuid` on PostgreSQL), in their own
//! rows and in every column that names one (docs/performance.md#footprint).
//! A BLOB or a `uuid` is never equal to text, so the twenty tables change
//! together, as schemas 59 and 61 did theirs: each is copied, a batch per
//! transaction, into a table of the new shape that refers to the copies,
//! each batch going on from its copy's last key; at the end the copies take
//! the tables' places ([`super::visit_ids::rebuilt`]).
//!
//! Schemas 59 to 61 wrote each copy's shape by hand. This step makes it
//! from the table as the database describes it, so a column added to any of
//! the twenty later needs nothing here: on SQLite, the table's own
//! `CREATE TABLE` with the listed columns' type made BLOB; on PostgreSQL, a
//! table `LIKE` it whose listed columns become `uuid` while it is empty,
//! then its key, unique constraints and references.

use super::db::{Backend, On, Tx};
use super::visit_ids::{bytes, copy_batch, rebuilt};
use crate::args;
use crate::error::{Error, Result};

/// Rows copied per transaction (in debug builds, `APPT_TEST_BATCH`).
const BATCH: i64 = 20_000;

/// Each table that keeps such an ID and its columns that keep one, each
/// after the tables it refers to: a copy refers to theirs (the staff
/// before the API tokens, the calendars before their busy times, the
/// appointments before the inbox and the access log). Two columns
/// name one with no reference to it: a calendar's busy times name its
/// doctor, and a booking page's codes the clinic.
const TABLES: &[(&str, &[&str])] = &[
    ("clinics", &["id"]),
    ("doctors", &["id"]),
    ("services", &["id"]),
    ("windows", &["id", "clinic_id", "doctor_id"]),
    ("window_services", &["window_id", "service_id"]),
    ("closures", &["clinic_id", "doctor_id"]),
    ("staff", &["doctor_id", "clinic_id"]),
    ("api_tokens", &["clinic_id"]),
    ("channels", &["clinic_id"]),
    ("holds", &["clinic_id", "doctor_id", "service_id"]),
    ("feeds", &["clinic_id", "doctor_id"]),
    ("resources", &["clinic_id"]),
    ("service_needs", &["service_id"]),
    ("calendars", &["doctor_id"]),
    ("calendar_busy", &["doctor_id"]),
    (
        "appointments",
        &["clinic_id", "doctor_id", "window_id", "service_id"],
    ),
    ("waitlist", &["clinic_id", "doctor_id", "service_id"]),
    ("inbox", &["clinic_id"]),
    ("access_log", &["clinic_id"]),
    ("web_codes", &["clinic_id"]),
];

/// The copy of `table`, until it takes the table's name.
fn copy(table: &str) -> String {
    format!("{table}_62")
}

/// Copies the next batch of every table in turn, in [`TABLES`]' order;
/// true once all are copied and the copies have taken the tables' places.
pub fn setup_ids(tx: &Tx) -> Result<bool> {
    let backend = tx.backend();
    let batch = super::batch_size(BATCH);
    for &(table, ids) in TABLES {
        let to = copy(table);
        if !super::rewrite::exists(tx, &to)? {
            for sql in shaped(tx, table, ids)? {
                tx.script(&sql)?;
            }
        }
        let (cols, key) = columns(tx, table)?;
        let key: Vec<&str> = key.iter().map(String::as_str).collect();
        let convert = |c: &str| ids.contains(&c).then(|| bytes(backend, c));
        if copy_batch(tx, (table, &to), &cols.join(", "), &key, &convert, batch)? == batch {
            return Ok(false);
        }
    }
    let names: Vec<&str> = TABLES.iter().map(|&(t, _)| t).collect();
    rebuilt(tx, &names, &copy, &str::to_string)?;
    Ok(true)
}

/// `table`'s columns in their order, and its key's in the key's.
fn columns(tx: &Tx, table: &str) -> Result<(Vec<String>, Vec<String>)> {
    let (cols, key) = match tx.backend() {
        Backend::Sqlite => (
            "SELECT name FROM pragma_table_info(?1) ORDER BY cid",
            "SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk",
        ),
        Backend::Postgres => (
            "SELECT attname::text FROM pg_attribute WHERE attrelid = to_regclass(?1) \
             AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            "SELECT a.attname::text FROM pg_index i \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) \
             WHERE i.indrelid = to_regclass(?1) AND i.indisprimary \
             ORDER BY array_position(i.indkey::int2[], a.attnum)",
        ),
    };
    let names = |sql| tx.rows(On::NOTHING, sql, args![table], |r| r.get(0));
    Ok((names(cols)?, names(key)?))
}

/// The statements that make `table`'s copy: its shape with each of `ids`
/// kept as 16 bytes and its references to the tables of [`TABLES`] made to
/// their copies; its indexes come with its place ([`rebuilt`]).
fn shaped(tx: &Tx, table: &str, ids: &[&str]) -> Result<Vec<String>> {
    let to = copy(table);
    match tx.backend() {
        Backend::Sqlite => {
            let sql: String = tx.one(
                On::NOTHING,
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
                args![table],
            )?;
            Ok(vec![sqlite_shape(&sql, &to, ids).ok_or_else(|| {
                Error::internal(crate::text::msg!("e-shape_unread", table = table))
            })?])
        }
        Backend::Postgres => {
            let mut made = vec![format!(
                "CREATE TABLE {to} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            )];
            let retyped: Vec<String> = ids
                .iter()
                .map(|c| format!("ALTER COLUMN {c} TYPE uuid USING CAST({c} AS uuid)"))
                .collect();
            made.push(format!("ALTER TABLE {to} {}", retyped.join(", ")));
            // The key first, the references last: they need the copies'
            // keys.
            let constraints: Vec<(String, String)> = tx.rows(
                On::NOTHING,
                "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE conrelid = to_regclass(?1) AND contype IN ('p', 'u', 'f') \
                 ORDER BY contype = 'f', contype <> 'p', conname",
                args![table],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            for (name, def) in constraints {
                let rest = name.strip_prefix(&format!("{table}_")).unwrap_or(&name);
                made.push(format!(
                    "ALTER TABLE {to} ADD CONSTRAINT {to}_{rest} {}",
                    to_copies(&def)
                ));
            }
            Ok(made)
        }
    }
}

/// `def` with each reference to a table of [`TABLES`] made to its copy.
fn to_copies(def: &str) -> String {
    let mut def = def.to_string();
    for &(t, _) in TABLES {
        for written in [format!("{t}("), format!("{t} ("), format!("\"{t}\"(")] {
            for word in ["REFERENCES", "references"] {
                def = def.replace(
                    &format!("{word} {written}"),
                    &format!("REFERENCES {}(", copy(t)),
                );
            }
        }
    }
    def
}

/// SQLite's `CREATE TABLE` text `sql` as the table `to`, each of `ids` a
/// BLOB where it was TEXT and each reference to a table of [`TABLES`]
/// made to its copy; None if it is not read as such, or a column of `ids` is not
/// in it as TEXT.
fn sqlite_shape(sql: &str, to: &str, ids: &[&str]) -> Option<String> {
    let open = sql.find('(')?;
    if !sql[..open]
        .trim_start()
        .to_ascii_uppercase()
        .starts_with("CREATE TABLE")
    {
        return None;
    }
    let close = open + closing(&sql[open..])?;
    let mut found = 0;
    let parts: Vec<String> = split_top(&sql[open + 1..close])
        .into_iter()
        .map(|part| {
            let lead = lead(part);
            let body = &part[lead..];
            let (name, rest) = body.split_at(body.find(char::is_whitespace)?);
            if !ids.contains(&name.trim_matches('"')) {
                return Some(to_copies(part));
            }
            let spaces = rest.len() - rest.trim_start().len();
            let (kind, after) = rest[spaces..]
                .split_once(|c: char| !c.is_ascii_alphabetic())
                .map_or((&rest[spaces..], ""), |(k, _)| {
                    (k, &rest[spaces + k.len()..])
                });
            if !kind.eq_ignore_ascii_case("TEXT") {
                return None;
            }
            found += 1;
            Some(format!(
                "{}{name}{}BLOB{}",
                &part[..lead],
                &rest[..spaces],
                to_copies(after)
            ))
        })
        .collect::<Option<_>>()?;
    (found == ids.len()).then(|| {
        format!(
            "CREATE TABLE {to} ({}){}",
            parts.join(","),
            &sql[close + 1..]
        )
    })
}

/// The parentheses and commas of `s` outside quotes and comments, each
/// with its place and how many parentheses are open before it.
fn marks(s: &str) -> Vec<(usize, char, i32)> {
    let (mut found, mut depth) = (Vec::new(), 0);
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' | '"' => {
                chars.find(|&(_, q)| q == c);
            }
            '-' if chars.peek().map(|&(_, n)| n) == Some('-') => {
                chars.find(|&(_, n)| n == '\n');
            }
            '/' if chars.peek().map(|&(_, n)| n) == Some('*') => {
                chars.next();
                let mut last = ' ';
                chars.find(|&(_, n)| std::mem::replace(&mut last, n) == '*' && n == '/');
            }
            '(' | ')' | ',' => {
                depth -= i32::from(c == ')');
                found.push((i, c, depth));
                depth += i32::from(c == '(');
            }
            _ => {}
        }
    }
    found
}

/// Where the parenthesis that opens `s` closes.
fn closing(s: &str) -> Option<usize> {
    marks(s)
        .into_iter()
        .find(|&(_, c, depth)| c == ')' && depth == 0)
        .map(|(i, _, _)| i)
}

/// `body` split at its commas outside parentheses, quotes and comments.
fn split_top(body: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut from = 0;
    for (i, _, _) in marks(body)
        .into_iter()
        .filter(|&(_, c, depth)| c == ',' && depth == 0)
    {
        parts.push(&body[from..i]);
        from = i + 1;
    }
    parts.push(&body[from..]);
    parts
}

/// How long the blanks and comments that start `part` are.
fn lead(part: &str) -> usize {
    let mut rest = part;
    loop {
        let trimmed = rest.trim_start();
        rest = if let Some(comment) = trimmed.strip_prefix("--") {
            comment.find('\n').map_or("", |n| &comment[n..])
        } else if let Some(comment) = trimmed.strip_prefix("/*") {
            comment.find("*/").map_or("", |n| &comment[n + 2..])
        } else {
            return part.len() - trimmed.len();
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tables_own_text_keeps_its_ids_as_blobs_and_refers_to_the_copies() {
        let sql = "CREATE TABLE \"staff\" (\n    id TEXT PRIMARY KEY NOT NULL, -- a, (b\n    \
                   note TEXT CHECK (note IN ('a,b', 'c)')), /* d) */ -- e\n    \
                   doctor_id  TEXT REFERENCES doctors(id),\n    \
                   clinic_id  TEXT REFERENCES \"clinics\"(id) ON DELETE CASCADE\n\
                   , window_id TEXT) STRICT, WITHOUT ROWID";
        let made =
            sqlite_shape(sql, "staff_62", &["doctor_id", "clinic_id", "window_id"]).expect("read");
        assert_eq!(
            made,
            "CREATE TABLE staff_62 (\n    id TEXT PRIMARY KEY NOT NULL, -- a, (b\n    \
             note TEXT CHECK (note IN ('a,b', 'c)')), /* d) */ -- e\n    \
             doctor_id  BLOB REFERENCES doctors_62(id),\n    \
             clinic_id  BLOB REFERENCES clinics_62(id) ON DELETE CASCADE\n\
             , window_id BLOB) STRICT, WITHOUT ROWID"
        );
        // A column listed but not there, or not text, is refused.
        assert_eq!(sqlite_shape(sql, "x", &["service_id"]), None);
        assert_eq!(
            sqlite_shape("CREATE TABLE t (n INTEGER)", "x", &["n"]),
            None
        );
    }
}
