-- appt schema v54: how many hours a session opened at a clinic's desk
-- lasts unless `login --for` says otherwise (`clinic update
-- --session-hours`, docs/security.md#signing-in), 1 to 24; 8 as before.
ALTER TABLE clinics ADD COLUMN session_hours BIGINT NOT NULL DEFAULT 8;
