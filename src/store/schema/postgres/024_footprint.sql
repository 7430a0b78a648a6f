-- appt schema v24 for PostgreSQL: a small footprint (see the SQLite
-- migration of the same number, docs/performance.md#footprint). Each index is
-- kept for a question that reads it; those that only added bytes go, and
-- those read for a small part of their table hold only that part. Taken
-- again, the step ends the same (every index dropped if it is there, then
-- made as this version has it).
--
-- A doctor's busy times are read for the active appointments alone (booking,
-- `slots`, `next`): the index holds only them. A window's upcoming bookings
-- (`window remove`) are read through it too, by the window's doctor:
-- appt_window_start goes.
DROP INDEX IF EXISTS appt_doctor_busy;
CREATE INDEX appt_doctor_busy ON appointments(doctor_id, starts_at)
    INCLUDE (ends_at, buffer_before, buffer_after, solo, status, id)
    WHERE status IN {ACTIVE};
DROP INDEX IF EXISTS appt_window_start;
-- `count` of every clinic is each clinic's, through appt_clinic_created.
DROP INDEX IF EXISTS appt_created;
-- An appointment's events hold their types: `check` finds its booked event
-- there, and no index of booked events is needed. A stream of one type
-- (`events --type`) reads on from its cursor by ID, as a follower does; the
-- events about a patient as a whole (`patient export`) are those of no
-- appointment, which sort together in events_appt.
DROP INDEX IF EXISTS events_booked;
DROP INDEX IF EXISTS events_type;
-- A freed time offered to the waitlist names the entry (and its patient)
-- in its data: an erasure reads those events among the offers alone.
DROP INDEX IF EXISTS events_offered;
CREATE INDEX events_offered ON events(id) WHERE type = 'appointment.slot_offered';
DROP INDEX IF EXISTS events_appt;
CREATE INDEX events_appt ON events(appointment_id, id) INCLUDE (type);
-- Messages by status are looked up for the few still to deliver or that
-- failed (`remind due`, `remind list --status`); by kind, for the kinds
-- other than the reminders themselves. The others are read in due order.
DROP INDEX IF EXISTS reminders_due;
CREATE INDEX reminders_due ON reminders(status, due_at)
    WHERE status = 'pending' OR status = 'failed' OR status = 'expired';
DROP INDEX IF EXISTS reminders_kind;
CREATE INDEX reminders_kind ON reminders(kind, due_at)
    WHERE kind = 'waitlist_offer' OR kind = 'confirmation' OR kind = 'rescheduled' OR kind = 'cancelled';
