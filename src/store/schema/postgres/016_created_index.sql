-- appt schema v16: `count` (appointments booked since an instant) reads an
-- index alone (an index-only scan where the table's pages are all visible),
-- for the whole database or for one clinic, with its source and status
-- filters checked on the index's own columns.
CREATE INDEX appt_clinic_created ON appointments(clinic_id, created_at) INCLUDE (source, status);
DROP INDEX appt_created;
CREATE INDEX appt_created ON appointments(created_at) INCLUDE (source, status);
-- The patients' search index holds their IDs too: a search walks it alone,
-- checking each name on the index (a plain index scan checks it on the
-- row, one table page read for every name passed over), and reads only the
-- rows it shows.
DROP INDEX patients_search;
CREATE INDEX patients_search ON patients(name_key, phone) INCLUDE (id);
