#!/bin/sh
# A hook for `appt remind due --exec`: appt runs it once per due message, with
# the message's JSON on stdin and APPT_* variables describing the visit.
# Exit 0 marks the message sent; anything else is retried later.
#
# APPT_KIND says which message it is:
#   reminder        a visit is coming up (APPT_OFFSET before it)
#   confirmation    a booking was made
#   rescheduled     a visit moved (from APPT_PREVIOUS_DATE APPT_PREVIOUS_TIME)
#   cancelled       a visit was cancelled (APPT_CANCELLATION_REASON)
#   waitlist_offer  a time freed up for a patient on the waitlist
#
# It hands the message to a sender program: set WHATSAPP_SEND to yours (it is
# called as `$WHATSAPP_SEND PHONE MESSAGE`), e.g. a script around your WhatsApp
# Business or SMS gateway's API.
set -eu
sender=${WHATSAPP_SEND:-whatsapp-send}

if [ -n "${APPT_DOCTOR_NAME:-}" ]; then
  with=" con $APPT_DOCTOR_NAME"
else
  with=""
fi
visit="su cita$with en $APPT_CLINIC_NAME el $APPT_LOCAL_DATE a las $APPT_LOCAL_TIME"

case "${APPT_KIND:-reminder}" in
  reminder)
    message="Hola $APPT_PATIENT_NAME, le recordamos $visit. Responda NO si no puede asistir." ;;
  confirmation)
    message="Hola $APPT_PATIENT_NAME, confirmamos $visit." ;;
  rescheduled)
    message="Hola $APPT_PATIENT_NAME, su cita$with en $APPT_CLINIC_NAME del $APPT_PREVIOUS_DATE a las $APPT_PREVIOUS_TIME cambió: ahora es el $APPT_LOCAL_DATE a las $APPT_LOCAL_TIME." ;;
  cancelled)
    message="Hola $APPT_PATIENT_NAME, su cita$with en $APPT_CLINIC_NAME del $APPT_LOCAL_DATE a las $APPT_LOCAL_TIME fue cancelada (motivo: $APPT_CANCELLATION_REASON). Llámenos para una nueva cita." ;;
  waitlist_offer)
    message="Hola $APPT_PATIENT_NAME, se liberó un espacio$with en $APPT_CLINIC_NAME el $APPT_LOCAL_DATE a las $APPT_LOCAL_TIME. Llámenos para reservarlo." ;;
  *)
    echo "remind-whatsapp: unknown message kind '$APPT_KIND'" >&2
    exit 1 ;;
esac

exec $sender "$APPT_PATIENT_PHONE" "$message"
