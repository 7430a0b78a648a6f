-- appt schema v42 for PostgreSQL: the name a clinic was given for a
-- patient it did not know (see the SQLite migration of the same number).
ALTER TABLE appointments ADD COLUMN patient_name_given TEXT COLLATE "C";
ALTER TABLE waitlist ADD COLUMN patient_name_given TEXT COLLATE "C";
