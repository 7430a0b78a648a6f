-- appt schema v14 for PostgreSQL: series and buffers (see the SQLite
-- migration of the same number). The exclusion constraint of v4 now keeps the
-- time each solo appointment holds, buffers included, from overlapping.
ALTER TABLE appointments ADD COLUMN series_id TEXT;
ALTER TABLE appointments ADD COLUMN buffer_before BIGINT NOT NULL DEFAULT 0;
ALTER TABLE appointments ADD COLUMN buffer_after BIGINT NOT NULL DEFAULT 0;
ALTER TABLE services ADD COLUMN buffer_before BIGINT NOT NULL DEFAULT 0;
ALTER TABLE services ADD COLUMN buffer_after BIGINT NOT NULL DEFAULT 0;
CREATE INDEX appointments_series ON appointments(series_id, starts_at) WHERE series_id IS NOT NULL;
ALTER TABLE appointments DROP CONSTRAINT appt_doctor_no_overlap;
ALTER TABLE appointments ADD CONSTRAINT appt_doctor_no_overlap
    EXCLUDE USING gist (doctor_id WITH =,
        int8range(starts_at - buffer_before * 60, ends_at + buffer_after * 60) WITH &&)
    WHERE (solo = 1 AND doctor_id IS NOT NULL
           AND status IN {ACTIVE});
