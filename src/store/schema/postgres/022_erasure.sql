-- appt schema v22 for PostgreSQL: a patient erased on request (see the
-- SQLite migration of the same number). The search index keeps the IDs it
-- holds since v16.
ALTER TABLE patients ADD COLUMN erased_at BIGINT;
DROP INDEX patients_search;
CREATE INDEX patients_search ON patients(name_key, phone) INCLUDE (id) WHERE erased_at IS NULL;
