-- appt schema v43 for PostgreSQL: an answer's outcome may be `asked` (see
-- the SQLite migration of the same number).
ALTER TABLE inbox DROP CONSTRAINT inbox_outcome_check;
ALTER TABLE inbox ADD CONSTRAINT inbox_outcome_check
    CHECK (outcome IN ('inbox', 'confirmed', 'cancelled', 'refused', 'asked'));
