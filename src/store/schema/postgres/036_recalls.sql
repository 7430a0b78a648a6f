-- appt schema v36 for PostgreSQL: recalls (see the SQLite migration of the
-- same number): `recall` among the messages' kinds, one recall message per
-- visit, a clinic's recalls by follow-up date, and whether `remind due`
-- sends them.
ALTER TABLE reminders DROP CONSTRAINT reminders_kind_check;
ALTER TABLE reminders ADD CONSTRAINT reminders_kind_check
    CHECK (kind IN ('reminder','waitlist_offer','confirmation','rescheduled','cancelled','recall'));
DROP INDEX IF EXISTS reminders_kind;
CREATE INDEX reminders_kind ON reminders(kind, due_at)
    WHERE kind = 'waitlist_offer' OR kind = 'confirmation' OR kind = 'rescheduled' OR kind = 'cancelled'
       OR kind = 'recall';
CREATE UNIQUE INDEX reminders_recall ON reminders(appointment_id) WHERE kind = 'recall';
CREATE INDEX appt_follow_up ON appointments(clinic_id, follow_up_date)
    WHERE follow_up_date IS NOT NULL AND status = 'completed';
ALTER TABLE clinics ADD COLUMN recalls BIGINT NOT NULL DEFAULT 0;
