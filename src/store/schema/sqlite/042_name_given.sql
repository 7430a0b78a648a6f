-- appt schema v42: the name a clinic was given for a patient it did not
-- know (docs/api.md#another-clinics-patient). An API token limited to one
-- clinic that books a phone only another clinic knows books that patient
-- without changing their record; the name it gave stays on its appointment
-- (or its waitlist entry).
ALTER TABLE appointments ADD COLUMN patient_name_given TEXT;
ALTER TABLE waitlist ADD COLUMN patient_name_given TEXT;
