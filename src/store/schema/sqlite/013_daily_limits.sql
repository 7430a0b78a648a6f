-- appt schema v13: daily limits (docs/rules.md#daily-limits). The most active
-- appointments a doctor takes in a local day, and the most of one service a
-- doctor (or a clinic's clinic-wide windows) takes in a local day; NULL when
-- there is no cap. Like the other numbers, the range (1–1000) is the
-- setup commands' to keep and `appt check`'s to find broken.
ALTER TABLE doctors ADD COLUMN max_per_day INTEGER;
ALTER TABLE services ADD COLUMN max_per_day INTEGER;
