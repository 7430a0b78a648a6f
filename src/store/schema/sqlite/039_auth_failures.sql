-- appt schema v39: failed authentications, counted in the database
-- (docs/api.md#tokens) so that the limit on an address holds across every
-- `appt serve` sharing it (docs/operations.md#several-servers). One row per
-- failure, by the client's address; rows older than the limit's window go
-- as new ones come.
CREATE TABLE auth_failures (
    id      TEXT PRIMARY KEY NOT NULL,
    address TEXT NOT NULL,
    at      INTEGER NOT NULL
) STRICT;
CREATE INDEX auth_failures_address ON auth_failures(address, at);
CREATE INDEX auth_failures_at ON auth_failures(at);
