-- appt schema v4: `solo` marks an appointment booked in a capacity-1 window
-- (1) or a larger one (0). On PostgreSQL an exclusion constraint keeps a
-- doctor's active solo appointments from overlapping; SQLite relies on the
-- serialised writer alone, and keeps the column so both schemas match.
ALTER TABLE appointments ADD COLUMN solo INTEGER NOT NULL DEFAULT 0;
