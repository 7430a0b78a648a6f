-- appt schema v31: a message `remind due` sent through one of its clinic's
-- channels (docs/rules.md#reminders-and-notifications) names the channel
-- (its name when it was sent) and the provider's message ID; both NULL for
-- a message printed or handed to a hook.
ALTER TABLE reminders ADD COLUMN channel TEXT;
ALTER TABLE reminders ADD COLUMN provider_id TEXT;
