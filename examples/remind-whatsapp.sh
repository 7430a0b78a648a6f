#!/bin/sh
# A hook for `appt remind due --exec`: appt runs it once per due message
# (reminder, confirmation, rescheduled, cancelled, waitlist_offer), with the
# message's JSON on stdin and APPT_* variables in its environment. Exit 0
# marks the message sent; anything else is retried later.
#
# appt writes the message itself, in the clinic's language (appt clinic
# update CLINIC --language es), with the clinic's phone and, when the clinic
# has a --public-url, the patient's link to confirm, cancel or move: this
# hook only forwards APPT_MESSAGE to APPT_PATIENT_PHONE. Change the wording
# with `appt clinic update CLINIC --template KIND=TEXT` (docs/rules.md#messages).
#
# Set WHATSAPP_SEND to your sender program (called as `$WHATSAPP_SEND PHONE
# MESSAGE`), e.g. a script around your WhatsApp Business or SMS gateway's API.
set -eu
exec ${WHATSAPP_SEND:-whatsapp-send} "$APPT_PATIENT_PHONE" "$APPT_MESSAGE"
