-- appt schema v41: what the booking page's codes may cost a clinic
-- (docs/booking.md#codes). The country codes, besides the clinic's own, of
-- the phones the page sends codes to (comma-separated, NULL for none); the
-- most codes the page sends in an hour; and each code's clinic, to count
-- them.
ALTER TABLE clinics ADD COLUMN web_countries TEXT;
ALTER TABLE clinics ADD COLUMN web_codes_per_hour INTEGER NOT NULL DEFAULT 60
    CHECK (web_codes_per_hour >= 1 AND web_codes_per_hour <= 100000);
ALTER TABLE web_codes ADD COLUMN clinic_id TEXT;
CREATE INDEX web_codes_clinic ON web_codes(clinic_id, sent_at);
