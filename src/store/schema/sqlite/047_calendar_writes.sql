-- appt schema v47: a doctor's CalDAV calendar appt writes their visits into
-- (`calendar add --write`, docs/calendars.md#writing-visits-back), and what
-- it wrote there: each visit's event (its resource is named by the
-- appointment's ID, its UID that ID), the appointment's sequence it holds,
-- a digest of the event written (SHA-256, hex) and the server's ETag of it.
-- A visit whose row is missing is written with If-None-Match: *, one whose
-- event would read otherwise now (moved, renamed, its patient erased) with
-- If-Match; a row whose visit is no longer the doctor's to come is deleted
-- there.
ALTER TABLE calendars ADD COLUMN write_back INTEGER NOT NULL DEFAULT 0 CHECK (write_back IN (0, 1));
CREATE TABLE calendar_writes (
    calendar_id    TEXT NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
    appointment_id TEXT NOT NULL,
    sequence       INTEGER NOT NULL,
    digest         TEXT NOT NULL,
    etag           TEXT,
    PRIMARY KEY (calendar_id, appointment_id)
) STRICT;
