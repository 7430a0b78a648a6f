
use builtin;
use str;

set edit:completion:arg-completer[appt] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'appt'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'appt'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create the database (safe to run again)'
            cand clinic 'Clinics: locations with their time zone and rules'
            cand doctor 'Doctors'
            cand service 'Services (appointment types)'
            cand resource 'Rooms and equipment a service needs'
            cand window 'Windows: when bookings are possible'
            cand closure 'Closures: holidays and leave'
            cand patient 'Patients'
            cand slots 'Free slots of a doctor (or clinic-wide) on a date'
            cand book 'Book an appointment'
            cand reschedule 'Move an appointment to another time (or doctor)'
            cand cancel 'Cancel an appointment'
            cand status 'Move an appointment along scheduled → confirmed → checked_in → in_progress → completed, or no_show'
            cand update 'Edit an appointment''s notes, reason, diagnosis, prescription or follow-up'
            cand show 'Show one appointment'
            cand history 'An appointment''s events, oldest first'
            cand list 'List appointments'
            cand count 'Count appointments created since a time'
            cand report 'A clinic''s figures over a period: utilisation, no-shows, late cancellations, lead time, sources, messages'
            cand next 'The first free slots from now on, across days and doctors'
            cand agenda 'The day sheet: per doctor, in time order, with free slots as gaps'
            cand queue 'Today''s patients per doctor in token order; `queue next` calls the next one in'
            cand waitlist 'Patients waiting for a doctor on a date; a freed time is offered to them'
            cand remind 'Reminders, waitlist offers and patient notifications: deliver the due ones (cron), list them'
            cand recall 'Recalls: patients whose follow-up date has come; list them, send each its message once'
            cand events 'The event log as JSON Lines, oldest first'
            cand export 'Export appointments as iCalendar, a FHIR R4 Bundle, JSON Lines or CSV'
            cand webhook 'Webhooks: POST events to other systems (deliver from cron)'
            cand channel 'Channels: WhatsApp, SMS and e-mail accounts appt sends through, per clinic'
            cand inbox 'What patients wrote to the clinic''s channels that appt did not act on by itself'
            cand token 'API tokens for `appt serve`: add (shown once), list, revoke'
            cand staff 'The people at the desk: add (with a PIN), list, update, remove, pin'
            cand login 'Sign in at this terminal with your PIN (once the database has staff)'
            cand logout 'Sign out of this terminal'
            cand access-log 'Who looked at which patient''s clinical record, and when (managers)'
            cand whoami 'Who is signed in at this terminal'
            cand feed 'Calendar feeds: a doctor''s visits (or a clinic''s) on their phone (subscription, CalDAV)'
            cand calendar 'A doctor''s own calendars (ICS, CalDAV): their busy times block the doctor''s slots'
            cand check 'Check the database: SQLite''s integrity and foreign keys, and appt''s own rules'
            cand backup 'Copy the database to FILE while others keep working (mode 0600)'
            cand purge 'Remove what need not be kept of visits that ended before a date: messages, links, events'' personal fields'
            cand key 'The national-ID key: make a new one and seal every national ID again under it'
            cand import 'Book every line of a JSON Lines file (or -) through the booking rules'
            cand transfer 'Copy every row into an empty database of either kind (a file or a postgres:// server)'
            cand demo 'Seed a sample clinic into its own database (replacing only an earlier demo) and show today and tomorrow'
            cand serve 'Serve the HTTP API for bots, web forms and voice agents (tokens: `appt token`)'
            cand board 'The front desk''s live screen of one clinic''s day: book, check in, move and cancel from the keyboard'
            cand completions 'Print the shell completion script for bash, zsh, fish, elvish or powershell'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;init'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;clinic'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Add a clinic'
            cand list 'List clinics'
            cand show 'Show a clinic and its settings'
            cand update 'Change a clinic''s name or settings'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;clinic;add'= {
            cand --timezone 'IANA time zone, e.g. America/El_Salvador (required for add)'
            cand --slot-minutes 'Slot length in minutes of windows that name none (and whose doctor names none)'
            cand --min-notice 'A booking must start at least this long after now, e.g. 2h'
            cand --horizon 'A booking must start within this long from now, e.g. 90d'
            cand --cancel-window 'Refuse cancel/reschedule this close to the start unless --force, e.g. 2h or "2 h" (or in Spanish "2 horas"); 0m is off'
            cand --reminders 'Reminder offsets before each appointment, e.g. 24h,2h, or none'
            cand --duplicate-check 'One active booking per patient, service and date: on|off'
            cand --require-diagnosis 'Completing an appointment needs --diagnosis: on|off'
            cand --notify 'Confirmation, rescheduled and cancelled messages to patients through `remind due`: on|off'
            cand --country-code 'Country code of the clinic''s local phone numbers, e.g. +503: a phone typed without its + is read in it; none clears it'
            cand --language 'The language of the clinic''s messages to patients: en|es'
            cand --date-order 'How a date typed 4/12 is read: dmy (4 December) or mdy (12 April); without it, dmy for a clinic whose language is es, mdy otherwise'
            cand --phone 'The clinic''s phone, as patients are to read it in messages, e.g. "2222-3333"; none clears it'
            cand --public-url 'Where patients'' phones reach `appt serve` (usually a TLS proxy), e.g. https://citas.example.com: messages carry links under it; none clears it'
            cand --template 'The clinic''s own text for one kind of message (reminder, confirmation, rescheduled, cancelled, waitlist_offer, recall) with placeholders such as {patient}, {date}, {time}, {link}; KIND= restores the built-in text. Repeatable'
            cand --retain-messages 'Keep messages, patients'' links and the personal fields of events this long after a visit is over, e.g. 90d; `remind due` purges what is older; none keeps them for ever'
            cand --queue-order 'The order `queue next`, `queue` and the board call checked-in patients in: time (the appointment''s start, a walk-in''s arrival) or token (the token number)'
            cand --late-after 'Minutes past its start after which a visit nobody arrived for is shown late (board, agenda, queue)'
            cand --payers 'Who may pay for a visit, comma-separated, e.g. "Privado,ISSS,Seguros Futuro": an appointment''s --payer is one of them; "" clears the list'
            cand --video-url 'The video link a telemedicine visit''s messages give instead of the address ({video_url}), e.g. https://meet.example.com/clinica; none clears it'
            cand --max-overbook-per-day 'How many overbooked visits (book --overbook) a doctor may have in a day, 0 to 50; 0 allows none (2 for a new clinic)'
            cand --online-booking 'Whether `appt serve` offers the clinic''s online booking page, at {public URL}/b/{slug}: on|off (off for a new clinic)'
            cand --slug 'The end of the booking page''s address: 1 to 60 of a-z, 0-9 and -, e.g. san-benito; none takes the clinic''s name, lower-cased, without accents, words joined by - (as a new clinic has it)'
            cand --web-horizon 'How far ahead the booking page offers times, e.g. 14d (30d for a new clinic)'
            cand --web-notice 'The least notice a booking on the page takes, e.g. 1h; 0m for none (2h for a new clinic)'
            cand --web-hold 'How long the page holds a time for a patient typing the code sent to their phone, 1m to 60m (10m for a new clinic)'
            cand --recalls 'Whether `appt remind due` also sends the clinic''s due recalls (the patients whose follow-up date has come): on|off (off for a new clinic)'
            cand --web-countries 'Country codes besides the clinic''s own whose phones the booking page sends codes to, e.g. +502,+504; none for no other (none for a new clinic)'
            cand --web-codes-per-hour 'The most codes the booking page sends in an hour, past which it offers the clinic''s phone (60 for a new clinic)'
            cand --session-hours 'How long a session opened by `appt login` lasts here unless --for says otherwise: hours, 1 to 24 (8 for a new clinic)'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'appt;clinic;list'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;clinic;show'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;clinic;update'= {
            cand --name 'New name'
            cand --timezone 'IANA time zone, e.g. America/El_Salvador (required for add)'
            cand --slot-minutes 'Slot length in minutes of windows that name none (and whose doctor names none)'
            cand --min-notice 'A booking must start at least this long after now, e.g. 2h'
            cand --horizon 'A booking must start within this long from now, e.g. 90d'
            cand --cancel-window 'Refuse cancel/reschedule this close to the start unless --force, e.g. 2h or "2 h" (or in Spanish "2 horas"); 0m is off'
            cand --reminders 'Reminder offsets before each appointment, e.g. 24h,2h, or none'
            cand --duplicate-check 'One active booking per patient, service and date: on|off'
            cand --require-diagnosis 'Completing an appointment needs --diagnosis: on|off'
            cand --notify 'Confirmation, rescheduled and cancelled messages to patients through `remind due`: on|off'
            cand --country-code 'Country code of the clinic''s local phone numbers, e.g. +503: a phone typed without its + is read in it; none clears it'
            cand --language 'The language of the clinic''s messages to patients: en|es'
            cand --date-order 'How a date typed 4/12 is read: dmy (4 December) or mdy (12 April); without it, dmy for a clinic whose language is es, mdy otherwise'
            cand --phone 'The clinic''s phone, as patients are to read it in messages, e.g. "2222-3333"; none clears it'
            cand --public-url 'Where patients'' phones reach `appt serve` (usually a TLS proxy), e.g. https://citas.example.com: messages carry links under it; none clears it'
            cand --template 'The clinic''s own text for one kind of message (reminder, confirmation, rescheduled, cancelled, waitlist_offer, recall) with placeholders such as {patient}, {date}, {time}, {link}; KIND= restores the built-in text. Repeatable'
            cand --retain-messages 'Keep messages, patients'' links and the personal fields of events this long after a visit is over, e.g. 90d; `remind due` purges what is older; none keeps them for ever'
            cand --queue-order 'The order `queue next`, `queue` and the board call checked-in patients in: time (the appointment''s start, a walk-in''s arrival) or token (the token number)'
            cand --late-after 'Minutes past its start after which a visit nobody arrived for is shown late (board, agenda, queue)'
            cand --payers 'Who may pay for a visit, comma-separated, e.g. "Privado,ISSS,Seguros Futuro": an appointment''s --payer is one of them; "" clears the list'
            cand --video-url 'The video link a telemedicine visit''s messages give instead of the address ({video_url}), e.g. https://meet.example.com/clinica; none clears it'
            cand --max-overbook-per-day 'How many overbooked visits (book --overbook) a doctor may have in a day, 0 to 50; 0 allows none (2 for a new clinic)'
            cand --online-booking 'Whether `appt serve` offers the clinic''s online booking page, at {public URL}/b/{slug}: on|off (off for a new clinic)'
            cand --slug 'The end of the booking page''s address: 1 to 60 of a-z, 0-9 and -, e.g. san-benito; none takes the clinic''s name, lower-cased, without accents, words joined by - (as a new clinic has it)'
            cand --web-horizon 'How far ahead the booking page offers times, e.g. 14d (30d for a new clinic)'
            cand --web-notice 'The least notice a booking on the page takes, e.g. 1h; 0m for none (2h for a new clinic)'
            cand --web-hold 'How long the page holds a time for a patient typing the code sent to their phone, 1m to 60m (10m for a new clinic)'
            cand --recalls 'Whether `appt remind due` also sends the clinic''s due recalls (the patients whose follow-up date has come): on|off (off for a new clinic)'
            cand --web-countries 'Country codes besides the clinic''s own whose phones the booking page sends codes to, e.g. +502,+504; none for no other (none for a new clinic)'
            cand --web-codes-per-hour 'The most codes the booking page sends in an hour, past which it offers the clinic''s phone (60 for a new clinic)'
            cand --session-hours 'How long a session opened by `appt login` lasts here unless --for says otherwise: hours, 1 to 24 (8 for a new clinic)'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --all-online 'Put on the booking page every doctor with a window at the clinic and every service they may do there (as doctor and service update --online yes would, one by one)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;clinic;help'= {
            cand add 'Add a clinic'
            cand list 'List clinics'
            cand show 'Show a clinic and its settings'
            cand update 'Change a clinic''s name or settings'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;clinic;help;add'= {
        }
        &'appt;clinic;help;list'= {
        }
        &'appt;clinic;help;show'= {
        }
        &'appt;clinic;help;update'= {
        }
        &'appt;clinic;help;help'= {
        }
        &'appt;doctor'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Add a doctor'
            cand list 'List doctors'
            cand show 'Show a doctor'
            cand update 'Change a doctor'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;doctor;add'= {
            cand --specialty 'Specialty, e.g. "Medicina General"'
            cand --slot-minutes 'Slot length in minutes of this doctor''s windows that name none [default: the clinic''s]'
            cand --online 'Whether the online booking page offers the doctor: yes|no (no by default)'
            cand --services 'The services the doctor does, comma-separated, or all (the default): a window takes only these'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --same-name 'Add a doctor whose name another doctor already has'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;doctor;list'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;doctor;show'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;doctor;update'= {
            cand --name 'New full name'
            cand --specialty 'New specialty'
            cand --slot-minutes 'New slot length in minutes of this doctor''s windows that name none'
            cand --active 'Whether the doctor takes bookings: true|false'
            cand --max-per-day 'The most active appointments a day (1–1000), at all clinics; none takes the cap away'
            cand --online 'Whether the online booking page offers the doctor: yes|no'
            cand --services 'The services the doctor does, comma-separated, or all: a window takes only these'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --same-name 'Rename to a name another doctor already has'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;doctor;help'= {
            cand add 'Add a doctor'
            cand list 'List doctors'
            cand show 'Show a doctor'
            cand update 'Change a doctor'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;doctor;help;add'= {
        }
        &'appt;doctor;help;list'= {
        }
        &'appt;doctor;help;show'= {
        }
        &'appt;doctor;help;update'= {
        }
        &'appt;doctor;help;help'= {
        }
        &'appt;service'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Add a service'
            cand list 'List services'
            cand update 'Rename a service, change its duration, its daily limit, its buffers or whether the booking page offers it'
            cand remove 'Remove a service (its past appointments keep it)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;service;add'= {
            cand --minutes 'Duration in minutes (5–480)'
            cand --max-per-day 'The most of this service a day (1–1000), per doctor or per clinic''s clinic-wide hours; none (the default) for no cap'
            cand --buffer-before 'Minutes kept free before each appointment, e.g. to prepare (0–240; default 0)'
            cand --buffer-after 'Minutes kept free after each appointment, e.g. to clean (0–240; default 0)'
            cand --online 'Whether the online booking page offers the service: yes|no (no by default)'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;service;list'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;service;update'= {
            cand --name 'New name'
            cand --minutes 'New duration in minutes'
            cand --max-per-day 'The most of this service a day (1–1000), per doctor or per clinic''s clinic-wide hours; none takes the cap away'
            cand --buffer-before 'New minutes kept free before each appointment (0–240), for bookings from now on'
            cand --buffer-after 'New minutes kept free after each appointment (0–240), for bookings from now on'
            cand --online 'Whether the online booking page offers the service: yes|no'
            cand --needs 'Rooms or equipment it needs: one of each --needs, any of the names separated by | (none: nothing)'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;service;remove'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand -y 'Do not ask for confirmation (only a terminal asks)'
            cand --yes 'Do not ask for confirmation (only a terminal asks)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;service;help'= {
            cand add 'Add a service'
            cand list 'List services'
            cand update 'Rename a service, change its duration, its daily limit, its buffers or whether the booking page offers it'
            cand remove 'Remove a service (its past appointments keep it)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;service;help;add'= {
        }
        &'appt;service;help;list'= {
        }
        &'appt;service;help;update'= {
        }
        &'appt;service;help;remove'= {
        }
        &'appt;service;help;help'= {
        }
        &'appt;resource'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Add a room or a piece of equipment'
            cand list 'List the rooms and equipment'
            cand show 'Show a room or a piece of equipment'
            cand update 'Change a room or a piece of equipment'
            cand remove 'Remove one no visit to come holds and no service needs'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;resource;add'= {
            cand --kind 'room or equipment (sala, equipo)'
            cand --capacity 'Visits it takes at once [default: 1]'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;resource;list'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;resource;show'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;resource;update'= {
            cand --name 'name'
            cand --kind 'kind'
            cand --capacity 'capacity'
            cand --active 'no: given to no new visit, its history kept'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;resource;remove'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand -y 'y'
            cand --yes 'yes'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;resource;help'= {
            cand add 'Add a room or a piece of equipment'
            cand list 'List the rooms and equipment'
            cand show 'Show a room or a piece of equipment'
            cand update 'Change a room or a piece of equipment'
            cand remove 'Remove one no visit to come holds and no service needs'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;resource;help;add'= {
        }
        &'appt;resource;help;list'= {
        }
        &'appt;resource;help;show'= {
        }
        &'appt;resource;help;update'= {
        }
        &'appt;resource;help;remove'= {
        }
        &'appt;resource;help;help'= {
        }
        &'appt;window'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Add a weekly or one-date window for a doctor or the whole clinic'
            cand list 'List windows'
            cand close 'Stop taking bookings in a window (its slots show as SLOT_INACTIVE)'
            cand open 'Take bookings in a closed window again'
            cand remove 'Delete a window that has no upcoming appointments'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;window;add'= {
            cand -d 'The doctor this window belongs to'
            cand --doctor 'The doctor this window belongs to'
            cand --days 'Weekdays: mon-fri, mon,wed,fri, mon-fri,sun, or in Spanish lun-vie, lun,mié,vie, sáb'
            cand -D 'One date (YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N, or in Spanish: mañana, viernes); replaces weekly windows that day'
            cand --date 'One date (YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N, or in Spanish: mañana, viernes); replaces weekly windows that day'
            cand --from 'Start, local HH:MM'
            cand --to 'End, local HH:MM (24:00 for midnight)'
            cand --slot-minutes 'Slot grid in minutes [default: the doctor''s, else the clinic''s]'
            cand --capacity 'How many appointments may overlap at any instant [default: 1]'
            cand --session 'Session label: Morning, Afternoon, Evening or free text'
            cand --batch 'Batch label'
            cand --services 'Only these services (names or IDs, comma-separated)'
            cand --valid-from 'First date the weekly window applies'
            cand --valid-to 'Last date the weekly window applies'
            cand --resource 'A room''s or a machine''s own hours (with --days, --from, --to): it is then free only within them'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --clinic-wide 'A window for the whole clinic (no doctor)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;window;list'= {
            cand -d 'Only this doctor''s windows'
            cand --doctor 'Only this doctor''s windows'
            cand -D 'Only the windows that apply on this date (date windows replace weekly ones)'
            cand --date 'Only the windows that apply on this date (date windows replace weekly ones)'
            cand --resource 'A room''s or a machine''s own hours instead'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;window;close'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;window;open'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;window;remove'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand -y 'Do not ask for confirmation (only a terminal asks)'
            cand --yes 'Do not ask for confirmation (only a terminal asks)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;window;help'= {
            cand add 'Add a weekly or one-date window for a doctor or the whole clinic'
            cand list 'List windows'
            cand close 'Stop taking bookings in a window (its slots show as SLOT_INACTIVE)'
            cand open 'Take bookings in a closed window again'
            cand remove 'Delete a window that has no upcoming appointments'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;window;help;add'= {
        }
        &'appt;window;help;list'= {
        }
        &'appt;window;help;close'= {
        }
        &'appt;window;help;open'= {
        }
        &'appt;window;help;remove'= {
        }
        &'appt;window;help;help'= {
        }
        &'appt;closure'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Close a doctor (leave) or, with --clinic, a whole clinic (holiday) for some dates'
            cand list 'List closures'
            cand remove 'Delete a closure'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;closure;add'= {
            cand -d 'The doctor who takes no bookings (else the clinic given with --clinic)'
            cand --doctor 'The doctor who takes no bookings (else the clinic given with --clinic)'
            cand --from 'First closed date'
            cand --to 'Last closed date [default: the from date]'
            cand -r 'Why, e.g. "Holiday" (shown to the front desk when a booking is refused)'
            cand --reason 'Why, e.g. "Holiday" (shown to the front desk when a booking is refused)'
            cand --resource 'Close a room or a machine instead (maintenance): it is given to no visit those days'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;closure;list'= {
            cand -d 'Only this doctor''s closures'
            cand --doctor 'Only this doctor''s closures'
            cand --resource 'A room''s or a machine''s closures instead'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;closure;remove'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand -y 'Do not ask for confirmation (only a terminal asks)'
            cand --yes 'Do not ask for confirmation (only a terminal asks)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;closure;help'= {
            cand add 'Close a doctor (leave) or, with --clinic, a whole clinic (holiday) for some dates'
            cand list 'List closures'
            cand remove 'Delete a closure'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;closure;help;add'= {
        }
        &'appt;closure;help;list'= {
        }
        &'appt;closure;help;remove'= {
        }
        &'appt;closure;help;help'= {
        }
        &'appt;patient'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Add a patient (unique by phone)'
            cand list 'List patients, optionally searching name and phone'
            cand show 'Show a patient'
            cand update 'Change a patient'
            cand export 'Everything appt holds about a patient, for a patient who asks for it'
            cand erase 'Erase a patient on request: name, phone, e-mail, national ID, messages and links go; their appointments stay, anonymised'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;patient;add'= {
            cand --name 'Full name'
            cand -P 'Phone in E.164, or a local number at a clinic with a country code; spaces, dashes, dots and parentheses are removed'
            cand --phone 'Phone in E.164, or a local number at a clinic with a country code; spaces, dashes, dots and parentheses are removed'
            cand --national-id 'National ID (stored encrypted)'
            cand --email 'Email address'
            cand --channel 'How the patient prefers to be sent messages: whatsapp, sms, email, or none for no messages [default: the clinic''s order]'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;patient;list'= {
            cand --search 'Text found in the name or the phone'
            cand -n 'At most this many'
            cand --limit 'At most this many'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;patient;show'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;patient;update'= {
            cand --name 'New full name'
            cand -P 'New phone'
            cand --phone 'New phone'
            cand --national-id 'New national ID'
            cand --email 'New email ("" clears it)'
            cand --channel 'New preferred channel: whatsapp, sms, email or none ("" clears it: the clinic''s order)'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;patient;export'= {
            cand -o 'Write to FILE (mode 0600, whole or not at all) instead of standard output'
            cand --output 'Write to FILE (mode 0600, whole or not at all) instead of standard output'
            cand --format 'json (everything appt holds), fhir (a FHIR R4 Bundle of the Patient and their Appointments) or html (a page to print, in the clinic''s language)'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --include-national-id 'Put the national ID in (it is opened with the key, as `patient show` does)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;patient;erase'= {
            cand --reason 'Why: recorded with the erasure (the request''s date or number)'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --clinical 'The clinical record of their appointments goes too (diagnosis, prescription, follow-up)'
            cand -y 'Do not ask for confirmation (only a terminal asks)'
            cand --yes 'Do not ask for confirmation (only a terminal asks)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;patient;help'= {
            cand add 'Add a patient (unique by phone)'
            cand list 'List patients, optionally searching name and phone'
            cand show 'Show a patient'
            cand update 'Change a patient'
            cand export 'Everything appt holds about a patient, for a patient who asks for it'
            cand erase 'Erase a patient on request: name, phone, e-mail, national ID, messages and links go; their appointments stay, anonymised'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;patient;help;add'= {
        }
        &'appt;patient;help;list'= {
        }
        &'appt;patient;help;show'= {
        }
        &'appt;patient;help;update'= {
        }
        &'appt;patient;help;export'= {
        }
        &'appt;patient;help;erase'= {
        }
        &'appt;patient;help;help'= {
        }
        &'appt;slots'= {
            cand -d 'The doctor'
            cand --doctor 'The doctor'
            cand -D 'The date: YYYY-MM-DD, D/M, today, tomorrow, yesterday, a weekday, +N or -N, or in Spanish (hoy, mañana, pasado mañana, viernes)'
            cand --date 'The date: YYYY-MM-DD, D/M, today, tomorrow, yesterday, a weekday, +N or -N, or in Spanish (hoy, mañana, pasado mañana, viernes)'
            cand -s 'Slots long enough for this service'
            cand --service 'Slots long enough for this service'
            cand --duration 'Slots long enough for this many minutes'
            cand --session 'Only this session (Morning, Afternoon, …)'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --clinic-wide 'The clinic-wide windows instead of a doctor''s'
            cand -a 'Every grid slot, with why the unavailable ones are not offered'
            cand --all 'Every grid slot, with why the unavailable ones are not offered'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;book'= {
            cand -d 'The doctor (name or ID)'
            cand --doctor 'The doctor (name or ID)'
            cand -D 'Local date: YYYY-MM-DD, D/M (in the clinic''s --date-order), today, tomorrow, a weekday (the next one), +N or -N, or in Spanish (hoy, mañana, pasado mañana, viernes)'
            cand --date 'Local date: YYYY-MM-DD, D/M (in the clinic''s --date-order), today, tomorrow, a weekday (the next one), +N or -N, or in Spanish (hoy, mañana, pasado mañana, viernes)'
            cand -t 'Local time, HH:MM (24 h)'
            cand --time 'Local time, HH:MM (24 h)'
            cand --at 'The start as RFC 3339 with offset (picks either side of a DST fold)'
            cand -p 'An existing patient: ID, prefix or phone'
            cand --patient 'An existing patient: ID, prefix or phone'
            cand -P 'The patient''s phone (E.164, or local to a clinic with a country code); creates the patient if new'
            cand --phone 'The patient''s phone (E.164, or local to a clinic with a country code); creates the patient if new'
            cand --name 'The patient''s full name (replaces the stored one)'
            cand --national-id 'The patient''s national ID (stored encrypted)'
            cand --email 'The patient''s email (replaces the stored one)'
            cand --channel 'How the patient prefers to be sent messages: whatsapp, sms, email or none (replaces the stored one)'
            cand -s 'Service (appointment type) by name or ID'
            cand --service 'Service (appointment type) by name or ID'
            cand --duration 'Length in minutes, 5–480 [default: the service''s, else the window''s slot]'
            cand --session 'Only in a window of this session (Morning, Afternoon, …)'
            cand -r 'Reason for the visit'
            cand --reason 'Reason for the visit'
            cand --notes 'Notes'
            cand --source 'Where the booking came from: manual, phone, whatsapp, web, walk_in, import, api'
            cand --external-ref 'The caller''s own ID for this booking at its clinic: booking it again there returns the same appointment'
            cand --overbook 'Fit the visit in where availability or capacity would refuse it (an emergency), recorded with why and by whom: the reason given here, else --reason. Never a past time, a duplicate, or more than the clinic''s --max-overbook-per-day for the doctor'
            cand --resource 'The room or machine to give it, of a group its service needs [default: the first free]'
            cand --urgency 'How soon the patient must be seen: normal, urgent or emergency (in Spanish urgente, emergencia) [default: normal]'
            cand --modality 'Where the visit happens: in_person, telemedicine or home (in Spanish presencial, telemedicina, domicilio) [default: in_person]'
            cand --visit-type 'first or follow_up (in Spanish "primera vez", control, seguimiento) [default: follow_up when the patient has an earlier completed visit with the doctor, else first]'
            cand --payer 'Who pays: one of the clinic''s --payers (e.g. ISSS)'
            cand --repeat 'Book a series: the same local time every day or every week'
            cand --every 'A series every N days or weeks [default: 1]'
            cand --count 'How many occurrences a series has (at most 104)'
            cand --until 'The last date a series may fall on'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --clinic-wide 'Book into a clinic-wide window (no doctor)'
            cand --walk-in 'A patient who walked in: the first free slot from now in the window open now, checked in, with the day''s next token'
            cand --no-notify 'Send the patient no confirmation message'
            cand --overbook-resource 'With --overbook: its rooms and machines may be overbooked too (else never)'
            cand --force 'Book even into a time the doctor''s own calendar says they are busy'
            cand --skip-conflicts 'Book the occurrences that can be booked and list the others'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;reschedule'= {
            cand -D 'Local date: YYYY-MM-DD, D/M (in the clinic''s --date-order), today, tomorrow, a weekday (the next one), +N or -N, or in Spanish (hoy, mañana, pasado mañana, viernes)'
            cand --date 'Local date: YYYY-MM-DD, D/M (in the clinic''s --date-order), today, tomorrow, a weekday (the next one), +N or -N, or in Spanish (hoy, mañana, pasado mañana, viernes)'
            cand -t 'Local time, HH:MM (24 h)'
            cand --time 'Local time, HH:MM (24 h)'
            cand --at 'The start as RFC 3339 with offset (picks either side of a DST fold)'
            cand -d 'Move to another doctor'
            cand --doctor 'Move to another doctor'
            cand --duration 'New length in minutes (else the length stays)'
            cand -r 'Why it moved (kept in the event)'
            cand --reason 'Why it moved (kept in the event)'
            cand --urgency 'New urgency: normal, urgent or emergency (in Spanish urgente, emergencia)'
            cand --modality 'New modality: in_person, telemedicine or home (in Spanish presencial, telemedicina, domicilio)'
            cand --visit-type 'New visit type: first or follow_up (in Spanish "primera vez", control, seguimiento)'
            cand --payer 'New payer: one of the clinic''s --payers; "" clears it'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --force 'Move even inside the clinic''s cancellation window, or into a busy time of the doctor''s own calendar'
            cand --no-notify 'Send the patient no "rescheduled" message'
            cand --series 'Move this occurrence of a series and every later one to --time, each on its own date'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;cancel'= {
            cand -r 'Why it is cancelled (required). Kept for the clinic: the patient is never sent it'
            cand --reason 'Why it is cancelled (required). Kept for the clinic: the patient is never sent it'
            cand --tell-patient 'The reason the patient''s "cancelled" message gives (without it, the message gives none)'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --force 'Cancel even inside the clinic''s cancellation window'
            cand --no-notify 'Send the patient no "cancelled" message'
            cand -y 'Do not ask for confirmation (only a terminal asks)'
            cand --yes 'Do not ask for confirmation (only a terminal asks)'
            cand --series 'Cancel this occurrence of a series and every later active one'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;status'= {
            cand --diagnosis 'Diagnosis (required for completed when the clinic says so)'
            cand --prescription 'Prescription'
            cand --follow-up 'Follow-up date (sets follow_up_required)'
            cand --notes 'Notes'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;update'= {
            cand -r 'Reason for the visit'
            cand --reason 'Reason for the visit'
            cand --notes 'Notes'
            cand --diagnosis 'Diagnosis'
            cand --prescription 'Prescription'
            cand --follow-up 'Follow-up date (sets follow_up_required)'
            cand --urgency 'New urgency: normal, urgent or emergency (in Spanish urgente, emergencia)'
            cand --modality 'New modality: in_person, telemedicine or home (in Spanish presencial, telemedicina, domicilio)'
            cand --visit-type 'New visit type: first or follow_up (in Spanish "primera vez", control, seguimiento)'
            cand --payer 'New payer: one of the clinic''s --payers; "" clears it'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --no-follow-up 'Clear the follow-up'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;show'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;history'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;list'= {
            cand -D 'One local date: YYYY-MM-DD, D/M, today, tomorrow, yesterday, a weekday, +N or -N, or in Spanish (hoy, mañana, viernes)'
            cand --date 'One local date: YYYY-MM-DD, D/M, today, tomorrow, yesterday, a weekday, +N or -N, or in Spanish (hoy, mañana, viernes)'
            cand --from 'From this local date (inclusive)'
            cand --to 'To this local date (inclusive)'
            cand -S 'Only this status: scheduled, confirmed, checked_in, in_progress, completed, cancelled, no_show, or in Spanish (confirmada, llegó, atendida, ausente…)'
            cand --status 'Only this status: scheduled, confirmed, checked_in, in_progress, completed, cancelled, no_show, or in Spanish (confirmada, llegó, atendida, ausente…)'
            cand -d 'Only this doctor''s'
            cand --doctor 'Only this doctor''s'
            cand -p 'Only this patient''s (ID, prefix or phone)'
            cand --patient 'Only this patient''s (ID, prefix or phone)'
            cand --source 'Only from this source'
            cand --series 'Only this series'' occurrences (its ID or prefix, or one occurrence''s ID)'
            cand --urgency 'Only this urgency: normal, urgent, emergency (or urgente, emergencia)'
            cand --modality 'Only this modality: in_person, telemedicine, home (or presencial, telemedicina, domicilio)'
            cand --visit-type 'Only first visits or follow-ups: first, follow_up (or "primera vez", control)'
            cand --payer 'Only this payer''s (case ignored)'
            cand --page 'Page number, from 1'
            cand -n 'Appointments per page, at most 500'
            cand --limit 'Appointments per page, at most 500'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;count'= {
            cand --source 'Only from this source (e.g. whatsapp)'
            cand --since 'Created since this date (its local midnight) or RFC 3339 time [default: 24 hours ago]'
            cand -S 'Only with this status now'
            cand --status 'Only with this status now'
            cand --by 'Count in groups: urgency, modality, visit_type, payer or doctor'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --overbooked 'Only the overbooked visits (book --overbook)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;report'= {
            cand --from 'The first date of the period [default: 28 days before --to]'
            cand --to 'The last date of the period, included [default: yesterday]'
            cand --month 'A whole month instead: 2026-11, 11/2026, June (junio), last or this (pasado, este)'
            cand --mes 'A whole month instead: 2026-11, 11/2026, June (junio), last or this (pasado, este)'
            cand -d 'Only this doctor''s visits'
            cand --doctor 'Only this doctor''s visits'
            cand --service 'Only this service''s visits'
            cand --format 'The figures as rows: csv or xlsx (a spreadsheet)'
            cand -o 'Write --format''s rows to FILE (mode 0600, whole or not at all) instead of standard output'
            cand --output 'Write --format''s rows to FILE (mode 0600, whole or not at all) instead of standard output'
            cand --html 'Write the report as one web page to FILE (charts inline, nothing fetched; written whole or not at all)'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;next'= {
            cand -d 'Only this doctor'
            cand --doctor 'Only this doctor'
            cand --specialty 'Only doctors of this specialty'
            cand -s 'Slots long enough for this service'
            cand --service 'Slots long enough for this service'
            cand --after 'From this date on instead of now: YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N, or in Spanish (mañana, lunes)'
            cand -n 'How many slots [default: 5]'
            cand --limit 'How many slots [default: 5]'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;agenda'= {
            cand -D 'The first day: YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N or -N, or in Spanish (hoy, mañana, lunes) [default: today]'
            cand --date 'The first day: YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N or -N, or in Spanish (hoy, mañana, lunes) [default: today]'
            cand -d 'Only this doctor'
            cand --doctor 'Only this doctor'
            cand --days 'How many consecutive days, from the first'
            cand --resource 'A room''s or a machine''s day: only the visits given it'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;queue'= {
            cand -d 'Only this doctor''s queue'
            cand --doctor 'Only this doctor''s queue'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand next 'Call the next patient: the first checked-in appointment of today in the clinic''s queue order (--queue-order: the earliest appointment, a walk-in at its arrival; or the lowest token) moves to in_progress'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;queue;next'= {
            cand -d 'The doctor calling (a terminal asks)'
            cand --doctor 'The doctor calling (a terminal asks)'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;queue;help'= {
            cand next 'Call the next patient: the first checked-in appointment of today in the clinic''s queue order (--queue-order: the earliest appointment, a walk-in at its arrival; or the lowest token) moves to in_progress'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;queue;help;next'= {
        }
        &'appt;queue;help;help'= {
        }
        &'appt;waitlist'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Put a patient on the waitlist for a doctor and date; a freed time is offered oldest first'
            cand list 'Who is waiting, from today on'
            cand remove 'Take an entry off the waitlist'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;waitlist;add'= {
            cand -d 'The doctor the patient wants (a terminal asks)'
            cand --doctor 'The doctor the patient wants (a terminal asks)'
            cand -D 'The date the patient wants: YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N, or in Spanish (mañana, viernes) (a terminal asks)'
            cand --date 'The date the patient wants: YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N, or in Spanish (mañana, viernes) (a terminal asks)'
            cand -p 'An existing patient: ID, prefix, phone or name'
            cand --patient 'An existing patient: ID, prefix, phone or name'
            cand -P 'The patient''s phone (E.164, or local to a clinic with a country code); creates the patient if new'
            cand --phone 'The patient''s phone (E.164, or local to a clinic with a country code); creates the patient if new'
            cand --name 'The patient''s full name (for a new patient)'
            cand --email 'The patient''s email (replaces the stored one)'
            cand --channel 'How the patient prefers to be sent messages: whatsapp, sms, email or none (replaces the stored one)'
            cand -s 'The service wanted'
            cand --service 'The service wanted'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;waitlist;list'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;waitlist;remove'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand -y 'Do not ask for confirmation (only a terminal asks)'
            cand --yes 'Do not ask for confirmation (only a terminal asks)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;waitlist;help'= {
            cand add 'Put a patient on the waitlist for a doctor and date; a freed time is offered oldest first'
            cand list 'Who is waiting, from today on'
            cand remove 'Take an entry off the waitlist'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;waitlist;help;add'= {
        }
        &'appt;waitlist;help;list'= {
        }
        &'appt;waitlist;help;remove'= {
        }
        &'appt;waitlist;help;help'= {
        }
        &'appt;remind'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand due 'Deliver the reminders, waitlist offers and patient notifications that are due (cron runs this every few minutes)'
            cand list 'List reminders and the other messages `remind due` delivers'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;remind;due'= {
            cand --exec 'Run `sh -c CMD` once per reminder, with its JSON on stdin and APPT_* variables; exit 0 = sent'
            cand -n 'Deliver at most this many in this run'
            cand --limit 'Deliver at most this many in this run'
            cand --concurrency 'Send up to N messages to the providers at once (1–64)'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --dry-run 'Print what would be delivered and change nothing'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;remind;list'= {
            cand -S 'Only this status: pending, sent, failed, cancelled, expired, or in Spanish (pendiente, enviado, fallido…)'
            cand --status 'Only this status: pending, sent, failed, cancelled, expired, or in Spanish (pendiente, enviado, fallido…)'
            cand --kind 'Only this kind: reminder, confirmation, rescheduled, cancelled, waitlist_offer, recall, or in Spanish (recordatorio, confirmación, control…)'
            cand -n 'At most this many'
            cand --limit 'At most this many'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;remind;help'= {
            cand due 'Deliver the reminders, waitlist offers and patient notifications that are due (cron runs this every few minutes)'
            cand list 'List reminders and the other messages `remind due` delivers'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;remind;help;due'= {
        }
        &'appt;remind;help;list'= {
        }
        &'appt;remind;help;help'= {
        }
        &'appt;recall'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'The clinic''s recall list: completed visits whose follow-up date has come, with whether each was sent or booked'
            cand send 'Send each due recall its one message, with a link to the booking page (through the clinic''s channels, the hook, or as JSON lines)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;recall;list'= {
            cand --due-before 'Only recalls whose follow-up date is before this date (the date itself left out); default: up to today'
            cand -S 'Only this status: due, sent, booked'
            cand --status 'Only this status: due, sent, booked'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;recall;send'= {
            cand --exec 'Run `sh -c CMD` once per recall, with its JSON on stdin and APPT_* variables; exit 0 = sent'
            cand --concurrency 'Send up to N messages to the providers at once (1–64)'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;recall;help'= {
            cand list 'The clinic''s recall list: completed visits whose follow-up date has come, with whether each was sent or booked'
            cand send 'Send each due recall its one message, with a link to the booking page (through the clinic''s channels, the hook, or as JSON lines)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;recall;help;list'= {
        }
        &'appt;recall;help;send'= {
        }
        &'appt;recall;help;help'= {
        }
        &'appt;events'= {
            cand --after 'Only events after this ID (the last one you saw)'
            cand --type 'Only events of this type, e.g. appointment.booked'
            cand -n 'At most this many'
            cand --limit 'At most this many'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;export'= {
            cand --format 'What to write (required): ics (iCalendar), fhir (a FHIR R4 Bundle), jsonl (JSON Lines), csv or xlsx (a spreadsheet)'
            cand --from 'From this local date (inclusive): YYYY-MM-DD, D/M, today, tomorrow, yesterday, a weekday, +N or -N, or in Spanish (hoy, ayer)'
            cand --to 'To this local date (inclusive)'
            cand -d 'Only this doctor''s (name or ID)'
            cand --doctor 'Only this doctor''s (name or ID)'
            cand -S 'Only this status (scheduled, confirmed, checked_in, in_progress, completed, cancelled, no_show, or in Spanish: confirmada, atendida, ausente…)'
            cand --status 'Only this status (scheduled, confirmed, checked_in, in_progress, completed, cancelled, no_show, or in Spanish: confirmada, atendida, ausente…)'
            cand -o 'Write to FILE (mode 0600, whole or not at all) instead of standard output'
            cand --output 'Write to FILE (mode 0600, whole or not at all) instead of standard output'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --include-patient 'Put the patient''s name, phone and ID into ics and fhir exports, their name and phone into xlsx (jsonl and csv always carry them)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;webhook'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Add a webhook: events recorded from now on are POSTed to URL'
            cand list 'List webhooks and how their deliveries stand'
            cand remove 'Remove a webhook'
            cand deliver 'POST every undelivered event (cron runs this every few minutes)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;webhook;add'= {
            cand --events 'Only these event types (comma-separated) [default: all]'
            cand --secret 'Sign each body with this secret: X-Appt-Signature: sha256=<hex HMAC-SHA256>. `-` reads it from standard input. A secret written on the command line is visible to other users of the machine (ps): prefer --secret-file or -'
            cand --secret-file 'Read the signing secret from FILE (trailing line breaks trimmed)'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --clinical 'Send the whole appointment object, diagnosis, prescription, follow-up and notes included. Without it the receiver gets the message view, as hooks do (for a system that keeps the clinical record)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;webhook;list'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;webhook;remove'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand -y 'Do not ask for confirmation (only a terminal asks)'
            cand --yes 'Do not ask for confirmation (only a terminal asks)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;webhook;deliver'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;webhook;help'= {
            cand add 'Add a webhook: events recorded from now on are POSTed to URL'
            cand list 'List webhooks and how their deliveries stand'
            cand remove 'Remove a webhook'
            cand deliver 'POST every undelivered event (cron runs this every few minutes)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;webhook;help;add'= {
        }
        &'appt;webhook;help;list'= {
        }
        &'appt;webhook;help;remove'= {
        }
        &'appt;webhook;help;deliver'= {
        }
        &'appt;webhook;help;help'= {
        }
        &'appt;channel'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Add a channel to the clinic, last in its order: WhatsApp, SMS or e-mail'
            cand list 'List the clinic''s channels in their order (never a secret)'
            cand remove 'Remove a channel'
            cand order 'Set the order the clinic''s channels are tried in: the named first, the rest after'
            cand test 'Send one short test message now through a channel (exit 7 when the provider refuses it)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;channel;add'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand whatsapp 'WhatsApp through Meta''s Cloud API (the token from --token-file, else APPT_WHATSAPP_TOKEN)'
            cand sms 'SMS through Twilio''s REST API (the auth token from --auth-token-file, else APPT_TWILIO_AUTH_TOKEN)'
            cand email 'E-mail over SMTP with TLS or STARTTLS (the password from --password-file, else APPT_SMTP_PASSWORD)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;channel;add;whatsapp'= {
            cand --name 'The channel''s name, unique in the clinic [default: whatsapp]'
            cand --phone-number-id 'The WhatsApp Business phone number''s ID (Meta''s app dashboard)'
            cand --token-file 'Read the access token from FILE, or - for standard input'
            cand --app-secret-file 'Read the app secret (signs Meta''s webhooks) from FILE, or -'
            cand --verify-token-file 'Read the webhook''s verify token from FILE, or -'
            cand --api-url 'The Graph API''s base URL [default: https://graph.facebook.com/v21.0]'
            cand --template 'A message kind''s approved template, KIND=NAME:LANG[:PLACEHOLDER,…] (repeatable)'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;channel;add;sms'= {
            cand --name 'The channel''s name, unique in the clinic [default: sms]'
            cand --account-sid 'The Twilio account''s SID (AC…)'
            cand --auth-token-file 'Read the auth token from FILE, or - for standard input'
            cand --from 'The sending number, +NUMBER'
            cand --api-url 'The REST API''s base URL [default: https://api.twilio.com]'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;channel;add;email'= {
            cand --name 'The channel''s name, unique in the clinic [default: email]'
            cand --smtp-url 'smtp://USER@HOST:PORT (STARTTLS required) or smtps://USER@HOST:PORT (TLS), no password'
            cand --password-file 'Read the SMTP password from FILE, or - for standard input'
            cand --from 'The sender''s address'
            cand --reply-to 'Where patients'' replies go'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;channel;add;help'= {
            cand whatsapp 'WhatsApp through Meta''s Cloud API (the token from --token-file, else APPT_WHATSAPP_TOKEN)'
            cand sms 'SMS through Twilio''s REST API (the auth token from --auth-token-file, else APPT_TWILIO_AUTH_TOKEN)'
            cand email 'E-mail over SMTP with TLS or STARTTLS (the password from --password-file, else APPT_SMTP_PASSWORD)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;channel;add;help;whatsapp'= {
        }
        &'appt;channel;add;help;sms'= {
        }
        &'appt;channel;add;help;email'= {
        }
        &'appt;channel;add;help;help'= {
        }
        &'appt;channel;list'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;channel;remove'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand -y 'Do not ask for confirmation (only a terminal asks)'
            cand --yes 'Do not ask for confirmation (only a terminal asks)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;channel;order'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;channel;test'= {
            cand --to 'The phone to send to (read in the clinic''s country code), or for an e-mail channel the address'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;channel;help'= {
            cand add 'Add a channel to the clinic, last in its order: WhatsApp, SMS or e-mail'
            cand list 'List the clinic''s channels in their order (never a secret)'
            cand remove 'Remove a channel'
            cand order 'Set the order the clinic''s channels are tried in: the named first, the rest after'
            cand test 'Send one short test message now through a channel (exit 7 when the provider refuses it)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;channel;help;add'= {
            cand whatsapp 'WhatsApp through Meta''s Cloud API (the token from --token-file, else APPT_WHATSAPP_TOKEN)'
            cand sms 'SMS through Twilio''s REST API (the auth token from --auth-token-file, else APPT_TWILIO_AUTH_TOKEN)'
            cand email 'E-mail over SMTP with TLS or STARTTLS (the password from --password-file, else APPT_SMTP_PASSWORD)'
        }
        &'appt;channel;help;add;whatsapp'= {
        }
        &'appt;channel;help;add;sms'= {
        }
        &'appt;channel;help;add;email'= {
        }
        &'appt;channel;help;list'= {
        }
        &'appt;channel;help;remove'= {
        }
        &'appt;channel;help;order'= {
        }
        &'appt;channel;help;test'= {
        }
        &'appt;channel;help;help'= {
        }
        &'appt;inbox'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --all 'Every message received, answers appt acted on and done ones too'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand done 'Mark a message done: the inbox no longer shows it'
            cand show 'Show one message whole, with who wrote and their next visit'
            cand reply 'Answer a message through the channel it came by; sent, it is done'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;inbox;done'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;inbox;show'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;inbox;reply'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;inbox;help'= {
            cand done 'Mark a message done: the inbox no longer shows it'
            cand show 'Show one message whole, with who wrote and their next visit'
            cand reply 'Answer a message through the channel it came by; sent, it is done'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;inbox;help;done'= {
        }
        &'appt;inbox;help;show'= {
        }
        &'appt;inbox;help;reply'= {
        }
        &'appt;inbox;help;help'= {
        }
        &'appt;token'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Make an API token for `appt serve`; it is printed once and kept only as its SHA-256'
            cand list 'List API tokens: name, prefix, scopes, clinic, created, expires, last used (never the token)'
            cand revoke 'Revoke an API token: requests with it are refused from the next one'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;token;add'= {
            cand --scopes 'What it may do, comma-separated: appointments:read, appointments:write, appointments:overbook, clinical, patients:export, patients:erase, reports:read, calendars:admin'
            cand --expires 'When it stops working: days (90d), hours (12h), a date (2026-12-31, at 00:00 UTC) or an RFC 3339 time [default: never]'
            cand --staff 'A member of staff it acts for: it never does more than their role allows, and goes when they are removed'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'appt;token;list'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;token;revoke'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'appt;token;help'= {
            cand add 'Make an API token for `appt serve`; it is printed once and kept only as its SHA-256'
            cand list 'List API tokens: name, prefix, scopes, clinic, created, expires, last used (never the token)'
            cand revoke 'Revoke an API token: requests with it are refused from the next one'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;token;help;add'= {
        }
        &'appt;token;help;list'= {
        }
        &'appt;token;help;revoke'= {
        }
        &'appt;token;help;help'= {
        }
        &'appt;staff'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Add a member of staff, with their PIN (the first member is a manager)'
            cand list 'List the staff: name, role, doctor, clinic (never a PIN)'
            cand update 'Rename a member, or change their role, doctor or clinic'
            cand remove 'Remove a member of staff (the last manager stays)'
            cand pin 'Set a member''s PIN (4 to 8 digits), asked twice and never shown'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;staff;add'= {
            cand --role 'What they may do: reception, doctor or manager (recepción, médico, gerente)'
            cand -d 'The doctor they are (required for the role doctor)'
            cand --doctor 'The doctor they are (required for the role doctor)'
            cand --pin-file 'Read the PIN from this file (- for standard input) instead of asking it'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'appt;staff;list'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;staff;update'= {
            cand --name 'New name'
            cand --role 'New role: reception, doctor or manager'
            cand -d 'The doctor they are (none: no doctor)'
            cand --doctor 'The doctor they are (none: no doctor)'
            cand --works-at 'The one clinic they work at (none: every clinic)'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;staff;remove'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand -y 'Do not ask for confirmation (only a terminal asks)'
            cand --yes 'Do not ask for confirmation (only a terminal asks)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;staff;pin'= {
            cand --pin-file 'Read the PIN from this file (- for standard input) instead of asking it'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;staff;help'= {
            cand add 'Add a member of staff, with their PIN (the first member is a manager)'
            cand list 'List the staff: name, role, doctor, clinic (never a PIN)'
            cand update 'Rename a member, or change their role, doctor or clinic'
            cand remove 'Remove a member of staff (the last manager stays)'
            cand pin 'Set a member''s PIN (4 to 8 digits), asked twice and never shown'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;staff;help;add'= {
        }
        &'appt;staff;help;list'= {
        }
        &'appt;staff;help;update'= {
        }
        &'appt;staff;help;remove'= {
        }
        &'appt;staff;help;pin'= {
        }
        &'appt;staff;help;help'= {
        }
        &'appt;login'= {
            cand --for 'How long the session lasts: hours, 1 to 24 (8h, 12) [default: the clinic''s --session-hours, 8h]'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;logout'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;access-log'= {
            cand --patient 'Only this patient''s record: phone, name or ID'
            cand --staff 'Only what this member of staff looked at'
            cand --limit 'At most N looks, latest first'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;whoami'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;feed'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Publish a doctor''s visits (or a clinic''s) as a calendar; its secret address is printed once'
            cand list 'List calendar feeds: name, prefix, whose visits, how patients show (never the address)'
            cand revoke 'Revoke a calendar feed: its address and CalDAV account answer 404 from the next request'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;feed;add'= {
            cand -d 'The doctor whose visits it holds [default: the whole clinic''s]'
            cand --doctor 'The doctor whose visits it holds [default: the whole clinic''s]'
            cand --show 'How events name the patient: none, initials or names'
            cand --days-back 'Days before today it still holds'
            cand --days-ahead 'Days after today it holds'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --qr 'Print the calendar''s address as a QR code too, for the doctor''s phone to read off the screen'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'appt;feed;list'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;feed;revoke'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand -y 'Do not ask for confirmation (only a terminal asks)'
            cand --yes 'Do not ask for confirmation (only a terminal asks)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;feed;help'= {
            cand add 'Publish a doctor''s visits (or a clinic''s) as a calendar; its secret address is printed once'
            cand list 'List calendar feeds: name, prefix, whose visits, how patients show (never the address)'
            cand revoke 'Revoke a calendar feed: its address and CalDAV account answer 404 from the next request'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;feed;help;add'= {
        }
        &'appt;feed;help;list'= {
        }
        &'appt;feed;help;revoke'= {
        }
        &'appt;feed;help;help'= {
        }
        &'appt;calendar'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Connect a doctor''s own calendar (ICS address or CalDAV); its busy times block their slots'
            cand list 'List the doctors'' calendars: kind, host, busy times, last sync, stale since and why'
            cand show 'Show one calendar'
            cand sync 'Read calendars now (all, one, or a doctor''s), for cron; exit 7 if one failed'
            cand remove 'Remove a calendar and the busy times read from it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;calendar;add'= {
            cand -d 'The doctor whose calendar it is'
            cand --doctor 'The doctor whose calendar it is'
            cand --url 'The ICS address (https://, webcal://) or the CalDAV calendar''s'
            cand --user 'The user to sign in as'
            cand --password-file 'Read the password from this file'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --password-stdin 'Read the password from standard input'
            cand --write 'Also put the doctor''s visits into it, move and delete them (CalDAV only)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'appt;calendar;list'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;calendar;show'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;calendar;sync'= {
            cand -d 'The doctor whose calendars to read'
            cand --doctor 'The doctor whose calendars to read'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;calendar;remove'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand -y 'Do not ask for confirmation (only a terminal asks)'
            cand --yes 'Do not ask for confirmation (only a terminal asks)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;calendar;help'= {
            cand add 'Connect a doctor''s own calendar (ICS address or CalDAV); its busy times block their slots'
            cand list 'List the doctors'' calendars: kind, host, busy times, last sync, stale since and why'
            cand show 'Show one calendar'
            cand sync 'Read calendars now (all, one, or a doctor''s), for cron; exit 7 if one failed'
            cand remove 'Remove a calendar and the busy times read from it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;calendar;help;add'= {
        }
        &'appt;calendar;help;list'= {
        }
        &'appt;calendar;help;show'= {
        }
        &'appt;calendar;help;sync'= {
        }
        &'appt;calendar;help;remove'= {
        }
        &'appt;calendar;help;help'= {
        }
        &'appt;check'= {
            cand --backup-dir 'Where the backups are, for --setup (read only by it: the service''s environment sets APPT_BACKUP_DIR for every command)'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --full 'Also check every index entry against its table (SQLite''s integrity_check; several times slower on a large file than the page and constraint check done by default)'
            cand --setup 'Check the installation instead: the database and its key, the clinics'' public URLs, the channels'' credentials, the reminder timer, the last backup and the free disk space'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;backup'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --force 'Replace FILE if it exists'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;purge'= {
            cand --before 'What ended before this day goes: YYYY-MM-DD, today, -N (days ago), …, in each clinic''s time zone'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --dry-run 'Count what would go, per table, and change nothing'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'appt;key'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand rotate 'Make a new national-ID key and seal every national ID again under it, in one transaction'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;key;rotate'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'appt;key;help'= {
            cand rotate 'Make a new national-ID key and seal every national ID again under it, in one transaction'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;key;help;rotate'= {
        }
        &'appt;key;help;help'= {
        }
        &'appt;import'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --dry-run 'Check every line against every rule, book nothing'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;transfer'= {
            cand --to 'The empty database to copy into: a file path or a postgres:// URL. A password on the command line is visible to other users (ps): give a URL with a password in APPT_TRANSFER_TO instead'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;demo'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand -y 'Replace an earlier demo database without asking (only a terminal asks)'
            cand --yes 'Replace an earlier demo database without asking (only a terminal asks)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'appt;serve'= {
            cand --listen 'Address and port to listen on (port 0: a free one, printed once listening)'
            cand --threads 'Worker threads answering requests'
            cand --max-connections 'Connections open at once; beyond it new ones are closed at once'
            cand --max-connections-per-address 'Connections open at once from one client address (an IPv6 client by its /64); beyond it its new ones are closed at once'
            cand --tls-cert 'PEM certificate chain for HTTPS (with --tls-key)'
            cand --tls-key 'PEM private key for HTTPS (with --tls-cert)'
            cand --exec 'Run `sh -c CMD` to send the booking page''s codes of a clinic with no channel that reaches a phone, as `remind due --exec` runs one (APPT_KIND=verification, the code''s text in APPT_MESSAGE)'
            cand --trusted-proxy 'The address of a proxy of yours (nginx, a load balancer) whose X-Forwarded-For names the client, for the limits per address (repeatable); any other''s header is ignored'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --allow-plain-http 'Serve plain HTTP on an address other than loopback (behind a TLS proxy)'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'appt;board'= {
            cand -D 'The day to open on (YYYY-MM-DD, today, tomorrow, a weekday; default today)'
            cand --date 'The day to open on (YYYY-MM-DD, today, tomorrow, a weekday; default today)'
            cand --by 'The columns: doctor (each doctor''s day) or resource (each room''s and machine''s); médico, recurso, sala in Spanish'
            cand --lock-after 'Once the database has staff: lock after this long without a key, until a PIN is typed (10m, 1h; 0: never) [default: 10m]'
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'appt;completions'= {
            cand --db 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)'
            cand --read-db 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]'
            cand --max-lag 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]'
            cand -c 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --clinic 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)'
            cand --width 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)'
            cand --as 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person'
            cand --json 'Print one JSON document on stdout; errors go to stderr as JSON'
            cand --no-input 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'appt;help'= {
            cand init 'Create the database (safe to run again)'
            cand clinic 'Clinics: locations with their time zone and rules'
            cand doctor 'Doctors'
            cand service 'Services (appointment types)'
            cand resource 'Rooms and equipment a service needs'
            cand window 'Windows: when bookings are possible'
            cand closure 'Closures: holidays and leave'
            cand patient 'Patients'
            cand slots 'Free slots of a doctor (or clinic-wide) on a date'
            cand book 'Book an appointment'
            cand reschedule 'Move an appointment to another time (or doctor)'
            cand cancel 'Cancel an appointment'
            cand status 'Move an appointment along scheduled → confirmed → checked_in → in_progress → completed, or no_show'
            cand update 'Edit an appointment''s notes, reason, diagnosis, prescription or follow-up'
            cand show 'Show one appointment'
            cand history 'An appointment''s events, oldest first'
            cand list 'List appointments'
            cand count 'Count appointments created since a time'
            cand report 'A clinic''s figures over a period: utilisation, no-shows, late cancellations, lead time, sources, messages'
            cand next 'The first free slots from now on, across days and doctors'
            cand agenda 'The day sheet: per doctor, in time order, with free slots as gaps'
            cand queue 'Today''s patients per doctor in token order; `queue next` calls the next one in'
            cand waitlist 'Patients waiting for a doctor on a date; a freed time is offered to them'
            cand remind 'Reminders, waitlist offers and patient notifications: deliver the due ones (cron), list them'
            cand recall 'Recalls: patients whose follow-up date has come; list them, send each its message once'
            cand events 'The event log as JSON Lines, oldest first'
            cand export 'Export appointments as iCalendar, a FHIR R4 Bundle, JSON Lines or CSV'
            cand webhook 'Webhooks: POST events to other systems (deliver from cron)'
            cand channel 'Channels: WhatsApp, SMS and e-mail accounts appt sends through, per clinic'
            cand inbox 'What patients wrote to the clinic''s channels that appt did not act on by itself'
            cand token 'API tokens for `appt serve`: add (shown once), list, revoke'
            cand staff 'The people at the desk: add (with a PIN), list, update, remove, pin'
            cand login 'Sign in at this terminal with your PIN (once the database has staff)'
            cand logout 'Sign out of this terminal'
            cand access-log 'Who looked at which patient''s clinical record, and when (managers)'
            cand whoami 'Who is signed in at this terminal'
            cand feed 'Calendar feeds: a doctor''s visits (or a clinic''s) on their phone (subscription, CalDAV)'
            cand calendar 'A doctor''s own calendars (ICS, CalDAV): their busy times block the doctor''s slots'
            cand check 'Check the database: SQLite''s integrity and foreign keys, and appt''s own rules'
            cand backup 'Copy the database to FILE while others keep working (mode 0600)'
            cand purge 'Remove what need not be kept of visits that ended before a date: messages, links, events'' personal fields'
            cand key 'The national-ID key: make a new one and seal every national ID again under it'
            cand import 'Book every line of a JSON Lines file (or -) through the booking rules'
            cand transfer 'Copy every row into an empty database of either kind (a file or a postgres:// server)'
            cand demo 'Seed a sample clinic into its own database (replacing only an earlier demo) and show today and tomorrow'
            cand serve 'Serve the HTTP API for bots, web forms and voice agents (tokens: `appt token`)'
            cand board 'The front desk''s live screen of one clinic''s day: book, check in, move and cancel from the keyboard'
            cand completions 'Print the shell completion script for bash, zsh, fish, elvish or powershell'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'appt;help;init'= {
        }
        &'appt;help;clinic'= {
            cand add 'Add a clinic'
            cand list 'List clinics'
            cand show 'Show a clinic and its settings'
            cand update 'Change a clinic''s name or settings'
        }
        &'appt;help;clinic;add'= {
        }
        &'appt;help;clinic;list'= {
        }
        &'appt;help;clinic;show'= {
        }
        &'appt;help;clinic;update'= {
        }
        &'appt;help;doctor'= {
            cand add 'Add a doctor'
            cand list 'List doctors'
            cand show 'Show a doctor'
            cand update 'Change a doctor'
        }
        &'appt;help;doctor;add'= {
        }
        &'appt;help;doctor;list'= {
        }
        &'appt;help;doctor;show'= {
        }
        &'appt;help;doctor;update'= {
        }
        &'appt;help;service'= {
            cand add 'Add a service'
            cand list 'List services'
            cand update 'Rename a service, change its duration, its daily limit, its buffers or whether the booking page offers it'
            cand remove 'Remove a service (its past appointments keep it)'
        }
        &'appt;help;service;add'= {
        }
        &'appt;help;service;list'= {
        }
        &'appt;help;service;update'= {
        }
        &'appt;help;service;remove'= {
        }
        &'appt;help;resource'= {
            cand add 'Add a room or a piece of equipment'
            cand list 'List the rooms and equipment'
            cand show 'Show a room or a piece of equipment'
            cand update 'Change a room or a piece of equipment'
            cand remove 'Remove one no visit to come holds and no service needs'
        }
        &'appt;help;resource;add'= {
        }
        &'appt;help;resource;list'= {
        }
        &'appt;help;resource;show'= {
        }
        &'appt;help;resource;update'= {
        }
        &'appt;help;resource;remove'= {
        }
        &'appt;help;window'= {
            cand add 'Add a weekly or one-date window for a doctor or the whole clinic'
            cand list 'List windows'
            cand close 'Stop taking bookings in a window (its slots show as SLOT_INACTIVE)'
            cand open 'Take bookings in a closed window again'
            cand remove 'Delete a window that has no upcoming appointments'
        }
        &'appt;help;window;add'= {
        }
        &'appt;help;window;list'= {
        }
        &'appt;help;window;close'= {
        }
        &'appt;help;window;open'= {
        }
        &'appt;help;window;remove'= {
        }
        &'appt;help;closure'= {
            cand add 'Close a doctor (leave) or, with --clinic, a whole clinic (holiday) for some dates'
            cand list 'List closures'
            cand remove 'Delete a closure'
        }
        &'appt;help;closure;add'= {
        }
        &'appt;help;closure;list'= {
        }
        &'appt;help;closure;remove'= {
        }
        &'appt;help;patient'= {
            cand add 'Add a patient (unique by phone)'
            cand list 'List patients, optionally searching name and phone'
            cand show 'Show a patient'
            cand update 'Change a patient'
            cand export 'Everything appt holds about a patient, for a patient who asks for it'
            cand erase 'Erase a patient on request: name, phone, e-mail, national ID, messages and links go; their appointments stay, anonymised'
        }
        &'appt;help;patient;add'= {
        }
        &'appt;help;patient;list'= {
        }
        &'appt;help;patient;show'= {
        }
        &'appt;help;patient;update'= {
        }
        &'appt;help;patient;export'= {
        }
        &'appt;help;patient;erase'= {
        }
        &'appt;help;slots'= {
        }
        &'appt;help;book'= {
        }
        &'appt;help;reschedule'= {
        }
        &'appt;help;cancel'= {
        }
        &'appt;help;status'= {
        }
        &'appt;help;update'= {
        }
        &'appt;help;show'= {
        }
        &'appt;help;history'= {
        }
        &'appt;help;list'= {
        }
        &'appt;help;count'= {
        }
        &'appt;help;report'= {
        }
        &'appt;help;next'= {
        }
        &'appt;help;agenda'= {
        }
        &'appt;help;queue'= {
            cand next 'Call the next patient: the first checked-in appointment of today in the clinic''s queue order (--queue-order: the earliest appointment, a walk-in at its arrival; or the lowest token) moves to in_progress'
        }
        &'appt;help;queue;next'= {
        }
        &'appt;help;waitlist'= {
            cand add 'Put a patient on the waitlist for a doctor and date; a freed time is offered oldest first'
            cand list 'Who is waiting, from today on'
            cand remove 'Take an entry off the waitlist'
        }
        &'appt;help;waitlist;add'= {
        }
        &'appt;help;waitlist;list'= {
        }
        &'appt;help;waitlist;remove'= {
        }
        &'appt;help;remind'= {
            cand due 'Deliver the reminders, waitlist offers and patient notifications that are due (cron runs this every few minutes)'
            cand list 'List reminders and the other messages `remind due` delivers'
        }
        &'appt;help;remind;due'= {
        }
        &'appt;help;remind;list'= {
        }
        &'appt;help;recall'= {
            cand list 'The clinic''s recall list: completed visits whose follow-up date has come, with whether each was sent or booked'
            cand send 'Send each due recall its one message, with a link to the booking page (through the clinic''s channels, the hook, or as JSON lines)'
        }
        &'appt;help;recall;list'= {
        }
        &'appt;help;recall;send'= {
        }
        &'appt;help;events'= {
        }
        &'appt;help;export'= {
        }
        &'appt;help;webhook'= {
            cand add 'Add a webhook: events recorded from now on are POSTed to URL'
            cand list 'List webhooks and how their deliveries stand'
            cand remove 'Remove a webhook'
            cand deliver 'POST every undelivered event (cron runs this every few minutes)'
        }
        &'appt;help;webhook;add'= {
        }
        &'appt;help;webhook;list'= {
        }
        &'appt;help;webhook;remove'= {
        }
        &'appt;help;webhook;deliver'= {
        }
        &'appt;help;channel'= {
            cand add 'Add a channel to the clinic, last in its order: WhatsApp, SMS or e-mail'
            cand list 'List the clinic''s channels in their order (never a secret)'
            cand remove 'Remove a channel'
            cand order 'Set the order the clinic''s channels are tried in: the named first, the rest after'
            cand test 'Send one short test message now through a channel (exit 7 when the provider refuses it)'
        }
        &'appt;help;channel;add'= {
            cand whatsapp 'WhatsApp through Meta''s Cloud API (the token from --token-file, else APPT_WHATSAPP_TOKEN)'
            cand sms 'SMS through Twilio''s REST API (the auth token from --auth-token-file, else APPT_TWILIO_AUTH_TOKEN)'
            cand email 'E-mail over SMTP with TLS or STARTTLS (the password from --password-file, else APPT_SMTP_PASSWORD)'
        }
        &'appt;help;channel;add;whatsapp'= {
        }
        &'appt;help;channel;add;sms'= {
        }
        &'appt;help;channel;add;email'= {
        }
        &'appt;help;channel;list'= {
        }
        &'appt;help;channel;remove'= {
        }
        &'appt;help;channel;order'= {
        }
        &'appt;help;channel;test'= {
        }
        &'appt;help;inbox'= {
            cand done 'Mark a message done: the inbox no longer shows it'
            cand show 'Show one message whole, with who wrote and their next visit'
            cand reply 'Answer a message through the channel it came by; sent, it is done'
        }
        &'appt;help;inbox;done'= {
        }
        &'appt;help;inbox;show'= {
        }
        &'appt;help;inbox;reply'= {
        }
        &'appt;help;token'= {
            cand add 'Make an API token for `appt serve`; it is printed once and kept only as its SHA-256'
            cand list 'List API tokens: name, prefix, scopes, clinic, created, expires, last used (never the token)'
            cand revoke 'Revoke an API token: requests with it are refused from the next one'
        }
        &'appt;help;token;add'= {
        }
        &'appt;help;token;list'= {
        }
        &'appt;help;token;revoke'= {
        }
        &'appt;help;staff'= {
            cand add 'Add a member of staff, with their PIN (the first member is a manager)'
            cand list 'List the staff: name, role, doctor, clinic (never a PIN)'
            cand update 'Rename a member, or change their role, doctor or clinic'
            cand remove 'Remove a member of staff (the last manager stays)'
            cand pin 'Set a member''s PIN (4 to 8 digits), asked twice and never shown'
        }
        &'appt;help;staff;add'= {
        }
        &'appt;help;staff;list'= {
        }
        &'appt;help;staff;update'= {
        }
        &'appt;help;staff;remove'= {
        }
        &'appt;help;staff;pin'= {
        }
        &'appt;help;login'= {
        }
        &'appt;help;logout'= {
        }
        &'appt;help;access-log'= {
        }
        &'appt;help;whoami'= {
        }
        &'appt;help;feed'= {
            cand add 'Publish a doctor''s visits (or a clinic''s) as a calendar; its secret address is printed once'
            cand list 'List calendar feeds: name, prefix, whose visits, how patients show (never the address)'
            cand revoke 'Revoke a calendar feed: its address and CalDAV account answer 404 from the next request'
        }
        &'appt;help;feed;add'= {
        }
        &'appt;help;feed;list'= {
        }
        &'appt;help;feed;revoke'= {
        }
        &'appt;help;calendar'= {
            cand add 'Connect a doctor''s own calendar (ICS address or CalDAV); its busy times block their slots'
            cand list 'List the doctors'' calendars: kind, host, busy times, last sync, stale since and why'
            cand show 'Show one calendar'
            cand sync 'Read calendars now (all, one, or a doctor''s), for cron; exit 7 if one failed'
            cand remove 'Remove a calendar and the busy times read from it'
        }
        &'appt;help;calendar;add'= {
        }
        &'appt;help;calendar;list'= {
        }
        &'appt;help;calendar;show'= {
        }
        &'appt;help;calendar;sync'= {
        }
        &'appt;help;calendar;remove'= {
        }
        &'appt;help;check'= {
        }
        &'appt;help;backup'= {
        }
        &'appt;help;purge'= {
        }
        &'appt;help;key'= {
            cand rotate 'Make a new national-ID key and seal every national ID again under it, in one transaction'
        }
        &'appt;help;key;rotate'= {
        }
        &'appt;help;import'= {
        }
        &'appt;help;transfer'= {
        }
        &'appt;help;demo'= {
        }
        &'appt;help;serve'= {
        }
        &'appt;help;board'= {
        }
        &'appt;help;completions'= {
        }
        &'appt;help;help'= {
        }
    ]
    $completions[$command]
}
