-- appt schema v1. Instants are INTEGER seconds since the Unix epoch (UTC);
-- local dates are TEXT 'YYYY-MM-DD'; local times are minutes after midnight.

CREATE TABLE clinics (
    id                TEXT PRIMARY KEY NOT NULL,
    name              TEXT NOT NULL,
    name_key          TEXT NOT NULL UNIQUE,
    timezone          TEXT NOT NULL,
    slot_minutes      INTEGER NOT NULL,
    min_notice        INTEGER NOT NULL,
    horizon           INTEGER NOT NULL,
    cancel_window     INTEGER NOT NULL,
    reminders         TEXT NOT NULL,
    duplicate_check   INTEGER NOT NULL,
    require_diagnosis INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;

CREATE TABLE doctors (
    id           TEXT PRIMARY KEY NOT NULL,
    full_name    TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    specialty    TEXT,
    slot_minutes INTEGER,
    active       INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX doctors_name ON doctors(name_key);

CREATE TABLE services (
    id               TEXT PRIMARY KEY NOT NULL,
    name             TEXT NOT NULL,
    name_key         TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    removed_at       INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX services_name ON services(name_key) WHERE removed_at IS NULL;

CREATE TABLE windows (
    id           TEXT PRIMARY KEY NOT NULL,
    clinic_id    TEXT NOT NULL REFERENCES clinics(id),
    doctor_id    TEXT REFERENCES doctors(id),
    weekdays     INTEGER,
    date         TEXT,
    start_minute INTEGER NOT NULL,
    end_minute   INTEGER NOT NULL,
    slot_minutes INTEGER NOT NULL,
    capacity     INTEGER NOT NULL,
    session      TEXT,
    batch        TEXT,
    valid_from   TEXT,
    valid_to     TEXT,
    open         INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    CHECK ((weekdays IS NULL) <> (date IS NULL)),
    CHECK (start_minute < end_minute)
) STRICT;
CREATE INDEX windows_doctor ON windows(doctor_id);
CREATE INDEX windows_clinic ON windows(clinic_id, doctor_id);

CREATE TABLE window_services (
    window_id  TEXT NOT NULL REFERENCES windows(id) ON DELETE CASCADE,
    service_id TEXT NOT NULL REFERENCES services(id),
    PRIMARY KEY (window_id, service_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE closures (
    id         TEXT PRIMARY KEY NOT NULL,
    clinic_id  TEXT REFERENCES clinics(id),
    doctor_id  TEXT REFERENCES doctors(id),
    from_date  TEXT NOT NULL,
    to_date    TEXT NOT NULL,
    reason     TEXT,
    created_at INTEGER NOT NULL,
    CHECK ((clinic_id IS NULL) <> (doctor_id IS NULL)),
    CHECK (from_date <= to_date)
) STRICT;
CREATE INDEX closures_clinic ON closures(clinic_id, to_date);
CREATE INDEX closures_doctor ON closures(doctor_id, to_date);

CREATE TABLE patients (
    id            TEXT PRIMARY KEY NOT NULL,
    full_name     TEXT NOT NULL,
    name_key      TEXT NOT NULL,
    phone         TEXT NOT NULL UNIQUE,
    national_id   BLOB,
    email         TEXT,
    no_show_count INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX patients_name ON patients(name_key);

CREATE TABLE appointments (
    id                    TEXT PRIMARY KEY NOT NULL,
    clinic_id             TEXT NOT NULL REFERENCES clinics(id),
    doctor_id             TEXT REFERENCES doctors(id),
    window_id             TEXT REFERENCES windows(id) ON DELETE SET NULL,
    patient_id            TEXT NOT NULL REFERENCES patients(id),
    service_id            TEXT REFERENCES services(id),
    local_date            TEXT NOT NULL,
    starts_at             INTEGER NOT NULL,
    ends_at               INTEGER NOT NULL,
    duration_minutes      INTEGER NOT NULL,
    status                TEXT NOT NULL CHECK (status IN
                          ('scheduled','confirmed','checked_in','in_progress','completed','cancelled','no_show')),
    token_number          INTEGER NOT NULL,
    source                TEXT NOT NULL,
    session               TEXT,
    batch                 TEXT,
    reason                TEXT,
    notes                 TEXT,
    diagnosis             TEXT,
    prescription          TEXT,
    follow_up_required    INTEGER NOT NULL DEFAULT 0,
    follow_up_date        TEXT,
    cancellation_reason   TEXT,
    external_reference_id TEXT,
    sequence              INTEGER NOT NULL DEFAULT 0,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    confirmed_at          INTEGER,
    checked_in_at         INTEGER,
    started_at            INTEGER,
    completed_at          INTEGER,
    cancelled_at          INTEGER,
    no_show_at            INTEGER,
    CHECK (starts_at < ends_at)
) STRICT;
-- Capacity: a doctor's appointments near a time; a clinic-wide window's.
CREATE INDEX appt_doctor_start ON appointments(doctor_id, starts_at);
CREATE INDEX appt_window_start ON appointments(window_id, starts_at);
-- The front desk's day, list and agenda.
CREATE INDEX appt_clinic_date ON appointments(clinic_id, local_date, starts_at);
CREATE INDEX appt_start ON appointments(starts_at);
-- Duplicates and a patient's history.
CREATE INDEX appt_patient_date ON appointments(patient_id, local_date);
-- count: created since.
CREATE INDEX appt_created ON appointments(created_at);
-- Idempotency: one active appointment per external reference.
CREATE UNIQUE INDEX appt_external_ref ON appointments(external_reference_id)
    WHERE external_reference_id IS NOT NULL
      AND status IN {ACTIVE};

-- Token counters, so a token is never handed out twice on a date even after
-- its appointment moved away.
CREATE TABLE tokens (
    scope      TEXT NOT NULL,
    local_date TEXT NOT NULL,
    last       INTEGER NOT NULL,
    PRIMARY KEY (scope, local_date)
) STRICT, WITHOUT ROWID;

CREATE TABLE reminders (
    id              TEXT PRIMARY KEY NOT NULL,
    appointment_id  TEXT NOT NULL REFERENCES appointments(id),
    offset_minutes  INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending','sent','failed','cancelled','expired')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    claimed_until   INTEGER,
    sent_at         INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX reminders_due ON reminders(status, due_at);
CREATE INDEX reminders_appt ON reminders(appointment_id, status);

CREATE TABLE events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    type           TEXT NOT NULL,
    appointment_id TEXT REFERENCES appointments(id),
    created_at     INTEGER NOT NULL,
    data           TEXT NOT NULL
) STRICT;
CREATE INDEX events_appt ON events(appointment_id, id);
CREATE INDEX events_type ON events(type, id);
