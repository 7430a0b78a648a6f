-- appt schema v16: `count` (appointments booked since an instant) reads an
-- index alone, for the whole database or for one clinic, with its source
-- and status filters checked in the index (docs/performance/clinic-group.md,
-- "What the group changed"). Before, the clinic was an `IS NULL OR` that no index
-- could lead with, and each appointment counted was read from its row.
CREATE INDEX appt_clinic_created ON appointments(clinic_id, created_at, source, status);
DROP INDEX appt_created;
CREATE INDEX appt_created ON appointments(created_at, source, status);
