-- appt schema v17: an external reference (an API's Idempotency-Key) belongs
-- to the clinic it was booked at (docs/security.md#clinics-apart): the same
-- reference at two clinics is two bookings, one active appointment per
-- clinic and reference.
DROP INDEX appt_external_ref;
CREATE UNIQUE INDEX appt_external_ref ON appointments(external_reference_id, clinic_id)
    WHERE external_reference_id IS NOT NULL
      AND status IN {ACTIVE};
