# appt's words in English: `id = text`, `{name}` placeholders, `\n` a line break.
# Every id is in es.txt too, with the same placeholders (src/output/lang.rs).
# The `e.` entries are the English error sentences as core, app and store build them.

# Words
word-yes = yes
word-no = no
word-on = on
word-off = off
word-none = none
word-all = all
word-always = always
word-open = open
word-closed = closed

# Appointment statuses as people read them (JSON keeps the codes)
status-scheduled = scheduled
status-confirmed = confirmed
status-checked_in = checked_in
status-in_progress = in_progress
status-completed = completed
status-cancelled = cancelled
status-no_show = no_show

# Reminder statuses
reminder-pending = pending
reminder-sent = sent
reminder-delivered = delivered
reminder-read = read
reminder-failed = failed
reminder-cancelled = cancelled
reminder-expired = expired

# Messages' kinds
kind-reminder = reminder { $offset }
kind-offer = offer
kind-confirm = confirm
kind-moved = moved
kind-waitlist_offer = waitlist offer
kind-recall = recall
kind-confirmation = confirmation
kind-rescheduled = rescheduled

# Column headings
col-hash = #
col-Active = Active
col-Appointment = Appointment
col-Available = Available
col-Batch = Batch
col-Cancel = Cancel
col-Cap = Cap
col-Date = Date
col-Delivered = Delivered
col-Doctor = Doctor
col-Due = Due
col-Email = Email
col-Event = Event
col-Events = Events
col-From = From
col-Horizon = Horizon
col-Hours = Hours
col-ID = ID
col-Kind = Kind
col-Last_error = Last error
col-Last_event = Last event
col-Left = Left
col-Message = Message
col-Minutes = Minutes
col-Name = Name
col-National_ID = National ID
col-No-shows = No-shows
col-Notice = Notice
col-Offers = Offers
col-Patient = Patient
col-Per_day = Per day
col-Buffers = Buffers
col-Phone = Phone
col-Reason = Reason
col-Reminders = Reminders
col-Retry_at = Retry at
col-Service = Service
col-Session = Session
col-Signed = Signed
col-Slot = Slot
col-Specialty = Specialty
col-Start = Start
col-Status = Status
col-Time = Time
col-Time_zone = Time zone
col-To = To
col-Tok = Tok
col-Token = Token
col-Tries = Tries
col-URL = URL
col-Valid = Valid
col-When = When
col-Who = Who

# Cards: an appointment
card-When = When
card-Clinic = Clinic
card-Doctor = Doctor
card-Patient = Patient
card-Service = Service
card-Token = Token
card-Source = Source
card-Session = Session
card-Batch = Batch
card-Reason = Reason
card-Notes = Notes
card-Diagnosis = Diagnosis
card-Rx = Rx
card-Cancelled = Cancelled
card-Ext_ref = Ext. ref
card-Series = Series
card-Follow-up = Follow-up

# Cards: a clinic
clinic-timezone = Time zone
clinic-slot = Slot length
clinic-notice = Minimum notice
clinic-horizon = Booking horizon
clinic-cancel = Cancel window
clinic-reminders = Reminders
clinic-duplicates = Duplicate check
clinic-diagnosis = Require diagnosis
clinic-notify = Notify patients

# Cards: a patient
patient-phone = Phone
patient-national_id = National ID
patient-email = Email
patient-channel = Channel
patient-channel_whatsapp = WhatsApp
patient-channel_sms = SMS
patient-channel_email = Email
patient-channel_none = none: no messages
patient-channel_unset = the clinic's order
patient-no_shows = No-shows
patient-erased = Erased patient

# Human output
h-clinic_wide = clinic-wide
h-clinic_wide_service = { $service } (clinic-wide)
h-clinic_wide_title = Clinic-wide
h-confirm_who = { $verb } { $id }: { $patient } with { $doctor },
h-confirm_token = token { $token } [{ $status }]
h-token = token { $token }
h-no_appointments = No appointments.
h-series_booked = Booked { $n } in series { $id }:
h-series_rescheduled = Rescheduled { $n } in series { $id }:
h-series_cancelled = Cancelled { $n } in series { $id }:
h-series_skipped = Not booked:
h-no_patients = No patients.
h-no_reminders = No reminders.
h-no_webhooks = No webhooks.
h-card_appointment = Appointment { $id }  [{ $status }]
h-card_clinic = Clinic { $name }
h-card_patient = Patient { $name }
h-clinic_added = Added clinic { $name } ({ $zone }) { $id }
h-unreadable = (unreadable)
h-national_ids = { $n } { $n ->
        [one] national ID
       *[other] national IDs
    }
h-key_new = New national-ID key (version { $version }): store it now, then set APPT_KEY to it wherever appt runs:
h-key_resealed = Sealed { $ids } again under it; the old key no longer opens them.
h-key_rotated = National-ID key rotated to version { $version }: sealed { $ids } again under it.
h-key_file = Key file: { $file }
h-key_kept = Old key kept in { $file } (it opens older backups; delete it when none needs it)
h-key_unreadable = { $ids } could not be opened (damaged, or another patient's) and were left as they are: `appt check` lists them.
h-check_ok = OK: no problems found
h-check_many = { $n ->
        [one] 1 problem found:
       *[other] { $n } problems found:
    }
h-capacity = capacity { $n }
h-window_gone = window gone
h-check_buffers = buffers { $before }/{ $after } min
h-check_reminder = reminder { $id }  { $offset }  due { $due }  { $status }  appointment { $appointment }
h-check_key = { $table } rowid { $rowid }: { $column } = { $value } (no such row in { $parent })
h-check_patient = patient { $id }  national_id { $problem }
h-check_trace = { $table } { $id }: { $column } (erased patient { $patient })
h-slots_title = { $who } at { $clinic },
h-agenda_empty = Nothing scheduled and no windows open.
h-closed_reason = Closed: { $reason }
h-free = · free ·
h-buffer = · buffer (kept free) ·
h-free_run = · { $n } free ·
h-free_run_places = · { $n } free ({ $places } { $places ->
        [one] place
       *[other] places
    }) ·
h-day_summary = { $booked } booked · { $arrived } arrived · { $free } free
p-session = Session name (Morning, Afternoon…; empty for none)
p-which_one = Which one
p-did_you_mean = Did you mean
p-nobody_called = No { $what } is called '{ $typed }'.
p-appointment = Appointment
p-new_status = New status
p-diagnosis = Diagnosis
p-date_wanted = Date wanted
e-nobody_is_booked_for_today = nobody is booked for today: give the appointment's ID, or the patient's phone or name
e-is_not_at_this_appts_schema_version = { $a } is not at this appt's schema version ({ $b })
e-cannot_read_database = cannot read database { $a }: { $e }
o-database = database: { $database }
clinic-country_code = Country code
p-phone_local = Phone (local to { $code }, or +…)
e-problem_and_hint = { $a } ({ $h })
e-reads_as_a_local_number = { $a } reads as a local number; { $h }
e-country_code_must_be = Country code must be + and 1 to 3 digits, e.g. +503 (got '{ $t }'), or none
e-country_code_of_no_country = { $t } is the calling code of no country: give a country's, e.g. +503 (El Salvador), +52 (Mexico), +34 (Spain), or none
e-is_not_a_country_code = { $a } is not a country code (+ and 1 to 3 digits)
e-not_a_phone_number = '{ $raw }' is not a phone number: type it in E.164 (+ and the country code, e.g. +50377654321), or as a local number at a clinic with a country code
e-has_no_country_code = '{ $raw }' has no country code: type it with its + (E.164, e.g. +50377654321)
e-set_the_clinics_country_code = to type local numbers, set the clinic's country code: appt clinic update { $a } --country-code +503
e-add_a_clinic_with_country_code = to type local numbers, add a clinic with its country code: appt clinic add NAME --timezone TZ --country-code +503
e-set_the_clinics_country_codes = to type local numbers, set the clinics' country codes: appt clinic update CLINIC --country-code +503
e-clinics_differ_in_country_code = the clinics differ in country code ({ $a }): give --clinic to read a local number in that clinic's
e-body_not_valid_json = The body is not valid JSON (line { $line }, column { $column })
e-too_many_failed_authentications = Too many failed authentications from this address; try again later
e-cannot_listen_on = cannot listen on { $addr }: { $e }
e-cannot_read_pem_certificate = cannot read a PEM certificate from { $path }: { $e }
e-cannot_read_pem_key = cannot read a PEM private key from { $path }
e-listen_must_be_address_port = listen must be ADDRESS:PORT (127.0.0.1:8080), not '{ $listen }'
e-key_does_not_fit_certificate = the key does not fit the certificate: { $e }
e-request_failed_inside_appt = The request failed inside appt (a bug)
e-busy_time_of_a_doctor_not_asked_for = A busy time of a doctor not asked for (a bug)
e-no_appointment_column = no appointment column { $name } (a bug)
e-values_for_rows_of = { $arg1 } values for rows of { $width } into { $arg2 } (a bug)
e-is_not_a_question_of_windows = { $asked } is not a question of windows (a bug)
e-cannot_both_be_given = { $first } and { $second } cannot both be given
e-not_loopback_needs_tls = { $addr } is not a loopback address: it needs --tls-cert and --tls-key, or --allow-plain-http behind a TLS proxy
e-method_not_allowed_here = { $method } is not allowed here; allowed: { $allowed }
e-date_not_with_start_or_end = date cannot be given with start or end
e-body_must_be_json_object = The body must be a JSON object
e-body_must_be_application_json = The body must be application/json
e-body_over_kib = The body is over { $n } KiB
e-token_lacks_scope = This token lacks the { $scope } scope
e-no_such_endpoint = No such endpoint
e-server_is_stopping = The server is stopping
e-threads_between = threads must be between 1 and 256
e-holds_no_pem_certificate = { $path } holds no PEM certificate
e-date_is_required = date is required
e-status_is_required = status is required
e-limit_between_1_and_1000 = limit must be between 1 and 1000
e-external_ref_differs = external_ref differs from the Idempotency-Key header
e-tls = TLS: { $e }
e-is_not_a_scope = '{ $s }' is not a scope: use appointments:read, appointments:write, clinical, patients:export or patients:erase
e-at_least_one_scope = at least one scope is required: appointments:read, appointments:write, clinical, patients:export or patients:erase
e-token_name_must_be = a token name must be 1 to { $n } letters, digits, '.', '_' or '-'
e-is_not_an_expiry = '{ $t }' is not an expiry: give days (90d), hours (12h), a date (2026-12-31) or an RFC 3339 time
e-expires_must_be_between = --expires must be between 1 hour and { $n } days from now
e-expires_is_not_in_the_future = --expires { $t } is not in the future
e-is_not_a_list_of_scopes = { $a } is not a list of scopes
e-token_named_exists = a token named '{ $name }' exists already: revoke it first (appt token revoke { $name }) or choose another name
e-token_was_not_saved = { $a }; the token was not saved: the one shown does not work
e-no_active_token_has_the_name_or_prefix = no active token has the name or prefix '{ $name }'
e-several_active_tokens_have_the_prefix = several active tokens have the prefix '{ $prefix }': { $names }
e-give_the_tokens_name = give the token's name: `appt token list` shows it
e-token_list_shows_the_tokens = `appt token list` shows the tokens
e-a_valid_api_token_is_required = a valid API token is required: Authorization: Bearer TOKEN
h-token_added = Added token { $name } with scopes { $scopes }
h-token_clinic = It sees clinic { $clinic } only.
h-token_expires = It expires at { $at }.
h-token_never_expires = It never expires.
h-token_shown_once = The token is shown this once (appt keeps only its hash): store it now.
h-no_tokens = No API tokens.
h-token_active = active
h-token_expired = expired
h-token_revoked = revoked
c-token_revoked = Revoked token { $name } ({ $prefix }): requests with it are refused from now on
word-never = never
col-Prefix = Prefix
col-Scopes = Scopes
col-Clinic = Clinic
col-Created = Created
col-Expires = Expires
col-Last_used = Last used
pg-title_visit = Your appointment
pg-add_to_calendar = Add it to your calendar
pg-title_offer = A time has opened up for you
pg-title_gone = This link does not work
pg-gone = The link is not valid. Check that it was copied whole, or call the clinic.
pg-doctor = Doctor
pg-service = Service
pg-when = When
pg-status = Status
pg-confirm = Confirm
pg-take = Book this time
pg-pick_day = Another day
pg-show_times = Show its times
pg-no_times_that_day = No free time on
pg-out_of_reach = That time can no longer be taken here: choose another.
pg-another_time = Another time
pg-move = Move to this time
pg-cancel_why = Why do you cancel?
pg-reason_1 = I cannot come
pg-reason_2 = I feel better
pg-reason_3 = I found another time
pg-other_reason = Another reason
pg-other_reason_text = Your reason
pg-cancel = Cancel the appointment
pg-call = To cancel or move it now, call the clinic:
pg-call_no_phone = To cancel or move it now, call the clinic.
pg-too_late = It is too close to the appointment to cancel or move it here.
pg-over = This appointment can no longer be changed.
pg-confirmed = Thank you: your appointment is confirmed.
pg-cancelled = Your appointment is cancelled.
pg-moved = Your appointment has moved to the new time.
pg-taken = The time is yours: your appointment is booked.
pg-time_taken = That time was just taken. These are the next free ones.
pg-time_taken_none = That time was just taken, and there is no other free time to offer here.
pg-bad_reason = The reason cannot hold control characters: write it with letters, numbers and punctuation.
pg-offer_closed = This time is no longer available.
pg-no_reason = Pick or write a reason.
pg-refused = That could not be done. Please call the clinic.
pg-when_at = { $date } at { $time }
pg-title_trouble = Something went wrong
pg-trouble = The clinic's system could not answer. Try again in a moment, or call the clinic.
e-body_must_be_form = The body must be application/x-www-form-urlencoded
e-action_must_be = action must be confirm, cancel, move or take
e-say_why_you_cancel = Say why you cancel
e-max_connections_at_least_1 = max-connections must be at least 1
e-write_not_begun_stopping = the write was not begun: the server is stopping
e-reason_no_control_characters = reason must not contain control characters
e-clinic_id_not_spelt_as_id = a clinic's ID is not spelt as an ID
e-appointment_no_longer_changed = This appointment can no longer be changed
e-offer_no_longer_open = This offer is no longer open: the time was taken or you are no longer waiting
e-database_not_available = The database is not available; try again shortly
h-free_left = · free ({ $n } left) ·
h-history = History of { $id } ({ $patient })
h-imported = Booked { $booked }, already booked { $again }, rejected { $rejected }
h-import_dry = Would book { $booked }, already booked { $again }, rejected { $rejected }
h-import_line = line { $line }: { $code } { $message }
h-import_untold = … and { $n } more rejected { $n ->
        [one] line
       *[other] lines
    } (only the first { $shown } are listed)
h-next_none = No free slots at { $clinic } within its booking horizon.
h-next_title = First free at { $clinic }
h-upcoming = Upcoming
h-recent = Recent
h-dry_sweep = Would send { $send }, expire { $expire }, cancel { $cancel } (dry run: nothing changed)

# The front desk
d-queue_title = Queue for { $date } at { $clinic }
d-nobody_booked = Nobody is booked today.
d-waiting = { $verb } { $id }: { $patient } ({ $phone }) for { $doctor } on { $date }
d-nobody_waiting = Nobody is waiting.
d-no_recalls = No recalls.
recall-due = due
recall-sent = sent
recall-booked = booked
c-recalls_sent = Recalls: { $a } sent, { $b } failed, { $c } booked meanwhile
d-no_free_slots = no free slots
d-closed = closed
d-closed_reason = closed: { $reason }
d-no_hours = no hours at this clinic
d-day_off = not working on { $weekday }s (works { $days })
d-needs_service = these hours take only { $services }: give --service
d-doctor_limit = the doctor's limit of { $limit } { $limit ->
        [one] appointment
       *[other] appointments
    } a day is reached
d-service_limit = this service's limit of { $limit } a day is reached
d-day_full = day's limit reached
d-next_free = ; next free day { $date } at { $time }
d-outside_hours = outside hours
d-taken = taken
d-full = full
d-window_closed = window closed
d-past = past
d-too_soon = too soon
d-too_far = too far ahead
d-not_for_service = not for this service or length
d-resource_busy = room or machine taken

# Errors, warnings and hints on stderr
o-error = error: { $message }
o-warning = warning: { $message }
o-hint = hint: { $hint }

# Kinds of record inside error sentences (`A {kind} named …`)
kind-cancel = cancel
kind-cancelled = cancelled

# Event kinds in `history` (the long form, then the short one)
event-appointment-booked = appointment booked
event-appointment-cancelled = appointment cancelled
event-appointment-checked_in = patient checked in
event-appointment-completed = visit completed
event-appointment-confirmed = appointment confirmed
event-appointment-in_progress = consultation started
event-appointment-no_show = patient did not show
event-appointment-rescheduled = appointment rescheduled
event-appointment-slot_offered = slot offered
event-appointment-updated = appointment updated
event-short-appointment-booked = booked
event-short-appointment-cancelled = cancelled
event-short-appointment-checked_in = checked in
event-short-appointment-completed = completed
event-short-appointment-confirmed = confirmed
event-short-appointment-in_progress = in consultation
event-short-appointment-no_show = no-show
event-short-appointment-rescheduled = rescheduled
event-short-appointment-slot_offered = slot offered
event-short-appointment-updated = updated

# Confirmations and questions of the commands
c-db_ready = Database ready at { $path }
c-backed_up = Backed up { $a } to { $b } ({ $c } bytes)
c-backup_sealed = \nIts { $a } { $a ->
        [one] national ID is
       *[other] national IDs are
    } sealed with the key in { $key }: keep a copy of that key, apart from the backup
c-renamed = \nThe patient with phone { $a } was named { $b }: now { $c }
c-cancel_q_id = Cancel appointment { $id }?
c-cancel_q = Cancel { $a }: { $b } with { $c }, { $d }?
c-cancel_series_q = (and every later one of its series)
c-the_clinic = the clinic
c-clinic_updated = Updated clinic { $a }
c-all_online_already = Every doctor with a window here, and what they do, was on the booking page already
c-put_online = Now on the booking page: { $doctors ->
        [0] no doctor
        [one] 1 doctor
       *[other] { $doctors } doctors
    } and { $services ->
        [0] no service
        [one] 1 service
       *[other] { $services } services
    } ({ $names })
c-closure_added = Closed { $a } { $b }…{ $c } { $d }
c-closure_remove_q = Remove closure { $a } ({ $b }…{ $c }{ $reason })?
c-closure_removed = Removed closure { $a }
c-doctor_added = Added doctor { $a } { $b }
c-doctor_updated = Updated doctor { $a }
c-patient_added = Added patient { $a } { $b } { $c }
c-patient_updated = Updated patient { $a } { $b }
c-patient_exported = Exported everything held about { $a } to { $shown } ({ $format })
c-patient_erase_q = Erase { $a } ({ $b }) for good? Their name, phone, e-mail, national ID, messages and links go; their appointments stay, without them
c-patient_erased = Erased patient { $id }: name, phone, e-mail, national ID, messages and links removed; appointments kept: { $n }, with their clinical record
c-patient_erased_clinical = Erased patient { $id }: name, phone, e-mail, national ID, messages, links and clinical record removed; appointments kept: { $n }
c-service_added = Added service { $a } ({ $b } min) { $c }
c-service_updated = Updated service { $a }
c-service_remove_q = Remove service { $a }?
c-service_removed = Removed service { $a }
word-room = room
word-equipment = equipment
col-Needs = Needs
c-resource_added = Added { $k } { $a } (takes { $b } at once) { $c }
c-resource_updated = Updated { $a }
c-resource_removed = Removed { $a }
c-resource_kept = Kept { $a } for the visits it had, now inactive
c-resource_remove_q = Remove { $a }?
c-resource_hours_added = { $a } open { $days } { $from }–{ $to }: free only within its hours
c-resource_closed = { $a } closed { $from } to { $to }
c-window_added = Added window { $a } for { $b } at { $c }: { $d }
c-window_remove_q = Remove window { $a } ({ $b })?
c-window_removed = Removed window { $a } ({ $b })
c-window_opened = Opened window { $a } ({ $b })
c-window_closed = Closed window { $a } ({ $b })
c-waitlist_remove_q = Take { $a } ({ $b }) off the waitlist for { $c } on { $d }?
c-reminders_sent = Reminders: { $a } sent, { $b } failed, { $c } expired, { $d } cancelled
c-webhook_added = Added webhook { $a } → { $b }
c-webhook_remove_q = Remove webhook { $a } ({ $b })?
c-webhook_removed = Removed webhook { $a } ({ $b })
c-webhooks_sent = Webhooks: { $a } delivered, { $failed } failed
c-transferred = Copied { $total } { $total ->
        [one] row
       *[other] rows
    } from { $a } to { $to } ({ $b }), counts verified
c-demo_replace_q = Replace the demo database { $a } (whatever was done in it is lost)?
c-demo_ready = Demo database: { $shown }\n(explore it with: appt --db '{ $shown }' list)\n\n{ $a }\n\n{ $free }
c-demo_free = Free slots tomorrow:
c-report_written = Wrote the report to { $shown } ({ $format })
c-exported = Exported { $n } { $n ->
        [one] appointment
       *[other] appointments
    } to { $shown } ({ $format })

# Verbs of the one-line confirmations (recognised like the error sentences)
v-booked = Booked
v-walk_in = Walk-in booked and checked in
v-already = Already booked (ref { $ref }):
v-rescheduled = Rescheduled
v-moving = Moving
v-cancelled = Cancelled
v-updated = Updated
v-status_already = Already { $a }
v-next = Next
v-marked_scheduled = Marked scheduled
v-marked_confirmed = Marked confirmed
v-marked_checked_in = Marked checked_in
v-marked_in_progress = Marked in_progress
v-marked_completed = Marked completed
v-marked_cancelled = Marked cancelled
v-marked_no_show = Marked no_show
v-waiting = Waiting
v-already_waiting = Already waiting
v-removed_waitlist = Removed from the waitlist

# Prompts: labels, questions and pickers
p-date = Date
p-new_date = New date
p-default_today = today
p-default_tomorrow = tomorrow
p-patient_phone = Patient phone
p-patient_name = Patient's full name
p-patient_email = Patient's email (Enter for none)
p-cancel_reason = Cancellation reason
p-erase_reason = Reason for the erasure (the request's date or number)
p-clinic_name = Clinic name
p-timezone = Time zone (IANA, e.g. America/El_Salvador)
p-first_closed = First closed date
p-doctor_name = Doctor's full name
p-format = Format
p-full_name = Full name
p-phone = Phone (+503…)
p-email = Email (Enter for none)
p-service_name = Service name
p-minutes = Duration in minutes
p-webhook_url = Webhook URL
p-repeats = Repeats
p-every_week = Every week
p-one_date = One date
p-days = Days (mon-fri, mon,wed,fri)
p-from = From (HH:MM)
p-to = To (HH:MM)
p-doctor = Doctor
p-whole_clinic = The whole clinic (no doctor)
p-free_slot = Free slot
p-service_only = Service (these hours take only these)
p-nothing_changed = Nothing changed.
p-places = { "  " }({ $n } { $n ->
        [one] place
       *[other] places
    })
p-its_time = { "  " }(its time now)

# Error messages and hints, as core, app and store build them in English
e-has_no_active_appointment_today_or_later = '{ $input }' has no active appointment today or later; `appt list --patient` shows their visits
e-has_several_appointments = '{ $input }' has several appointments
e-matches_several_s = '{ $input }' matches several { $a }s
e-is_not_an_iana_time_zone_name = '{ $s }' is not an IANA time zone name (e.g. America/El_Salvador)
e-date_or_time_or_at_is_required = --date or --time (or --at) is required
e-days_or_date_is_required = --days or --date is required
e-diagnosis_is_required_to_complete_an_appointment = --diagnosis is required to complete an appointment at this clinic
e-format_is_required = --format is required
e-name_is_required_for_a_new_patient = --name is required for a new patient
e-output_must_name_a_file = --output must name a file
e-patient_or_phone_is_required = --patient or --phone is required
h-no_visits = none
e-give_the_reason = give it with --reason TEXT
e-reason_is_required = A reason is required
e-timezone_is_required = --timezone is required
e-a_patient_with_phone_already_exists = A patient with phone { $a } already exists
e-a_named_already_exists = A { $a } named '{ $name }' already exists
e-appt_key_must_be_64_hex_characters = APPT_KEY must be 64 hex characters (32 bytes), or N:HEX for key version N: { $why }
e-appt_now = APPT_NOW: { $m }
e-all_places_at_this_time_are_taken = All { $cap } places at this time are taken
e-time_held_for_a_patient = This time is held for a patient who is confirming it on the booking page
e-doctor_daily_limit_reached = The doctor takes at most { $a } { $a ->
        [one] appointment a day, and { $date } has it
       *[other] appointments a day, and { $date } has them
    }
e-service_daily_limit_reached = This service is limited to { $a } { $a ->
        [one] appointment a day, and { $date } has it
       *[other] appointments a day, and { $date } has them
    }
e-the_day_is_full_try_another_day = the day is full: try another day (appt next)
e-series_cannot_be_booked = { $n } of { $total } occurrences cannot be booked ({ $list }): nothing was changed
e-series_cannot_be_moved = { $n } of { $total } occurrences cannot be moved ({ $list }): nothing was changed
e-series_skip_conflicts_hint = --skip-conflicts books the others
e-series_move_hint = move or cancel the failing ones first
e-series_too_long = a series has at most { $a } occurrences; this one would have { $n }
e-not_part_of_a_series = appointment { $a } is not part of a series
e-until_before_first = until ({ $until }) is before the first date ({ $first })
e-prefix_starts_several_series = { $input } starts more than one series: give more of it
e-repeat_daily_or_weekly = repeat must be daily or weekly
e-walk_in_cannot_repeat = a walk-in cannot repeat
e-every_must_be_between = every must be between 1 and { $a }
e-count_or_until_not_both = give count or until, not both
e-series_needs_count_or_until = a series needs count or until
e-count_must_be_between = count must be between 1 and { $a }
e-repeat_fields_need_repeat = every, count, until and skip_conflicts need repeat (daily or weekly)
e-series_moves_by_time = a series moves to a new time only: give --time, not --date, --at or --doctor
e-time_required_to_move_series = --time is required to move a series
e-max_per_day_must_be = max_per_day must be a whole number from { $a } to { $b }, or none (got '{ $raw }')
e-an_id_prefix_needs_at_least_4 = An ID prefix needs at least 4 characters
e-an_appointment_can_be_marked_no_show = An appointment can be marked a no-show only after its start time
e-another_patient_has_phone = Another patient has phone { $a }
e-appointment_time_is_in_the_past = Appointment time is in the past
e-appointments_can_be_booked_at_most_ahead = Appointments can be booked at most { $a } ahead
e-appointments_need_at_least_notice = Appointments need at least { $a } notice
e-cancel_with_appt_cancel_id_reason_r = Cancel with `appt cancel ID --reason R`
e-cannot_cancel_a_appointment = Cannot cancel a { $a } appointment
e-cannot_mark_a_appointment_as_no_show = Cannot mark a { $a } appointment as a no-show
e-cannot_move_a_appointment_back_to = Cannot move a { $a } appointment back to { $b }
e-cannot_reschedule_a_appointment = Cannot reschedule a { $a } appointment
e-cannot_update_a_appointment = Cannot update a { $a } appointment
e-doctor_is_not_available_at_the_requested = Doctor is not available at the requested time
e-too_close_to_another_appointment_buffer = Doctor is not available at the requested time: too close to another appointment (buffer)
e-too_close_to_another_booking_buffer = This time is too close to another booking (buffer)
e-email_must_look_like_name_example_com = Email must look like name@example.com
e-file_must_not_be_empty = FILE must not be empty
e-http = HTTP { $code }
e-i_o_error = I/O error: { $e }
e-the_terminal_failed = the terminal failed: { $e }
e-board_by = --by must be doctor or resource, got { $s }
e-appt_board_is_a_screen = appt board is a screen: --json has nothing to print (try appt agenda --json)
e-appt_board_needs_a_terminal = appt board needs a terminal on stdin and stdout (for a printout: appt agenda)
e-json_error = JSON error: { $e }
e-must_be_an_rfc_3339_date_time = Must be an RFC 3339 date-time with offset, e.g. 2026-06-15T14:00:00-06:00
e-must_be_longer_than_0m = Must be longer than 0m
e-must_be_on_or_off_got = Must be on or off (got '{ $s }')
e-national_id_must_be_1_to_64 = National ID must be 1 to 64 characters
e-no_free_slots_on = No free slots on { $a }: { $b }
e-no_slot_is_left_in_the_window = No slot is left in the window open now ({ $a })
e-nothing_to_change_give_reason_notes_diagnosis = Nothing to change: give --reason, --notes, --diagnosis, --prescription, --follow-up, --urgency, --modality, --visit-type or --payer
e-overlaps_the_window = Overlaps the window { $a } ({ $b })
e-patient_already_has_an_active_appointment_for = Patient already has an active appointment for this service on this date
e-postgresql_connection_failed = PostgreSQL connection failed: { $why }
e-reminder_offsets_must_be_longer_than_0m = Reminder offsets must be longer than 0m
e-several_clinics_exist_give_clinic_name_or = Several clinics exist: give --clinic NAME (or set APPT_CLINIC)
e-the_appointment_starts_within_the_clinic_s = The appointment starts within the clinic's { $a } cancellation window
e-the_time_zone_cannot_change_once_the = The time zone cannot change once the clinic has appointments
e-the_visit_is_on_it_can_be = The visit is on { $visit }: it can be marked { $a } on that day or later
e-the_window_for_this_time_is_closed = The window for this time is closed
e-the_window_has_upcoming_appointments_close_it = The window has { $n } upcoming { $n ->
        [one] appointment
       *[other] appointments
    }; close it instead
e-the_window_takes_only = The { $window } window takes only { $a }
e-type_a_value_ctrl_c_to_stop = Type a value (Ctrl-C to stop)
e-type_a_whole_number_of_minutes = Type a whole number of minutes
e-unknown_appointment_type = Unknown appointment type '{ $input }'
e-unknown_message_status = Unknown message status '{ $s }': use pending, sent, failed, cancelled or expired; in Spanish pendiente, enviado, fallido, cancelado, vencido
e-unknown_message_kind_word = Unknown message kind '{ $s }': use reminder, confirmation, rescheduled, cancelled, waitlist_offer or recall; in Spanish recordatorio, confirmación, reprogramada, cancelación, oferta, control
e-unknown_status = Unknown status '{ $s }': use scheduled, confirmed, checked_in, in_progress, completed, cancelled or no_show; in Spanish programada, confirmada, llegó, en consulta, atendida, cancelada, ausente
e-appt_show_shows_it_booking_again_with = `appt show { $a }` shows it; booking again with the same --external-ref returns it instead of booking twice
e-a_key_must_be_64_hex_characters = a key must be 64 hex characters (32 bytes)
e-a_key_s_version_before_must_be = a key's version (before ':') must be a whole number from 1
e-a_second_doctor_of_that_name_needs = a second doctor of that name needs --same-name (and a --specialty to tell them apart)
e-a_stored = a stored { $a } { $problem }
e-a_walk_in_is_booked_now_give = a walk-in is booked now: give no date, time or at
e-a_row_has_for_its_id = a { $table } row has { $a } for its ID
e-active_must_be_true_or_false = active must be true or false
e-format_must_be_json_or_fhir = format must be json or fhir
e-add_force_to_do_it_anyway = add --force to do it anyway
e-add_one_with_appt_doctor_add_name = add one with `appt doctor add NAME`
e-add_sslmode_verify_full_and_sslrootcert_file = add sslmode=verify-full and sslrootcert=FILE to the URL (or sslmode=require), or sslmode=disable to accept this
e-and_weekdays_are_both_given_or_both = and weekdays are both given or both missing
e-another_appt_or_another_program_is_writing = another appt or another program is writing; try again in a moment
e-appt_backup_copies_a_database_file_a = appt backup copies a database file; a PostgreSQL database is backed up with pg_dump
e-appt_demo_seeds_a_database_file_of = appt demo seeds a database file of its own; give --db a file path, not a server
e-cannot_connect_to_no_answer_from_the = cannot connect to { $shown }: no answer from the server within { $a } s
e-cannot_connect_to = cannot connect to { $shown }: { $why }
e-cannot_create_database = cannot create database { $a }: { $e }
e-cannot_create_folder = cannot create folder { $a }: { $e }
e-cannot_create = cannot create { $a }: { $e }
e-cannot_find_a_data_folder_for_the = cannot find a data folder for the demo database; give --db PATH
e-cannot_find_a_home_folder_for_the = cannot find a home folder for the database; give --db PATH
e-cannot_format_a_calendar_line = cannot format a calendar line
e-cannot_make_database_there_is_no_folder = cannot make database { $a }: there is no folder { $b }
e-cannot_move_the_copy_into_place_at = cannot move the copy into place at { $shown }: { $e }
e-cannot_open_database = cannot open database { $a }: { $b }
e-cannot_read_sslrootcert = cannot read sslrootcert { $shown }: { $io }
e-cannot_read_the_import = cannot read the import: { $e }
e-cannot_read_the_secret_from = cannot read the secret from { $from }: { $e }
e-cannot_read = cannot read { $a }: { $e }
e-cannot_start_connecting = cannot start connecting: { $e }
e-cannot_start_sh = cannot start sh: { $e }
e-cannot_upgrade_to_schema_version = cannot upgrade { $shown } to schema version { $a }: { $b }
e-copy_is_short = the copy of { $table } holds { $b } rows where the table holds { $a }
e-shape_unread = the shape of { $table } could not be read to copy it with its IDs as 16 bytes
e-cannot_use = cannot use { $shown }: { $a }
e-cannot_write_a_csv_row = cannot write a CSV row: { $other }
e-cannot_write_to_standard_output = cannot write to standard output: { $e }
e-cannot_write_to = cannot write to { $a }: { $e }
e-capacity_must_be_between_1_and_1000 = capacity must be between 1 and 1000
e-check_that_the_server_is_running_and = check that the server is running and --db (or APPT_DB) is right
e-check_that_the_server_is_running_and_2 = check that the server is running and reachable, and the host and port
e-command_exited_with = command exited with { $c }
e-command_ran_past_s_and_was_killed = command ran past { $a }s and was killed
e-command_was_killed_by_a_signal = command was killed by a signal
e-create_one_with_appt_clinic_add_name = create one with `appt clinic add NAME --timezone TZ`
e-database_constraint_failed = database constraint failed: { $e }
e-database_error = database error: { $e }
e-database_is_locked_by_another_process = database is locked by another process: { $e }
e-date_and_time_or_at_are_required = date and time (or at) are required
e-date_and_time_are_required = date and time are required
e-days_must_be_between_1_and_31 = days must be between 1 and 31
e-did_you_mean = did you mean { $a }?
e-doctor_or_clinic_wide_is_required = doctor (or clinic_wide) is required
e-external_ref_must_be_at_most_200 = external_ref must be at most 200 characters
e-find_the_with_appt_list_search_text = find the { $a } with `appt { $b } list --search TEXT`
e-free_later_that_day_at = free later that day at { $a }
e-give_db_or_appt_db_the_path = give --db (or APPT_DB) the path of a database file
e-give_db_an_empty_database_or_one = give --db an empty database, or one appt made
e-give_db_the_path_of_an_appt = give --db the path of an appt database, or a new file name
e-give_more_characters_of_the_id = give more characters of the ID
e-give_sslrootcert_file_the_ca_that_signed = give sslrootcert=FILE (the CA that signed the server's certificate), or sslrootcert=system
e-give_the_appointment_s_id = give the appointment's ID
e-give_the_demo_another_db_path_or = give the demo another --db PATH, or move that file away first
e-holds_appt_cannot_read_there = holds { $a } appt cannot read there
e-is_null = is NULL
e-is_not_a_json_object = is not a JSON object ({ $e })
e-is_not_after_start_minute = is not after start_minute
e-is_not_after_starts_at = is not after starts_at
e-it_belongs_to_another_program_application_id = it belongs to another program: application_id { $other }
e-it_holds_another_program_s_tables = it holds another program's tables
e-it_is_not_a_regular_file = it is not a regular file
e-it_stopped_unexpectedly = it stopped unexpectedly
e-it_vanished_while_being_made = it vanished while being made
e-its_user_version_is = its user_version is { $v }
e-limit_must_be_1_or_more = limit must be 1 or more
e-limit_must_be_between_1_and_100 = limit must be between 1 and 100
e-limit_must_be_between_1_and_100000 = limit must be between 1 and 100000
e-limit_must_be_between_1_and_500 = limit must be between 1 and 500
e-make_the_folder_first_or_give_db = make the folder first, or give --db (or APPT_DB) another path
e-minutes_must_be_a_whole_number = minutes must be a whole number
e-no_active_doctor_has_windows_at = no active doctor{ $what } has windows at { $a }
e-no_answer_from_the_server_within_s = no answer from the server within { $a } s
e-no_key_in_it = no key in it
e-no_row_from = no row from: { $sql }
e-nobody_is_waiting_for_today = nobody is waiting for { $a } today
e-not_a_booking_request_the_line_is = not a booking request: the line is longer than { $a } KiB
e-not_a_booking_request_the_line_is_2 = not a booking request: the line is not UTF-8 text (a bad byte at column { $a })
e-not_a_booking_request = not a booking request: { $why }
e-json_expected_value = expected value
e-json_expected_ident = expected ident
e-json_invalid_type = invalid type: { $a }, expected { $b }
e-json_unknown_field = unknown field { $a }, expected one of { $b }
e-json_missing_field = missing field { $a }
e-json_duplicate_field = duplicate field { $a }
e-json_eof_object = EOF while parsing an object
e-json_eof_value = EOF while parsing a value
e-json_eof_string = EOF while parsing a string
e-json_eof_list = EOF while parsing a list
e-json_trailing_characters = trailing characters
e-json_trailing_comma = trailing comma
e-json_key_must_be_a_string = key must be a string
e-json_expected_colon = expected `:`
e-json_expected_comma_or_brace = expected `,` or `{ "}" }`
e-json_invalid_number = invalid number
e-page_is_too_large = page is too large
e-page_must_be_1_or_more = page must be 1 or more
e-patient_or_phone_is_required_2 = patient or phone is required
e-prompt_failed = prompt failed: { $e }
e-run_appt_init_to_make_one_there = run `appt init` to make one there, or give --db (or APPT_DB) the path of yours
e-source_must_be_one_of = source must be one of { $a }
e-sslmode_is_not_one_of_disable_allow = sslmode '{ $value }' is not one of disable, allow, prefer, require, verify-ca, verify-full
e-pool_mode_is_not_one_of = pool_mode '{ $value }' is not one of session, transaction
e-target_session_attrs_is_not_one_of = target_session_attrs '{ $value }' is not one of any, read-write, read-only, primary, standby, prefer-standby
e-found_no_standby_among = cannot connect to { $shown }: the server that answered read-only is not a standby (target_session_attrs=standby)
e-the_server_takes_no_writes = the server takes no writes: it is a standby, or set read-only
e-name_the_primary_or_every_server = name the primary, or every server with target_session_attrs=read-write
e-read_db_must_name_a_postgresql_server = --read-db must name a PostgreSQL server (postgres://… or host=…)
e-read_db_needs_a_postgresql_db = --read-db needs a PostgreSQL --db: a SQLite file has no standby
e-sslmode_needs_a_host_name_or_address = sslmode={ $a } needs a host name or address, not a local socket
e-sslnegotiation_direct_needs_sslmode_require_or_stronger = sslnegotiation=direct needs sslmode=require or stronger, not { $a }
e-sslrootcert_holds_a_certificate_appt_cannot_use = sslrootcert { $shown } holds a certificate appt cannot use: { $e }
e-sslrootcert_holds_no_certificate = sslrootcert { $shown } holds no certificate
e-sslrootcert_is_not_a_pem_file = sslrootcert { $shown } is not a PEM file: { $e }
e-sslrootcert_system_needs_sslmode_verify_full_not = sslrootcert=system needs sslmode=verify-full, not { $a }
e-sslrootcert_system_this_machine_has_no_trusted = sslrootcert=system: this machine has no trusted CA certificates
e-status_must_be_confirmed_checked_in_in = status must be confirmed, checked_in, in_progress, completed or no_show; in Spanish confirmada, llegó, en consulta, atendida, ausente
e-temporary_file_exists = temporary file exists
e-the_connection_to_is_not_encrypted_patient = the connection to { $shown } is not encrypted: patient data travels in clear over the network
e-the_database_holds_a_value_appt_did = the database holds a value appt did not write; `appt check` lists every such row
e-the_database_is_locked_by_another_session = the database is locked by another session past the 10 s timeout
e-the_database_stayed_locked_for_10_s = the database stayed locked for 10 s; no backup was written
e-the_file_is_not_a_usable_appt = the file is not a usable appt database: { $e }
e-the_key_file_changed_during_the_rotation = the key file { $a } changed during the rotation and was left as it is; it must hold the version { $b } key: `appt check` tells
e-the_keyring_lacks_its_current_key = the keyring lacks its current key
e-the_national_id_key_file_is_damaged = the national-ID key file { $a } is damaged (it must hold 64 hex characters); restore it from a backup, or set APPT_KEY to the key
e-the_secret_in_is_empty = the secret in { $from } is empty
e-the_secret_in_is_longer_than_bytes = the secret in { $from } is longer than { $SECRET_LIMIT } bytes
e-the_secret_in_is_not_utf_8 = the secret in { $from } is not UTF-8 text
e-the_server_does_not_support_tls_which = the server does not support TLS, which sslmode={ $a } requires
e-the_server_gave_up_on_a_statement = the server gave up on a statement after { $a } s ({ $b })
e-the_server_may_be_overloaded_try_again = the server may be overloaded; try again in a moment
e-the_server_needs_the_btree_gist_extension = the server needs the btree_gist extension (in postgresql-contrib)
e-there_is_no_database_at = there is no database at { $a }
e-to_must_be_after_from = to must be after from
e-to_must_not_be_before_from = to must not be before from
e-transfer_of_copied_rows_of_nothing_was = transfer of { $table } copied { $has } rows of { $had }; nothing was written
e-every_row_was_copied_but_vacuuming_the = every row was copied, but vacuuming the copy failed: { $a }
e-run_vacuum_freeze_analyze_on_its_tables = run VACUUM (FREEZE, ANALYZE) on its tables; until then the first days' queries are slower
e-try_again_in_a_moment = try again in a moment
e-two_different_keys_claim_version = two different keys claim version { $version }
e-unexpected_result_from_sqlite_s_backup = unexpected result from SQLite's backup
e-valid_to_must_not_be_before_valid = valid_to must not be before valid_from
e-write_it_as_key_value_pairs_a = write it as key=value pairs, a value with spaces in single quotes
e-write_it_as_postgres_user_password_host = write it as postgres://USER:PASSWORD@HOST:PORT/DBNAME (or host=… dbname=… user=…)
e-does_not_exist_in_the_clocks_skip = { $date } { $a } does not exist in { $b } (the clocks skip it)
e-is_not_at_that_utc_offset_in = { $date } { $a } is not at that UTC offset in { $b }
e-or_an_rfc_3339_time_such_as = { $e }; or an RFC 3339 time such as 2026-06-15T08:00:00-06:00
e-must_be_at_most_200_characters = { $field } must be at most 200 characters
e-must_be_at_most_characters = { $field } must be at most { $MAX_TEXT } characters
e-must_be_between_and_minutes = { $field } must be between { $lo } and { $hi } minutes
e-must_be_one_of = { $field } must be one of { $a }
e-must_not_be_empty = { $field } must not be empty
e-is_not_valid_text = { $name } is not valid text
e-has_passed = { $on } has passed
e-is_locked_by_another_process_past_the = { $path } is locked by another process past the { $a } s timeout
e-is_not_a_usable_appt_database = { $path } is not a usable appt database: { $a }
e-is_not_an_appt_database_not_an = { $path } is not an appt database (not an SQLite file)
e-is_not_an_instant_between_the_years = { $secs } is not an instant between the years 1 and 9999
e-already_exists_give_force_to_replace_it = { $shown } already exists; give --force to replace it
e-has_schema_version_newer_than_this_appt = { $shown } has schema version { $v }, newer than this appt knows ({ $target }); upgrade appt
e-is_a_folder = { $shown } is a folder
e-is_not_a_file_name = { $shown } is not a file name
e-is_not_a_regular_file_a_device = { $shown } is not a regular file (a device, a FIFO or a socket)
e-is_not_a_valid_postgresql_connection_string = { $shown } is not a valid PostgreSQL connection string: { $why }
e-is_not_an_appt_database_it_holds = { $shown } is not an appt database (it holds other tables); appt leaves it as it is
e-is_open_in_another_program_or_was = { $shown } is open in another program or was not closed cleanly ({ $shown }-wal exists); not replacing it
e-is_the_database_itself = { $shown } is the database itself
e-row = { $table } row { $id }: { $column } { $problem }
e-is_not_empty_its_table_has_rows = { $target } is not empty (its table { $table } has rows); transfer copies into an empty database only
e-does_not_exist_that_month_has_no = { $t } does not exist: that month has no day { $a }
e-does_not_exist_there_is_no_month = { $t } does not exist: there is no month { $a }
e-is_below = { $v } is below { $lo }
e-is_outside_to = { $v } is outside { $lo } to { $hi }
e-can_be_read_or_written_by_others = { $a } can be read or written by others (mode { $mode }) and belongs to another user (uid { $b }): appt changes no one else's file; have its owner run `chmod 600 { $c }`
e-can_be_read_or_written_by_others_2 = { $a } can be read or written by others (mode { $mode }) and cannot be made private: { $e }; run `chmod 600 { $b }`
e-failed_they_are_retried_on_a_later = { $a } failed; they are retried on a later run
e-found_in = { $a } found in { $location }
e-is_null_2 = { $a } is NULL
e-is_inactive = { $a } is inactive
e-is_not_a_json_object_2 = { $a } is not a JSON object
e-is_not_a_database_file_it_is = { $a } is not a database file (it is { $b })
e-is_not_a_date_yyyy_mm_dd = { $a } is not a date (YYYY-MM-DD)
e-is_not_a_list_of_reminder_offsets = { $a } is not a list of reminder offsets in minutes
e-is_not_a_regular_file_leave_out = { $a } is not a regular file: leave out --output to write to standard output
e-is_not_a_time_zone = { $a } is not a time zone
e-is_not_an_appt_database_appt_leaves = { $a } is not an appt database ({ $why }); appt leaves it as it is
e-is_not_one_of = { $a } is not one of { $b }
e-rejected_the_first_line = { $a } rejected; the first, line { $b }: { $c }
e-works_at_several_clinics_give_clinic = { $a } works at several clinics: give --clinic
e-token_on_is_held_by_appointments = { $a }: token { $b } on { $c } is held by { $d } appointments
e-the_change_was_saved_all_the_same = { $a }; the change was saved all the same: { $what }
e-doctor_not_found = Doctor not found
e-appointment_not_found = Appointment not found
e-clinic_not_found = Clinic not found
e-patient_not_found = Patient not found
e-resource_not_found = Resource not found
e-resource_busy = Taken at that time: { $a }
e-resource_busy_guard = A room or machine the visit needs is taken at that time
e-resource_kind = kind must be room or equipment, got { $s }
e-resource_in_use = { $name } is still in use: { $a } visits to come, needed by { $b } services
e-resource_in_use_hint = move or cancel those visits and take it out of those services (service update S --needs …), or keep it with resource update R --active no
e-resource_of_another_clinic = { $name } is another clinic's: a service's needs are one clinic's resources
e-resource_not_needed = { $name } is not one this clinic's visits of the service need: see service list
e-visit_missing_resource = { $a }, { $b }: the visit has no room or machine of a group its service needs
e-message_not_found = Message not found
e-this_patient_was_erased = This patient was erased
e-window_not_found = Window not found
e-page_not_found = Page not found
e-series_not_found = Series not found
e-service_not_found = Service not found
e-checked_in_patient_not_found = Checked-in patient not found
e-webhook_not_found = Webhook not found
e-closure_not_found = Closure not found
e-waitlist_entry_not_found = Waitlist entry not found
e-duration_must_look_like_90m_2h_1h30m = Duration must look like 90m, 2h, 1h30m, 1d, 30 min, 2 hours or 1 day; in Spanish 2 horas, 1 día (got '{ $s }')
e-time_must_be_in_hh_mm_format = Write a time as 09:30, 9, 9am, 9:30 pm or 14h
e-the_offset_must_be_like_05_05 = The offset must be like -05, -05:00 or +05:30
e-date_must_be_yyyy_mm_dd_today = Date must be YYYY-MM-DD, { $dm }, { $dm }/YYYY, today, tomorrow, yesterday, a weekday (monday, mon), +N or -N; in Spanish hoy, mañana, pasado mañana, ayer, lunes, lun
e-days_must_be_names_or_ranges_like = Days must be names or ranges like mon-fri or mon,wed,fri; in Spanish lun-vie or lun,mié,vie (got '{ $s }')
e-exists_and_is_not_an_appt_demo = { $a } exists and is not an appt demo database; appt demo replaces only its own
e-type_must_be_one_of = type must be one of { $a }
e-after_must_be_an_event_id_0 = after must be an event ID (0 or more)
e-url_must_be_an_http_or_https = URL must be an http:// or https:// address
e-events_must_be_some_of = events must be some of { $a }
e-national_ids_in_a_server_database_are = national IDs in a server database are sealed under APPT_KEY, which is not set; set APPT_KEY to the clinic group's key (64 hex characters): a server database has no key file
e-cannot_read_the_national_id_key_file = cannot read the national-ID key file { $a }: { $e }; or set APPT_KEY
e-cannot_create_the_national_id_key_file = cannot create the national-ID key file { $a }: { $e }; or set APPT_KEY
e-key_cannot_keep_old = cannot keep the old national-ID key in { $a }: { $e }; or set APPT_KEY
e-key_cannot_write = cannot write the national-ID key file { $a }: { $e }; or set APPT_KEY
e-key_versions = { $n ->
        [one] key version { $list }
       *[other] key versions { $list }
    }
e-key_source_env = APPT_KEY holds { $holds }
e-key_source_file = the key file { $file } holds { $holds }
e-key_sealed_newer = { $source }, but this database's national IDs are sealed under key version { $v }, a newer key (made by appt key rotate)
e-key_sealed_older = { $source }, but this database's national IDs are sealed under key version { $v }, an older key (a key rotate that made the newer one did not finish, or the database is an older copy)
e-key_want_env = { $what }; set APPT_KEY to the version { $v } key, or unset it to use the key file { $file }
e-key_want_kept = { $what }; the version { $v } key is kept in { $kept }: put it back as { $file }, or set APPT_KEY to it
e-key_want_restore = { $what }; restore the key file that holds it, or set APPT_KEY to it
e-key_env_opens_nothing = APPT_KEY does not open this database's national IDs; set APPT_KEY to the key they were sealed with, or unset it to use the key file { $file }
e-key_file_opens_nothing = the key file { $file } does not open this database's national IDs: it holds another key; restore the right key file, or set APPT_KEY to the right key
e-key_file_missing = the national-ID key file { $file } is missing, and this database holds IDs sealed with it; restore that file, or set APPT_KEY to its key (appt makes no new key while sealed IDs exist)
e-key_no_file = (none: the database has no file)
e-key_file_of_another_user = the national-ID key file { $file } belongs to another user (uid { $owner }), not to the user running appt (uid { $me }): appt uses only a key file of its own user; if it is yours, run `chown { $me } { $file }` as root, or set APPT_KEY
e-key_file_not_private = the national-ID key file { $file } can be read or written by others (mode { $mode }); appt uses only a private key file: run `chmod 600 { $file }` (and, if someone may have read it, `appt key rotate`), or set APPT_KEY
e-sslmode_needs_a_server_with_tls_on = sslmode={ $a } needs a server with TLS on (ssl = on); or lower sslmode
e-is_required = { $flag } is required
e-reminder_deliveries = { $n } { $n ->
        [one] reminder delivery
       *[other] reminder deliveries
    }
e-webhook_deliveries = { $n } { $n ->
        [one] webhook delivery
       *[other] webhook deliveries
    }
e-lines = { $n } { $n ->
        [one] line
       *[other] lines
    }
e-problems = { $n } { $n ->
        [one] problem
       *[other] problems
    }
e-joined = { $a }; { $b }
e-or = { $a }, or { $b }
e-the_check_could_not_run = the { $check } check could not run: { $a }
e-sqlite_s_found_the_file_damaged = SQLite's { $pragma } found the file damaged ({ $a })
e-rows_of_point_at_that_do_not = { $n } { $n ->
        [one] row of { $table } points at { $parent } that does not exist
       *[other] rows of { $table } point at { $parent } that do not exist
    } (column { $c })
e-active_appointments_at_once_at_over_the = { $a }: { $b } active appointments at once at { $c }, over the window's capacity of { $d }
e-active_appointments_at_once_buffers_included = { $a }: { $b } active appointments at once, buffers included, at { $c }, over the window's capacity of { $d }
e-token_on_is_above_the_date_s = { $a }: token { $b } on { $c } is above the date's token counter, so the next booking would get it again
e-the_appointment_has_no_appointment_booked_event = { $a }, { $b }: the appointment has no appointment.booked event
e-a_reminder_is_still_pending_but_its = a reminder is still pending, but its appointment is { $a }
e-an_erased_patients_row_holds_more = an erased patient's row holds more than the placeholder: erase them again (`appt patient erase ID --reason TEXT`)
e-events_still_hold_an_erased_patients = events still hold an erased patient's name or phone: erase them again (`appt patient erase ID --reason TEXT`)
e-messages_of_an_erased_patient_are_still = messages of an erased patient are still pending or hold data: erase them again (`appt patient erase ID --reason TEXT`)
e-links_to_an_erased_patients_appointments = links to an erased patient's appointments or offers are still open: erase them again (`appt patient erase ID --reason TEXT`)
e-an_erased_patient_is_still_on_the = an erased patient is still on the waitlist: erase them again (`appt patient erase ID --reason TEXT`)
col-Language = Language
clinic-language = Language
clinic-phone = Phone
clinic-public_url = Public URL
clinic-template = Template { $a }: { $b }
e-link_not_found = Link not found
e-language_must_be = Language must be en or es (got '{ $a }')
e-clinic_phone_must_be = The clinic's phone must be 3 to 20 digits, with spaces, -, ., ( ) and a leading + if you like (got '{ $a }'), or none
e-public_url_must_be = The public URL must be http:// or https://, a host and a path if you like, without user:password, ?query or #fragment (got '{ $a }'), or none
e-template_is_kind_text = A template is KIND=TEXT, KIND one of { $a } (got '{ $b }')
e-unknown_message_kind = Unknown message kind '{ $a }': the kinds are { $b }
e-unknown_placeholder = Unknown placeholder '{ $a }' in the { $b } template (the placeholders are { $c })
e-template_unmatched = The { $a } template has an unmatched '{ $b }' (write it twice for the character itself)
e-template_nested = The { $a } template has a '[' inside another: optional parts do not nest
e-template_too_long = The { $a } template is longer than { $b } characters
e-link_key_cannot_create = cannot create the link key file { $a }: { $e }; or set APPT_LINK_KEY
e-link_key_vanished = cannot create the link key file { $a }: it vanished while being made; or set APPT_LINK_KEY
e-link_key_cannot_read = cannot read the link key file { $a }: { $e }; or set APPT_LINK_KEY
e-link_key_not_private = the link key file { $a } is not the private file of the user running appt (owner uid { $b }, mode { $c }): make it yours with mode 600, or set APPT_LINK_KEY
e-link_key_damaged = the link key file { $a } is damaged (it must hold 64 hex characters): restore it, or remove it to make a new one (the links already sent stop working)
e-appt_link_key_must_be = APPT_LINK_KEY must be 64 hex characters (32 bytes)
e-make_a_link_key = make one with `openssl rand -hex 32`
e-server_link_key = a server database takes its link key from APPT_LINK_KEY: set it to 64 hex characters, the same wherever appt sends or serves its links
e-not_32_hex = is not 32 hex characters
e-not_an_object_of_texts = is not an object of texts

# appt board (src/output/board.rs, src/board/)
b-counts = { $booked } booked · { $free } free · { $arrived } arrived · { $in_progress } in progress · { $done } done · { $no_show } no-show
b-recalls = { $n } { $n ->
        [one] recall
       *[other] recalls
    } due
b-nobody = Nobody works this day.
b-no_slots = No slots this day.
b-clinic_wide = Clinic-wide
b-closed = Closed
b-free = free
b-free_service = free (service)
b-free_at = { $time } free ({ $places } left): Enter books
b-free_at_service = { $time } free ({ $places } left) for { $services }: Enter books
b-buffer = buffer
b-buffer_at = { $time } kept free: the buffer around an appointment
b-away = busy
b-away_at = { $time } busy in the doctor's own calendar
b-stale = ⚠ stale calendar: { $names }
b-held = held
b-held_at = { $time } held for a patient confirming it on the booking page
b-in_series = ↻ part of a series
b-queue = Arrived
b-queue_empty = Nobody waiting.
b-waitlist = Waitlist
b-waitlist_empty = Nobody on the list.
b-inbox = Inbox
b-inbox_empty = No messages to read.
b-keys_inbox = ↓↑ choose  Enter read  r answer  d done  Tab/Esc back to the day
b-keys_message = Enter or Esc: close · r answer · d done
b-no_inbox = The clinic has no channel, so no inbox
b-inbox_done = Message { $id } done.
b-ask_reply = Answer (goes by the channel it came by)
b-replied = Answer sent to { $to }; the message is done.
b-moving = Moving #{ $token } { $patient }: Enter on a free cell puts it there, Esc leaves it.
b-keys = ←↓↑→ move  Enter book  c confirm  a arrived  s start  d done  n no-show  x cancel  m move  w walk-in  / find  [ ] day  t today  ? help  q quit
b-keys_short = Enter book  c a s d n  x cancel  m move  w walk-in  / find  ? help  q quit
b-keys_yes_no = y and Enter: yes  n and Enter: no  Esc give up
b-keys_prompt = Enter accept  Esc give up
b-keys_moving = ←↓↑→ move  Enter put it here  Esc stop moving
b-is-scheduled = scheduled
b-is-confirmed = confirmed
b-is-checked_in = arrived
b-is-in_progress = in progress
b-is-completed = done
b-is-no_show = no-show
b-is-cancelled = cancelled
b-too_small = The board needs a terminal of at least { $width }×{ $height }.
b-help_title = Keys
b-help = Arrows or h j k l  move\n[  the day before · ]  the day after · t  today\nEnter  book a free cell (phone, then name for a new patient)\nc confirm · a arrived · s start · d done · n no-show\nx cancel (asks the reason) · m move, then Enter on a free cell\nw walk-in for this doctor · / find a patient by name or phone\nu urgency of the visit (! urgent, !! emergency; + overbooked)\nv  rooms and machines as the columns, or the doctors again\nTab  the inbox: Enter reads a message, r answers it, d marks it done\n? this help · q or Ctrl-C quit · Esc closes a question
b-ask_phone = Phone
b-ask_name = Name (new patient)
b-ask_service = Service ({ $services }; Enter: { $first })
b-ask_reason = Reason to cancel
b-ask_diagnosis = Diagnosis
b-ask_find = Find (name or phone)
b-not_found = Nobody found for "{ $typed }".
b-no_appointment = No appointment selected.
b-no_free = Not a free cell: pick a free one.
b-no_doctor = No doctor in this column.
b-booked = Booked #{ $token } { $patient } at { $time }.
b-walked_in = Walk-in #{ $token } { $patient }, checked in.
b-changed = #{ $token } { $patient }: { $status }.
b-already = #{ $token } { $patient }: already { $status }.
b-cancelled = Cancelled #{ $token } { $patient }
b-moved = Moved #{ $token } { $patient } to { $time }.
b-reconnected = Connected to the database again.
b-found = #{ $token } { $patient } on { $date } at { $time }.

# Retention: `appt purge`, a clinic's --retain-messages (docs/privacy.md#retention)
clinic-retain_messages = Messages kept
word-forever = for ever
h-purged = Purged: { $list }
h-would_purge = Would purge: { $list } (dry run: nothing changed)
purge-reminders = { $n } { $n ->
        [one] message
       *[other] messages
    }
purge-patient_links = { $n } { $n ->
        [one] patient's link
       *[other] patients' links
    }
purge-events = { $n } { $n ->
        [one] event
       *[other] events
    } emptied of personal fields
purge-access_log = { $n } { $n ->
        [one] record
       *[other] records
    } of who looked

# Text from outside appt (a driver's or the system's words), shown as it is
text = { $text }

# check: national IDs that do not open ($kind: 0 another patient's, 1 not
# this patient's, 2 unbound, 3 unknown key version, 4 damaged)
e-national_ids_unreadable = { $n ->
        [one] 1 patient's national ID
       *[other] { $n } patients' national IDs
    } { $kind ->
        [0] { $n ->
            [one] belongs
           *[other] belong
        } to another patient: sealed for that patient's row and copied (or swapped) onto this one
        [1] { $n ->
            [one] does not open
           *[other] do not open
        } for their patient: damaged, or copied from another patient's row
        [2] { $n ->
            [one] is
           *[other] are
        } in an older appt's unbound format, though this database's IDs were bound to their patients: copied in from an old copy
        [3] { $n ->
            [one] is
           *[other] are
        } sealed under a key version the database's key does not hold
       *[4] { $n ->
            [one] is
           *[other] are
        } damaged: not a sealed value appt can read
    }; an ID shows as unreadable until it is given again (`appt patient update PATIENT --national-id ID`)
e-sealed_for_patient_copied = sealed for patient { $other }: copied from that patient's row
e-unopened_damaged = damaged: not a sealed value appt can read
e-unopened_unknown_version = sealed under key version { $v }, which the key in use does not hold
e-unopened_unbound = in an older appt's unbound format, though this database's IDs were bound to their patients: copied in from an old copy
e-unopened_not_for_patient = does not open for this patient: damaged, or copied from another patient's row
e-holds_where_appt_keeps = holds { $a } where appt keeps { $b }
e-this_time_is_already_booked = This time is already booked

# The API's fields and parameters
e-field_given_more_than_once = { $name } is given more than once
e-field_must_be_a_whole_number = { $name } must be a whole number
e-field_must_be_true_or_false = { $name } must be true or false
e-not_a_parameter_of_this_endpoint = { $name } is not a parameter of this endpoint
e-field_must_be_a_string = { $name } must be a string
e-not_a_field_of_this_endpoint = { $name } is not a field of this endpoint
e-field_must_not_contain_nul = { $name } must not contain a NUL character
e-check_sslrootcert_and_host_name = check sslrootcert (the CA that signed the server's certificate) and that the host name is the one in the certificate
e-check_the_server_and_the_user = check that the server is running and reachable (host and port), and the user, password and database name
e-demo_zone = the demo's time zone cannot be read (a bug)
e-encryption_failed = encryption failed (a bug)
e-close_it_with = appt window close { $a }
e-back_up_a_server_with_pg_dump = pg_dump --format=custom --file=FILE 'postgres://USER@HOST/DBNAME'
col-By = By
e-holds_appt_cannot_read_back = holds { $a } appt cannot read back

# The booking rules (docs/rules.md#booking)
e-closed_on = Closed on { $date }
e-closed_on_reason = Closed on { $date }: { $reason }
e-no_availability_on = No availability on { $date }
e-outside_availability_on = Outside availability on { $date } (open { $open })
e-off_the_grid = Start time is off the window's { $n }-minute grid (from { $from })
e-past_the_windows_end = Appointment would run past the window's end ({ $to })
e-window_does_not_offer_service = This window does not offer that service
e-time_belongs_to_session = This time belongs to the { $session } session

# Weekdays as the command line writes them (`mon-fri`)
day-mon = mon
day-tue = tue
day-wed = wed
day-thu = thu
day-fri = fri
day-sat = sat
day-sun = sun
h-clinic_closure = { $name } (clinic)
h-window_span = { $when } { $from }-{ $to }

# Issue 43: the desk's input, prompts, queue, phones, exports
e-too_short_for_a_phone_number_of = '{ $raw }' is too short for a phone number of { $code }: they are written like { $like }
e-too_long_for_a_phone_number_of = '{ $raw }' is too long for a phone number of { $code }: they are written like { $like }
e-not_a_phone_number_of = '{ $raw }' is not a phone number of { $code }: they are written like { $like }
p-yes_no_keys = [y/N]
p-answer_yes_or_no = Answer yes or no (y, yes / n, no; or in Spanish s, sí)
e-date_order_must_be_dmy_or_mdy = Date order must be dmy or mdy (got '{ $o }')
clinic-date_order = Date order
order-dmy = day first, 4/12 is 4 December (dmy)
order-mdy = month first, 4/12 is 12 April (mdy)
e-not_dmy_or_mdy = is not dmy or mdy
clinic-queue_order = Queue order
queue_order-time = by appointment time
queue_order-token = by token
clinic-late_after = Late after
h-late = { $status }, late
b-late = late, nobody arrived
b-ask_force = { $why } Cancel all the same? (y/n)
b-kept = Nothing changed.
b-ask_pick = { $n } patients match: the number of one
b-choose_title = Which one?
e-lateness_must_be = Lateness must be 0 to 1440 minutes (got '{ $a }')
e-queue_order_must_be = Queue order must be time or token (got '{ $a }')
v-cancelling = Cancelling
p-force_move = Move it all the same (as --force)?
p-service = Service
p-service_item = { $name } ({ $n } min)
p-slot_minutes = Slot length in minutes
e-an_xlsx_export_is_a_file = An xlsx export is a file: give --output FILE (or redirect standard output)
e-cannot_write_the_spreadsheet = cannot write the spreadsheet: { $e }
email-subject_reminder = Reminder: your appointment at { $clinic }, { $date } at { $time }
email-subject_confirmation = Appointment booked at { $clinic }: { $date } at { $time }
email-subject_rescheduled = Appointment moved at { $clinic }: { $date } at { $time }
email-subject_cancelled = Appointment cancelled at { $clinic }: { $date } at { $time }
email-subject_waitlist_offer = A time has come free at { $clinic }: { $date } at { $time }
email-subject_test = Test message from { $clinic }
email-link_appointment = Confirm, cancel or change your appointment
email-link_offer = Book this time
email-subject_recall = Time for your follow-up visit at { $clinic }
email-link_recall = Book your visit
email-summary = Appointment at { $clinic }
email-summary_with = Appointment with { $doctor } at { $clinic }
ics-appointment = Appointment
ics-with = { $what } with { $doctor }
ics-at = { $what } at { $clinic }
ics-for = { $patient }: { $summary }
ics-patient = Patient
ics-phone = Phone
ics-patient_id = Patient ID
ics-reason = Reason
ics-cancellation_reason = Cancellation reason
xr-sheet = Report
xr-figure = Figure
xr-by = By
xr-key = Key
xr-doctor_id = Doctor ID
xr-doctor = Doctor
xr-count = Count
xr-of = Of
xr-rate = Rate
x-sheet = Appointments
x-id = Appointment ID
x-clinic_id = Clinic ID
x-doctor_id = Doctor ID
x-patient_id = Patient ID
x-service_id = Service ID
x-date = Date
x-start_time = Start
x-end_time = End
x-duration_minutes = Minutes
x-starts_at = Starts (local)
x-ends_at = Ends (local)
x-timezone = Time zone
x-status = Status
x-token_number = Token
x-source = Source
x-session = Session
x-batch = Batch
x-reason = Reason
x-notes = Notes
x-diagnosis = Diagnosis
x-prescription = Prescription
x-follow_up_required = Follow-up
x-follow_up_date = Follow-up date
x-cancellation_reason = Cancellation reason
x-external_reference_id = External reference
x-patient-id = Patient
x-patient-full_name = Patient name
x-patient-phone = Patient phone
x-doctor-id = Doctor
x-doctor-full_name = Doctor name
x-doctor-specialty = Specialty
x-service-id = Service
x-service-name = Service name
x-service-duration_minutes = Service minutes
x-created_at = Created (local)
x-updated_at = Updated (local)
x-confirmed_at = Confirmed (local)
x-checked_in_at = Arrived (local)
x-started_at = Started (local)
x-completed_at = Completed (local)
x-cancelled_at = Cancelled (local)
x-no_show_at = No-show (local)
x-series_id = Series
h-clinic_word = Clinic
c-closure_added_day = Closed { $a } { $b } { $d }
e-flag_or = { $a } or { $b }
e-flag_or_also = { $a } (or { $b })
e-id_or_phone_or_name = ID (or the patient's phone or name)

# Who made a change, as `history` shows it
actor-board = board ({ $who })
# A member of staff and the OS account they signed in under, in `history`.
actor-at = { $who } ({ $account })
actor-api = API ({ $who })
actor-import = import
actor-system = appt
actor-patient = patient

# What kind of visit (docs/rules.md#visits; JSON keeps the codes)
urgency-normal = normal
urgency-urgent = urgent
urgency-emergency = emergency
modality-in_person = in person
modality-telemedicine = telemedicine
modality-home = home visit
visit_type-first = first visit
visit_type-follow_up = follow-up
card-Urgency = Urgency
card-Modality = Modality
card-Visit = Visit
card-Payer = Payer
e-unknown_urgency = Unknown urgency '{ $s }': use normal, urgent or emergency; in Spanish normal, urgente, emergencia
e-unknown_channel_preference = Unknown channel '{ $s }': use whatsapp, sms, email or none; in Spanish whatsapp, sms, correo, ninguno
e-unknown_modality = Unknown modality '{ $s }': use in_person, telemedicine or home; in Spanish presencial, telemedicina, domicilio
e-unknown_visit_type = Unknown visit type '{ $s }': use first or follow_up; in Spanish primera vez, control or seguimiento
e-unknown_payer_none_kept = Unknown payer '{ $typed }': the clinic keeps no payers (clinic update --payers)
e-unknown_payer = Unknown payer '{ $typed }': use one of { $listed }
e-video_url_must_be = The video link must be http:// or https:// and a host, without spaces or user:password (got '{ $raw }'), or none
e-not_a_value_appt_writes = { $a } is not a value appt writes there
clinic-payers = Payers
clinic-video_url = Video link
# Overbooking (docs/rules.md#overbooking).
clinic-max_overbook = Overbookings/day
e-overbookings_used_up = { $n ->
    [0] This clinic allows no overbooking (clinic update --max-overbook-per-day)
    [one] The doctor already has the { $n } overbooked visit the clinic allows that day
   *[other] The doctor already has the { $n } overbooked visits the clinic allows that day
}
e-max_overbook_per_day_between = max_overbook_per_day must be a whole number from 0 to { $max } (got { $n })
e-overbook_needs_a_doctor = Overbooking needs a doctor: a clinic-wide window cannot be overbooked
e-overbook_needs_a_reason = Overbooking needs a reason: --overbook REASON, or --reason
e-overbook_one_visit_with_a_doctor = Overbooking books one visit with a doctor: not a walk-in, a series or a clinic-wide window
e-field_must_be_an_object = { $name } must be an object
h-marks = ! urgent · !! emergency · + overbooked
b-overbooked = + overbooked
card-Overbooked = Overbooked
card-overbooked_value = { $reason } (by { $by }, past { $rule })
e-count_by_one_of = Cannot count by '{ $s }': use one of { $a }
h-count_none = (none)
col-Count = Count
col-Urgency = Urgency
col-Modality = Modality
col-Visit = Visit
col-Payer = Payer
h-total = Total
b-ask_urgency = Urgency (normal, urgent, emergency)
b-urgency_set = Urgency set: #{ $token } { $patient }
e-usage_unknown_argument = unexpected argument '{ $arg }'
e-usage_unknown_argument_like = unexpected argument '{ $arg }'; did you mean '{ $like }'?
e-usage_unknown_command = unrecognized subcommand '{ $command }'
e-usage_unknown_command_like = unrecognized subcommand '{ $command }'; did you mean '{ $like }'?
e-usage_missing_value = a value is required for '{ $arg }' but none was supplied
e-usage_missing_value_of = a value is required for '{ $arg }' but none was supplied (possible values: { $values })
e-usage_invalid_value = invalid value '{ $value }' for '{ $arg }'
e-usage_invalid_value_of = invalid value '{ $value }' for '{ $arg }' (possible values: { $values })
e-usage_missing_argument = { $n ->
        [one] the required argument { $args } was not provided
       *[other] the required arguments { $args } were not provided
    }
e-usage_missing_command = '{ $command }' requires a subcommand: { $commands }
e-usage_conflict = the argument '{ $arg }' cannot be used with '{ $other }'
e-usage_once = the argument '{ $arg }' cannot be used more than once
e-usage_no_equals = '{ $arg }' takes its value after an equals sign (=)
e-usage_values_count = '{ $arg }' got the wrong number of values
e-usage_not_utf8 = the command line is not valid UTF-8
e-usage_invalid = invalid arguments
e-usage_help = run `{ $command } --help` to see what it takes
io-not_found = No such file or directory
io-permission_denied = Permission denied
io-already_exists = File exists
io-is_a_directory = Is a directory
io-not_a_directory = Not a directory
io-read_only_filesystem = Read-only file system
io-storage_full = No space left on device
io-quota_exceeded = Disk quota exceeded
io-broken_pipe = Broken pipe
io-timed_out = Connection timed out
io-connection_refused = Connection refused
p-payer = Who pays
p-no_payer = (none of these)
x-urgency = Urgency
x-modality = Modality
x-visit_type = Visit type
x-payer = Payer
x-overbooked-reason = Overbooked: reason
x-overbooked-by = Overbooked: by
x-overbooked-rule = Overbooked: rule
h-page_of = Page { $page } of { $pages } ({ $total ->
    [one] { $total } appointment
   *[other] { $total } appointments
})
overbook_rule-APPOINTMENT_CONFLICT = the time taken
overbook_rule-SLOT_FULL = the places used up
overbook_rule-DAILY_LIMIT = the daily limit
overbook_rule-OUTSIDE_AVAILABILITY = outside the hours
overbook_rule-SLOT_INACTIVE = a closed window
overbook_rule-INVALID_TIME_SLOT = the window's grid
# Channels (appt channel …)
c-channel_added = Added channel { $a } ({ $b }) to { $c }, number { $n } in its order
c-channel_remove_q = Remove channel { $a } of { $b }?
c-channel_removed = Removed channel { $a } of { $b }
c-channel_test_sent = Sent a test message through { $a } to { $b } (provider's ID { $id })
h-no_channels = No channels.
e-channel_not_found = Channel not found
e-channel_template_shape = a template is KIND=NAME:LANG[:PLACEHOLDER,…], not '{ $a }'
e-channel_template_kind = a template's kind '{ $a }' is not one of { $b }
e-channel_template_placeholder = a template's placeholder '{ $a }' is not one of { $b }
e-channel_template_twice = two templates for { $a }
e-channel_name = a channel's name is 1 to { $n } characters, without control characters
e-channel_api_url = the API URL must be http:// or https://, a host, no password, no query
e-channel_phone_number_id = the phone number's ID is digits (Meta's app dashboard shows it)
e-channel_account_sid = the account SID is letters and digits (AC…)
e-channel_sms_from = the sending number is + and 8 to 15 digits
e-channel_address = '{ $a }' is not an e-mail address
e-channel_smtp_url = the SMTP URL is smtp://USER@HOST:PORT (STARTTLS) or smtps://USER@HOST:PORT (TLS), without a password
e-channel_settings_damaged = the channel's settings are not what appt writes
e-channel_secrets_unreadable = { $n ->
    [one] { $n } channel's secrets do not open with the database's key
   *[other] { $n } channels' secrets do not open with the database's key
}
e-channel_no_secret = the channel's token or password is empty
e-channel_order_empty = name the channels in their order: N1,N2,…
e-channel_order_twice = { $a } is named twice
e-channel_test_temporary = { $a } could not send now (temporary: { $why }); try again later
e-channel_test_permanent = the provider refused the message through { $a } (code { $code }: { $why })
e-channel_flag_required = { $a } is required
e-channel_secret_missing = give --{ $a } FILE (or - for standard input), or set { $b }; a secret is never read from the command line
e-channel_one_stdin = only one secret can come from standard input (-)
e-hook_signature_does_not_match = The request is not signed by any of the clinics' channels
e-reply_text = An answer is 1 to { $max } characters of text
e-reply_by_email = A message that came by e-mail is answered from the clinic's mail, not from appt
e-reply_whatsapp_window = WhatsApp takes free text only within 24 hours of the patient's last message: call the patient
e-reply_not_sent = { $a } did not take the answer: { $why }
e-inbox_id_too_short = Give at least 4 characters of the message's ID
e-inbox_id_ambiguous = More than one message's ID starts with { $a }; give more of it
h-inbox_message = Message { $id }, { $when }, from { $who } by { $channel }
    Next visit: { $next }
h-inbox_answer_failed = appt's answer to it could not be sent: { $why }
h-inbox_empty = Nothing in the inbox.
h-inbox_answer_not_sent = { $a } ({ $b }; the answer could not be sent)
p-reply = Answer
c-inbox_replied = Answered { $a } to { $to }; the message is done
c-inbox_done = Message { $a } marked done.
e-concurrency_between = --concurrency must be between 1 and { $n }
h-history_messages = Messages

## The booking page (docs/booking.md).
e-web_too_many = Too many tries from this phone or this place: try again in { $n } seconds
e-web_pick_service = Pick one of the services on the page
e-web_pick_doctor = Pick one of the doctors on the page
e-web_pick_time = Pick one of the times on the page
e-web_pick_day = Pick one of the days on the page
e-web_pick_channel = Pick WhatsApp, SMS, e-mail or none
e-web_too_soon = That time is too soon to book on the page: call the clinic
e-web_too_far = That time is too far ahead to book on the page
w-code = { $clinic }: your code to book is { $code }. It expires in { $minutes } minutes.
w-code_wait = { $clinic }: your code to join the waitlist is { $code }. It expires in { $minutes } minutes.
bk-this_language = English
bk-title_services = Book an appointment
bk-title_doctors = Who would you like to see?
bk-title_days = Which day?
bk-title_times = Which time?
bk-title_code = Type the code we sent you
bk-title_booked = Your appointment is booked
bk-title_waiting = You are on the waitlist
bk-pick_service = What is the visit for?
bk-pick_doctor = Doctor
bk-anyone = Whoever is first free
bk-pick_day = The next 14 days
bk-full = full: join its waitlist
bk-no_hours = no hours
bk-wait_intro = There are no free times that day. Join its waitlist: if a time comes free, we will send it to your phone.
bk-wait_for = Wait for
bk-join_waitlist = Send me the code to join
bk-join = Join the waitlist
bk-pick_time = Free times
bk-you = Your details
bk-name = Full name
bk-phone = Mobile phone
bk-email = E-mail (optional)
bk-channel = Where should we remind you?
bk-channel_any = As the clinic usually does
bk-by_email = E-mail
bk-code_will_go = We will send a 6-digit code to your phone. The time is kept for you while you type it.
bk-send_code = Send me the code
bk-no_times = There are no free times that day.
bk-other_day = Pick another day
bk-code = Code (6 digits)
bk-book = Book
bk-your_link = Confirm, cancel or change your appointment
bk-next = Next
bk-nothing_online = This clinic takes no bookings online just now. Please call it.
bk-start_over = Start again
bk-service = Service
bk-doctor = Doctor
bk-day = Day
bk-when = When
bk-code_sent = We sent a code to your phone. It is good for 10 minutes.
bk-code_wrong = That code is not right. Check the message and try again.
bk-hold_over = The time is no longer kept for you (the code expired or was mistyped too often). Please pick a time again.
bk-booked = Done! We will send you a confirmation. Keep this page's link to confirm, cancel or change the visit.
bk-time_taken = Someone took that time a moment ago. These are the next free ones.
bk-too_many = Too many tries from this phone or place. Please wait a while and try again, or call the clinic.
bk-refused = That could not be booked. Please pick another time, or call the clinic.
bk-check_details = Please check your name and phone.
bk-waiting = Done! If a time comes free that day, we will send it to your phone: book it from there.
# The online booking page's settings (docs/commands.md#appt-clinic-addlistshowupdate).
col-Online = Online
clinic-online_booking = Online booking
clinic-slug = Booking page
clinic-web_horizon = Web horizon
clinic-web_notice = Web notice
clinic-web_hold = Web hold
clinic-recalls = Recalls sent
e-slug_must_be = A slug is 1 to { $max } of a-z, 0-9 and -, neither starting nor ending with - (got '{ $raw }'), or none
e-slug_taken = Clinic { $clinic } already has the booking page address { $slug }: give this one another --slug
e-web_hold_between = web_hold must be from { $lo }m to { $hi }m (got { $m }m)

## appt report (docs/reports.md)
e-month_must_be = A month is 2026-11, 11/2026, its name (June), last or this (got '{ $s }')
e-month_or_from_to = Give a month, or from and to, not both
e-report_from_after_to = the period's first date (--from) is after its last (--to)
e-report_too_long = a report covers at most { $a } days
source-manual = at the desk
source-phone = by phone
source-whatsapp = WhatsApp
source-web = booking page
source-walk_in = walk-in
source-import = imported
source-api = API
rp-no_cancel_window = Late cancellations: none counted, as the clinic has no cancellation window (appt clinic update --cancel-window 24h sets one).
rp-title = { $clinic }: { $from } to { $to }
rp-nothing = No appointments and no open hours in this period.
rp-utilisation = Utilisation: { $a } minutes booked of { $b } open ({ $c })
rp-rooms = Rooms and machines (minutes held of minutes open, each place counted):
rp-room =   { $name }: { $c } ({ $a } of { $b } min)
rp-rates = Who did not come, and who cancelled late (of the visits due)
rp-overall = All
lead-same_day = Booked the same day
lead-within_week = Booked 1–7 days before
lead-later = Booked 8 days or more before
rp-lead_time = Lead time: { $n } visits, median { $a } days, p90 { $b } days
rp-busiest = When most visits are booked
rp-spark = Bar: the period; marks: { $n ->
    [one] one a day
   *[other] one per { $n } days
}, { $from } to { $to } (· nothing open)
rp-legend = Bookings: { $shades } (most { $most })
rp-top = Busiest: { $list }
rp-sources = Where bookings came from
rp-messages = Reminders: { $a } sent, { $b } delivered, { $c } failed; { $d } visits confirmed after one
rp-waitlist = Waitlist: { $a } freed times offered, { $b } filled
rp-recalls = Recalls due in the period: { $a }, { $b } sent, { $c } booked

## The figures beside the period before's (docs/reports.md#beside-the-previous-period)
rp-compared = Beside the period before, { $from } to { $to }
rp-points = { $n } pt
rp-x_bookings = Bookings
rp-x_utilisation = Hours booked
rp-x_no_show = Did not come
rp-x_late = Cancelled late
rp-x_lead = Days ahead (median)
rp-x_sent = Reminders sent
rp-x_filled = Freed times filled
rp-x_recalled = Recalls booked
col-Figure = Figure
col-This_period = This period
col-Before = Before
col-Change = Change

## appt report --html and GET /reports (docs/reports.md#the-page)
rp-timezone = Times and dates at the clinic
rp-no_patient = No patient appears in this report.
rp-show_table = Show the numbers
rp-one_service = one service
rp-h_utilisation = How much of each doctor's hours was booked
rp-h_rooms = How much of each room's and machine's time was held
rp-days = How much of each doctor's hours was booked, day by day
rp-h_no_show = How many did not come
rp-h_late = How many cancelled late
rp-rate_overall = Overall: { $a } of { $b } visits due ({ $c })
rp-chart = { $a }, { $b }
rp-by_weekday = by weekday
rp-by_lead_time = by how far ahead it was booked
rp-by_doctor = by doctor
rp-by_hour = by hour
rp-c_room = Room or machine
rp-c_doctor = Doctor
rp-c_date = Date
rp-c_booked = Minutes booked
rp-c_open = Minutes open
rp-c_use = Use
rp-c_count = Count
rp-c_due = Due
rp-c_rate = Rate
rp-c_weekday = Weekday
rp-c_lead = Booked
rp-c_hour = Hour
rp-c_bookings = Bookings
rp-c_source = Source
rp-h_lead_time = How far ahead visits were booked
rp-lt_count = Visits not cancelled
rp-lt_median = Median, in days
rp-lt_p90 = 90th percentile, in days
rp-h_messages = What became of the reminders
rp-m_sent = Sent
rp-m_delivered = Delivered
rp-m_failed = Failed
rp-m_confirmed = Visits confirmed after a reminder
rp-h_recalls = Who was due back in the period
rp-r_due = Due
rp-r_sent = Sent their message
rp-r_booked = Booked again
rp-h_waitlist = What the waitlist filled
rp-w_made = Freed times offered
rp-w_filled = Offers filled
col-Booked = Booked
col-Open = Open
col-Use = Use
col-Group = Group
col-Late = Late
col-Day = Day
col-Hour = Hour
col-Bookings = Bookings
col-Source = Source
col-Done = Done
col-Cancelled = Cancelled

## Calendar feeds (docs/feeds.md)
e-feed_not_found = Feed not found
e-feed_name_must_be = a feed's name must be 1 to { $n } letters (a-z, without accents), digits, '.', '_' or '-', starting with a letter or digit: it is the CalDAV address's path
e-feed_days_must_be = { $flag } must be a whole number of days from { $lo } to { $hi }
e-feed_needs_public_url = { $clinic } has no public URL, which a feed's address starts with: set one with appt clinic update --public-url https://…
e-feed_named_exists = a feed named '{ $name }' exists already: revoke it first (appt feed revoke { $name }) or choose another name
e-feed_was_not_saved = { $a }; the feed was not saved: the address shown does not work
e-no_active_feed_has_the_name_or_prefix = no active feed has the name or prefix '{ $name }'
e-several_feeds_have_the_prefix = several active feeds have the prefix '{ $prefix }': { $names }
e-feed_list_shows_the_feeds = `appt feed list` shows the feeds
e-feed_password_is_its_token = this calendar's password is its feed's token (any user name)
e-feed_is_read_only = this calendar is read-only: change the visits in appt
e-feed_body_must_be_xml = a CalDAV request's body must be XML (application/xml or text/xml)
e-feed_body_is_not_dav = the body is not a PROPFIND, a calendar-query or a calendar-multiget that appt reads: { $a }
col-Days = Days
h-feed_whole_clinic = all of { $clinic }
h-feed_show_none = no patient
h-feed_show_initials = initials
h-feed_show_names = names
h-feed_added = Added feed { $name }: the visits of { $whose }, { $back } days back and { $ahead } ahead
h-feed_shows = { $shows ->
    [none] Events name no patient
    [names] Events name the patient
   *[initials] Events name the patient by initials
}; never a reason, a note, a phone or an ID.
h-feed_shown_once = Its address is shown this once (appt keeps only its token's hash): subscribe to it, or keep it secret.
h-feed_qr = Point the phone's camera at the code to open the calendar's address.
h-feed_caldav = As a CalDAV account: { $url } (any user name, the token after /cal/ as the password)
h-no_feeds = No calendar feeds.
c-feed_revoke_q = Revoke feed { $name }? Its address and CalDAV account stop working
c-feed_revoked = Revoked feed { $name } ({ $prefix }): its calendar is gone from the next request
e-service_in_use = { $name } is still in use: { $a ->
        [0] no doctor does it
        [one] one doctor does it
       *[other] { $a } doctors do it
    } and { $b ->
        [0] no visit still to come takes it
        [one] one visit still to come takes it
       *[other] { $b } visits still to come take it
    }{ $c ->
        [0] {""}
        [one] {" and one window takes it"}
       *[other] {" and "}{ $c }{" windows take it"}
    }
e-service_in_use_hint = take it off those doctors (`appt doctor update D --services …`) and windows, and move or cancel those visits first
e-no_service_named = No service is named { $input }
e-see_service_list = `appt service list` shows the services
e-window_offers_nothing = { $a } does none of the services this window takes: nothing can be booked in it
e-window_offers_nothing_hint = give the window services the doctor does (`--services`), or the doctor this window's (`appt doctor update D --services …`)
col-Services = Services
word-all_services = all
word-all_clinics = all
word-no_service = none
e-window_offers_no_service = The doctor does none of the services this window takes
e-check_window_offers_nothing = { $a } does none of the services window { $window } takes: nothing can be booked in it
c-patient_erase_coming = { $n ->
        [one] Their visit still to come is cancelled with the erasure:
       *[other] Their { $n } visits still to come are cancelled with the erasure:
    }
c-patient_erase_cancelled = { $n ->
        [one] Their visit still to come was cancelled.
       *[other] Their { $n } visits still to come were cancelled.
    }
bk-elsewhere = This form was not sent from this page, or it was open too long. Please start again here.
e-web_codes_per_hour_between = The codes an hour must be between 1 and { $max }, not { $n }
e-web_phone_elsewhere = The page sends its code only to phones of { $codes }: please call the clinic to book
e-web_codes_spent = The page has sent all the codes it may this hour: please call the clinic
e-web_codes_spent_call = The page has sent all the codes it may this hour: please call the clinic at { $phone }
bk-codes_spent = The page cannot send more codes this hour. Please call the clinic to book{ $phone ->
        [none] .
       *[other] : { $phone }.
    }
bk-other_country = The page sends its code only to phones of the clinic's country. Please call the clinic to book{ $phone ->
        [none] .
       *[other] : { $phone }.
    }
clinic-web_countries = Web countries
clinic-web_codes = Web codes/hour
clinic-session_hours = Sessions last
px-title = What we hold about { $a }
px-about = Given by { $clinic } on { $date }. Times are in { $zone }. This is everything appt, the clinic's scheduling system, keeps about you.
px-nothing = Nothing.
px-h_patient = Your record
px-h_appointments = Appointments
px-h_history = What happened to each appointment
px-h_messages = Messages we sent or will send you
px-h_inbox = Messages you sent us
px-h_holds = Times held for you on the booking page
px-h_waitlist = Waiting lists
px-h_recalls = Reminders to come back
px-h_links = Links sent to you
px-h_events = Earlier copies of this record
px-name = Name
px-phone = Phone
px-email = E-mail
px-channel = Preferred channel
px-national_id = National ID
px-no_shows = Missed visits
px-since = Since
px-when = When
px-clinic = Clinic
px-doctor = Doctor
px-service = Service
px-status = Status
px-reason = Reason
px-diagnosis = Diagnosis
px-prescription = Prescription
px-follow_up = Follow-up
px-appointment = Appointment
px-what = What
px-by = By
px-due = Due
px-kind = Kind
px-sent = Sent
px-text = Text
px-received = Received
px-until = Held until
px-day_wanted = Day wanted
px-made = Made

## Outside calendars (docs/calendars.md)
e-calendar_busy = The doctor is busy at that time in their own calendar
e-calendar_busy_hint = Choose another time; at the desk, --force books it all the same
d-calendar_busy = busy (own calendar)
cal-refused = the server refused the user or password (HTTP { $code })
cal-timed_out = no answer within { $s } seconds
cal-transport = no connection: { $why }
cal-too_large = the answer is over { $mb } MB
cal-redirect = redirected too many times, or to another scheme
cal-not_calendar = the answer is not a calendar
cal-scheme = the address must start with https:// or webcal:// (http:// only to this machine)
e-calendar_name_must_be = a calendar's name must be 1 to { $n } letters (a-z, without accents), digits, '.', '_' or '-', starting with a letter or digit
e-calendar_not_found = Calendar not found
e-calendar_named_exists = A calendar named { $name } exists already
e-calendar_unreadable = Could not read the calendar { $name }: { $why }. Nothing was saved
e-calendar_sync_failed = Could not read { $a }: they keep their last busy times (see appt calendar list)
h-calendar_caldav_write = CalDAV, writes visits
e-calendar_write_needs_caldav = --write needs a CalDAV calendar; this address is an ICS file, which appt only reads
h-calendar_stale = stale since { $at }: { $why }
h-calendar_stale_word = stale
h-calendar_ok = up to date
h-calendar_never = not read yet
h-no_calendars = No calendars. Connect one with: appt calendar add NAME --doctor D --url URL
h-calendar_card = Calendar:   { $name }
    Doctor:     { $doctor }
    Kind:       { $kind }
    Server:     { $host }
    Busy times: { $busy }
    Read at:    { $synced }
    State:      { $state }
c-calendar_added = Calendar { $name } ({ $kind }) added for { $doctor }: { $busy ->
        [one] 1 busy time read
       *[other] { $busy } busy times read
    }. Their slots at every clinic now skip them.
c-calendar_removed = Calendar { $name } of { $doctor } removed, with its busy times
c-calendar_remove_q = Remove the calendar { $name } of { $doctor }? Its busy times stop blocking their slots.
c-calendar_read = { $name }: { $busy ->
        [one] 1 busy time
       *[other] { $busy } busy times
    }
c-calendar_unchanged = { $name }: unchanged
c-calendar_busy_elsewhere = { $name }: being read by another process, skipped
c-calendar_failed = { $name }: failed, keeps its last busy times ({ $why })
col-Host = Server
col-Busy = Busy
col-Synced = Read at
e-calendar_secrets_unreadable = { $n ->
    [one] { $n } calendar's address and password do not open with the database's key
   *[other] { $n } calendars' addresses and passwords do not open with the database's key
}
h-check_stale_calendar = Calendar { $name } of { $doctor }: { $state }. Its last busy times still block; see appt calendar list
h-setup_aspect_database = database
h-setup_aspect_key = national-ID key
h-setup_aspect_public_url = public URL
h-setup_aspect_channel = channel
h-setup_aspect_reminders = reminders
h-setup_aspect_backup = backups
h-setup_aspect_disk = disk
h-setup_all_hold = All hold.
h-setup_failing = { $n ->
        [one] 1 finding does not hold.
       *[other] { $n } findings do not hold.
    }
h-setup_database_ok = { $at } opens, at schema { $v }
h-setup_fix_database = see docs/operations.md#the-database; `appt init` makes a new database
h-setup_key_ok = { $key } opens what is sealed
h-setup_key_none_needed = none yet, and nothing is sealed: none is needed
h-setup_fix_key = restore the key file beside the database (mode 0600, the service user's), or set APPT_KEY
h-setup_url_ok = { $url } answers
h-setup_url_status = { $url } answers HTTP { $status }
h-setup_url_unreachable = { $url } does not answer: { $why }
h-setup_fix_url = is appt serve running (systemctl status appt-serve), and does the proxy pass to it?
h-setup_channel_ok = the provider takes its credentials
h-setup_channel_refused = the provider refused: { $why }
h-setup_fix_channel = check the channel's account and credentials (appt channel test { $name } --to YOUR-PHONE), or add it again
h-setup_swept_ok = last sweep began { $at }
h-setup_swept_long_ago = last sweep began { $at }, { $minutes } minutes ago
h-setup_never_swept = no sweep has ever run
h-setup_fix_sweeps = enable the timer (systemctl enable --now appt-remind.timer) or the cron line of docs/operations.md#cron
h-setup_backup_ok = newest backup { $at }
h-setup_backup_old = newest backup { $at }, { $hours } hours ago
h-setup_backup_none = no backup there
h-setup_backup_no_folder = the folder cannot be read: { $e }
h-setup_fix_backup = enable the backup timer (systemctl enable --now appt-backup.timer), or give --backup-dir where yours are
h-setup_disk_ok = { $mib } MiB free
h-setup_disk_low = only { $mib } MiB free
h-setup_fix_disk = free space there: a full disk stops every booking
e-setup_findings = the installation is not sound: { $n ->
        [one] 1 finding does not hold
       *[other] { $n } findings do not hold
    }

# Staff (docs/security.md#staff)
col-Role = Role
role-reception = reception
role-doctor = doctor
role-manager = manager
h-no_staff = No staff: appt records the computer's user as who acts. Add the first member, a manager, with appt staff add NAME --role manager.
c-staff_added = Added { $a } to the staff ({ $b })
c-staff_updated = Updated { $a } ({ $b })
c-staff_remove_q = Remove { $a } from the staff?
c-staff_removed = Removed { $a } from the staff
c-staff_pin_set = Set the PIN of { $a }
p-pin = PIN (4 to 8 digits)
p-pin_again = The same PIN again
p-pins_differ = The two PINs differ: type it again
e-a_pin_is_to_digits = A PIN is { $lo } to { $hi } digits (0-9), nothing else
e-a_pin_is_asked_at_a_terminal = A PIN is asked at a terminal: run it there, or give it in a file with --pin-file FILE (- for standard input)
e-a_member_of_staff_with_the_role_doctor = A member of staff with the role doctor is one of the doctors: give --doctor
e-staff_needs_a_manager = The staff needs a manager, so that someone can manage the rest: the first member added is a manager, and the last manager stays one
e-the_pin_could_not_be_hashed = The PIN could not be hashed: { $e }
e-staff_member_not_found = Member of staff not found
e-unknown_role = '{ $s }' is not a role: use reception, doctor or manager
p-pin_to_sign_in = PIN
p-staff_name = Your name
c-signed_in = Signed in as { $a } ({ $b }) at this terminal until { $c }
c-signed_out = Signed out of this terminal
c-you_are = { $a } ({ $b })
c-no_staff_you_are = This database has no staff: commands run as { $a }
e-sign_in_required = Nobody is signed in at this terminal
h-sign_in_required = sign in with appt login NAME (a script: APPT_STAFF=NAME and APPT_STAFF_PIN_FILE=FILE)
e-wrong_pin = Wrong PIN for { $name }: { $left ->
        [0] the name is locked for 15 minutes
        [one] 1 try left before the name is locked for 15 minutes
       *[other] { $left } tries left before the name is locked for 15 minutes
    }
e-name_locked = { $name } is locked after five wrong PINs, until { $until }
e-a_session_lasts_1_to_hours = A session lasts 1 to { $hi } hours (8h, 12)
e-login_is_at_a_terminal = A session belongs to a terminal: sign in at one (a script names its person with APPT_STAFF and APPT_STAFF_PIN_FILE)
e-appt_staff_needs_a_pin_file = APPT_STAFF names a person: give their PIN in a file with APPT_STAFF_PIN_FILE
e-as_takes_system_only = --as takes system only
e-no_member_named = No member of staff has that name
e-as_system_only_for_the_sweeps = --as system is only for remind due, webhook deliver, calendar sync, purge and backup
e-cannot_write_the_session_file = Cannot write the session file { $path }: { $e }
e-role_needed = { $role ->
    [doctor] Only a doctor (or a manager) may do this
   *[manager] Only a manager may do this
  }: sign in as one, or ask one
e-clinical_of_own_patients = A doctor reads and writes the clinical fields of their own patients' visits only
e-scope_beyond_role = { $scope } is beyond the role of the member it is for ({ $role ->
    [reception] reception
    [doctor] doctor
   *[manager] manager
  })
h-no_looks = Nobody has looked at a clinical record yet.
col-Command = Command
col-Account = Account
b-locked = Locked: nothing of the day is shown until a PIN is typed
b-locked_pin = { $name }'s PIN
b-locked_name = Who is at the board? Your name
b-locked_keys = Enter sign in · Tab another person · Esc clear · Ctrl-C quit
b-signed_in = { $name } is at the board
p-who_is_there = Who is at the board? Your name
