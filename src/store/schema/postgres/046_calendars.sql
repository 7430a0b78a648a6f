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
    id         TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    name_key   TEXT COLLATE "C" NOT NULL UNIQUE,
    doctor_id  TEXT COLLATE "C" NOT NULL REFERENCES doctors(id),
    kind       TEXT COLLATE "C" NOT NULL CHECK (kind IN ('ics', 'caldav')),
    host       TEXT COLLATE "C" NOT NULL,
    secrets    BYTEA NOT NULL,
    tag        TEXT COLLATE "C",
    read_to    BIGINT,
    synced_at  BIGINT,
    busy_count BIGINT NOT NULL DEFAULT 0,
    failed_at  BIGINT,
    failure    TEXT COLLATE "C",
    due_at     BIGINT NOT NULL,
    reading_until BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX calendars_doctor ON calendars(doctor_id);
-- Each busy time, cut at UTC midnights (no piece longer than a day, so a
-- day's are read by their start alone): when, and whose; nothing of what.
CREATE TABLE calendar_busy (
    calendar_id TEXT COLLATE "C" NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
    doctor_id   TEXT COLLATE "C" NOT NULL,
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    PRIMARY KEY (calendar_id, starts_at, ends_at)
);
CREATE INDEX calendar_busy_doctor ON calendar_busy(doctor_id, starts_at, ends_at);
