-- appt schema v33: a patient's preferred channel (docs/rules.md#which-channel):
-- NULL is no preference (the clinic's order decides), `none` is no channel
-- at all.
ALTER TABLE patients ADD COLUMN channel TEXT
    CHECK (channel IN ('whatsapp', 'sms', 'email', 'none'));
