-- appt schema v32 for PostgreSQL: receipts of the messages sent and the
-- patients' own messages (see the SQLite migration of the same number).
ALTER TABLE reminders ADD COLUMN delivered_at BIGINT;
ALTER TABLE reminders ADD COLUMN read_at BIGINT;
CREATE INDEX reminders_provider ON reminders(provider_id) WHERE provider_id IS NOT NULL;
CREATE TABLE inbox (
    id             TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    clinic_id      TEXT COLLATE "C" NOT NULL REFERENCES clinics(id),
    channel        TEXT COLLATE "C" NOT NULL,
    kind           TEXT COLLATE "C" NOT NULL CHECK (kind IN ('whatsapp', 'sms', 'email')),
    provider_id    TEXT COLLATE "C" NOT NULL,
    patient_id     TEXT COLLATE "C" REFERENCES patients(id),
    sender         TEXT COLLATE "C",
    body           TEXT COLLATE "C" NOT NULL,
    received_at    BIGINT NOT NULL,
    outcome        TEXT COLLATE "C" NOT NULL CHECK (outcome IN ('inbox', 'confirmed', 'cancelled', 'refused')),
    appointment_id TEXT COLLATE "C" REFERENCES appointments(id),
    answer_status  TEXT COLLATE "C" CHECK (answer_status IN ('sent', 'failed')),
    answer_error   TEXT COLLATE "C",
    done_at        BIGINT
);
CREATE UNIQUE INDEX inbox_provider ON inbox(clinic_id, provider_id);
CREATE INDEX inbox_patient ON inbox(patient_id, received_at);
CREATE INDEX inbox_open ON inbox(clinic_id, received_at) WHERE done_at IS NULL;
