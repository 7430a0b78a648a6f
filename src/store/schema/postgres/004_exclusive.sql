-- appt schema v4 for PostgreSQL: the database's own guarantee against double
-- booking, beside the serialised writers: a doctor's active appointments
-- booked in capacity-1 windows (`solo` = 1) never overlap in time.
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE appointments ADD COLUMN solo BIGINT NOT NULL DEFAULT 0;
ALTER TABLE appointments ADD CONSTRAINT appt_doctor_no_overlap
    EXCLUDE USING gist (doctor_id WITH =, int8range(starts_at, ends_at) WITH &&)
    WHERE (solo = 1 AND doctor_id IS NOT NULL
           AND status IN {ACTIVE});
