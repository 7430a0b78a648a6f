-- appt schema v28: visits as clinics count them (docs/rules.md#visits): each
-- appointment's urgency, modality, first or follow-up visit and payer; a
-- clinic's list of payers (one a line) and its video link for telemedicine.
ALTER TABLE appointments ADD COLUMN urgency TEXT NOT NULL DEFAULT 'normal'
    CHECK (urgency IN ('normal', 'urgent', 'emergency'));
ALTER TABLE appointments ADD COLUMN modality TEXT NOT NULL DEFAULT 'in_person'
    CHECK (modality IN ('in_person', 'telemedicine', 'home'));
ALTER TABLE appointments ADD COLUMN visit_type TEXT NOT NULL DEFAULT 'first'
    CHECK (visit_type IN ('first', 'follow_up'));
ALTER TABLE appointments ADD COLUMN payer TEXT;
ALTER TABLE clinics ADD COLUMN payers TEXT;
ALTER TABLE clinics ADD COLUMN video_url TEXT;
-- The visits booked before: a follow-up when the patient had a completed
-- visit before it with the same doctor (or, clinic-wide, at the same clinic).
UPDATE appointments SET visit_type = 'follow_up' WHERE EXISTS (
    SELECT 1 FROM appointments e
    WHERE e.patient_id = appointments.patient_id AND e.status = 'completed'
      AND e.starts_at < appointments.starts_at
      AND ((appointments.doctor_id IS NOT NULL AND e.doctor_id = appointments.doctor_id)
        OR (appointments.doctor_id IS NULL AND e.clinic_id = appointments.clinic_id)));
