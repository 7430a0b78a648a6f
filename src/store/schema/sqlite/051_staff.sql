-- appt schema v51: the people at the desk (docs/security.md#staff). A
-- member's name is unique, case and accents aside (name_key). `role` is
-- what they may do; `doctor_id` the doctor they are, whose day is theirs;
-- `clinic_id` the one clinic they work at (NULL: every clinic). A PIN is
-- never stored, only its Argon2id hash in the PHC string format (its salt
-- and cost beside it).
CREATE TABLE staff (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL CHECK (role IN ('reception', 'doctor', 'manager')),
    doctor_id  TEXT REFERENCES doctors(id),
    clinic_id  TEXT REFERENCES clinics(id),
    pin_hash   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
