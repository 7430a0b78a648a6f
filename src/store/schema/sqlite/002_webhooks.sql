-- appt schema v2: webhooks. Each webhook keeps a cursor into the event log: the
-- last event it has been given (or skipped as not subscribed). Events go out in
-- order; a failing event holds back the later ones of that webhook only.

CREATE TABLE webhooks (
    id              TEXT PRIMARY KEY NOT NULL,
    url             TEXT NOT NULL,
    events          TEXT,              -- comma-separated types; NULL means all
    secret          TEXT,
    cursor          INTEGER NOT NULL,  -- events with a greater id are still to deliver
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    claimed_until   INTEGER,
    last_error      TEXT,
    delivered       INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
) STRICT;
