-- appt schema v8 (both engines): `appt check` looks up each appointment's
-- appointment.booked event in a small index of booked events only, covering
-- the lookup, instead of walking every booked event for every appointment
-- (quadratic on SQLite: 157 s at 20,000 appointments).
CREATE INDEX events_booked ON events(appointment_id, type) WHERE type = 'appointment.booked';
