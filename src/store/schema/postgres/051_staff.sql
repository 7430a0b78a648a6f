-- appt schema v51: the people at the desk (docs/security.md#staff). A
-- member's name is unique, case and accents aside (name_key). `role` is
-- what they may do; `doctor_id` the doctor they are, whose day is theirs;
-- `clinic_id` the one clinic they work at (NULL: every clinic). A PIN is
-- never stored, only its Argon2id hash in the PHC string format (its salt
-- and cost beside it). `failed_pins` counts the wrong PINs since the last
-- right one (each try is counted before its PIN is checked, so tries at
-- once from several terminals are counted all the same); the fifth locks
-- the name until `locked_until`.
CREATE TABLE staff (
    id         TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    name_key   TEXT COLLATE "C" NOT NULL UNIQUE,
    role       TEXT COLLATE "C" NOT NULL CHECK (role IN ('reception', 'doctor', 'manager')),
    doctor_id  TEXT COLLATE "C" REFERENCES doctors(id),
    clinic_id  TEXT COLLATE "C" REFERENCES clinics(id),
    pin_hash   TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    failed_pins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT
);

-- A member signed in at one terminal (`appt login`): the session's secret
-- is in a file only that OS user can read; the database keeps its SHA-256
-- and the terminal it was opened on, so a copy of the file on another
-- terminal signs nobody in.
CREATE TABLE staff_sessions (
    hash       TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    staff_id   TEXT COLLATE "C" NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    terminal   TEXT COLLATE "C" NOT NULL,
    opened_at  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
