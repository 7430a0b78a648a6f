#!/bin/sh
# A hook for `appt remind due --exec`: appt runs it once per due reminder, with
# the reminder's JSON on stdin and APPT_* variables describing the visit.
# Exit 0 marks the reminder sent; anything else is retried later.
#
# It hands the message to a sender program: set WHATSAPP_SEND to yours (it is
# called as `$WHATSAPP_SEND PHONE MESSAGE`), e.g. a script around your WhatsApp
# Business or SMS gateway's API.
set -eu
sender=${WHATSAPP_SEND:-whatsapp-send}

if [ -n "$APPT_DOCTOR_NAME" ]; then
  with=" con $APPT_DOCTOR_NAME"
else
  with=""
fi
message="Hola $APPT_PATIENT_NAME, le recordamos su cita$with en $APPT_CLINIC_NAME el $APPT_LOCAL_DATE a las $APPT_LOCAL_TIME. Responda NO si no puede asistir."

exec $sender "$APPT_PATIENT_PHONE" "$message"
