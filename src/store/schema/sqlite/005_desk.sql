-- appt schema v5: the front desk's waitlist, and messages beside reminders.
-- `reminders` holds every message `remind due` delivers; `kind` tells them
-- apart (docs/rules.md#walk-ins, docs/rules.md#reminders-and-notifications): `reminder`, `waitlist_offer`, and the patient
-- notifications `confirmation`, `rescheduled`, `cancelled`. `data` is the
-- message's own JSON (the previous time of a move, an offer's slot);
-- `waitlist_id` is the entry an offer is for.
ALTER TABLE reminders ADD COLUMN kind TEXT NOT NULL DEFAULT 'reminder'
    CHECK (kind IN ('reminder','waitlist_offer','confirmation','rescheduled','cancelled'));
ALTER TABLE reminders ADD COLUMN data TEXT;
ALTER TABLE reminders ADD COLUMN waitlist_id TEXT;

-- Patient notifications: on for clinics created from now on (`clinic add`
-- sets 1), off for the ones that existed before, so an upgrade never changes
-- what patients receive without the clinic deciding.
ALTER TABLE clinics ADD COLUMN notify INTEGER NOT NULL DEFAULT 0;

CREATE TABLE waitlist (
    id          TEXT PRIMARY KEY NOT NULL,
    clinic_id   TEXT NOT NULL REFERENCES clinics(id),
    doctor_id   TEXT NOT NULL REFERENCES doctors(id),
    patient_id  TEXT NOT NULL REFERENCES patients(id),
    service_id  TEXT REFERENCES services(id),
    local_date  TEXT NOT NULL,
    offers      INTEGER NOT NULL DEFAULT 0,
    -- Arrival order (created_at ties under one clock second).
    seq         INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX waitlist_doctor_date ON waitlist(doctor_id, local_date, offers, seq);
CREATE INDEX waitlist_patient ON waitlist(patient_id);
