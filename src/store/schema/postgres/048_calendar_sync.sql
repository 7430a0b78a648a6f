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
ALTER TABLE calendars ADD COLUMN sync_token TEXT COLLATE "C";
CREATE TABLE calendar_busy_48 (
    calendar_id TEXT COLLATE "C" NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
    doctor_id   TEXT COLLATE "C" NOT NULL,
    document    TEXT COLLATE "C" NOT NULL,
    piece       BIGINT NOT NULL CHECK (piece >= 0),
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    PRIMARY KEY (calendar_id, document, starts_at, ends_at)
);
INSERT INTO calendar_busy_48 (calendar_id, doctor_id, document, piece, starts_at, ends_at)
    SELECT calendar_id, doctor_id, '', 0, starts_at, ends_at FROM calendar_busy;
DROP TABLE calendar_busy;
ALTER TABLE calendar_busy_48 RENAME TO calendar_busy;
CREATE INDEX calendar_busy_doctor ON calendar_busy(doctor_id, starts_at, ends_at);
ALTER TABLE calendar_busy RENAME CONSTRAINT calendar_busy_48_pkey TO calendar_busy_pkey;
ALTER TABLE calendar_busy RENAME CONSTRAINT calendar_busy_48_calendar_id_fkey TO calendar_busy_calendar_id_fkey;
ALTER TABLE calendar_busy RENAME CONSTRAINT calendar_busy_48_piece_check TO calendar_busy_piece_check;
