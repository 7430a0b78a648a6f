-- appt schema v43: a patient's typed `no` or `cancelar` asks them to
-- confirm before their visit is cancelled (docs/rules.md#answers): the
-- message that asked is kept with outcome `asked` and the visit it is
-- about, and the patient's next answer finds it there. SQLite changes a
-- CHECK only by making the table again.
CREATE TABLE inbox_43 (
    id             TEXT PRIMARY KEY NOT NULL,
    clinic_id      TEXT NOT NULL REFERENCES clinics(id),
    channel        TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('whatsapp', 'sms', 'email')),
    provider_id    TEXT NOT NULL,
    patient_id     TEXT REFERENCES patients(id),
    sender         TEXT,
    body           TEXT NOT NULL,
    received_at    INTEGER NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('inbox', 'confirmed', 'cancelled', 'refused', 'asked')),
    appointment_id TEXT REFERENCES appointments(id),
    answer_status  TEXT CHECK (answer_status IN ('sent', 'failed')),
    answer_error   TEXT,
    done_at        INTEGER
) STRICT;
INSERT INTO inbox_43 (id, clinic_id, channel, kind, provider_id, patient_id, sender, body,
    received_at, outcome, appointment_id, answer_status, answer_error, done_at)
SELECT id, clinic_id, channel, kind, provider_id, patient_id, sender, body,
    received_at, outcome, appointment_id, answer_status, answer_error, done_at FROM inbox;
DROP TABLE inbox;
ALTER TABLE inbox_43 RENAME TO inbox;
CREATE UNIQUE INDEX inbox_provider ON inbox(clinic_id, provider_id);
CREATE INDEX inbox_patient ON inbox(patient_id, received_at);
CREATE INDEX inbox_open ON inbox(clinic_id, received_at) WHERE done_at IS NULL;
