-- appt schema v5 for PostgreSQL: the front desk's waitlist, and messages
-- beside reminders (see the SQLite migration of the same number).
ALTER TABLE reminders ADD COLUMN kind TEXT COLLATE "C" NOT NULL DEFAULT 'reminder'
    CHECK (kind IN ('reminder','waitlist_offer','confirmation','rescheduled','cancelled'));
ALTER TABLE reminders ADD COLUMN data TEXT COLLATE "C";
ALTER TABLE reminders ADD COLUMN waitlist_id TEXT COLLATE "C";

ALTER TABLE clinics ADD COLUMN notify BIGINT NOT NULL DEFAULT 0;

CREATE TABLE waitlist (
    id          TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    clinic_id   TEXT COLLATE "C" NOT NULL REFERENCES clinics(id),
    doctor_id   TEXT COLLATE "C" NOT NULL REFERENCES doctors(id),
    patient_id  TEXT COLLATE "C" NOT NULL REFERENCES patients(id),
    service_id  TEXT COLLATE "C" REFERENCES services(id),
    local_date  TEXT COLLATE "C" NOT NULL,
    offers      BIGINT NOT NULL DEFAULT 0,
    seq         BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX waitlist_doctor_date ON waitlist(doctor_id, local_date, offers, seq);
CREATE INDEX waitlist_patient ON waitlist(patient_id);
