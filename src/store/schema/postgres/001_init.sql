-- appt schema v1 for PostgreSQL: the same tables, columns and indexes as on
-- SQLite. Instants are BIGINT seconds since the Unix epoch (UTC); local dates
-- are TEXT 'YYYY-MM-DD'; local times are minutes after midnight; flags 0/1.
-- Text compares byte by byte (COLLATE "C"), as SQLite does, so ordering and
-- ID-prefix ranges agree on both engines.

CREATE TABLE clinics (
    id                TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    name              TEXT COLLATE "C" NOT NULL,
    name_key          TEXT COLLATE "C" NOT NULL UNIQUE,
    timezone          TEXT COLLATE "C" NOT NULL,
    slot_minutes      BIGINT NOT NULL,
    min_notice        BIGINT NOT NULL,
    horizon           BIGINT NOT NULL,
    cancel_window     BIGINT NOT NULL,
    reminders         TEXT COLLATE "C" NOT NULL,
    duplicate_check   BIGINT NOT NULL,
    require_diagnosis BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

CREATE TABLE doctors (
    id           TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    full_name    TEXT COLLATE "C" NOT NULL,
    name_key     TEXT COLLATE "C" NOT NULL,
    specialty    TEXT COLLATE "C",
    slot_minutes BIGINT,
    active       BIGINT NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX doctors_name ON doctors(name_key);

CREATE TABLE services (
    id               TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    name             TEXT COLLATE "C" NOT NULL,
    name_key         TEXT COLLATE "C" NOT NULL,
    duration_minutes BIGINT NOT NULL,
    removed_at       BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX services_name ON services(name_key) WHERE removed_at IS NULL;

CREATE TABLE windows (
    id           TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    clinic_id    TEXT COLLATE "C" NOT NULL REFERENCES clinics(id),
    doctor_id    TEXT COLLATE "C" REFERENCES doctors(id),
    weekdays     BIGINT,
    date         TEXT COLLATE "C",
    start_minute BIGINT NOT NULL,
    end_minute   BIGINT NOT NULL,
    slot_minutes BIGINT NOT NULL,
    capacity     BIGINT NOT NULL,
    session      TEXT COLLATE "C",
    batch        TEXT COLLATE "C",
    valid_from   TEXT COLLATE "C",
    valid_to     TEXT COLLATE "C",
    open         BIGINT NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    CHECK ((weekdays IS NULL) <> (date IS NULL)),
    CHECK (start_minute < end_minute)
);
CREATE INDEX windows_doctor ON windows(doctor_id);
CREATE INDEX windows_clinic ON windows(clinic_id, doctor_id);

CREATE TABLE window_services (
    window_id  TEXT COLLATE "C" NOT NULL REFERENCES windows(id) ON DELETE CASCADE,
    service_id TEXT COLLATE "C" NOT NULL REFERENCES services(id),
    PRIMARY KEY (window_id, service_id)
);

CREATE TABLE closures (
    id         TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    clinic_id  TEXT COLLATE "C" REFERENCES clinics(id),
    doctor_id  TEXT COLLATE "C" REFERENCES doctors(id),
    from_date  TEXT COLLATE "C" NOT NULL,
    to_date    TEXT COLLATE "C" NOT NULL,
    reason     TEXT COLLATE "C",
    created_at BIGINT NOT NULL,
    CHECK ((clinic_id IS NULL) <> (doctor_id IS NULL)),
    CHECK (from_date <= to_date)
);
CREATE INDEX closures_clinic ON closures(clinic_id, to_date);
CREATE INDEX closures_doctor ON closures(doctor_id, to_date);

CREATE TABLE patients (
    id            TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    full_name     TEXT COLLATE "C" NOT NULL,
    name_key      TEXT COLLATE "C" NOT NULL,
    phone         TEXT COLLATE "C" NOT NULL UNIQUE,
    national_id   BYTEA,
    email         TEXT COLLATE "C",
    no_show_count BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX patients_name ON patients(name_key);

CREATE TABLE appointments (
    id                    TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    clinic_id             TEXT COLLATE "C" NOT NULL REFERENCES clinics(id),
    doctor_id             TEXT COLLATE "C" REFERENCES doctors(id),
    window_id             TEXT COLLATE "C" REFERENCES windows(id) ON DELETE SET NULL,
    patient_id            TEXT COLLATE "C" NOT NULL REFERENCES patients(id),
    service_id            TEXT COLLATE "C" REFERENCES services(id),
    local_date            TEXT COLLATE "C" NOT NULL,
    starts_at             BIGINT NOT NULL,
    ends_at               BIGINT NOT NULL,
    duration_minutes      BIGINT NOT NULL,
    status                TEXT COLLATE "C" NOT NULL CHECK (status IN
                          ('scheduled','confirmed','checked_in','in_progress','completed','cancelled','no_show')),
    token_number          BIGINT NOT NULL,
    source                TEXT COLLATE "C" NOT NULL,
    session               TEXT COLLATE "C",
    batch                 TEXT COLLATE "C",
    reason                TEXT COLLATE "C",
    notes                 TEXT COLLATE "C",
    diagnosis             TEXT COLLATE "C",
    prescription          TEXT COLLATE "C",
    follow_up_required    BIGINT NOT NULL DEFAULT 0,
    follow_up_date        TEXT COLLATE "C",
    cancellation_reason   TEXT COLLATE "C",
    external_reference_id TEXT COLLATE "C",
    sequence              BIGINT NOT NULL DEFAULT 0,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    confirmed_at          BIGINT,
    checked_in_at         BIGINT,
    started_at            BIGINT,
    completed_at          BIGINT,
    cancelled_at          BIGINT,
    no_show_at            BIGINT,
    CHECK (starts_at < ends_at)
);
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
    scope      TEXT COLLATE "C" NOT NULL,
    local_date TEXT COLLATE "C" NOT NULL,
    last       BIGINT NOT NULL,
    PRIMARY KEY (scope, local_date)
);

CREATE TABLE reminders (
    id              TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    appointment_id  TEXT COLLATE "C" NOT NULL REFERENCES appointments(id),
    offset_minutes  BIGINT NOT NULL,
    due_at          BIGINT NOT NULL,
    status          TEXT COLLATE "C" NOT NULL CHECK (status IN ('pending','sent','failed','cancelled','expired')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    claimed_until   BIGINT,
    sent_at         BIGINT,
    last_error      TEXT COLLATE "C",
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX reminders_due ON reminders(status, due_at);
CREATE INDEX reminders_appt ON reminders(appointment_id, status);

CREATE TABLE events (
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    type           TEXT COLLATE "C" NOT NULL,
    appointment_id TEXT COLLATE "C" REFERENCES appointments(id),
    created_at     BIGINT NOT NULL,
    data           TEXT COLLATE "C" NOT NULL
);
CREATE INDEX events_appt ON events(appointment_id, id);
CREATE INDEX events_type ON events(type, id);
