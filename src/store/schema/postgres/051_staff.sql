-- appt schema v51: the people at the desk (docs/security.md#staff). A
-- member's name is unique, case and accents aside (name_key). `role` is
-- what they may do; `doctor_id` the doctor they are, whose day is theirs;
-- `clinic_id` the one clinic they work at (NULL: every clinic). A PIN is
-- never stored, only its Argon2id hash in the PHC string format (its salt
-- and cost beside it).
CREATE TABLE staff (
    id         TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    name_key   TEXT COLLATE "C" NOT NULL UNIQUE,
    role       TEXT COLLATE "C" NOT NULL CHECK (role IN ('reception', 'doctor', 'manager')),
    doctor_id  TEXT COLLATE "C" REFERENCES doctors(id),
    clinic_id  TEXT COLLATE "C" REFERENCES clinics(id),
    pin_hash   TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
