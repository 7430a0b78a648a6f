-- appt schema v10: a clinic's country code (`+503`), in which the desk's
-- local numbers are read (docs/rules.md#phones); NULL when it has none, and
-- then a phone needs its `+`.
ALTER TABLE clinics ADD COLUMN country_code TEXT
    CHECK (country_code IS NULL OR (country_code GLOB '+[1-9]*'
        AND length(country_code) BETWEEN 2 AND 4
        AND substr(country_code, 2) NOT GLOB '*[^0-9]*'));
