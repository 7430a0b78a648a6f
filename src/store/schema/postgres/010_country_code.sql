-- appt schema v10 for PostgreSQL: a clinic's country code (see the SQLite
-- migration of the same number).
ALTER TABLE clinics ADD COLUMN country_code TEXT COLLATE "C"
    CHECK (country_code ~ '^[+][1-9][0-9]{0,2}$');
