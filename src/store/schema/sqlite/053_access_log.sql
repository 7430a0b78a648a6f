-- appt schema v53: who looked at a visit's clinical fields, and when
-- (docs/security.md#who-looked). One row per visit a command showed with
-- its clinical fields to a member of staff: the patient and the visit by
-- ID alone (so erasing a patient's name and phone leaves the row, and its
-- count, naming nobody), who (`staff:Marta`), from which OS user, and the
-- command. The clinic's retention takes the rows older than it.
CREATE TABLE access_log (
    id             TEXT PRIMARY KEY NOT NULL,
    at             INTEGER NOT NULL,
    clinic_id      TEXT NOT NULL REFERENCES clinics(id),
    patient_id     TEXT NOT NULL REFERENCES patients(id),
    appointment_id TEXT NOT NULL REFERENCES appointments(id),
    actor          TEXT NOT NULL,
    os_user        TEXT NOT NULL,
    command        TEXT NOT NULL
) STRICT;
CREATE INDEX access_log_patient ON access_log(patient_id, at);
CREATE INDEX access_log_clinic ON access_log(clinic_id, at);
