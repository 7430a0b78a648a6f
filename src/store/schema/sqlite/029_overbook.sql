-- appt schema v29: audited overbooking (docs/rules.md#overbooking): why an
-- appointment was fitted in past the rules of availability or capacity, who
-- did it and which rule it passed over (all three NULL for any other
-- appointment); and how many a clinic allows a doctor in a day.
ALTER TABLE appointments ADD COLUMN overbook_reason TEXT;
ALTER TABLE appointments ADD COLUMN overbook_by TEXT;
ALTER TABLE appointments ADD COLUMN overbook_rule TEXT;
ALTER TABLE clinics ADD COLUMN max_overbook_per_day INTEGER NOT NULL DEFAULT 2
    CHECK (max_overbook_per_day >= 0 AND max_overbook_per_day <= 50);
