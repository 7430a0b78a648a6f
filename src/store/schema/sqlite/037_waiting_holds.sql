-- appt schema v37: a booking page's code for joining a day's waitlist
-- (docs/booking.md). Such a hold keeps no time (`kind` 'wait': its
-- starts_at and ends_at are the day's local midnights, and no booking
-- rule reads it); it keeps what the patient typed while they type the
-- code, as a hold of a time does.
ALTER TABLE holds ADD COLUMN kind TEXT NOT NULL DEFAULT 'time'
    CHECK (kind IN ('time', 'wait'));
