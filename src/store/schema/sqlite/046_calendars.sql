-- appt schema v46: a doctor's own calendars (docs/calendars.md), whose busy
-- times block their slots at every clinic. A calendar's name is unique,
-- case and accents aside (name_key). Its address, user and password are
-- one JSON object sealed under the database's key, bound to the calendar's
-- ID, as a channel's secrets are (a private ICS address is itself a
-- secret); `host` is what may be shown of the address. `tag` is what the
-- last read saw (an ETag, a CalDAV getctag or sync-token), `read_to` the
-- end of the span it read: while both hold, a sync asks only whether the
-- calendar changed. `failed_at`/`failure`: the first failure since the last
-- good read (stale since, and why). `due_at`: the next sync may start then;
-- `reading_until`: a process is reading it (its claim, which lapses then).
CREATE TABLE calendars (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,
    doctor_id  TEXT NOT NULL REFERENCES doctors(id),
    kind       TEXT NOT NULL CHECK (kind IN ('ics', 'caldav')),
    host       TEXT NOT NULL,
    secrets    BLOB NOT NULL,
    tag        TEXT,
    read_to    INTEGER,
    synced_at  INTEGER,
    busy_count INTEGER NOT NULL DEFAULT 0,
    failed_at  INTEGER,
    failure    TEXT,
    due_at     INTEGER NOT NULL,
    reading_until INTEGER,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX calendars_doctor ON calendars(doctor_id);
-- Each busy time, cut at UTC midnights (no piece longer than a day, so a
-- day's are read by their start alone): when, and whose; nothing of what.
CREATE TABLE calendar_busy (
    calendar_id TEXT NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
    doctor_id   TEXT NOT NULL,
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL,
    PRIMARY KEY (calendar_id, starts_at, ends_at)
) STRICT;
CREATE INDEX calendar_busy_doctor ON calendar_busy(doctor_id, starts_at, ends_at);
