//! Finding a row by what a user types: an ID, a unique ID prefix of at least
//! 4 characters, or (for clinics, doctors and services) a name.

use super::asked::Asked;
use super::db::{On, Table, ToVal, Val};
use super::db::{Row, Tx};
use crate::args;
use crate::error::{Code, Entity, Error, Result};
use serde_json::json;

/// The name-matching key: case and accents ignored (`core::text::fold`).
pub fn name_key(name: &str) -> String {
    crate::core::text::fold(name)
}

/// Tables with a `name_key`, and the column it is made from.
const NAMED: [(Table, &str); 4] = [
    (Table::Clinics, "name"),
    (Table::Doctors, "full_name"),
    (Table::Services, "name"),
    (Table::Patients, "full_name"),
];

/// Schema step 19: brings every stored `name_key` up to [`name_key`] as
/// this appt computes it (appt before schema v4 folded case only, not
/// accents). Before it was a step, appt did this on opening a database that
/// had no `meta` row `name_fold`, and wrote the row: a database with the row
/// was brought up to date then, and is left as it is. The row goes either
/// way: the schema version says it now.
pub fn refold(tx: &Tx) -> Result<()> {
    if super::meta::value(tx, "name_fold")?.as_deref() != Some("1") {
        for (table, column) in NAMED {
            refold_table(tx, table, column)?;
        }
    }
    super::meta::forget(tx, "name_fold")
}

fn refold_table(tx: &Tx, table: Table, column: &str) -> Result<()> {
    let rows: Vec<(String, String, String)> = tx.rows(
        On::reads(table.alone()),
        &format!("SELECT id, {column}, name_key FROM {}", table.name()),
        args![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    for (id, name, key) in rows {
        let folded = name_key(&name);
        if folded != key {
            // Two names that differ only in accents keep their old keys
            // rather than break a uniqueness rule.
            let _ = tx.attempt(|tx| {
                tx.exec(
                    On::writes(table.alone()),
                    &format!("UPDATE {} SET name_key = ?2 WHERE id = ?1", table.name()),
                    args![id, folded],
                )
            });
        }
    }
    Ok(())
}

/// A candidate's label as shown: its text, or the date of a day number (an
/// appointment's local date, the one label kept as a number).
fn shown_label(v: Val) -> String {
    match v {
        Val::Int(n) => super::db::date_of_day(n).map_or_else(|| n.to_string(), |d| d.to_string()),
        Val::Text(t) => t,
        // A window's clinic, its label, kept as its 16 bytes (schema 62).
        Val::Id(b) => super::db::shown_id(b),
        other => format!("{other:?}"),
    }
}

/// What a reference may match in one table.
pub struct Lookup<'a> {
    pub table: Table,
    /// Every table its statements read, its own too, when its filter reads
    /// others; empty when it reads its own alone.
    pub also: &'static [Table],
    /// The kind of record it finds.
    pub what: Entity,
    /// Whether the entity is also found by name (its `name_key` column).
    pub by_name: bool,
    /// Extra SQL condition, e.g. `removed_at IS NULL`. It binds nothing: an
    /// ID written into it for a column kept as 16 bytes must be written as
    /// such (`patients::known_at`), never as a text literal.
    pub filter: &'a str,
    /// The column (or expression) shown beside candidate IDs.
    pub label: &'a str,
    /// Whether a name that matches nothing names the closest ones (small tables).
    pub suggest: bool,
}

impl Lookup<'_> {
    /// What its statements read.
    fn on(&self) -> On {
        if self.also.is_empty() {
            On::reads(self.table.alone())
        } else {
            On::reads(self.also)
        }
    }

    fn filter(&self) -> String {
        if self.filter.is_empty() {
            String::new()
        } else {
            format!(" AND {}", self.filter)
        }
    }
}

/// Refuses `name` when another row of the lookup's table already has it,
/// case-insensitively. `except` is bound as the table keeps its IDs; one
/// that is no ID (bound as NULL there) excludes no row, as before.
pub fn ensure_unique_name(tx: &Tx, l: &Lookup, name: &str, except: &str) -> Result<()> {
    let except = if l.table.ids_as_bytes() {
        super::db::id(except)
    } else {
        except.to_val()
    };
    let taken: Option<i64> = tx.row(
        l.on(),
        &format!(
            "SELECT 1 FROM {} WHERE name_key = ?1 AND (id <> ?2 OR ?2 IS NULL){} LIMIT 1",
            l.table.name(),
            l.filter()
        ),
        args![name_key(name), except],
        |r| r.get(0),
    )?;
    if taken.is_some() {
        return Err(Error::field(
            "name",
            crate::text::msg!("e-a_named_already_exists", a = l.what.code(), name = name),
        ));
    }
    Ok(())
}

/// The row `sql` selects for `id`, or `NOT_FOUND` naming `what`. `id` is
/// bound as its table keeps IDs: `db::id` where [`Table::ids_as_bytes`],
/// else as text.
pub fn by_id<T>(
    tx: &Tx,
    on: On,
    sql: &str,
    id: Val,
    what: Entity,
    from_row: impl FnOnce(&Row) -> Result<T>,
) -> Result<T> {
    tx.row(on, sql, &[id], from_row)?
        .ok_or_else(|| Error::not_found(what))
}

/// The rows whose name `input` finds the way people say names
/// (`core::text::matches`): the exact ones if any, else the partial ones.
/// Each typed word must start a word of the stored key, which the query
/// asks first; the words' order and the titles are checked here.
pub(super) fn by_words(tx: &Tx, l: &Lookup, input: &str) -> Result<Vec<(String, String)>> {
    use crate::core::text::{matches, words, Match};
    let typed = words(input);
    if typed.is_empty() {
        return Ok(Vec::new());
    }
    let column = NAMED
        .iter()
        .find(|(t, _)| *t == l.table)
        .map_or(l.label, |(_, c)| *c);
    let conds: Vec<String> = (1..=typed.len())
        .map(|i| format!("(' ' || name_key) LIKE ?{i}"))
        .collect();
    let args: Vec<super::db::Val> = typed
        .iter()
        .map(|w| super::db::ToVal::to_val(&format!("% {w}%")))
        .collect();
    let rows: Vec<(String, String, String)> = tx.rows(
        l.on(),
        &format!(
            "SELECT id, {}, {column} FROM {} WHERE {}{} ORDER BY name_key LIMIT 500",
            l.label,
            l.table.name(),
            conds.join(" AND "),
            l.filter()
        ),
        &args,
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut best = Match::Partial;
    let mut found = Vec::new();
    for (id, label, name) in rows {
        let m = matches(input, &name);
        if m > best {
            best = m;
            found.clear();
        }
        if m == best {
            found.push((id, label));
        }
    }
    found.truncate(10);
    Ok(found)
}

/// Whether `input` is spelt as an ID can be: lowercase hex digits and dashes.
pub(super) fn could_be_id(input: &str) -> bool {
    !input.is_empty()
        && input
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || b == b'-')
}

/// The ID `prefix` begins, filled out with `fill` in the form IDs are
/// shown (lowercase hex in five groups); none when no ID begins so.
fn id_filled(prefix: &str, fill: char) -> Option<String> {
    const SHAPE: &str = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    if prefix.len() > SHAPE.len() {
        return None;
    }
    let mut out = String::with_capacity(SHAPE.len());
    for (i, s) in SHAPE.chars().enumerate() {
        match (prefix.as_bytes().get(i).map(|b| *b as char), s) {
            (Some('-'), '-') | (None, '-') => out.push('-'),
            (Some(c), 'x') if c.is_ascii_hexdigit() => out.push(c),
            (None, _) => out.push(fill),
            _ => return None,
        }
    }
    Some(out)
}

/// The row `input` names ([`resolve`]), read by `get`: a whole ID is read
/// at once, one question rather than two (programs name things by ID).
pub fn find<T>(
    tx: &Tx,
    l: &Lookup,
    input: &str,
    get: impl Fn(&Tx, &str) -> Result<T>,
) -> Result<T> {
    let id = input.trim();
    if could_be_id(id) {
        match get(tx, id) {
            Err(e) if e.code == crate::error::Code::NotFound => {}
            found => return found,
        }
    }
    get(tx, &resolve(tx, l, input)?)
}

/// Resolves an ID, a unique ID prefix of at least 4 characters, or a name
/// as people say it (docs/commands.md#references); a table a booking only
/// reads answers once per transaction for the same input ([`Tx::memo`]).
pub fn resolve(tx: &Tx, l: &Lookup, input: &str) -> Result<String> {
    if KEPT.contains(&l.table) && l.also.is_empty() {
        let table = l.table;
        tx.memo(Asked::Resolve { table, input }, || {
            resolve_now(tx, l, input)
        })
    } else {
        resolve_now(tx, l, input)
    }
}

/// The tables whose look-ups a transaction keeps: those a booking only reads.
const KEPT: [Table; 5] = [
    Table::Clinics,
    Table::Doctors,
    Table::Services,
    Table::Windows,
    Table::Closures,
];

fn resolve_now(tx: &Tx, l: &Lookup, input: &str) -> Result<String> {
    let input = input.trim();
    let filter = l.filter();
    // IDs are lowercase hex and dashes (`new_id`): a name is not asked for
    // as one (on PostgreSQL, a round trip less).
    let bytes = l.table.ids_as_bytes();
    let exact: Option<String> = if could_be_id(input) {
        let id = if bytes {
            super::db::id(input)
        } else {
            input.to_val()
        };
        tx.row(
            l.on(),
            &format!("SELECT id FROM {} WHERE id = ?1{filter}", l.table.name()),
            &[id],
            |r| r.get(0),
        )?
    } else {
        None
    };
    if let Some(id) = exact {
        return Ok(id);
    }
    let candidates = |sql: String, args: &[Val]| -> Result<Vec<(String, String)>> {
        tx.rows(l.on(), &sql, args, |r| {
            Ok((r.get(0)?, shown_label(r.get(1)?)))
        })
    };
    let mut found = Vec::new();
    if l.by_name {
        found = candidates(
            format!(
                "SELECT id, {} FROM {} WHERE name_key = ?1{filter} LIMIT 10",
                l.label,
                l.table.name()
            ),
            args![name_key(input)],
        )?;
        if found.is_empty() {
            found = by_words(tx, l, input)?;
        }
    }
    if found.is_empty() {
        let prefix = input.to_ascii_lowercase();
        if prefix.len() >= 4 && prefix.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
            // A range scan on the key. IDs kept as text are lowercase hex and
            // dashes, all below 'g'; those kept as bytes range from the
            // prefix filled with 0s to the prefix filled with fs.
            let range = if bytes {
                match [id_filled(&prefix, '0'), id_filled(&prefix, 'f')] {
                    [Some(low), Some(high)] => Some((
                        "id >= ?1 AND id <= ?2",
                        vec![super::db::id(&low), super::db::id(&high)],
                    )),
                    _ => None,
                }
            } else {
                Some(("id >= ?1 AND id < ?1 || 'g'", vec![prefix.to_val()]))
            };
            if let Some((range, args)) = range {
                found = candidates(
                    format!(
                        "SELECT id, {} FROM {} WHERE {range}{filter} ORDER BY id LIMIT 10",
                        l.label,
                        l.table.name()
                    ),
                    &args,
                )?;
            }
        } else if !l.by_name && prefix.len() < 4 {
            return Err(Error::field(
                "id",
                crate::text::msg!("e-an_id_prefix_needs_at_least_4"),
            ));
        }
    }
    match found.len() {
        0 if l.suggest => {
            let column = NAMED
                .iter()
                .find(|(t, _)| *t == l.table)
                .map_or(l.label, |(_, c)| *c);
            let names: Vec<String> = tx.rows(
                l.on(),
                &format!("SELECT {column} FROM {} WHERE 1 = 1{filter}", l.table.name()),
                args![],
                |r| r.get(0),
            )?;
            let near = crate::core::text::closest(input, &names);
            let mut e = Error::not_found(l.what)
                .details(json!({"ref": input, "closest": near, "what": l.what.code()}));
            if !near.is_empty() {
                e = e.hint(crate::text::msg!("e-did_you_mean", a = crate::text::Msg::either(&near)));
            }
            Err(e)
        }
        // Too many rows to rank them all: the search is named instead.
        0 if l.by_name => Err(Error::not_found(l.what)
            .details(json!({"ref": input}))
            .hint(crate::text::msg!("e-find_the_with_appt_list_search_text", a = l.what.code(), b = l.what.code()))),
        0 => Err(Error::not_found(l.what).details(json!({"ref": input}))),
        1 => Ok(found.remove(0).0),
        _ => Err(Error::new(Code::AmbiguousId, crate::text::msg!("e-matches_several_s", input = input, a = l.what.code())).about(l.what)
            .details(json!({
                "ref": input,
                "what": l.what.code(),
                "candidates": found.iter().map(|(id, label)| json!({"id": id, "name": label})).collect::<Vec<_>>()
            }))
            .hint(crate::text::msg!("e-give_more_characters_of_the_id"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A visit among the candidates of an ID prefix is labelled with its
    /// local date, which the table keeps as its day number.
    #[test]
    fn a_label_kept_as_a_day_number_is_shown_as_its_date() {
        assert_eq!(shown_label(Val::Int(20_620)), "2026-06-16");
        assert_eq!(shown_label(Val::Text("Dr. García".into())), "Dr. García");
        assert_eq!(shown_label(Val::Int(i64::MAX)), i64::MAX.to_string());
        // A window's clinic, kept as its 16 bytes (schema 62).
        let clinic = "0b7e5c1a-0000-4000-8000-0000000000c1";
        assert_eq!(shown_label(crate::store::db::id(clinic)), clinic);
    }
}
