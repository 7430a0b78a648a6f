-- appt schema v52 for PostgreSQL: an API token tied to a member of staff
-- (see the SQLite migration of the same number).
ALTER TABLE api_tokens ADD COLUMN staff_id TEXT COLLATE "C" REFERENCES staff(id) ON DELETE CASCADE;
CREATE INDEX api_tokens_staff ON api_tokens(staff_id) WHERE staff_id IS NOT NULL;
