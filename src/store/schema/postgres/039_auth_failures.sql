-- appt schema v39 for PostgreSQL: failed authentications, counted in the
-- database (see the SQLite migration of the same number).
CREATE TABLE auth_failures (
    id      TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    address TEXT COLLATE "C" NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX auth_failures_address ON auth_failures(address, at);
CREATE INDEX auth_failures_at ON auth_failures(at);
