-- appt schema v22: a patient erased on request (docs/privacy.md#erasure).
-- `erased_at` marks the row: its name is the placeholder, its phone a
-- placeholder of its own (the number free for a new patient), its e-mail
-- and national ID gone. The search index holds only the patients not
-- erased, so no search, picker or name can find an erased one.
ALTER TABLE patients ADD COLUMN erased_at INTEGER;
DROP INDEX patients_search;
CREATE INDEX patients_search ON patients(name_key, phone) WHERE erased_at IS NULL;
