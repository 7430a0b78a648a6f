-- appt schema v14: series and buffers (docs/rules.md#series, docs/rules.md#buffers).
-- `series_id` groups the occurrences of one `book --repeat`; NULL for a single
-- booking. A service's buffers keep its doctor free before and after each of
-- its appointments; each appointment keeps the buffers it was booked with, so
-- changing a service later never makes booked appointments overlap, and the
-- time an appointment holds is [starts_at - buffer_before, ends_at + buffer_after).
ALTER TABLE appointments ADD COLUMN series_id TEXT;
ALTER TABLE appointments ADD COLUMN buffer_before INTEGER NOT NULL DEFAULT 0;
ALTER TABLE appointments ADD COLUMN buffer_after INTEGER NOT NULL DEFAULT 0;
ALTER TABLE services ADD COLUMN buffer_before INTEGER NOT NULL DEFAULT 0;
ALTER TABLE services ADD COLUMN buffer_after INTEGER NOT NULL DEFAULT 0;
CREATE INDEX appointments_series ON appointments(series_id, starts_at) WHERE series_id IS NOT NULL;
