-- appt schema v23: how long a clinic keeps its messages (docs/privacy.md#retention),
-- in minutes; NULL keeps them for ever. `remind due` purges, after its
-- sweep, what ended longer ago than that. Like the other durations, the
-- range (more than 0m) is `clinic add|update`'s to keep and `appt check`'s
-- to find broken.
ALTER TABLE clinics ADD COLUMN retain_messages INTEGER;
