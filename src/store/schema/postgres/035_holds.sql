-- appt schema v35 for PostgreSQL: the booking page's holds and codes (see
-- the SQLite migration of the same number).
CREATE TABLE holds (
    id          TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    clinic_id   TEXT COLLATE "C" NOT NULL REFERENCES clinics(id),
    doctor_id   TEXT COLLATE "C" NOT NULL REFERENCES doctors(id),
    service_id  TEXT COLLATE "C" REFERENCES services(id),
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    until       BIGINT NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    phone       TEXT COLLATE "C" NOT NULL,
    email       TEXT COLLATE "C",
    channel     TEXT COLLATE "C",
    code_hash   TEXT COLLATE "C" NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    address     TEXT COLLATE "C" NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX holds_doctor ON holds(doctor_id, starts_at);
CREATE INDEX holds_phone ON holds(phone, until);
CREATE INDEX holds_address ON holds(address, until);
CREATE TABLE web_codes (
    id          TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    phone_hash  TEXT COLLATE "C" NOT NULL,
    address     TEXT COLLATE "C" NOT NULL,
    sent_at     BIGINT NOT NULL
);
CREATE INDEX web_codes_phone ON web_codes(phone_hash, sent_at);
CREATE INDEX web_codes_address ON web_codes(address, sent_at);
