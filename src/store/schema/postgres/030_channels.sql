-- appt schema v30 for PostgreSQL: a clinic's channels (see the SQLite
-- migration of the same number).
CREATE TABLE channels (
    id         TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    clinic_id  TEXT COLLATE "C" NOT NULL REFERENCES clinics(id),
    name       TEXT COLLATE "C" NOT NULL,
    name_key   TEXT COLLATE "C" NOT NULL,
    kind       TEXT COLLATE "C" NOT NULL CHECK (kind IN ('whatsapp', 'sms', 'email')),
    position   BIGINT NOT NULL,
    settings   TEXT COLLATE "C" NOT NULL,
    secrets    BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX channels_name ON channels(clinic_id, name_key);
