-- appt schema v53 for PostgreSQL: who looked at a visit's clinical fields
-- (see the SQLite migration of the same number).
CREATE TABLE access_log (
    id             TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    at             BIGINT NOT NULL,
    clinic_id      TEXT COLLATE "C" NOT NULL REFERENCES clinics(id),
    patient_id     TEXT COLLATE "C" NOT NULL REFERENCES patients(id),
    appointment_id TEXT COLLATE "C" NOT NULL REFERENCES appointments(id),
    actor          TEXT COLLATE "C" NOT NULL,
    os_user        TEXT COLLATE "C" NOT NULL,
    command        TEXT COLLATE "C" NOT NULL
);
CREATE INDEX access_log_patient ON access_log(patient_id, at);
CREATE INDEX access_log_clinic ON access_log(clinic_id, at);
