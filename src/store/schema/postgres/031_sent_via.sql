-- appt schema v31 for PostgreSQL: the channel and provider's message ID of
-- a message sent through a channel (see the SQLite migration of the same
-- number).
ALTER TABLE reminders ADD COLUMN channel TEXT COLLATE "C";
ALTER TABLE reminders ADD COLUMN provider_id TEXT COLLATE "C";
