-- appt schema v25: a freed time offered to the waitlist names the entry
-- (and its patient) in its data; an erasure reads those events among the
-- offers alone, not among every event (events_type, which held them, went
-- in v24).
CREATE INDEX IF NOT EXISTS events_offered ON events(id) WHERE type = 'appointment.slot_offered';
