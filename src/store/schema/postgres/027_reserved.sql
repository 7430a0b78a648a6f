-- appt schema v27: held for the step another branch brings (merged beside
-- this one); nothing here.
SELECT 1;
