-- appt schema v38 for PostgreSQL: calendar feeds (see the SQLite migration
-- of the same number).
CREATE TABLE feeds (
    id         TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    prefix     TEXT COLLATE "C" NOT NULL,
    hash       TEXT COLLATE "C" NOT NULL,
    clinic_id  TEXT COLLATE "C" NOT NULL REFERENCES clinics(id),
    doctor_id  TEXT COLLATE "C" REFERENCES doctors(id),
    show       TEXT COLLATE "C" NOT NULL CHECK (show IN ('none', 'initials', 'names')),
    days_back  BIGINT NOT NULL CHECK (days_back >= 0 AND days_back <= 366),
    days_ahead BIGINT NOT NULL CHECK (days_ahead >= 1 AND days_ahead <= 366),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    etag       TEXT COLLATE "C",
    etag_at    BIGINT
);
CREATE UNIQUE INDEX feeds_hash ON feeds(hash);
CREATE UNIQUE INDEX feeds_active_name ON feeds(name) WHERE revoked_at IS NULL;
CREATE INDEX appt_doctor_feed ON appointments(doctor_id, clinic_id, local_date) INCLUDE (id, sequence);
