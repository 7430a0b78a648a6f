-- appt schema v36: recalls (docs/rules.md#recalls).
--
-- A recall is a completed visit with a follow-up date: no table of its own,
-- it is read from the appointment. What it needs stored is its one message,
-- kind `recall` in reminders, sent once: the unique index below makes a
-- second impossible. SQLite cannot change a CHECK, so reminders is built
-- again with `recall` among its kinds, its rows and indexes as they were
-- (nothing refers to reminders).
CREATE TABLE reminders_36 (
    id              TEXT PRIMARY KEY NOT NULL,
    appointment_id  TEXT NOT NULL REFERENCES appointments(id),
    offset_minutes  INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending','sent','failed','cancelled','expired')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    claimed_until   INTEGER,
    sent_at         INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    claim           TEXT,
    kind            TEXT NOT NULL DEFAULT 'reminder'
        CHECK (kind IN ('reminder','waitlist_offer','confirmation','rescheduled','cancelled','recall')),
    data            TEXT,
    waitlist_id     TEXT,
    channel         TEXT,
    provider_id     TEXT,
    delivered_at    INTEGER,
    read_at         INTEGER
) STRICT;
INSERT INTO reminders_36 (id, appointment_id, offset_minutes, due_at, status, attempts,
    next_attempt_at, claimed_until, sent_at, last_error, created_at, updated_at, claim, kind,
    data, waitlist_id, channel, provider_id, delivered_at, read_at)
SELECT id, appointment_id, offset_minutes, due_at, status, attempts,
    next_attempt_at, claimed_until, sent_at, last_error, created_at, updated_at, claim, kind,
    data, waitlist_id, channel, provider_id, delivered_at, read_at
FROM reminders;
DROP TABLE reminders;
ALTER TABLE reminders_36 RENAME TO reminders;
CREATE INDEX reminders_appt ON reminders(appointment_id, status);
CREATE INDEX reminders_due_at ON reminders(due_at);
CREATE INDEX reminders_due ON reminders(status, due_at)
    WHERE status = 'pending' OR status = 'failed' OR status = 'expired';
CREATE INDEX reminders_kind ON reminders(kind, due_at)
    WHERE kind = 'waitlist_offer' OR kind = 'confirmation' OR kind = 'rescheduled' OR kind = 'cancelled'
       OR kind = 'recall';
CREATE INDEX reminders_provider ON reminders(provider_id) WHERE provider_id IS NOT NULL;
-- One recall message per visit, ever.
CREATE UNIQUE INDEX reminders_recall ON reminders(appointment_id) WHERE kind = 'recall';
-- A clinic's recalls, by follow-up date.
CREATE INDEX appt_follow_up ON appointments(clinic_id, follow_up_date)
    WHERE follow_up_date IS NOT NULL AND status = 'completed';
-- Whether `remind due` sends the clinic's due recalls.
ALTER TABLE clinics ADD COLUMN recalls INTEGER NOT NULL DEFAULT 0;
