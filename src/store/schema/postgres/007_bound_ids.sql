-- appt schema v7 (both engines): a sealed national ID starts with its format.
-- Those sealed by an earlier appt (a nonce and the ciphertext, not bound to
-- their patient) are marked format 0 here; appt seals them again, bound to
-- their patient and naming their key's version (format 1), the first time it
-- seals an ID with the key (or at `appt key rotate`), and records that key's
-- check value in `meta`.
UPDATE patients SET national_id = decode('00', 'hex') || national_id WHERE national_id IS NOT NULL;
