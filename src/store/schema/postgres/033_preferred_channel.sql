-- appt schema v33 for PostgreSQL: a patient's preferred channel (see the
-- SQLite migration of the same number).
ALTER TABLE patients ADD COLUMN channel TEXT COLLATE "C"
    CHECK (channel IN ('whatsapp', 'sms', 'email', 'none'));
