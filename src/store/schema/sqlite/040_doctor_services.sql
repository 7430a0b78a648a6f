-- appt schema v40: what each doctor does (docs/rules.md#who-does-what).
-- The service IDs the doctor does, separated by spaces; NULL for every
-- service (the default, and every doctor before this step).
ALTER TABLE doctors ADD COLUMN service_ids TEXT;
