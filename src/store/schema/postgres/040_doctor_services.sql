-- appt schema v40 for PostgreSQL: what each doctor does (see the SQLite
-- migration of the same number).
ALTER TABLE doctors ADD COLUMN service_ids TEXT COLLATE "C";
