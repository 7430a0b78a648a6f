-- appt schema v27 for PostgreSQL: a clinic's queue order and lateness (see
-- the SQLite migration of the same number).
ALTER TABLE clinics ADD COLUMN queue_order TEXT COLLATE "C" NOT NULL DEFAULT 'time'
    CHECK (queue_order IN ('time', 'token'));
ALTER TABLE clinics ADD COLUMN late_after BIGINT NOT NULL DEFAULT 10
    CHECK (late_after >= 0);
