-- appt schema v35: the booking page's holds and codes (docs/rules.md#holds).
--
-- A hold keeps a doctor's time for a patient typing the 6-digit code the
-- page sent their phone: until `until`, it takes one place of that time as
-- an appointment would. It keeps what the patient typed (name, phone,
-- e-mail, channel) only until it ends: booked (the row goes, the patient is
-- then stored once, in patients), expired or failed 5 times (the next
-- hold's write, or `remind due`, deletes it). code_hash is SHA-256 of the
-- hold's ID and the code; `address` is the client's IP address.
CREATE TABLE holds (
    id          TEXT PRIMARY KEY NOT NULL,
    clinic_id   TEXT NOT NULL REFERENCES clinics(id),
    doctor_id   TEXT NOT NULL REFERENCES doctors(id),
    service_id  TEXT REFERENCES services(id),
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL,
    until       INTEGER NOT NULL,
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL,
    email       TEXT,
    channel     TEXT,
    code_hash   TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    address     TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX holds_doctor ON holds(doctor_id, starts_at);
CREATE INDEX holds_phone ON holds(phone, until);
CREATE INDEX holds_address ON holds(address, until);
-- Each code sent, for the limits per phone and per address an hour: the
-- phone as a SHA-256 (kept an hour, not the number itself).
CREATE TABLE web_codes (
    id          TEXT PRIMARY KEY NOT NULL,
    phone_hash  TEXT NOT NULL,
    address     TEXT NOT NULL,
    sent_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX web_codes_phone ON web_codes(phone_hash, sent_at);
CREATE INDEX web_codes_address ON web_codes(address, sent_at);
