-- appt schema v3: reliability.
-- A sweep's claim names the run that holds it, so a run records an outcome
-- only while its own claim stands (SPEC §7).
ALTER TABLE reminders ADD COLUMN claim TEXT;

-- Facts about the file itself (e.g. `demo` = '1' marks a demo database that
-- `appt demo` may replace).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Clinic-wide capacity counts the clinic's clinic-wide appointments of one
-- service by time, whichever window row they were booked in (SPEC §5.1).
CREATE INDEX appt_clinic_wide_start ON appointments(clinic_id, service_id, starts_at)
    WHERE doctor_id IS NULL;
