-- appt schema v26: how a clinic reads a date typed `4/12` (docs/commands.md#spanish-input):
-- 'dmy' (4 December) or 'mdy' (12 April); NULL reads it the way the
-- clinic's language does (day first in Spanish).
ALTER TABLE clinics ADD COLUMN date_order TEXT
    CHECK (date_order IN ('dmy', 'mdy'));
