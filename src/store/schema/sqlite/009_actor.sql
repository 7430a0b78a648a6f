-- appt schema v9 (both engines): every event names who made the change
-- (`cli:<OS user>`, `import`, `system`, …; docs/rules.md#events). Events
-- recorded before keep NULL: nobody knows now who made them, and a guess
-- would be a false audit trail.
ALTER TABLE events ADD COLUMN actor TEXT;
