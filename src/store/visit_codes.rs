//! Schema 60: an appointment's closed sets — its status, its source, its
//! urgency, its modality and whether it is a first visit — kept as their
//! numbers (`core::Coded`, a source its place in `core::SOURCES`), where
//! they were their names, and its local date as its day number (days from
//! 1970-01-01, `db::day`), where it was text (docs/performance.md#footprint). The table is
//! copied, a batch per transaction, into a table of the new shape (as
//! [`super::visit_ids`] copies, each batch going on from the copy's last
//! key); at the end the copy takes the table's name, and its indexes and
//! (PostgreSQL) exclusion constraint are made again from the database's own
//! description of them, each status written as its number; the tables that
//! refer to the appointments refer to the copy.

use super::db::{Backend, Tx};
use super::visit_ids::{copy_batch, rebuilt, APPOINTMENT_COLS};
use crate::core::{Coded, Modality, Status, Urgency, VisitType, SOURCES};
use crate::error::Result;

/// Rows copied per transaction (in debug builds, `APPT_TEST_BATCH`).
const BATCH: i64 = 20_000;

/// The copy, until it takes the table's name.
const COPY: &str = "appointments_60";

/// The new shape: the five closed sets as small numbers, each within the
/// numbers its set had when this step was written.
pub(super) const SHAPE: &str = "CREATE TABLE {name} (
    id                    {id} PRIMARY KEY NOT NULL,
    clinic_id             {text} NOT NULL REFERENCES clinics(id),
    doctor_id             {text} REFERENCES doctors(id),
    window_id             {text} REFERENCES windows(id) ON DELETE SET NULL,
    patient_id            {text} NOT NULL REFERENCES patients(id),
    service_id            {text} REFERENCES services(id),
    local_date            {day} NOT NULL,
    starts_at             {int} NOT NULL,
    ends_at               {int} NOT NULL,
    duration_minutes      {int} NOT NULL,
    status                {small} NOT NULL CHECK (status >= 1 AND status <= 7),
    token_number          {int} NOT NULL,
    source                {small} NOT NULL CHECK (source >= 1 AND source <= 7),
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
    urgency               {small} NOT NULL DEFAULT 1 CHECK (urgency >= 1 AND urgency <= 3),
    modality              {small} NOT NULL DEFAULT 1 CHECK (modality >= 1 AND modality <= 3),
    visit_type            {small} NOT NULL DEFAULT 1 CHECK (visit_type >= 1 AND visit_type <= 2),
    payer                 {text},
    overbook_reason       {text},
    overbook_by           {text},
    overbook_rule         {text},
    patient_name_given    {text},
    CHECK (starts_at < ends_at)
){strict};";

/// Column `c` as its number, read from its name (the local date from its
/// text): NULL for a name appt never wrote, which the copy's NOT NULL
/// refuses (PostgreSQL refuses a date that is none itself), so that the
/// batch is undone and the upgrade stops, the database as it was.
fn number(backend: Backend, c: &str) -> Option<String> {
    Some(match c {
        "local_date" => match backend {
            Backend::Sqlite => format!(
                "CASE WHEN date({c}) = {c} THEN CAST(julianday({c}) - 2440587.5 AS INTEGER) END"
            ),
            Backend::Postgres => format!("CAST({c} AS date) - DATE '1970-01-01'"),
        },
        "status" => super::coded::code_of_name::<Status>(c),
        "urgency" => super::coded::code_of_name::<Urgency>(c),
        "modality" => super::coded::code_of_name::<Modality>(c),
        "visit_type" => super::coded::code_of_name::<VisitType>(c),
        "source" => {
            let whens: String = SOURCES
                .iter()
                .map(|s| {
                    format!(
                        " WHEN '{s}' THEN {}",
                        crate::core::source_code(s).unwrap_or(0)
                    )
                })
                .collect();
            format!("CASE {c}{whens} END")
        }
        _ => return None,
    })
}

/// Copies the next batch of appointments; true once all are copied and the
/// copy has taken the table's place.
pub fn appointment_codes(tx: &Tx) -> Result<bool> {
    if !super::rewrite::exists(tx, COPY)? {
        let shape = SHAPE.replace("{name}", COPY);
        tx.script(&super::rewrite::typed(tx.backend(), &shape))?;
    }
    let batch = super::batch_size(BATCH);
    let backend = tx.backend();
    let convert = |c: &str| number(backend, c);
    if copy_batch(
        tx,
        ("appointments", COPY),
        APPOINTMENT_COLS,
        &["id"],
        &convert,
        batch,
    )? == batch
    {
        return Ok(false);
    }
    // Its indexes and PostgreSQL's exclusion constraint name each status
    // by its number now.
    rebuilt(tx, &["appointments"], &|_| COPY.to_string(), &numbered)?;
    Ok(true)
}

/// An index's or a constraint's statement with each status named in it
/// (`'scheduled'`, PostgreSQL's `'scheduled'::text`) as its number.
fn numbered(sql: &str) -> String {
    Status::ALL.iter().fold(sql.to_string(), |sql, s| {
        let code = Coded::code(*s).to_string();
        sql.replace(&format!("'{}'::text", s.as_str()), &code)
            .replace(&format!("'{}'", s.as_str()), &code)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_in_an_index_is_written_as_its_number() {
        assert_eq!(
            numbered(&format!(
                "CREATE INDEX x ON appointments(a) WHERE status IN {}",
                super::super::ACTIVE_NAMES
            )),
            "CREATE INDEX x ON appointments(a) WHERE status IN (1,2,3,4)"
        );
        assert_eq!(
            numbered("WHERE (status = ANY (ARRAY['scheduled'::text, 'in_progress'::text])) AND (status = 'completed'::text)"),
            "WHERE (status = ANY (ARRAY[1, 4])) AND (status = 5)"
        );
    }

    #[test]
    fn every_source_and_kind_is_read_as_its_number() {
        let source = number(Backend::Sqlite, "source").unwrap();
        for (i, s) in SOURCES.iter().enumerate() {
            assert!(
                source.contains(&format!("WHEN '{s}' THEN {}", i + 1)),
                "{source}"
            );
        }
        let number = |c| number(Backend::Sqlite, c);
        assert!(number("status").unwrap().contains("WHEN 'no_show' THEN 7"));
        assert!(number("visit_type")
            .unwrap()
            .contains("WHEN 'follow_up' THEN 2"));
        assert_eq!(number("notes"), None);
    }
}
