-- appt schema v26 for PostgreSQL: how a clinic reads a date typed `4/12`
-- (see the SQLite migration of the same number).
ALTER TABLE clinics ADD COLUMN date_order TEXT COLLATE "C"
    CHECK (date_order IN ('dmy', 'mdy'));
