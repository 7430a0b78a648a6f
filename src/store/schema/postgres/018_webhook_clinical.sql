-- appt schema v18 for PostgreSQL: a webhook's `--clinical` (see the SQLite
-- migration of the same number).
ALTER TABLE webhooks ADD COLUMN clinical BIGINT NOT NULL DEFAULT 0
    CHECK (clinical IN (0, 1));
