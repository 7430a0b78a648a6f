-- appt schema v20 for PostgreSQL: every text column compares byte by byte
-- (COLLATE "C"), as SQLite's do and as v1 set out. A sweep's claim (v3), a
-- clinic's phone and templates (v12) and an appointment's series (v14) had
-- been added with the server's own collation: under a collation such as
-- en_US, a range of IDs or an order by them need not agree with SQLite's.
-- Only the collation changes, so no row is rewritten; the series' index is
-- built again.
ALTER TABLE reminders ALTER COLUMN claim TYPE TEXT COLLATE "C";
ALTER TABLE clinics ALTER COLUMN phone TYPE TEXT COLLATE "C";
ALTER TABLE clinics ALTER COLUMN templates TYPE TEXT COLLATE "C";
ALTER TABLE appointments ALTER COLUMN series_id TYPE TEXT COLLATE "C";
