-- appt schema v28 for PostgreSQL: visits as clinics count them (see the
-- SQLite migration of the same number).
ALTER TABLE appointments ADD COLUMN urgency TEXT COLLATE "C" NOT NULL DEFAULT 'normal'
    CHECK (urgency IN ('normal', 'urgent', 'emergency'));
ALTER TABLE appointments ADD COLUMN modality TEXT COLLATE "C" NOT NULL DEFAULT 'in_person'
    CHECK (modality IN ('in_person', 'telemedicine', 'home'));
ALTER TABLE appointments ADD COLUMN visit_type TEXT COLLATE "C" NOT NULL DEFAULT 'first'
    CHECK (visit_type IN ('first', 'follow_up'));
ALTER TABLE appointments ADD COLUMN payer TEXT COLLATE "C";
ALTER TABLE clinics ADD COLUMN payers TEXT COLLATE "C";
ALTER TABLE clinics ADD COLUMN video_url TEXT COLLATE "C";
UPDATE appointments SET visit_type = 'follow_up' WHERE EXISTS (
    SELECT 1 FROM appointments e
    WHERE e.patient_id = appointments.patient_id AND e.status = 'completed'
      AND e.starts_at < appointments.starts_at
      AND ((appointments.doctor_id IS NOT NULL AND e.doctor_id = appointments.doctor_id)
        OR (appointments.doctor_id IS NULL AND e.clinic_id = appointments.clinic_id)));
