-- appt schema v12: what patients read and answer (docs/rules.md#messages).
-- A clinic's language, phone and public URL, and its own message templates
-- (a JSON object, kind → text; NULL when it has none). Each link sent to a
-- patient is a random nonce naming its target (an appointment, or a
-- waitlist offer's message); the token in the URL is the nonce and its HMAC
-- under the database's link key, which is kept apart from the database
-- (docs/security.md#patient-links).
ALTER TABLE clinics ADD COLUMN language TEXT NOT NULL DEFAULT 'en'
    CHECK (language IN ('en', 'es'));
ALTER TABLE clinics ADD COLUMN phone TEXT;
ALTER TABLE clinics ADD COLUMN public_url TEXT;
ALTER TABLE clinics ADD COLUMN templates TEXT;
CREATE TABLE patient_links (
    nonce      TEXT PRIMARY KEY NOT NULL,   -- 32 hex characters (16 random bytes)
    kind       TEXT NOT NULL CHECK (kind IN ('appointment', 'offer')),
    target_id  TEXT NOT NULL,               -- an appointment's ID, or an offer's reminder ID
    created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX patient_links_target ON patient_links(kind, target_id);
