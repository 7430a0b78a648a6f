//! Tests: the schema's upgrades, one list for both engines
//! (src/store/migrations.rs) — the two engines' schemas built side by side
//! and compared, and the step that changes data rather than tables.

use crate::common::{on_postgres, pg_connect, Env};
use std::collections::BTreeSet;

/// What the two engines' schemas may differ in, and why; a fact is one
/// line of [`sqlite_facts`] or [`postgres_facts`]. Any other difference
/// fails the comparison.
const ONLY_POSTGRESQL: &[(&str, &str)] = &[
    (
        "table appt_schema",
        "PostgreSQL's schema version; SQLite keeps it in PRAGMA user_version",
    ),
    (
        "column appt_schema.version bigint not null",
        "PostgreSQL's schema version; SQLite keeps it in PRAGMA user_version",
    ),
    (
        "exclusion appointments: EXCLUDE USING gist (doctor_id WITH =, int8range((starts_at - (buffer_before * 60)), (ends_at + (buffer_after * 60))) WITH &&) WHERE (((solo = 1) AND (doctor_id IS NOT NULL) AND (status = ANY (ARRAY[1, 2, 3, 4]))))",
        "the server's own guard against a doctor booked twice at once (schema v4, v14); \
         SQLite's writers take turns, and booking checks",
    ),
    (
        "check clinics: country_code~'^[+][1-9][0-9]{0,2}$'",
        "the same rule as SQLite's GLOBs: PostgreSQL has no GLOB",
    ),
    (
        "column events.type smallint not null",
        "an event's type is its number (schema v56): two bytes on PostgreSQL, whose integers \
         take the width of their type; SQLite stores any integer in the bytes its value needs",
    ),
    (
        "column reminders.kind smallint not null",
        "a message's kind is its number (schema v57), as an event's type",
    ),
    (
        "column reminders.status smallint not null",
        "a message's status is its number (schema v57), as an event's type",
    ),
    (
        "column appointments.modality smallint not null default 1",
        "an appointment's modality is its number (schema v60), as an event's type",
    ),
    (
        "column appointments.source smallint not null",
        "an appointment's source is its number (schema v60), as an event's type",
    ),
    (
        "column appointments.status smallint not null",
        "an appointment's status is its number (schema v60), as an event's type",
    ),
    (
        "column appointments.urgency smallint not null default 1",
        "an appointment's urgency is its number (schema v60), as an event's type",
    ),
    (
        "column appointments.visit_type smallint not null default 1",
        "an appointment's kind of visit is its number (schema v60), as an event's type",
    ),
    (
        "column appointments.local_date integer not null",
        "an appointment's local date is its day number (schema v60): four bytes on PostgreSQL, \
         as a date is, and its arithmetic takes them",
    ),
    (
        "index patients_search on patients (name_key, phone, id) where erased_atisnull",
        "on PostgreSQL the search walks the index alone, checking each name there (schema v16); \
         SQLite's index ends with the row's rowid, and reads the rows it shows",
    ),
];

/// What only SQLite's schema has, and why (see [`ONLY_POSTGRESQL`]).
const ONLY_SQLITE: &[(&str, &str)] = &[
    (
        "column appointments.local_date bigint not null",
        "see PostgreSQL's, an INTEGER",
    ),
    (
        "column appointments.modality bigint not null default 1",
        "see PostgreSQL's, a SMALLINT",
    ),
    (
        "column appointments.source bigint not null",
        "see PostgreSQL's, a SMALLINT",
    ),
    (
        "column appointments.status bigint not null",
        "see PostgreSQL's, a SMALLINT",
    ),
    (
        "column appointments.urgency bigint not null default 1",
        "see PostgreSQL's, a SMALLINT",
    ),
    (
        "column appointments.visit_type bigint not null default 1",
        "see PostgreSQL's, a SMALLINT",
    ),
    (
        "column events.type bigint not null",
        "see PostgreSQL's, a SMALLINT",
    ),
    (
        "column reminders.kind bigint not null",
        "see PostgreSQL's, a SMALLINT",
    ),
    (
        "column reminders.status bigint not null",
        "see PostgreSQL's, a SMALLINT",
    ),
    (
        "check clinics: country_codeisnullorcountry_codeglob'+[1-9]*'andlengthcountry_codebetween2and4andsubstrcountry_code,2notglob'*[^0-9]*'",
        "the same rule as PostgreSQL's regular expression: SQLite has no regular expressions",
    ),
    (
        "index patients_search on patients (name_key, phone) where erased_atisnull",
        "see PostgreSQL's, which also holds the ID",
    ),
];

#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn both_engines_build_the_same_schema() {
    let server = Env::new();
    assert!(server.url().is_some(), "APPT_TEST_PG names the test server");
    server.ok(&["init"]);
    let dir = tempfile::tempdir().unwrap();
    let file = Env {
        db: dir.path().join("appt.db"),
        dir,
        now: server.now.clone(),
        staff: None,
    };
    file.ok(&["init"]);

    let sqlite = sqlite_facts(&rusqlite::Connection::open(&file.db).unwrap());
    let postgres = postgres_facts(&mut pg_connect(&server.url().unwrap()));
    assert!(sqlite.contains("table appointments"), "{sqlite:#?}");
    let listed = |list: &[(&str, &str)]| -> BTreeSet<String> {
        list.iter().map(|(fact, _)| fact.to_string()).collect()
    };
    let only_postgres: BTreeSet<String> = postgres.difference(&sqlite).cloned().collect();
    let only_sqlite: BTreeSet<String> = sqlite.difference(&postgres).cloned().collect();
    assert_eq!(
        only_postgres,
        listed(ONLY_POSTGRESQL),
        "what PostgreSQL's schema has and SQLite's has not"
    );
    assert_eq!(
        only_sqlite,
        listed(ONLY_SQLITE),
        "what SQLite's schema has and PostgreSQL's has not"
    );
    // A database upgraded from before schema 20 ends as a new one.
    crate::common::undo_schema_20(&server);
    crate::common::set_schema_version(&server, 19);
    server.ok(&["clinic", "list"]);
    let upgraded = postgres_facts(&mut pg_connect(&server.url().unwrap()));
    assert_eq!(upgraded, postgres);
}

/// An expression as both engines can be compared on: lower case, without
/// PostgreSQL's casts, its `= ANY (ARRAY[…])` read as `IN (…)`, and without
/// spaces or parentheses (each engine writes its own).
fn expr(sql: &str) -> String {
    let mut s = sql.to_lowercase();
    for cast in ["::text[]", "::text", "::bigint", "::integer"] {
        s = s.replace(cast, "");
    }
    let s = s.replace("= any (array[", " in (").replace("])", ")");
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')')
        .collect()
}

/// `text` without the comments of its lines (`-- …`).
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|l| l.split_once("--").map_or(l, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The expression of each `CHECK (…)` in a table's SQL.
fn checks_in(sql: &str) -> Vec<String> {
    let sql = without_comments(sql);
    let upper = sql.to_uppercase();
    let mut found = Vec::new();
    for (at, _) in upper.match_indices("CHECK") {
        let rest = &sql[at + 5..];
        let Some(open) = rest.find('(') else { continue };
        let mut depth = 0;
        for (i, c) in rest[open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                found.push(rest[open + 1..open + i].to_string());
                break;
            }
        }
    }
    found
}

/// A column's type on PostgreSQL's terms: SQLite's INTEGER is a BIGINT,
/// BLOB is BYTEA (a `uuid` for an ID of 16 bytes), and TEXT compares byte
/// by byte (PostgreSQL's collation "C").
fn sqlite_type(column: &str, declared: &str) -> String {
    match declared {
        "INTEGER" => "bigint".into(),
        "TEXT" => "text collate C".into(),
        "BLOB" if crate::common::SIXTEEN_BYTE_IDS.contains(&column) => "uuid".into(),
        "BLOB" => "bytea".into(),
        other => format!("unknown {other}"),
    }
}

/// One SQLite query's rows, each value as text ("" for NULL).
fn sqlite_rows(conn: &rusqlite::Connection, sql: &str, arg: &str) -> Vec<Vec<String>> {
    let mut st = conn.prepare(sql).unwrap();
    let n = st.column_count();
    st.query_map([arg], |r| {
        Ok((0..n)
            .map(|i| match r.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Null => String::new(),
                rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                other => format!("{other:?}"),
            })
            .collect())
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// SQLite's schema as facts: tables, columns (type, nullability, default),
/// primary keys, unique constraints, foreign keys, checks and indexes.
fn sqlite_facts(conn: &rusqlite::Connection) -> BTreeSet<String> {
    let mut facts = BTreeSet::new();
    let tables = sqlite_rows(
        conn,
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND ?1 = ?1",
        "",
    );
    for t in &tables {
        let (table, sql) = (&t[0], &t[1]);
        facts.insert(format!("table {table}"));
        let columns = sqlite_rows(
            conn,
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1)",
            table,
        );
        let mut pk: Vec<(i64, String)> = Vec::new();
        for c in &columns {
            let key: i64 = c[4].parse().unwrap();
            let identity = key > 0 && c[1] == "INTEGER" && sql.contains("AUTOINCREMENT");
            let null = if c[2] == "1" || key > 0 {
                "not null"
            } else {
                "null"
            };
            let default = match (identity, c[3].as_str()) {
                (true, _) => " default identity".to_string(),
                (false, "") => String::new(),
                (false, d) => format!(" default {}", expr(d)),
            };
            facts.insert(format!(
                "column {table}.{} {} {null}{default}",
                c[0],
                sqlite_type(&format!("{table}.{}", c[0]), &c[1])
            ));
            if key > 0 {
                pk.push((key, c[0].clone()));
            }
        }
        pk.sort();
        let pk: Vec<String> = pk.into_iter().map(|(_, c)| c).collect();
        facts.insert(format!("primary key {table} ({})", pk.join(", ")));
        for check in checks_in(sql) {
            facts.insert(format!("check {table}: {}", expr(&check)));
        }
        let mut keys: std::collections::BTreeMap<String, Vec<Vec<String>>> = Default::default();
        for fk in sqlite_rows(
            conn,
            "SELECT id, \"table\", \"from\", \"to\", on_delete, on_update \
             FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
            table,
        ) {
            keys.entry(fk[0].clone()).or_default().push(fk);
        }
        for parts in keys.values() {
            let from: Vec<&str> = parts.iter().map(|p| p[2].as_str()).collect();
            let to: Vec<&str> = parts.iter().map(|p| p[3].as_str()).collect();
            facts.insert(format!(
                "foreign key {table} ({}) references {} ({}) on delete {} on update {}",
                from.join(", "),
                parts[0][1],
                to.join(", "),
                parts[0][4].to_lowercase(),
                parts[0][5].to_lowercase()
            ));
        }
        for index in sqlite_rows(
            conn,
            "SELECT name, \"unique\", origin FROM pragma_index_list(?1)",
            table,
        ) {
            let columns: Vec<String> = sqlite_rows(
                conn,
                "SELECT name, \"desc\" FROM pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno",
                &index[0],
            )
            .into_iter()
            .map(|c| {
                if c[1] == "1" {
                    format!("{} desc", c[0])
                } else {
                    c[0].clone()
                }
            })
            .collect();
            let columns = columns.join(", ");
            match index[2].as_str() {
                "pk" => {}
                "u" => {
                    facts.insert(format!("unique {table} ({columns})"));
                }
                _ => {
                    let sql = &sqlite_rows(
                        conn,
                        "SELECT sql FROM sqlite_master WHERE name = ?1",
                        &index[0],
                    )[0][0];
                    let sql = without_comments(sql);
                    let condition = sql
                        .to_uppercase()
                        .find(" WHERE ")
                        .map_or(String::new(), |at| {
                            format!(" where {}", expr(&sql[at + 7..]))
                        });
                    let unique = if index[1] == "1" { "unique " } else { "" };
                    facts.insert(format!(
                        "{unique}index {} on {table} ({columns}){condition}",
                        index[0]
                    ));
                }
            }
        }
    }
    facts
}

/// PostgreSQL's schema as the same facts as [`sqlite_facts`]; an index's
/// INCLUDE columns follow its key columns (SQLite has no INCLUDE: its
/// covering indexes have them as keys), and an exclusion constraint is one.
fn postgres_facts(client: &mut postgres::Client) -> BTreeSet<String> {
    let mut facts = BTreeSet::new();
    let text = |r: &postgres::Row, i: usize| r.get::<_, Option<String>>(i).unwrap_or_default();
    for r in client
        .query(
            "SELECT c.relname::text FROM pg_class c \
             WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'",
            &[],
        )
        .unwrap()
    {
        facts.insert(format!("table {}", text(&r, 0)));
    }
    for r in client
        .query(
            "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text, \
             column_default::text, collation_name::text, is_identity::text \
             FROM information_schema.columns WHERE table_schema = current_schema()",
            &[],
        )
        .unwrap()
    {
        let ty = match (text(&r, 2).as_str(), text(&r, 5).as_str()) {
            ("text", "") => "text".to_string(),
            ("text", collation) => format!("text collate {collation}"),
            (other, _) => other.to_string(),
        };
        let null = if text(&r, 3) == "YES" {
            "null"
        } else {
            "not null"
        };
        let default = match (text(&r, 6).as_str(), text(&r, 4).as_str()) {
            ("YES", _) => " default identity".to_string(),
            (_, "") => String::new(),
            (_, d) => format!(" default {}", expr(d)),
        };
        facts.insert(format!(
            "column {}.{} {ty} {null}{default}",
            text(&r, 0),
            text(&r, 1)
        ));
    }
    let columns_of = "array_to_string(array(SELECT a.attname::text FROM unnest({keys}) \
                      WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = {rel} \
                      AND a.attnum = k.n ORDER BY k.i), ', ')";
    let sql = format!(
        "SELECT c.conrelid::regclass::text, c.contype::text, pg_get_constraintdef(c.oid), \
         {}, c.confrelid::regclass::text, {}, c.confdeltype::text, c.confupdtype::text \
         FROM pg_constraint c WHERE c.connamespace = current_schema()::regnamespace",
        columns_of
            .replace("{keys}", "c.conkey")
            .replace("{rel}", "c.conrelid"),
        columns_of
            .replace("{keys}", "c.confkey")
            .replace("{rel}", "c.confrelid"),
    );
    let action = |a: &str| match a {
        "a" => "no action",
        "r" => "restrict",
        "c" => "cascade",
        "n" => "set null",
        "d" => "set default",
        _ => "unknown",
    };
    for r in client.query(&sql, &[]).unwrap() {
        let (table, kind, def, cols) = (text(&r, 0), text(&r, 1), text(&r, 2), text(&r, 3));
        facts.insert(match kind.as_str() {
            "p" => format!("primary key {table} ({cols})"),
            "u" => format!("unique {table} ({cols})"),
            "f" => format!(
                "foreign key {table} ({cols}) references {} ({}) on delete {} on update {}",
                text(&r, 4),
                text(&r, 5),
                action(&text(&r, 6)),
                action(&text(&r, 7))
            ),
            "c" => format!("check {table}: {}", expr(def.trim_start_matches("CHECK "))),
            "x" => format!("exclusion {table}: {def}"),
            other => format!("constraint {other} {table}: {def}"),
        });
    }
    let sql = format!(
        "SELECT i.relname::text, t.relname::text, x.indisunique, x.indnkeyatts::bigint, \
         coalesce(pg_get_expr(x.indpred, x.indrelid), ''), {}, am.amname::text \
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_class t ON t.oid = x.indrelid JOIN pg_am am ON am.oid = i.relam \
         WHERE t.relnamespace = current_schema()::regnamespace \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
        columns_of
            .replace("{keys}", "x.indkey::int2[]")
            .replace("{rel}", "x.indrelid"),
    );
    for r in client.query(&sql, &[]).unwrap() {
        let unique = if r.get::<_, bool>(2) { "unique " } else { "" };
        let condition = match text(&r, 4).as_str() {
            "" => String::new(),
            c => format!(" where {}", expr(c)),
        };
        let method = match text(&r, 6).as_str() {
            "btree" => String::new(),
            other => format!(" using {other}"),
        };
        facts.insert(format!(
            "{unique}index {} on {} ({}){condition}{method}",
            text(&r, 0),
            text(&r, 1),
            text(&r, 5)
        ));
    }
    facts
}

// ------------------------------------------------ the step that refolds names

/// The schema version `env`'s database records.
fn version(env: &Env) -> String {
    let sql = if on_postgres() {
        "SELECT max(version) FROM appt_schema"
    } else {
        "SELECT user_version FROM pragma_user_version"
    };
    env.rows(sql).remove(0).remove(0)
}

/// A clinic whose stored search key is as an appt before schema v4 made
/// it (case folded, accents kept), in a database taken back to schema 18,
/// with the mark appt then wrote once it had folded the names again, or
/// without it; and the version this appt's databases have.
fn unfolded_at_18(marked: bool) -> (Env, String) {
    let env = Env::new();
    env.ok(&[
        "clinic",
        "add",
        "Clínica Ñandú",
        "--timezone",
        "America/El_Salvador",
    ]);
    let current = version(&env);
    env.exec("UPDATE clinics SET name_key = 'clínica ñandú'");
    if marked {
        crate::common::undo_schema_19(&env);
    } else {
        crate::common::undo_schema_20(&env);
    }
    crate::common::set_schema_version(&env, 18);
    (env, current)
}

#[test]
fn the_upgrade_to_19_folds_names_an_older_appt_left_unfolded() {
    let (env, current) = unfolded_at_18(false);
    let shown = env.ok(&["clinic", "show", "clinica nandu"]);
    assert_eq!(shown["name"], "Clínica Ñandú");
    assert_eq!(version(&env), current);
    assert_eq!(
        env.rows("SELECT name_key FROM clinics")[0][0],
        "clinica nandu"
    );
    assert!(env
        .rows("SELECT key FROM meta WHERE key = 'name_fold'")
        .is_empty());
}

#[test]
fn the_upgrade_to_19_leaves_names_an_appt_of_18_already_folded() {
    // The mark says this database's names were folded (on opening, as appt
    // did before the step): the step reads none of them again.
    let (env, current) = unfolded_at_18(true);
    env.ok(&["clinic", "list"]);
    assert_eq!(version(&env), current);
    assert_eq!(
        env.rows("SELECT name_key FROM clinics")[0][0],
        "clínica ñandú"
    );
    assert!(
        env.rows("SELECT key FROM meta WHERE key = 'name_fold'")
            .is_empty(),
        "the schema version says it now"
    );
}
