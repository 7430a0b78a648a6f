-- appt schema v3: reliability.
-- A sweep's claim names the run that holds it, so a run records an outcome
-- only while its own claim stands (docs/rules.md#reminders-and-notifications).
ALTER TABLE reminders ADD COLUMN claim TEXT;

-- Facts about the file itself (e.g. `demo` = '1' marks a demo database that
-- `appt demo` may replace).
CREATE TABLE meta (
    key   TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    value TEXT COLLATE "C" NOT NULL
);

