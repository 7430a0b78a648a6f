-- appt schema v32: what became of a message a provider took, and the
-- patients' own messages (docs/rules.md#answers).
--
-- A message sent through a channel is found again by the provider's ID when
-- its receipt comes; delivered_at and read_at are when the provider said so.
ALTER TABLE reminders ADD COLUMN delivered_at INTEGER;
ALTER TABLE reminders ADD COLUMN read_at INTEGER;
CREATE INDEX reminders_provider ON reminders(provider_id) WHERE provider_id IS NOT NULL;
-- Each message a patient (or anyone) sent to one of a clinic's channels,
-- once: provider_id is the provider's ID of it, and a delivery the provider
-- retries finds it there. patient_id is the clinic's patient with that
-- phone; sender is the phone only when no patient has it (a patient's phone
-- is stored once, in patients). outcome is what appt did with it: an answer
-- that confirmed or cancelled appointment_id, a cancel refused inside the
-- cancellation window, or `inbox`: kept for the desk. answer_status is the
-- one-line answer sent back (sent, failed), answer_error the provider's
-- reason; done_at when the desk marked it done.
CREATE TABLE inbox (
    id             TEXT PRIMARY KEY NOT NULL,
    clinic_id      TEXT NOT NULL REFERENCES clinics(id),
    channel        TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('whatsapp', 'sms', 'email')),
    provider_id    TEXT NOT NULL,
    patient_id     TEXT REFERENCES patients(id),
    sender         TEXT,
    body           TEXT NOT NULL,
    received_at    INTEGER NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('inbox', 'confirmed', 'cancelled', 'refused')),
    appointment_id TEXT REFERENCES appointments(id),
    answer_status  TEXT CHECK (answer_status IN ('sent', 'failed')),
    answer_error   TEXT,
    done_at        INTEGER
) STRICT;
CREATE UNIQUE INDEX inbox_provider ON inbox(clinic_id, provider_id);
CREATE INDEX inbox_patient ON inbox(patient_id, received_at);
CREATE INDEX inbox_open ON inbox(clinic_id, received_at) WHERE done_at IS NULL;
