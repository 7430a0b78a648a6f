-- appt schema v15: the index a doctor's busy times are read from holds every
-- column the rules read of them (docs/performance/round-trips.md, "A doctor's busy times from the index alone"),
-- so `slots`, `next` and booking read a day's busy times from the index alone,
-- not from rows all over the file. It replaces appt_doctor_start, whose
-- columns lead it.
CREATE INDEX appt_doctor_busy ON appointments(doctor_id, starts_at, ends_at, buffer_before, buffer_after, solo, status, id);
DROP INDEX appt_doctor_start;
