-- appt schema v18: a webhook added with `--clinical` receives the whole
-- appointment object; every other webhook, and every webhook from before,
-- receives the message view, without the diagnosis, prescription,
-- follow-up and notes (docs/security.md#what-leaves-appt).
ALTER TABLE webhooks ADD COLUMN clinical INTEGER NOT NULL DEFAULT 0
    CHECK (clinical IN (0, 1));
