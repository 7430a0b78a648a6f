-- appt schema v29 for PostgreSQL: audited overbooking (see the SQLite
-- migration of the same number).
ALTER TABLE appointments ADD COLUMN overbook_reason TEXT COLLATE "C";
ALTER TABLE appointments ADD COLUMN overbook_by TEXT COLLATE "C";
ALTER TABLE appointments ADD COLUMN overbook_rule TEXT COLLATE "C";
ALTER TABLE clinics ADD COLUMN max_overbook_per_day BIGINT NOT NULL DEFAULT 2
    CHECK (max_overbook_per_day >= 0 AND max_overbook_per_day <= 50);
