-- appt schema v37 for PostgreSQL: a booking page's code for joining a
-- day's waitlist (see the SQLite migration of the same number).
ALTER TABLE holds ADD COLUMN kind TEXT COLLATE "C" NOT NULL DEFAULT 'time'
    CHECK (kind IN ('time', 'wait'));
