-- appt schema v27: the order a clinic calls its waiting room in, `time`
-- (the appointment's start, a walk-in's arrival) or `token`, and after how
-- many minutes past its start a visit nobody arrived for is shown late
-- (docs/rules.md#the-queue).
ALTER TABLE clinics ADD COLUMN queue_order TEXT NOT NULL DEFAULT 'time'
    CHECK (queue_order IN ('time', 'token'));
ALTER TABLE clinics ADD COLUMN late_after INTEGER NOT NULL DEFAULT 10
    CHECK (late_after >= 0);
