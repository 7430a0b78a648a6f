-- appt schema v11: API tokens for `appt serve` (docs/security.md#api-tokens).
-- A token itself is never stored: only its SHA-256 (hex), by which a request's
-- token is found, and its first 8 characters, by which people tell tokens
-- apart. A revoked token stays, with the time it was revoked (an audit
-- trail); its name may then be given to a new token.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL,
    scopes       TEXT NOT NULL,     -- comma-separated: appointments:read, …
    clinic_id    TEXT REFERENCES clinics(id),  -- NULL: every clinic
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,           -- NULL: never
    last_used_at INTEGER,           -- recorded at most once a minute
    revoked_at   INTEGER
) STRICT;
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens(hash);
-- One active token of a name.
CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens(name) WHERE revoked_at IS NULL;
