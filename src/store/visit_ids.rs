//! Schema 59: every appointment's ID kept as its 16 bytes (a BLOB on
//! SQLite, a `uuid` on PostgreSQL), in the appointments' rows and in every
//! column that names an appointment — the events', the messages', the
//! inbox's, the resources held, the calendars written, the access log and
//! the patients' links (whose target is an appointment or an offer, a
//! message's ID). A BLOB or a `uuid` is never equal to text, so the tables
//! change together: each is copied, a batch per transaction, into a table
//! of the new shape that refers to the appointments' copy, and at the end
//! the copies take the tables' names, their indexes and their triggers.
//! Where a copy got to is its last key, so an upgrade killed half-way goes
//! on where it stopped (as [`super::rewrite`]'s copies do).

use super::db::{shown_id, Backend, On, Row, Tx, Val};
use crate::args;
use crate::error::{Error, Result};

/// Rows copied per transaction (in debug builds, `APPT_TEST_BATCH`).
const BATCH: i64 = 20_000;

/// One table copied: its name, its columns in order, those that hold an
/// appointment's ID as text until now, its key (the copy's order and
/// cursor), and its new shape (`{name}` where the copy's name goes).
pub(super) struct Copied {
    pub table: &'static str,
    pub cols: &'static str,
    pub ids: &'static [&'static str],
    pub key: &'static [&'static str],
    pub shape: &'static str,
}

/// The copy of `table`, until it takes the table's name.
fn copy(table: &str) -> String {
    format!("{table}_59")
}

/// The appointments' columns in the table's order, which schemas 59 and
/// 60 keep ([`super::visit_codes`] copies them too).
pub(super) const APPOINTMENT_COLS: &str =
    "id, clinic_id, doctor_id, window_id, patient_id, service_id, local_date, starts_at, \
     ends_at, duration_minutes, status, token_number, source, session, batch, reason, \
     notes, diagnosis, prescription, follow_up_required, follow_up_date, \
     cancellation_reason, external_reference_id, sequence, created_at, updated_at, \
     confirmed_at, checked_in_at, started_at, completed_at, cancelled_at, no_show_at, \
     solo, series_id, buffer_before, buffer_after, urgency, modality, visit_type, payer, \
     overbook_reason, overbook_by, overbook_rule, patient_name_given";

/// The tables, the appointments first: the others' copies refer to theirs.
pub(super) const TABLES: &[Copied] = &[
    Copied {
        table: "appointments",
        cols: APPOINTMENT_COLS,
        ids: &["id"],
        key: &["id"],
        shape: "CREATE TABLE {name} (
    id                    {id} PRIMARY KEY NOT NULL,
    clinic_id             {text} NOT NULL REFERENCES clinics(id),
    doctor_id             {text} REFERENCES doctors(id),
    window_id             {text} REFERENCES windows(id) ON DELETE SET NULL,
    patient_id            {text} NOT NULL REFERENCES patients(id),
    service_id            {text} REFERENCES services(id),
    local_date            {text} NOT NULL,
    starts_at             {int} NOT NULL,
    ends_at               {int} NOT NULL,
    duration_minutes      {int} NOT NULL,
    status                {text} NOT NULL CHECK (status IN
                          ('scheduled','confirmed','checked_in','in_progress','completed','cancelled','no_show')),
    token_number          {int} NOT NULL,
    source                {text} NOT NULL,
    session               {text},
    batch                 {text},
    reason                {text},
    notes                 {text},
    diagnosis             {text},
    prescription          {text},
    follow_up_required    {int} NOT NULL DEFAULT 0,
    follow_up_date        {text},
    cancellation_reason   {text},
    external_reference_id {text},
    sequence              {int} NOT NULL DEFAULT 0,
    created_at            {int} NOT NULL,
    updated_at            {int} NOT NULL,
    confirmed_at          {int},
    checked_in_at         {int},
    started_at            {int},
    completed_at          {int},
    cancelled_at          {int},
    no_show_at            {int},
    solo                  {int} NOT NULL DEFAULT 0,
    series_id             {text},
    buffer_before         {int} NOT NULL DEFAULT 0,
    buffer_after          {int} NOT NULL DEFAULT 0,
    urgency               {text} NOT NULL DEFAULT 'normal'
                          CHECK (urgency IN ('normal', 'urgent', 'emergency')),
    modality              {text} NOT NULL DEFAULT 'in_person'
                          CHECK (modality IN ('in_person', 'telemedicine', 'home')),
    visit_type            {text} NOT NULL DEFAULT 'first'
                          CHECK (visit_type IN ('first', 'follow_up')),
    payer                 {text},
    overbook_reason       {text},
    overbook_by           {text},
    overbook_rule         {text},
    patient_name_given    {text},
    CHECK (starts_at < ends_at)
){strict};",
    },
    Copied {
        table: "events",
        cols: "id, type, appointment_id, created_at, data, actor, os_user",
        ids: &["appointment_id"],
        key: &["id"],
        shape: "CREATE TABLE {name} (
    id             {serial},
    type           {small} NOT NULL,
    appointment_id {id} REFERENCES {appointments}(id),
    created_at     {int} NOT NULL,
    data           {text} NOT NULL,
    actor          {text},
    os_user        {text}
){strict};",
    },
    Copied {
        table: "reminders",
        cols: "offset_minutes, due_at, attempts, next_attempt_at, claimed_until, sent_at, \
               created_at, updated_at, delivered_at, read_at, status, kind, id, appointment_id, \
               last_error, claim, data, waitlist_id, channel, provider_id",
        ids: &["appointment_id"],
        key: &["id"],
        shape: super::rewrite::MESSAGES_SHAPE,
    },
    Copied {
        table: "inbox",
        cols: "id, clinic_id, channel, kind, provider_id, patient_id, sender, body, received_at, \
               outcome, appointment_id, answer_status, answer_error, done_at",
        ids: &["appointment_id"],
        key: &["id"],
        shape: "CREATE TABLE {name} (
    id             {text} PRIMARY KEY NOT NULL,
    clinic_id      {text} NOT NULL REFERENCES clinics(id),
    channel        {text} NOT NULL,
    kind           {text} NOT NULL CHECK (kind IN ('whatsapp', 'sms', 'email')),
    provider_id    {text} NOT NULL,
    patient_id     {text} REFERENCES patients(id),
    sender         {text},
    body           {text} NOT NULL,
    received_at    {int} NOT NULL,
    outcome        {text} NOT NULL CHECK (outcome IN ('inbox', 'confirmed', 'cancelled', 'refused', 'asked')),
    appointment_id {id} REFERENCES {appointments}(id),
    answer_status  {text} CHECK (answer_status IN ('sent', 'failed')),
    answer_error   {text},
    done_at        {int}
){strict};",
    },
    Copied {
        table: "appointment_resources",
        cols: "appointment_id, grp, resource_id, held_from, held_to, active, overbooked",
        ids: &["appointment_id"],
        key: &["appointment_id", "grp"],
        shape: "CREATE TABLE {name} (
    appointment_id {id} NOT NULL REFERENCES {appointments}(id),
    grp            {int} NOT NULL,
    resource_id    {text} NOT NULL REFERENCES resources(id),
    held_from      {int} NOT NULL,
    held_to        {int} NOT NULL,
    active         {int} NOT NULL,
    overbooked     {int} NOT NULL DEFAULT 0,
    PRIMARY KEY (appointment_id, grp)
){strict};",
    },
    Copied {
        table: "calendar_writes",
        cols: "calendar_id, appointment_id, sequence, digest, etag",
        ids: &["appointment_id"],
        key: &["calendar_id", "appointment_id"],
        shape: "CREATE TABLE {name} (
    calendar_id    {text} NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
    appointment_id {id} NOT NULL,
    sequence       {int} NOT NULL,
    digest         {text} NOT NULL,
    etag           {text},
    PRIMARY KEY (calendar_id, appointment_id)
){strict};",
    },
    Copied {
        table: "access_log",
        cols: "id, at, clinic_id, patient_id, appointment_id, actor, os_user, command",
        ids: &["appointment_id"],
        key: &["id"],
        shape: "CREATE TABLE {name} (
    id             {text} PRIMARY KEY NOT NULL,
    at             {int} NOT NULL,
    clinic_id      {text} NOT NULL REFERENCES clinics(id),
    patient_id     {text} NOT NULL REFERENCES patients(id),
    appointment_id {id} NOT NULL REFERENCES {appointments}(id),
    actor          {text} NOT NULL,
    os_user        {text} NOT NULL,
    command        {text} NOT NULL
){strict};",
    },
    Copied {
        table: "patient_links",
        cols: "nonce, kind, target_id, created_at",
        ids: &["target_id"],
        key: &["nonce"],
        shape: "CREATE TABLE {name} (
    nonce      {text} PRIMARY KEY NOT NULL,
    kind       {text} NOT NULL CHECK (kind IN ('appointment', 'offer')),
    target_id  {id} NOT NULL,
    created_at {int} NOT NULL
){strict};",
    },
];

/// `t`'s new shape for `backend`, called `name`: every ID an
/// appointment's or a message's kept as its 16 bytes.
fn shape(backend: Backend, t: &Copied, name: &str) -> String {
    let shape = t
        .shape
        .replace("{name}", name)
        .replace("{appointments}", &copy("appointments"))
        .replace("{message_id}", "{id}")
        .replace("{visit_id}", "{id}");
    super::rewrite::typed(backend, &shape)
}

/// Column `c`'s text as the 16 bytes of the ID it spells. On SQLite, text
/// that spells no ID stays text, which the copy's STRICT BLOB column
/// refuses; PostgreSQL's cast refuses it itself. Either way the batch is
/// undone and the upgrade stops, the database as it was.
pub(super) fn bytes(backend: Backend, c: &str) -> String {
    match backend {
        Backend::Sqlite => format!(
            "CASE WHEN length({c}) = 36 AND length(unhex(replace({c}, '-', ''))) = 16 \
             THEN unhex(replace({c}, '-', '')) ELSE {c} END"
        ),
        Backend::Postgres => format!("CAST({c} AS uuid)"),
    }
}

/// Copies the next batch of every table in turn, the appointments first;
/// true once all are copied and the copies have taken the tables' places.
pub fn appointment_ids(tx: &Tx) -> Result<bool> {
    let backend = tx.backend();
    let batch = super::batch_size(BATCH);
    for t in TABLES {
        let to = copy(t.table);
        if !super::rewrite::exists(tx, &to)? {
            tx.script(&shape(backend, t, &to))?;
        }
        let convert = |c: &str| t.ids.contains(&c).then(|| bytes(backend, c));
        if copy_batch(tx, (t.table, &to), t.cols, t.key, &convert, batch)? == batch {
            return Ok(false);
        }
    }
    take_places(tx)?;
    Ok(true)
}

/// Copies up to `batch` rows of `table` into `to` after the copy's last
/// `key`, each of `cols` as `convert` reads it from the old table (None:
/// as it is); how many. Shared by the upgrades that copy a table into a
/// new shape ([`super::visit_codes`]).
pub(super) fn copy_batch(
    tx: &Tx,
    (table, to): (&str, &str),
    cols: &str,
    key: &[&str],
    convert: &dyn Fn(&str) -> Option<String>,
    batch: i64,
) -> Result<i64> {
    let keys = key.join(", ");
    let desc: Vec<String> = key.iter().map(|k| format!("{k} DESC")).collect();
    let last: Option<Vec<Val>> = tx.row(
        On::EVERYTHING,
        &format!(
            "SELECT {keys} FROM {to} ORDER BY {} LIMIT 1",
            desc.join(", ")
        ),
        args![],
        |r| {
            key.iter()
                .enumerate()
                .map(|(i, k)| {
                    Ok(match r.get::<Val>(i)? {
                        // The old table still has it as text.
                        Val::Id(b) if convert(k).is_some() => Val::Text(shown_id(b)),
                        v => v,
                    })
                })
                .collect()
        },
    )?;
    let from: Vec<String> = cols
        .split(',')
        .map(str::trim)
        .map(|c| convert(c).unwrap_or_else(|| c.to_string()))
        .collect();
    let (after, mut args) = match last {
        Some(last) => {
            let marks: Vec<String> = (1..=last.len()).map(|i| format!("?{i}")).collect();
            (format!("WHERE ({keys}) > ({})", marks.join(", ")), last)
        }
        None => (String::new(), Vec::new()),
    };
    args.push(Val::Int(batch));
    // The batch is chosen before its values are read: PostgreSQL, sorting
    // a small table, would otherwise read every row's (and stop at any
    // row's value that is none) before it takes the first `batch`.
    let copied = tx.exec(
        On::EVERYTHING,
        &format!(
            "INSERT INTO {to} ({cols}) SELECT {from} FROM \
             (SELECT {cols} FROM {table} {after} ORDER BY {keys} LIMIT ?{n}) s",
            from = from.join(", "),
            n = args.len()
        ),
        &args,
    )?;
    Ok(copied as i64)
}

/// The copies take the tables' names; each old table's indexes and
/// triggers (PostgreSQL's exclusion constraint too) are made again on its
/// copy, as they were.
fn take_places(tx: &Tx) -> Result<()> {
    let mut again = Vec::new();
    for t in TABLES {
        again.extend(made_on(tx, t.table)?);
    }
    let events_given = super::rewrite::sequence_given(tx)?;
    // The tables that refer to the appointments go first.
    for t in TABLES.iter().rev() {
        tx.script(&format!("DROP TABLE {}", t.table))?;
    }
    for t in TABLES {
        let from = copy(t.table);
        tx.script(&format!("ALTER TABLE {from} RENAME TO {}", t.table))?;
        if tx.backend() == Backend::Postgres {
            rename_constraints(tx, t.table, &from)?;
        }
    }
    super::rewrite::keep_sequence(tx, &copy("events"), events_given)?;
    for sql in again {
        tx.script(&sql)?;
    }
    Ok(())
}

/// The statements that made `table`'s indexes, triggers and (PostgreSQL)
/// exclusion constraints, but for its key.
fn made_on(tx: &Tx, table: &str) -> Result<Vec<String>> {
    let mut made: Vec<String> = indexes(tx, table)?
        .into_iter()
        .map(|(_, make)| make)
        .collect();
    made.extend(triggers(tx, table)?);
    Ok(made)
}

/// `table`'s indexes but its key's, and (PostgreSQL) its exclusion
/// constraints, each as the statement that drops it and the one that makes
/// it again as it is. A unique constraint's index stays out: another
/// table's reference may need it.
pub(super) fn indexes(tx: &Tx, table: &str) -> Result<Vec<(String, String)>> {
    let pair = |r: &Row| Ok((r.get(0)?, r.get(1)?));
    match tx.backend() {
        Backend::Sqlite => tx.rows(
            On::NOTHING,
            "SELECT 'DROP INDEX ' || name, sql FROM sqlite_master \
             WHERE tbl_name = ?1 AND type = 'index' AND sql IS NOT NULL ORDER BY name",
            args![table],
            pair,
        ),
        Backend::Postgres => tx.rows(
            On::NOTHING,
            &format!(
                "SELECT 'DROP INDEX ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) \
                 FROM pg_index i WHERE i.indrelid = '{table}'::regclass \
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) \
                 UNION ALL \
                 SELECT 'ALTER TABLE {table} DROP CONSTRAINT ' || conname, \
                        'ALTER TABLE {table} ADD CONSTRAINT ' || conname || ' ' \
                        || pg_get_constraintdef(oid) \
                 FROM pg_constraint WHERE conrelid = '{table}'::regclass AND contype = 'x'"
            ),
            args![],
            pair,
        ),
    }
}

/// The statements that made `table`'s triggers (PostgreSQL's own, for its
/// references, are not among them).
pub(super) fn triggers(tx: &Tx, table: &str) -> Result<Vec<String>> {
    match tx.backend() {
        Backend::Sqlite => tx.rows(
            On::NOTHING,
            "SELECT sql FROM sqlite_master WHERE tbl_name = ?1 AND type = 'trigger' \
             AND sql IS NOT NULL ORDER BY name",
            args![table],
            |r| r.get(0),
        ),
        Backend::Postgres => tx.rows(
            On::NOTHING,
            &format!(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger \
                 WHERE tgrelid = '{table}'::regclass AND NOT tgisinternal"
            ),
            args![],
            |r| r.get(0),
        ),
    }
}

/// On PostgreSQL, the constraints `from` named after itself (its key, its
/// references, its checks) take `table`'s name in their place.
fn rename_constraints(tx: &Tx, table: &str, from: &str) -> Result<()> {
    let names: Vec<String> = tx.rows(
        On::NOTHING,
        &format!("SELECT conname FROM pg_constraint WHERE conrelid = '{table}'::regclass"),
        args![],
        |r| r.get(0),
    )?;
    for name in names {
        if let Some(rest) = name.strip_prefix(&format!("{from}_")) {
            tx.script(&format!(
                "ALTER TABLE {table} RENAME CONSTRAINT {name} TO {table}_{rest}"
            ))?;
        }
    }
    Ok(())
}

/// The statements that make again, on PostgreSQL, the references to
/// `tables` of the tables not among them (SQLite's are part of those tables
/// and name the table, whichever it is).
fn referring(tx: &Tx, tables: &[&str]) -> Result<Vec<String>> {
    match tx.backend() {
        Backend::Sqlite => Ok(Vec::new()),
        Backend::Postgres => {
            let listed: Vec<String> = tables.iter().map(|t| format!("'{t}'::regclass")).collect();
            let listed = listed.join(", ");
            tx.rows(
                On::NOTHING,
                &format!(
                    "SELECT 'ALTER TABLE ' || conrelid::regclass::text || ' ADD CONSTRAINT ' \
                            || conname || ' ' || pg_get_constraintdef(oid) \
                     FROM pg_constraint WHERE confrelid IN ({listed}) \
                       AND conrelid NOT IN ({listed}) AND contype = 'f' \
                     ORDER BY conname"
                ),
                args![],
                |r| r.get(0),
            )
        }
    }
}

/// For a `Step::Rebuild`: each of `tables` gives its place to its copy
/// (`copy`), once every copy holds as many rows as its table (an older appt
/// still writing behind a copy's cursor would leave it short). Each old
/// table's indexes, triggers and (PostgreSQL) exclusion constraint are made
/// again on its copy as `again` writes them, and, on PostgreSQL, the other
/// tables' references to them: SQLite's foreign keys are off for the step,
/// so an old table can go while others refer to it, and PostgreSQL drops
/// those references with it. On SQLite the other tables' triggers are taken
/// away meanwhile and made again after ([`waiting_triggers`]). The tables
/// that refer to the others come last.
pub(super) fn rebuilt(
    tx: &Tx,
    tables: &[&str],
    copy: &dyn Fn(&str) -> String,
    again: &dyn Fn(&str) -> String,
) -> Result<()> {
    let counted = |table: &str| -> Result<i64> {
        tx.one(
            On::NOTHING,
            &format!("SELECT count(*) FROM {table}"),
            args![],
        )
    };
    let mut made = Vec::new();
    for &t in tables {
        let (old, new) = (counted(t)?, counted(&copy(t))?);
        if old != new {
            return Err(Error::internal(crate::text::msg!(
                "e-copy_is_short",
                table = t,
                a = old,
                b = new
            )));
        }
        made.extend(made_on(tx, t)?.iter().map(|sql| again(sql)));
    }
    let references = referring(tx, tables)?;
    // SQLite renames a table only if every trigger's tables are there:
    // the other tables' triggers, which may read one of `tables`, wait.
    let waiting = waiting_triggers(tx, tables)?;
    for (name, _) in &waiting {
        tx.script(&format!("DROP TRIGGER {name}"))?;
    }
    for t in tables.iter().rev() {
        tx.script(&match tx.backend() {
            Backend::Sqlite => format!("DROP TABLE {t}"),
            Backend::Postgres => format!("DROP TABLE {t} CASCADE"),
        })?;
    }
    for &t in tables {
        let from = copy(t);
        tx.script(&format!("ALTER TABLE {from} RENAME TO {t}"))?;
        if tx.backend() == Backend::Postgres {
            rename_constraints(tx, t, &from)?;
        }
    }
    for sql in made
        .iter()
        .chain(&references)
        .chain(waiting.iter().map(|(_, sql)| sql))
    {
        tx.script(sql)?;
    }
    Ok(())
}

/// On SQLite, the triggers of the tables not among `tables`, each named
/// with the statement that made it (PostgreSQL's stay as they are).
fn waiting_triggers(tx: &Tx, tables: &[&str]) -> Result<Vec<(String, String)>> {
    if tx.backend() == Backend::Postgres {
        return Ok(Vec::new());
    }
    let all: Vec<(String, String, String)> = tx.rows(
        On::NOTHING,
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' \
         AND sql IS NOT NULL ORDER BY name",
        args![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok(all
        .into_iter()
        .filter(|(_, table, _)| !tables.contains(&table.as_str()))
        .map(|(name, _, sql)| (name, sql))
        .collect())
}
