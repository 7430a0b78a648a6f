-- appt schema v34: the settings of a clinic's online booking page
-- (docs/commands.md#appt-clinic-addlistshowupdate): whether it is on, the
-- slug its address ends in (NULL: the slug of the clinic's name), how far
-- ahead it offers times, the least notice it takes and how long it holds
-- a time, in minutes; and whether it offers each doctor and service.
ALTER TABLE clinics ADD COLUMN online_booking INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clinics ADD COLUMN slug TEXT;
ALTER TABLE clinics ADD COLUMN web_horizon INTEGER NOT NULL DEFAULT 43200;
ALTER TABLE clinics ADD COLUMN web_notice INTEGER NOT NULL DEFAULT 120;
ALTER TABLE clinics ADD COLUMN web_hold INTEGER NOT NULL DEFAULT 10
    CHECK (web_hold >= 1 AND web_hold <= 60);
ALTER TABLE doctors ADD COLUMN online INTEGER NOT NULL DEFAULT 0;
ALTER TABLE services ADD COLUMN online INTEGER NOT NULL DEFAULT 0;
