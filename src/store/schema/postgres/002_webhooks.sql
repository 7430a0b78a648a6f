-- appt schema v2: webhooks. Each webhook keeps a cursor into the event log: the
-- last event it has been given (or skipped as not subscribed). Events go out in
-- order; a failing event holds back the later ones of that webhook only.

CREATE TABLE webhooks (
    id              TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    url             TEXT COLLATE "C" NOT NULL,
    events          TEXT COLLATE "C",              -- comma-separated types; NULL means all
    secret          TEXT COLLATE "C",
    cursor          BIGINT NOT NULL,  -- events with a greater id are still to deliver
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    claimed_until   BIGINT,
    last_error      TEXT COLLATE "C",
    delivered       BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL
);
