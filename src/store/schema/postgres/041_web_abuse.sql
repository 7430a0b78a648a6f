-- appt schema v41 for PostgreSQL: what the booking page's codes may cost a
-- clinic (see the SQLite migration of the same number).
ALTER TABLE clinics ADD COLUMN web_countries TEXT COLLATE "C";
ALTER TABLE clinics ADD COLUMN web_codes_per_hour BIGINT NOT NULL DEFAULT 60
    CHECK (web_codes_per_hour >= 1 AND web_codes_per_hour <= 100000);
ALTER TABLE web_codes ADD COLUMN clinic_id TEXT COLLATE "C";
CREATE INDEX web_codes_clinic ON web_codes(clinic_id, sent_at);
