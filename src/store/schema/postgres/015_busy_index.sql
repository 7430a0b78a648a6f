-- appt schema v15: the index a doctor's busy times are read from holds every
-- column the rules read of them, so a day's busy times can be read from the
-- index alone (an index-only scan where the table's pages are all visible).
-- It replaces appt_doctor_start, whose columns lead it.
CREATE INDEX appt_doctor_busy ON appointments(doctor_id, starts_at)
    INCLUDE (ends_at, buffer_before, buffer_after, solo, status, id);
DROP INDEX appt_doctor_start;
