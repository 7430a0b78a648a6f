//! Schema 61: every patient's ID kept as its 16 bytes (a BLOB on SQLite, a
//! `uuid` on PostgreSQL), in the patients' rows and in every column that
//! names a patient — the appointments', the waitlist's, the inbox's and the
//! access log's (docs/performance.md#footprint). A BLOB or a `uuid` is
//! never equal to text, so the five tables change together, as schema 59's
//! did ([`super::visit_ids`]): each is copied, a batch per transaction,
//! into a table of the new shape that refers to the patients' copy, each
//! batch going on from its copy's last key; at the end the copies take the
//! tables' names, their indexes, triggers and (PostgreSQL) constraints, and
//! the references of the tables that refer to them. SQLite's foreign keys
//! are off for this step (the migration runner's `Step::Rebuild`), since
//! the events and the messages keep referring to the appointments.

use super::db::{Backend, Tx};
use super::visit_ids::{bytes, copy_batch, rebuilt, Copied, TABLES};
use crate::error::Result;

/// Rows copied per transaction (in debug builds, `APPT_TEST_BATCH`).
const BATCH: i64 = 20_000;

/// The copy of `table`, until it takes the table's name.
fn copy(table: &str) -> String {
    format!("{table}_61")
}

/// The patients as schema 61 makes them.
const PATIENTS: Copied = Copied {
    table: "patients",
    cols: "id, full_name, name_key, phone, national_id, email, no_show_count, created_at, \
           updated_at, erased_at, channel",
    ids: &["id"],
    key: &["id"],
    shape: "CREATE TABLE {name} (
    id            {id} PRIMARY KEY NOT NULL,
    full_name     {text} NOT NULL,
    name_key      {text} NOT NULL,
    phone         {text} NOT NULL UNIQUE,
    national_id   {blob},
    email         {text},
    no_show_count {int} NOT NULL DEFAULT 0,
    created_at    {int} NOT NULL,
    updated_at    {int} NOT NULL,
    erased_at     {int},
    channel       {text} CHECK (channel IN ('whatsapp', 'sms', 'email', 'none'))
){strict};",
};

/// The waitlist as schema 61 makes it.
const WAITLIST: Copied = Copied {
    table: "waitlist",
    cols: "id, clinic_id, doctor_id, patient_id, service_id, local_date, offers, seq, \
           created_at, patient_name_given",
    ids: &["patient_id"],
    key: &["id"],
    shape: "CREATE TABLE {name} (
    id                 {text} PRIMARY KEY NOT NULL,
    clinic_id          {text} NOT NULL REFERENCES clinics(id),
    doctor_id          {text} NOT NULL REFERENCES doctors(id),
    patient_id         {id} NOT NULL REFERENCES {patients}(id),
    service_id         {text} REFERENCES services(id),
    local_date         {text} NOT NULL,
    offers             {int} NOT NULL DEFAULT 0,
    seq                {int} NOT NULL,
    created_at         {int} NOT NULL,
    patient_name_given {text}
){strict};",
};

/// The tables, the patients first: the others' copies refer to theirs.
/// The appointments keep schema 60's shape, and the inbox and the access
/// log schema 59's, each with its patient's ID as 16 bytes.
fn tables() -> [(Copied, String); 5] {
    // A table of schema 59's, with its patient's ID as 16 bytes; in
    // `shape` when given (the appointments'), else in schema 59's own.
    let later = |table: &str, shape: Option<&str>| {
        let t = TABLES
            .iter()
            .find(|t| t.table == table)
            .expect("a table of schema 59");
        let copied = Copied {
            ids: &["patient_id"],
            ..*t
        };
        (copied, patient_ids(shape.unwrap_or(t.shape)))
    };
    [
        (PATIENTS, PATIENTS.shape.to_string()),
        later("appointments", Some(super::visit_codes::SHAPE)),
        (WAITLIST, WAITLIST.shape.to_string()),
        later("inbox", None),
        later("access_log", None),
    ]
}

/// `shape` with its patient's ID as 16 bytes, referring to the patients'
/// copy.
fn patient_ids(shape: &str) -> String {
    shape
        .lines()
        .map(|line| {
            if line.trim_start().starts_with("patient_id ") {
                line.replacen("{text}", "{id}", 1)
                    .replace("REFERENCES patients(id)", "REFERENCES {patients}(id)")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `shape` for `backend`, called `name`, referring to the copies.
fn made(backend: Backend, shape: &str, name: &str) -> String {
    let shape = shape
        .replace("{name}", name)
        .replace("{patients}", &copy("patients"))
        .replace("{appointments}", &copy("appointments"));
    super::rewrite::typed(backend, &shape)
}

/// Copies the next batch of every table in turn, the patients first; true
/// once all are copied and the copies have taken the tables' places.
pub fn patient_ids_step(tx: &Tx) -> Result<bool> {
    let backend = tx.backend();
    let batch = super::batch_size(BATCH);
    for (t, shape) in tables() {
        let to = copy(t.table);
        if !super::rewrite::exists(tx, &to)? {
            tx.script(&made(backend, &shape, &to))?;
        }
        let convert = |c: &str| t.ids.contains(&c).then(|| bytes(backend, c));
        if copy_batch(tx, (t.table, &to), t.cols, t.key, &convert, batch)? == batch {
            return Ok(false);
        }
    }
    let names = tables().map(|(t, _)| t.table);
    rebuilt(tx, &names, &copy, &str::to_string)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_patient_id_is_sixteen_bytes_and_refers_to_the_copy() {
        for (t, shape) in tables() {
            let sqlite = made(Backend::Sqlite, &shape, "x");
            let line = sqlite
                .lines()
                .find(|l| {
                    let l = l.trim_start();
                    l.starts_with(if t.table == "patients" {
                        "id "
                    } else {
                        "patient_id "
                    })
                })
                .unwrap_or_else(|| panic!("{}: {sqlite}", t.table));
            assert!(line.contains(" BLOB "), "{}: {line}", t.table);
            if t.table != "patients" {
                assert!(line.contains("REFERENCES patients_61(id)"), "{line}");
            }
            assert!(!sqlite.contains('{'), "{sqlite}");
        }
    }
}
