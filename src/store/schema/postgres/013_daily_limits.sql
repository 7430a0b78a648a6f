-- appt schema v13 for PostgreSQL: daily limits (see the SQLite migration of
-- the same number).
ALTER TABLE doctors ADD COLUMN max_per_day BIGINT;
ALTER TABLE services ADD COLUMN max_per_day BIGINT;
