-- appt schema v23 for PostgreSQL: how long a clinic keeps its messages (see
-- the SQLite migration of the same number).
ALTER TABLE clinics ADD COLUMN retain_messages BIGINT;
