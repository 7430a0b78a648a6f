-- appt schema v38: calendar feeds (docs/feeds.md): a doctor's visits, or a
-- clinic's, as a calendar a phone subscribes to (`<public-url>/cal/<token>.ics`)
-- or adds as a read-only CalDAV account (`/dav/<name>/`). As with an API
-- token, the feed's token itself is never stored: only its SHA-256 (hex),
-- by which a request's token is found, and its first 8 characters, by which
-- people tell feeds apart. A revoked feed stays, with the time it was
-- revoked; its name may then be given to a new one.
CREATE TABLE feeds (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    prefix     TEXT NOT NULL,
    hash       TEXT NOT NULL,
    clinic_id  TEXT NOT NULL REFERENCES clinics(id),
    doctor_id  TEXT REFERENCES doctors(id),   -- NULL: the whole clinic
    show       TEXT NOT NULL CHECK (show IN ('none', 'initials', 'names')),
    days_back  INTEGER NOT NULL CHECK (days_back >= 0 AND days_back <= 366),
    days_ahead INTEGER NOT NULL CHECK (days_ahead >= 1 AND days_ahead <= 366),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    -- The calendar's ETag when last asked for, and since when it has been
    -- that: its Last-Modified.
    etag       TEXT,
    etag_at    INTEGER
) STRICT;
CREATE UNIQUE INDEX feeds_hash ON feeds(hash);
-- One active feed of a name: the CalDAV collection's path.
CREATE UNIQUE INDEX feeds_active_name ON feeds(name) WHERE revoked_at IS NULL;
-- What tells whether a doctor's feed changed (store::feeds::signature): its
-- visits' IDs and sequences on its days, read from this index alone rather
-- than from each visit's row (2,500 rows of a busy doctor's 120 days, each
-- on a page of its own: 4 ms a request, 0.5 ms from here).
CREATE INDEX appt_doctor_feed ON appointments(doctor_id, clinic_id, local_date, id, sequence);
