-- appt schema v6 (both engines): an index for every filter `list` takes alone, so a day's
-- list without --clinic, or a list by status or source, never reads the
-- whole table (each ends with starts_at, the list's order); a doctor's day;
-- and `remind list` in due order, with or without a kind.
CREATE INDEX appt_date ON appointments(local_date, starts_at);
CREATE INDEX appt_status_start ON appointments(status, starts_at);
CREATE INDEX appt_source_start ON appointments(source, starts_at);
CREATE INDEX appt_doctor_date ON appointments(doctor_id, local_date, starts_at);
CREATE INDEX reminders_due_at ON reminders(due_at);
CREATE INDEX reminders_kind ON reminders(kind, due_at);
-- `patient list --search` reads name and phone from one narrow index, in
-- name order: many matches stop early, few matches never touch the table.
DROP INDEX patients_name;
CREATE INDEX patients_search ON patients(name_key, phone);
