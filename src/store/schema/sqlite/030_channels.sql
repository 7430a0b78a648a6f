-- appt schema v30: a clinic's channels, the providers appt sends its
-- messages through itself (docs/commands.md#appt-channel). A channel's name
-- is unique in its clinic, case and accents aside (name_key); position is
-- the clinic's fallback order. settings holds what may be shown (a JSON
-- object: the phone number's ID, the account SID, the sender, the base URL,
-- the templates); secrets holds the provider's tokens and passwords as one
-- JSON object sealed under the database's key, bound to the channel's ID
-- (docs/security.md#channel-secrets): never in clear.
CREATE TABLE channels (
    id         TEXT PRIMARY KEY NOT NULL,
    clinic_id  TEXT NOT NULL REFERENCES clinics(id),
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('whatsapp', 'sms', 'email')),
    position   INTEGER NOT NULL,
    settings   TEXT NOT NULL,
    secrets    BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX channels_name ON channels(clinic_id, name_key);
