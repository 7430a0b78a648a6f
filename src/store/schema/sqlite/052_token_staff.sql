-- appt schema v52: an API token may be tied to a member of staff (`token
-- add --staff`, docs/security.md#roles): it then never does more than
-- their role allows, read as the role is at each request. Removing the
-- member removes their tokens with them, so none outlives its person.
ALTER TABLE api_tokens ADD COLUMN staff_id TEXT REFERENCES staff(id) ON DELETE CASCADE;
CREATE INDEX api_tokens_staff ON api_tokens(staff_id) WHERE staff_id IS NOT NULL;
