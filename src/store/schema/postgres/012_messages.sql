-- appt schema v12 for PostgreSQL: a clinic's language, phone, public URL and
-- templates, and the patients' links (see the SQLite migration of the same
-- number).
ALTER TABLE clinics ADD COLUMN language TEXT COLLATE "C" NOT NULL DEFAULT 'en'
    CHECK (language IN ('en', 'es'));
ALTER TABLE clinics ADD COLUMN phone TEXT;
ALTER TABLE clinics ADD COLUMN public_url TEXT COLLATE "C";
ALTER TABLE clinics ADD COLUMN templates TEXT;
CREATE TABLE patient_links (
    nonce      TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    kind       TEXT COLLATE "C" NOT NULL CHECK (kind IN ('appointment', 'offer')),
    target_id  TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX patient_links_target ON patient_links(kind, target_id);
