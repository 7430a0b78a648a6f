-- appt schema v55: the account at the terminal (the OS user) beside a
-- member of staff who made the change (docs/security.md#signing-in);
-- null for every other actor, and for events recorded before.
ALTER TABLE events ADD COLUMN os_user TEXT COLLATE "C";
