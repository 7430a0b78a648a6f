-- appt schema v48: a CalDAV collection read by what changed
-- (docs/calendars.md#kept-fresh). `sync_token` is the collection's
-- sync-token at the last good read, which the next `sync-collection` asks
-- from. Each busy time now says which of the calendar's documents it came
-- from (`document`: the SHA-256, hex, of an event's address in the
-- collection, '' for an ICS file; never the address, which a client may
-- name after the event), so that a changed or deleted event replaces its
-- own busy times alone, and which piece of it a row is (`piece`: 0 for the first, which
-- `busy_count` counts). Busy times read before are kept as the ICS file's
-- (''): the next read of a collection that changed is a whole one, as no
-- sync-token is known yet.
ALTER TABLE calendars ADD COLUMN sync_token TEXT;
CREATE TABLE calendar_busy_48 (
    calendar_id TEXT NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
    doctor_id   TEXT NOT NULL,
    document    TEXT NOT NULL,
    piece       INTEGER NOT NULL CHECK (piece >= 0),
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL,
    PRIMARY KEY (calendar_id, document, starts_at, ends_at)
) STRICT;
INSERT INTO calendar_busy_48 (calendar_id, doctor_id, document, piece, starts_at, ends_at)
    SELECT calendar_id, doctor_id, '', 0, starts_at, ends_at FROM calendar_busy;
DROP TABLE calendar_busy;
ALTER TABLE calendar_busy_48 RENAME TO calendar_busy;
CREATE INDEX calendar_busy_doctor ON calendar_busy(doctor_id, starts_at, ends_at);
