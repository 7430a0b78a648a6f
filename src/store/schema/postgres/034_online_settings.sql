-- appt schema v34 for PostgreSQL: the settings of a clinic's online
-- booking page, and whether it offers each doctor and service (see the
-- SQLite migration of the same number).
ALTER TABLE clinics ADD COLUMN online_booking BIGINT NOT NULL DEFAULT 0;
ALTER TABLE clinics ADD COLUMN slug TEXT COLLATE "C";
ALTER TABLE clinics ADD COLUMN web_horizon BIGINT NOT NULL DEFAULT 43200;
ALTER TABLE clinics ADD COLUMN web_notice BIGINT NOT NULL DEFAULT 120;
ALTER TABLE clinics ADD COLUMN web_hold BIGINT NOT NULL DEFAULT 10
    CHECK (web_hold >= 1 AND web_hold <= 60);
ALTER TABLE doctors ADD COLUMN online BIGINT NOT NULL DEFAULT 0;
ALTER TABLE services ADD COLUMN online BIGINT NOT NULL DEFAULT 0;
