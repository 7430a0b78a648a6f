
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'appt' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'appt'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'appt' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the database (safe to run again)')
            [CompletionResult]::new('clinic', 'clinic', [CompletionResultType]::ParameterValue, 'Clinics: locations with their time zone and rules')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Doctors')
            [CompletionResult]::new('service', 'service', [CompletionResultType]::ParameterValue, 'Services (appointment types)')
            [CompletionResult]::new('resource', 'resource', [CompletionResultType]::ParameterValue, 'Rooms and equipment a service needs')
            [CompletionResult]::new('window', 'window', [CompletionResultType]::ParameterValue, 'Windows: when bookings are possible')
            [CompletionResult]::new('closure', 'closure', [CompletionResultType]::ParameterValue, 'Closures: holidays and leave')
            [CompletionResult]::new('patient', 'patient', [CompletionResultType]::ParameterValue, 'Patients')
            [CompletionResult]::new('slots', 'slots', [CompletionResultType]::ParameterValue, 'Free slots of a doctor (or clinic-wide) on a date')
            [CompletionResult]::new('book', 'book', [CompletionResultType]::ParameterValue, 'Book an appointment')
            [CompletionResult]::new('reschedule', 'reschedule', [CompletionResultType]::ParameterValue, 'Move an appointment to another time (or doctor)')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel an appointment')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Move an appointment along scheduled → confirmed → checked_in → in_progress → completed, or no_show')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Edit an appointment''s notes, reason, diagnosis, prescription or follow-up')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one appointment')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'An appointment''s events, oldest first')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List appointments')
            [CompletionResult]::new('count', 'count', [CompletionResultType]::ParameterValue, 'Count appointments created since a time')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'A clinic''s figures over a period: utilisation, no-shows, late cancellations, lead time, sources, messages')
            [CompletionResult]::new('next', 'next', [CompletionResultType]::ParameterValue, 'The first free slots from now on, across days and doctors')
            [CompletionResult]::new('agenda', 'agenda', [CompletionResultType]::ParameterValue, 'The day sheet: per doctor, in time order, with free slots as gaps')
            [CompletionResult]::new('queue', 'queue', [CompletionResultType]::ParameterValue, 'Today''s patients per doctor in token order; `queue next` calls the next one in')
            [CompletionResult]::new('waitlist', 'waitlist', [CompletionResultType]::ParameterValue, 'Patients waiting for a doctor on a date; a freed time is offered to them')
            [CompletionResult]::new('remind', 'remind', [CompletionResultType]::ParameterValue, 'Reminders, waitlist offers and patient notifications: deliver the due ones (cron), list them')
            [CompletionResult]::new('recall', 'recall', [CompletionResultType]::ParameterValue, 'Recalls: patients whose follow-up date has come; list them, send each its message once')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'The event log as JSON Lines, oldest first')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export appointments as iCalendar, a FHIR R4 Bundle, JSON Lines or CSV')
            [CompletionResult]::new('webhook', 'webhook', [CompletionResultType]::ParameterValue, 'Webhooks: POST events to other systems (deliver from cron)')
            [CompletionResult]::new('channel', 'channel', [CompletionResultType]::ParameterValue, 'Channels: WhatsApp, SMS and e-mail accounts appt sends through, per clinic')
            [CompletionResult]::new('inbox', 'inbox', [CompletionResultType]::ParameterValue, 'What patients wrote to the clinic''s channels that appt did not act on by itself')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'API tokens for `appt serve`: add (shown once), list, revoke')
            [CompletionResult]::new('staff', 'staff', [CompletionResultType]::ParameterValue, 'The people at the desk: add (with a PIN), list, update, remove, pin')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Sign in at this terminal with your PIN (once the database has staff)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Sign out of this terminal')
            [CompletionResult]::new('access-log', 'access-log', [CompletionResultType]::ParameterValue, 'Who looked at which patient''s clinical record, and when (managers)')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Who is signed in at this terminal')
            [CompletionResult]::new('feed', 'feed', [CompletionResultType]::ParameterValue, 'Calendar feeds: a doctor''s visits (or a clinic''s) on their phone (subscription, CalDAV)')
            [CompletionResult]::new('calendar', 'calendar', [CompletionResultType]::ParameterValue, 'A doctor''s own calendars (ICS, CalDAV): their busy times block the doctor''s slots')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the database: SQLite''s integrity and foreign keys, and appt''s own rules')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Copy the database to FILE while others keep working (mode 0600)')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Remove what need not be kept of visits that ended before a date: messages, links, events'' personal fields')
            [CompletionResult]::new('key', 'key', [CompletionResultType]::ParameterValue, 'The national-ID key: make a new one and seal every national ID again under it')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Book every line of a JSON Lines file (or -) through the booking rules')
            [CompletionResult]::new('transfer', 'transfer', [CompletionResultType]::ParameterValue, 'Copy every row into an empty database of either kind (a file or a postgres:// server)')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Seed a sample clinic into its own database (replacing only an earlier demo) and show today and tomorrow')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the HTTP API for bots, web forms and voice agents (tokens: `appt token`)')
            [CompletionResult]::new('board', 'board', [CompletionResultType]::ParameterValue, 'The front desk''s live screen of one clinic''s day: book, check in, move and cancel from the keyboard')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script for bash, zsh, fish, elvish or powershell')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;init' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;clinic' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a clinic')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List clinics')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a clinic and its settings')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a clinic''s name or settings')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;clinic;add' {
            [CompletionResult]::new('--timezone', '--timezone', [CompletionResultType]::ParameterName, 'IANA time zone, e.g. America/El_Salvador (required for add)')
            [CompletionResult]::new('--slot-minutes', '--slot-minutes', [CompletionResultType]::ParameterName, 'Slot length in minutes of windows that name none (and whose doctor names none)')
            [CompletionResult]::new('--min-notice', '--min-notice', [CompletionResultType]::ParameterName, 'A booking must start at least this long after now, e.g. 2h')
            [CompletionResult]::new('--horizon', '--horizon', [CompletionResultType]::ParameterName, 'A booking must start within this long from now, e.g. 90d')
            [CompletionResult]::new('--cancel-window', '--cancel-window', [CompletionResultType]::ParameterName, 'Refuse cancel/reschedule this close to the start unless --force, e.g. 2h or "2 h" (or in Spanish "2 horas"); 0m is off')
            [CompletionResult]::new('--reminders', '--reminders', [CompletionResultType]::ParameterName, 'Reminder offsets before each appointment, e.g. 24h,2h, or none')
            [CompletionResult]::new('--duplicate-check', '--duplicate-check', [CompletionResultType]::ParameterName, 'One active booking per patient, service and date: on|off')
            [CompletionResult]::new('--require-diagnosis', '--require-diagnosis', [CompletionResultType]::ParameterName, 'Completing an appointment needs --diagnosis: on|off')
            [CompletionResult]::new('--notify', '--notify', [CompletionResultType]::ParameterName, 'Confirmation, rescheduled and cancelled messages to patients through `remind due`: on|off')
            [CompletionResult]::new('--country-code', '--country-code', [CompletionResultType]::ParameterName, 'Country code of the clinic''s local phone numbers, e.g. +503: a phone typed without its + is read in it; none clears it')
            [CompletionResult]::new('--language', '--language', [CompletionResultType]::ParameterName, 'The language of the clinic''s messages to patients: en|es')
            [CompletionResult]::new('--date-order', '--date-order', [CompletionResultType]::ParameterName, 'How a date typed 4/12 is read: dmy (4 December) or mdy (12 April); without it, dmy for a clinic whose language is es, mdy otherwise')
            [CompletionResult]::new('--phone', '--phone', [CompletionResultType]::ParameterName, 'The clinic''s phone, as patients are to read it in messages, e.g. "2222-3333"; none clears it')
            [CompletionResult]::new('--public-url', '--public-url', [CompletionResultType]::ParameterName, 'Where patients'' phones reach `appt serve` (usually a TLS proxy), e.g. https://citas.example.com: messages carry links under it; none clears it')
            [CompletionResult]::new('--template', '--template', [CompletionResultType]::ParameterName, 'The clinic''s own text for one kind of message (reminder, confirmation, rescheduled, cancelled, waitlist_offer, recall) with placeholders such as {patient}, {date}, {time}, {link}; KIND= restores the built-in text. Repeatable')
            [CompletionResult]::new('--retain-messages', '--retain-messages', [CompletionResultType]::ParameterName, 'Keep messages, patients'' links and the personal fields of events this long after a visit is over, e.g. 90d; `remind due` purges what is older; none keeps them for ever')
            [CompletionResult]::new('--queue-order', '--queue-order', [CompletionResultType]::ParameterName, 'The order `queue next`, `queue` and the board call checked-in patients in: time (the appointment''s start, a walk-in''s arrival) or token (the token number)')
            [CompletionResult]::new('--late-after', '--late-after', [CompletionResultType]::ParameterName, 'Minutes past its start after which a visit nobody arrived for is shown late (board, agenda, queue)')
            [CompletionResult]::new('--payers', '--payers', [CompletionResultType]::ParameterName, 'Who may pay for a visit, comma-separated, e.g. "Privado,ISSS,Seguros Futuro": an appointment''s --payer is one of them; "" clears the list')
            [CompletionResult]::new('--video-url', '--video-url', [CompletionResultType]::ParameterName, 'The video link a telemedicine visit''s messages give instead of the address ({video_url}), e.g. https://meet.example.com/clinica; none clears it')
            [CompletionResult]::new('--max-overbook-per-day', '--max-overbook-per-day', [CompletionResultType]::ParameterName, 'How many overbooked visits (book --overbook) a doctor may have in a day, 0 to 50; 0 allows none (2 for a new clinic)')
            [CompletionResult]::new('--online-booking', '--online-booking', [CompletionResultType]::ParameterName, 'Whether `appt serve` offers the clinic''s online booking page, at {public URL}/b/{slug}: on|off (off for a new clinic)')
            [CompletionResult]::new('--slug', '--slug', [CompletionResultType]::ParameterName, 'The end of the booking page''s address: 1 to 60 of a-z, 0-9 and -, e.g. san-benito; none takes the clinic''s name, lower-cased, without accents, words joined by - (as a new clinic has it)')
            [CompletionResult]::new('--web-horizon', '--web-horizon', [CompletionResultType]::ParameterName, 'How far ahead the booking page offers times, e.g. 14d (30d for a new clinic)')
            [CompletionResult]::new('--web-notice', '--web-notice', [CompletionResultType]::ParameterName, 'The least notice a booking on the page takes, e.g. 1h; 0m for none (2h for a new clinic)')
            [CompletionResult]::new('--web-hold', '--web-hold', [CompletionResultType]::ParameterName, 'How long the page holds a time for a patient typing the code sent to their phone, 1m to 60m (10m for a new clinic)')
            [CompletionResult]::new('--recalls', '--recalls', [CompletionResultType]::ParameterName, 'Whether `appt remind due` also sends the clinic''s due recalls (the patients whose follow-up date has come): on|off (off for a new clinic)')
            [CompletionResult]::new('--web-countries', '--web-countries', [CompletionResultType]::ParameterName, 'Country codes besides the clinic''s own whose phones the booking page sends codes to, e.g. +502,+504; none for no other (none for a new clinic)')
            [CompletionResult]::new('--web-codes-per-hour', '--web-codes-per-hour', [CompletionResultType]::ParameterName, 'The most codes the booking page sends in an hour, past which it offers the clinic''s phone (60 for a new clinic)')
            [CompletionResult]::new('--session-hours', '--session-hours', [CompletionResultType]::ParameterName, 'How long a session opened by `appt login` lasts here unless --for says otherwise: hours, 1 to 24 (8 for a new clinic)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'appt;clinic;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;clinic;show' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;clinic;update' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'New name')
            [CompletionResult]::new('--timezone', '--timezone', [CompletionResultType]::ParameterName, 'IANA time zone, e.g. America/El_Salvador (required for add)')
            [CompletionResult]::new('--slot-minutes', '--slot-minutes', [CompletionResultType]::ParameterName, 'Slot length in minutes of windows that name none (and whose doctor names none)')
            [CompletionResult]::new('--min-notice', '--min-notice', [CompletionResultType]::ParameterName, 'A booking must start at least this long after now, e.g. 2h')
            [CompletionResult]::new('--horizon', '--horizon', [CompletionResultType]::ParameterName, 'A booking must start within this long from now, e.g. 90d')
            [CompletionResult]::new('--cancel-window', '--cancel-window', [CompletionResultType]::ParameterName, 'Refuse cancel/reschedule this close to the start unless --force, e.g. 2h or "2 h" (or in Spanish "2 horas"); 0m is off')
            [CompletionResult]::new('--reminders', '--reminders', [CompletionResultType]::ParameterName, 'Reminder offsets before each appointment, e.g. 24h,2h, or none')
            [CompletionResult]::new('--duplicate-check', '--duplicate-check', [CompletionResultType]::ParameterName, 'One active booking per patient, service and date: on|off')
            [CompletionResult]::new('--require-diagnosis', '--require-diagnosis', [CompletionResultType]::ParameterName, 'Completing an appointment needs --diagnosis: on|off')
            [CompletionResult]::new('--notify', '--notify', [CompletionResultType]::ParameterName, 'Confirmation, rescheduled and cancelled messages to patients through `remind due`: on|off')
            [CompletionResult]::new('--country-code', '--country-code', [CompletionResultType]::ParameterName, 'Country code of the clinic''s local phone numbers, e.g. +503: a phone typed without its + is read in it; none clears it')
            [CompletionResult]::new('--language', '--language', [CompletionResultType]::ParameterName, 'The language of the clinic''s messages to patients: en|es')
            [CompletionResult]::new('--date-order', '--date-order', [CompletionResultType]::ParameterName, 'How a date typed 4/12 is read: dmy (4 December) or mdy (12 April); without it, dmy for a clinic whose language is es, mdy otherwise')
            [CompletionResult]::new('--phone', '--phone', [CompletionResultType]::ParameterName, 'The clinic''s phone, as patients are to read it in messages, e.g. "2222-3333"; none clears it')
            [CompletionResult]::new('--public-url', '--public-url', [CompletionResultType]::ParameterName, 'Where patients'' phones reach `appt serve` (usually a TLS proxy), e.g. https://citas.example.com: messages carry links under it; none clears it')
            [CompletionResult]::new('--template', '--template', [CompletionResultType]::ParameterName, 'The clinic''s own text for one kind of message (reminder, confirmation, rescheduled, cancelled, waitlist_offer, recall) with placeholders such as {patient}, {date}, {time}, {link}; KIND= restores the built-in text. Repeatable')
            [CompletionResult]::new('--retain-messages', '--retain-messages', [CompletionResultType]::ParameterName, 'Keep messages, patients'' links and the personal fields of events this long after a visit is over, e.g. 90d; `remind due` purges what is older; none keeps them for ever')
            [CompletionResult]::new('--queue-order', '--queue-order', [CompletionResultType]::ParameterName, 'The order `queue next`, `queue` and the board call checked-in patients in: time (the appointment''s start, a walk-in''s arrival) or token (the token number)')
            [CompletionResult]::new('--late-after', '--late-after', [CompletionResultType]::ParameterName, 'Minutes past its start after which a visit nobody arrived for is shown late (board, agenda, queue)')
            [CompletionResult]::new('--payers', '--payers', [CompletionResultType]::ParameterName, 'Who may pay for a visit, comma-separated, e.g. "Privado,ISSS,Seguros Futuro": an appointment''s --payer is one of them; "" clears the list')
            [CompletionResult]::new('--video-url', '--video-url', [CompletionResultType]::ParameterName, 'The video link a telemedicine visit''s messages give instead of the address ({video_url}), e.g. https://meet.example.com/clinica; none clears it')
            [CompletionResult]::new('--max-overbook-per-day', '--max-overbook-per-day', [CompletionResultType]::ParameterName, 'How many overbooked visits (book --overbook) a doctor may have in a day, 0 to 50; 0 allows none (2 for a new clinic)')
            [CompletionResult]::new('--online-booking', '--online-booking', [CompletionResultType]::ParameterName, 'Whether `appt serve` offers the clinic''s online booking page, at {public URL}/b/{slug}: on|off (off for a new clinic)')
            [CompletionResult]::new('--slug', '--slug', [CompletionResultType]::ParameterName, 'The end of the booking page''s address: 1 to 60 of a-z, 0-9 and -, e.g. san-benito; none takes the clinic''s name, lower-cased, without accents, words joined by - (as a new clinic has it)')
            [CompletionResult]::new('--web-horizon', '--web-horizon', [CompletionResultType]::ParameterName, 'How far ahead the booking page offers times, e.g. 14d (30d for a new clinic)')
            [CompletionResult]::new('--web-notice', '--web-notice', [CompletionResultType]::ParameterName, 'The least notice a booking on the page takes, e.g. 1h; 0m for none (2h for a new clinic)')
            [CompletionResult]::new('--web-hold', '--web-hold', [CompletionResultType]::ParameterName, 'How long the page holds a time for a patient typing the code sent to their phone, 1m to 60m (10m for a new clinic)')
            [CompletionResult]::new('--recalls', '--recalls', [CompletionResultType]::ParameterName, 'Whether `appt remind due` also sends the clinic''s due recalls (the patients whose follow-up date has come): on|off (off for a new clinic)')
            [CompletionResult]::new('--web-countries', '--web-countries', [CompletionResultType]::ParameterName, 'Country codes besides the clinic''s own whose phones the booking page sends codes to, e.g. +502,+504; none for no other (none for a new clinic)')
            [CompletionResult]::new('--web-codes-per-hour', '--web-codes-per-hour', [CompletionResultType]::ParameterName, 'The most codes the booking page sends in an hour, past which it offers the clinic''s phone (60 for a new clinic)')
            [CompletionResult]::new('--session-hours', '--session-hours', [CompletionResultType]::ParameterName, 'How long a session opened by `appt login` lasts here unless --for says otherwise: hours, 1 to 24 (8 for a new clinic)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--all-online', '--all-online', [CompletionResultType]::ParameterName, 'Put on the booking page every doctor with a window at the clinic and every service they may do there (as doctor and service update --online yes would, one by one)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;clinic;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a clinic')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List clinics')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a clinic and its settings')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a clinic''s name or settings')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;clinic;help;add' {
            break
        }
        'appt;clinic;help;list' {
            break
        }
        'appt;clinic;help;show' {
            break
        }
        'appt;clinic;help;update' {
            break
        }
        'appt;clinic;help;help' {
            break
        }
        'appt;doctor' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a doctor')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List doctors')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a doctor')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a doctor')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;doctor;add' {
            [CompletionResult]::new('--specialty', '--specialty', [CompletionResultType]::ParameterName, 'Specialty, e.g. "Medicina General"')
            [CompletionResult]::new('--slot-minutes', '--slot-minutes', [CompletionResultType]::ParameterName, 'Slot length in minutes of this doctor''s windows that name none [default: the clinic''s]')
            [CompletionResult]::new('--online', '--online', [CompletionResultType]::ParameterName, 'Whether the online booking page offers the doctor: yes|no (no by default)')
            [CompletionResult]::new('--services', '--services', [CompletionResultType]::ParameterName, 'The services the doctor does, comma-separated, or all (the default): a window takes only these')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--same-name', '--same-name', [CompletionResultType]::ParameterName, 'Add a doctor whose name another doctor already has')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;doctor;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;doctor;show' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;doctor;update' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'New full name')
            [CompletionResult]::new('--specialty', '--specialty', [CompletionResultType]::ParameterName, 'New specialty')
            [CompletionResult]::new('--slot-minutes', '--slot-minutes', [CompletionResultType]::ParameterName, 'New slot length in minutes of this doctor''s windows that name none')
            [CompletionResult]::new('--active', '--active', [CompletionResultType]::ParameterName, 'Whether the doctor takes bookings: true|false')
            [CompletionResult]::new('--max-per-day', '--max-per-day', [CompletionResultType]::ParameterName, 'The most active appointments a day (1–1000), at all clinics; none takes the cap away')
            [CompletionResult]::new('--online', '--online', [CompletionResultType]::ParameterName, 'Whether the online booking page offers the doctor: yes|no')
            [CompletionResult]::new('--services', '--services', [CompletionResultType]::ParameterName, 'The services the doctor does, comma-separated, or all: a window takes only these')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--same-name', '--same-name', [CompletionResultType]::ParameterName, 'Rename to a name another doctor already has')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;doctor;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a doctor')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List doctors')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a doctor')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a doctor')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;doctor;help;add' {
            break
        }
        'appt;doctor;help;list' {
            break
        }
        'appt;doctor;help;show' {
            break
        }
        'appt;doctor;help;update' {
            break
        }
        'appt;doctor;help;help' {
            break
        }
        'appt;service' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a service')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List services')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Rename a service, change its duration, its daily limit, its buffers or whether the booking page offers it')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a service (its past appointments keep it)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;service;add' {
            [CompletionResult]::new('--minutes', '--minutes', [CompletionResultType]::ParameterName, 'Duration in minutes (5–480)')
            [CompletionResult]::new('--max-per-day', '--max-per-day', [CompletionResultType]::ParameterName, 'The most of this service a day (1–1000), per doctor or per clinic''s clinic-wide hours; none (the default) for no cap')
            [CompletionResult]::new('--buffer-before', '--buffer-before', [CompletionResultType]::ParameterName, 'Minutes kept free before each appointment, e.g. to prepare (0–240; default 0)')
            [CompletionResult]::new('--buffer-after', '--buffer-after', [CompletionResultType]::ParameterName, 'Minutes kept free after each appointment, e.g. to clean (0–240; default 0)')
            [CompletionResult]::new('--online', '--online', [CompletionResultType]::ParameterName, 'Whether the online booking page offers the service: yes|no (no by default)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;service;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;service;update' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'New name')
            [CompletionResult]::new('--minutes', '--minutes', [CompletionResultType]::ParameterName, 'New duration in minutes')
            [CompletionResult]::new('--max-per-day', '--max-per-day', [CompletionResultType]::ParameterName, 'The most of this service a day (1–1000), per doctor or per clinic''s clinic-wide hours; none takes the cap away')
            [CompletionResult]::new('--buffer-before', '--buffer-before', [CompletionResultType]::ParameterName, 'New minutes kept free before each appointment (0–240), for bookings from now on')
            [CompletionResult]::new('--buffer-after', '--buffer-after', [CompletionResultType]::ParameterName, 'New minutes kept free after each appointment (0–240), for bookings from now on')
            [CompletionResult]::new('--online', '--online', [CompletionResultType]::ParameterName, 'Whether the online booking page offers the service: yes|no')
            [CompletionResult]::new('--needs', '--needs', [CompletionResultType]::ParameterName, 'Rooms or equipment it needs: one of each --needs, any of the names separated by | (none: nothing)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;service;remove' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;service;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a service')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List services')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Rename a service, change its duration, its daily limit, its buffers or whether the booking page offers it')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a service (its past appointments keep it)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;service;help;add' {
            break
        }
        'appt;service;help;list' {
            break
        }
        'appt;service;help;update' {
            break
        }
        'appt;service;help;remove' {
            break
        }
        'appt;service;help;help' {
            break
        }
        'appt;resource' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a room or a piece of equipment')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the rooms and equipment')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a room or a piece of equipment')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a room or a piece of equipment')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove one no visit to come holds and no service needs')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;resource;add' {
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'room or equipment (sala, equipo)')
            [CompletionResult]::new('--capacity', '--capacity', [CompletionResultType]::ParameterName, 'Visits it takes at once [default: 1]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;resource;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;resource;show' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;resource;update' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'name')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'kind')
            [CompletionResult]::new('--capacity', '--capacity', [CompletionResultType]::ParameterName, 'capacity')
            [CompletionResult]::new('--active', '--active', [CompletionResultType]::ParameterName, 'no: given to no new visit, its history kept')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;resource;remove' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'y')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'yes')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;resource;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a room or a piece of equipment')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the rooms and equipment')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a room or a piece of equipment')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a room or a piece of equipment')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove one no visit to come holds and no service needs')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;resource;help;add' {
            break
        }
        'appt;resource;help;list' {
            break
        }
        'appt;resource;help;show' {
            break
        }
        'appt;resource;help;update' {
            break
        }
        'appt;resource;help;remove' {
            break
        }
        'appt;resource;help;help' {
            break
        }
        'appt;window' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a weekly or one-date window for a doctor or the whole clinic')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List windows')
            [CompletionResult]::new('close', 'close', [CompletionResultType]::ParameterValue, 'Stop taking bookings in a window (its slots show as SLOT_INACTIVE)')
            [CompletionResult]::new('open', 'open', [CompletionResultType]::ParameterValue, 'Take bookings in a closed window again')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a window that has no upcoming appointments')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;window;add' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'The doctor this window belongs to')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'The doctor this window belongs to')
            [CompletionResult]::new('--days', '--days', [CompletionResultType]::ParameterName, 'Weekdays: mon-fri, mon,wed,fri, mon-fri,sun, or in Spanish lun-vie, lun,mié,vie, sáb')
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'One date (YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N, or in Spanish: mañana, viernes); replaces weekly windows that day')
            [CompletionResult]::new('--date', '--date', [CompletionResultType]::ParameterName, 'One date (YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N, or in Spanish: mañana, viernes); replaces weekly windows that day')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Start, local HH:MM')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'End, local HH:MM (24:00 for midnight)')
            [CompletionResult]::new('--slot-minutes', '--slot-minutes', [CompletionResultType]::ParameterName, 'Slot grid in minutes [default: the doctor''s, else the clinic''s]')
            [CompletionResult]::new('--capacity', '--capacity', [CompletionResultType]::ParameterName, 'How many appointments may overlap at any instant [default: 1]')
            [CompletionResult]::new('--session', '--session', [CompletionResultType]::ParameterName, 'Session label: Morning, Afternoon, Evening or free text')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Batch label')
            [CompletionResult]::new('--services', '--services', [CompletionResultType]::ParameterName, 'Only these services (names or IDs, comma-separated)')
            [CompletionResult]::new('--valid-from', '--valid-from', [CompletionResultType]::ParameterName, 'First date the weekly window applies')
            [CompletionResult]::new('--valid-to', '--valid-to', [CompletionResultType]::ParameterName, 'Last date the weekly window applies')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'A room''s or a machine''s own hours (with --days, --from, --to): it is then free only within them')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--clinic-wide', '--clinic-wide', [CompletionResultType]::ParameterName, 'A window for the whole clinic (no doctor)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;window;list' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Only this doctor''s windows')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'Only this doctor''s windows')
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'Only the windows that apply on this date (date windows replace weekly ones)')
            [CompletionResult]::new('--date', '--date', [CompletionResultType]::ParameterName, 'Only the windows that apply on this date (date windows replace weekly ones)')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'A room''s or a machine''s own hours instead')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;window;close' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;window;open' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;window;remove' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;window;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a weekly or one-date window for a doctor or the whole clinic')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List windows')
            [CompletionResult]::new('close', 'close', [CompletionResultType]::ParameterValue, 'Stop taking bookings in a window (its slots show as SLOT_INACTIVE)')
            [CompletionResult]::new('open', 'open', [CompletionResultType]::ParameterValue, 'Take bookings in a closed window again')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a window that has no upcoming appointments')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;window;help;add' {
            break
        }
        'appt;window;help;list' {
            break
        }
        'appt;window;help;close' {
            break
        }
        'appt;window;help;open' {
            break
        }
        'appt;window;help;remove' {
            break
        }
        'appt;window;help;help' {
            break
        }
        'appt;closure' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Close a doctor (leave) or, with --clinic, a whole clinic (holiday) for some dates')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List closures')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a closure')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;closure;add' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'The doctor who takes no bookings (else the clinic given with --clinic)')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'The doctor who takes no bookings (else the clinic given with --clinic)')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'First closed date')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Last closed date [default: the from date]')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Why, e.g. "Holiday" (shown to the front desk when a booking is refused)')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why, e.g. "Holiday" (shown to the front desk when a booking is refused)')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'Close a room or a machine instead (maintenance): it is given to no visit those days')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;closure;list' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Only this doctor''s closures')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'Only this doctor''s closures')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'A room''s or a machine''s closures instead')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;closure;remove' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;closure;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Close a doctor (leave) or, with --clinic, a whole clinic (holiday) for some dates')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List closures')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a closure')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;closure;help;add' {
            break
        }
        'appt;closure;help;list' {
            break
        }
        'appt;closure;help;remove' {
            break
        }
        'appt;closure;help;help' {
            break
        }
        'appt;patient' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a patient (unique by phone)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List patients, optionally searching name and phone')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a patient')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a patient')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Everything appt holds about a patient, for a patient who asks for it')
            [CompletionResult]::new('erase', 'erase', [CompletionResultType]::ParameterValue, 'Erase a patient on request: name, phone, e-mail, national ID, messages and links go; their appointments stay, anonymised')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;patient;add' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Full name')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Phone in E.164, or a local number at a clinic with a country code; spaces, dashes, dots and parentheses are removed')
            [CompletionResult]::new('--phone', '--phone', [CompletionResultType]::ParameterName, 'Phone in E.164, or a local number at a clinic with a country code; spaces, dashes, dots and parentheses are removed')
            [CompletionResult]::new('--national-id', '--national-id', [CompletionResultType]::ParameterName, 'National ID (stored encrypted)')
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'Email address')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'How the patient prefers to be sent messages: whatsapp, sms, email, or none for no messages [default: the clinic''s order]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;patient;list' {
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Text found in the name or the phone')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'At most this many')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;patient;show' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;patient;update' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'New full name')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'New phone')
            [CompletionResult]::new('--phone', '--phone', [CompletionResultType]::ParameterName, 'New phone')
            [CompletionResult]::new('--national-id', '--national-id', [CompletionResultType]::ParameterName, 'New national ID')
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'New email ("" clears it)')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'New preferred channel: whatsapp, sms, email or none ("" clears it: the clinic''s order)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;patient;export' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE (mode 0600, whole or not at all) instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE (mode 0600, whole or not at all) instead of standard output')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'json (everything appt holds), fhir (a FHIR R4 Bundle of the Patient and their Appointments) or html (a page to print, in the clinic''s language)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--include-national-id', '--include-national-id', [CompletionResultType]::ParameterName, 'Put the national ID in (it is opened with the key, as `patient show` does)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;patient;erase' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why: recorded with the erasure (the request''s date or number)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--clinical', '--clinical', [CompletionResultType]::ParameterName, 'The clinical record of their appointments goes too (diagnosis, prescription, follow-up)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;patient;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a patient (unique by phone)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List patients, optionally searching name and phone')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a patient')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a patient')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Everything appt holds about a patient, for a patient who asks for it')
            [CompletionResult]::new('erase', 'erase', [CompletionResultType]::ParameterValue, 'Erase a patient on request: name, phone, e-mail, national ID, messages and links go; their appointments stay, anonymised')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;patient;help;add' {
            break
        }
        'appt;patient;help;list' {
            break
        }
        'appt;patient;help;show' {
            break
        }
        'appt;patient;help;update' {
            break
        }
        'appt;patient;help;export' {
            break
        }
        'appt;patient;help;erase' {
            break
        }
        'appt;patient;help;help' {
            break
        }
        'appt;slots' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'The doctor')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'The doctor')
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'The date: YYYY-MM-DD, D/M, today, tomorrow, yesterday, a weekday, +N or -N, or in Spanish (hoy, mañana, pasado mañana, viernes)')
            [CompletionResult]::new('--date', '--date', [CompletionResultType]::ParameterName, 'The date: YYYY-MM-DD, D/M, today, tomorrow, yesterday, a weekday, +N or -N, or in Spanish (hoy, mañana, pasado mañana, viernes)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Slots long enough for this service')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Slots long enough for this service')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Slots long enough for this many minutes')
            [CompletionResult]::new('--session', '--session', [CompletionResultType]::ParameterName, 'Only this session (Morning, Afternoon, …)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--clinic-wide', '--clinic-wide', [CompletionResultType]::ParameterName, 'The clinic-wide windows instead of a doctor''s')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Every grid slot, with why the unavailable ones are not offered')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every grid slot, with why the unavailable ones are not offered')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;book' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'The doctor (name or ID)')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'The doctor (name or ID)')
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'Local date: YYYY-MM-DD, D/M (in the clinic''s --date-order), today, tomorrow, a weekday (the next one), +N or -N, or in Spanish (hoy, mañana, pasado mañana, viernes)')
            [CompletionResult]::new('--date', '--date', [CompletionResultType]::ParameterName, 'Local date: YYYY-MM-DD, D/M (in the clinic''s --date-order), today, tomorrow, a weekday (the next one), +N or -N, or in Spanish (hoy, mañana, pasado mañana, viernes)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Local time, HH:MM (24 h)')
            [CompletionResult]::new('--time', '--time', [CompletionResultType]::ParameterName, 'Local time, HH:MM (24 h)')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'The start as RFC 3339 with offset (picks either side of a DST fold)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'An existing patient: ID, prefix or phone')
            [CompletionResult]::new('--patient', '--patient', [CompletionResultType]::ParameterName, 'An existing patient: ID, prefix or phone')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'The patient''s phone (E.164, or local to a clinic with a country code); creates the patient if new')
            [CompletionResult]::new('--phone', '--phone', [CompletionResultType]::ParameterName, 'The patient''s phone (E.164, or local to a clinic with a country code); creates the patient if new')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The patient''s full name (replaces the stored one)')
            [CompletionResult]::new('--national-id', '--national-id', [CompletionResultType]::ParameterName, 'The patient''s national ID (stored encrypted)')
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'The patient''s email (replaces the stored one)')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'How the patient prefers to be sent messages: whatsapp, sms, email or none (replaces the stored one)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Service (appointment type) by name or ID')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Service (appointment type) by name or ID')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Length in minutes, 5–480 [default: the service''s, else the window''s slot]')
            [CompletionResult]::new('--session', '--session', [CompletionResultType]::ParameterName, 'Only in a window of this session (Morning, Afternoon, …)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Reason for the visit')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Reason for the visit')
            [CompletionResult]::new('--notes', '--notes', [CompletionResultType]::ParameterName, 'Notes')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Where the booking came from: manual, phone, whatsapp, web, walk_in, import, api')
            [CompletionResult]::new('--external-ref', '--external-ref', [CompletionResultType]::ParameterName, 'The caller''s own ID for this booking at its clinic: booking it again there returns the same appointment')
            [CompletionResult]::new('--overbook', '--overbook', [CompletionResultType]::ParameterName, 'Fit the visit in where availability or capacity would refuse it (an emergency), recorded with why and by whom: the reason given here, else --reason. Never a past time, a duplicate, or more than the clinic''s --max-overbook-per-day for the doctor')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'The room or machine to give it, of a group its service needs [default: the first free]')
            [CompletionResult]::new('--urgency', '--urgency', [CompletionResultType]::ParameterName, 'How soon the patient must be seen: normal, urgent or emergency (in Spanish urgente, emergencia) [default: normal]')
            [CompletionResult]::new('--modality', '--modality', [CompletionResultType]::ParameterName, 'Where the visit happens: in_person, telemedicine or home (in Spanish presencial, telemedicina, domicilio) [default: in_person]')
            [CompletionResult]::new('--visit-type', '--visit-type', [CompletionResultType]::ParameterName, 'first or follow_up (in Spanish "primera vez", control, seguimiento) [default: follow_up when the patient has an earlier completed visit with the doctor, else first]')
            [CompletionResult]::new('--payer', '--payer', [CompletionResultType]::ParameterName, 'Who pays: one of the clinic''s --payers (e.g. ISSS)')
            [CompletionResult]::new('--repeat', '--repeat', [CompletionResultType]::ParameterName, 'Book a series: the same local time every day or every week')
            [CompletionResult]::new('--every', '--every', [CompletionResultType]::ParameterName, 'A series every N days or weeks [default: 1]')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many occurrences a series has (at most 104)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'The last date a series may fall on')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--clinic-wide', '--clinic-wide', [CompletionResultType]::ParameterName, 'Book into a clinic-wide window (no doctor)')
            [CompletionResult]::new('--walk-in', '--walk-in', [CompletionResultType]::ParameterName, 'A patient who walked in: the first free slot from now in the window open now, checked in, with the day''s next token')
            [CompletionResult]::new('--no-notify', '--no-notify', [CompletionResultType]::ParameterName, 'Send the patient no confirmation message')
            [CompletionResult]::new('--overbook-resource', '--overbook-resource', [CompletionResultType]::ParameterName, 'With --overbook: its rooms and machines may be overbooked too (else never)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Book even into a time the doctor''s own calendar says they are busy')
            [CompletionResult]::new('--skip-conflicts', '--skip-conflicts', [CompletionResultType]::ParameterName, 'Book the occurrences that can be booked and list the others')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;reschedule' {
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'Local date: YYYY-MM-DD, D/M (in the clinic''s --date-order), today, tomorrow, a weekday (the next one), +N or -N, or in Spanish (hoy, mañana, pasado mañana, viernes)')
            [CompletionResult]::new('--date', '--date', [CompletionResultType]::ParameterName, 'Local date: YYYY-MM-DD, D/M (in the clinic''s --date-order), today, tomorrow, a weekday (the next one), +N or -N, or in Spanish (hoy, mañana, pasado mañana, viernes)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Local time, HH:MM (24 h)')
            [CompletionResult]::new('--time', '--time', [CompletionResultType]::ParameterName, 'Local time, HH:MM (24 h)')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'The start as RFC 3339 with offset (picks either side of a DST fold)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Move to another doctor')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'Move to another doctor')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'New length in minutes (else the length stays)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Why it moved (kept in the event)')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why it moved (kept in the event)')
            [CompletionResult]::new('--urgency', '--urgency', [CompletionResultType]::ParameterName, 'New urgency: normal, urgent or emergency (in Spanish urgente, emergencia)')
            [CompletionResult]::new('--modality', '--modality', [CompletionResultType]::ParameterName, 'New modality: in_person, telemedicine or home (in Spanish presencial, telemedicina, domicilio)')
            [CompletionResult]::new('--visit-type', '--visit-type', [CompletionResultType]::ParameterName, 'New visit type: first or follow_up (in Spanish "primera vez", control, seguimiento)')
            [CompletionResult]::new('--payer', '--payer', [CompletionResultType]::ParameterName, 'New payer: one of the clinic''s --payers; "" clears it')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Move even inside the clinic''s cancellation window, or into a busy time of the doctor''s own calendar')
            [CompletionResult]::new('--no-notify', '--no-notify', [CompletionResultType]::ParameterName, 'Send the patient no "rescheduled" message')
            [CompletionResult]::new('--series', '--series', [CompletionResultType]::ParameterName, 'Move this occurrence of a series and every later one to --time, each on its own date')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;cancel' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Why it is cancelled (required). Kept for the clinic: the patient is never sent it')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why it is cancelled (required). Kept for the clinic: the patient is never sent it')
            [CompletionResult]::new('--tell-patient', '--tell-patient', [CompletionResultType]::ParameterName, 'The reason the patient''s "cancelled" message gives (without it, the message gives none)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Cancel even inside the clinic''s cancellation window')
            [CompletionResult]::new('--no-notify', '--no-notify', [CompletionResultType]::ParameterName, 'Send the patient no "cancelled" message')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--series', '--series', [CompletionResultType]::ParameterName, 'Cancel this occurrence of a series and every later active one')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;status' {
            [CompletionResult]::new('--diagnosis', '--diagnosis', [CompletionResultType]::ParameterName, 'Diagnosis (required for completed when the clinic says so)')
            [CompletionResult]::new('--prescription', '--prescription', [CompletionResultType]::ParameterName, 'Prescription')
            [CompletionResult]::new('--follow-up', '--follow-up', [CompletionResultType]::ParameterName, 'Follow-up date (sets follow_up_required)')
            [CompletionResult]::new('--notes', '--notes', [CompletionResultType]::ParameterName, 'Notes')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;update' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Reason for the visit')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Reason for the visit')
            [CompletionResult]::new('--notes', '--notes', [CompletionResultType]::ParameterName, 'Notes')
            [CompletionResult]::new('--diagnosis', '--diagnosis', [CompletionResultType]::ParameterName, 'Diagnosis')
            [CompletionResult]::new('--prescription', '--prescription', [CompletionResultType]::ParameterName, 'Prescription')
            [CompletionResult]::new('--follow-up', '--follow-up', [CompletionResultType]::ParameterName, 'Follow-up date (sets follow_up_required)')
            [CompletionResult]::new('--urgency', '--urgency', [CompletionResultType]::ParameterName, 'New urgency: normal, urgent or emergency (in Spanish urgente, emergencia)')
            [CompletionResult]::new('--modality', '--modality', [CompletionResultType]::ParameterName, 'New modality: in_person, telemedicine or home (in Spanish presencial, telemedicina, domicilio)')
            [CompletionResult]::new('--visit-type', '--visit-type', [CompletionResultType]::ParameterName, 'New visit type: first or follow_up (in Spanish "primera vez", control, seguimiento)')
            [CompletionResult]::new('--payer', '--payer', [CompletionResultType]::ParameterName, 'New payer: one of the clinic''s --payers; "" clears it')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--no-follow-up', '--no-follow-up', [CompletionResultType]::ParameterName, 'Clear the follow-up')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;show' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;history' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;list' {
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'One local date: YYYY-MM-DD, D/M, today, tomorrow, yesterday, a weekday, +N or -N, or in Spanish (hoy, mañana, viernes)')
            [CompletionResult]::new('--date', '--date', [CompletionResultType]::ParameterName, 'One local date: YYYY-MM-DD, D/M, today, tomorrow, yesterday, a weekday, +N or -N, or in Spanish (hoy, mañana, viernes)')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'From this local date (inclusive)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'To this local date (inclusive)')
            [CompletionResult]::new('-S', '-S ', [CompletionResultType]::ParameterName, 'Only this status: scheduled, confirmed, checked_in, in_progress, completed, cancelled, no_show, or in Spanish (confirmada, llegó, atendida, ausente…)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only this status: scheduled, confirmed, checked_in, in_progress, completed, cancelled, no_show, or in Spanish (confirmada, llegó, atendida, ausente…)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Only this doctor''s')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'Only this doctor''s')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Only this patient''s (ID, prefix or phone)')
            [CompletionResult]::new('--patient', '--patient', [CompletionResultType]::ParameterName, 'Only this patient''s (ID, prefix or phone)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Only from this source')
            [CompletionResult]::new('--series', '--series', [CompletionResultType]::ParameterName, 'Only this series'' occurrences (its ID or prefix, or one occurrence''s ID)')
            [CompletionResult]::new('--urgency', '--urgency', [CompletionResultType]::ParameterName, 'Only this urgency: normal, urgent, emergency (or urgente, emergencia)')
            [CompletionResult]::new('--modality', '--modality', [CompletionResultType]::ParameterName, 'Only this modality: in_person, telemedicine, home (or presencial, telemedicina, domicilio)')
            [CompletionResult]::new('--visit-type', '--visit-type', [CompletionResultType]::ParameterName, 'Only first visits or follow-ups: first, follow_up (or "primera vez", control)')
            [CompletionResult]::new('--payer', '--payer', [CompletionResultType]::ParameterName, 'Only this payer''s (case ignored)')
            [CompletionResult]::new('--page', '--page', [CompletionResultType]::ParameterName, 'Page number, from 1')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Appointments per page, at most 500')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Appointments per page, at most 500')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;count' {
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Only from this source (e.g. whatsapp)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Created since this date (its local midnight) or RFC 3339 time [default: 24 hours ago]')
            [CompletionResult]::new('-S', '-S ', [CompletionResultType]::ParameterName, 'Only with this status now')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only with this status now')
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'Count in groups: urgency, modality, visit_type, payer or doctor')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--overbooked', '--overbooked', [CompletionResultType]::ParameterName, 'Only the overbooked visits (book --overbook)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;report' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The first date of the period [default: 28 days before --to]')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The last date of the period, included [default: yesterday]')
            [CompletionResult]::new('--month', '--month', [CompletionResultType]::ParameterName, 'A whole month instead: 2026-11, 11/2026, June (junio), last or this (pasado, este)')
            [CompletionResult]::new('--mes', '--mes', [CompletionResultType]::ParameterName, 'A whole month instead: 2026-11, 11/2026, June (junio), last or this (pasado, este)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Only this doctor''s visits')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'Only this doctor''s visits')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Only this service''s visits')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'The figures as rows: csv or xlsx (a spreadsheet)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write --format''s rows to FILE (mode 0600, whole or not at all) instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write --format''s rows to FILE (mode 0600, whole or not at all) instead of standard output')
            [CompletionResult]::new('--html', '--html', [CompletionResultType]::ParameterName, 'Write the report as one web page to FILE (charts inline, nothing fetched; written whole or not at all)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;next' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Only this doctor')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'Only this doctor')
            [CompletionResult]::new('--specialty', '--specialty', [CompletionResultType]::ParameterName, 'Only doctors of this specialty')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Slots long enough for this service')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Slots long enough for this service')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'From this date on instead of now: YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N, or in Spanish (mañana, lunes)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many slots [default: 5]')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many slots [default: 5]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;agenda' {
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'The first day: YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N or -N, or in Spanish (hoy, mañana, lunes) [default: today]')
            [CompletionResult]::new('--date', '--date', [CompletionResultType]::ParameterName, 'The first day: YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N or -N, or in Spanish (hoy, mañana, lunes) [default: today]')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Only this doctor')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'Only this doctor')
            [CompletionResult]::new('--days', '--days', [CompletionResultType]::ParameterName, 'How many consecutive days, from the first')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'A room''s or a machine''s day: only the visits given it')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;queue' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Only this doctor''s queue')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'Only this doctor''s queue')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('next', 'next', [CompletionResultType]::ParameterValue, 'Call the next patient: the first checked-in appointment of today in the clinic''s queue order (--queue-order: the earliest appointment, a walk-in at its arrival; or the lowest token) moves to in_progress')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;queue;next' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'The doctor calling (a terminal asks)')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'The doctor calling (a terminal asks)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;queue;help' {
            [CompletionResult]::new('next', 'next', [CompletionResultType]::ParameterValue, 'Call the next patient: the first checked-in appointment of today in the clinic''s queue order (--queue-order: the earliest appointment, a walk-in at its arrival; or the lowest token) moves to in_progress')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;queue;help;next' {
            break
        }
        'appt;queue;help;help' {
            break
        }
        'appt;waitlist' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Put a patient on the waitlist for a doctor and date; a freed time is offered oldest first')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Who is waiting, from today on')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Take an entry off the waitlist')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;waitlist;add' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'The doctor the patient wants (a terminal asks)')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'The doctor the patient wants (a terminal asks)')
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'The date the patient wants: YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N, or in Spanish (mañana, viernes) (a terminal asks)')
            [CompletionResult]::new('--date', '--date', [CompletionResultType]::ParameterName, 'The date the patient wants: YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N, or in Spanish (mañana, viernes) (a terminal asks)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'An existing patient: ID, prefix, phone or name')
            [CompletionResult]::new('--patient', '--patient', [CompletionResultType]::ParameterName, 'An existing patient: ID, prefix, phone or name')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'The patient''s phone (E.164, or local to a clinic with a country code); creates the patient if new')
            [CompletionResult]::new('--phone', '--phone', [CompletionResultType]::ParameterName, 'The patient''s phone (E.164, or local to a clinic with a country code); creates the patient if new')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The patient''s full name (for a new patient)')
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'The patient''s email (replaces the stored one)')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'How the patient prefers to be sent messages: whatsapp, sms, email or none (replaces the stored one)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The service wanted')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The service wanted')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;waitlist;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;waitlist;remove' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;waitlist;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Put a patient on the waitlist for a doctor and date; a freed time is offered oldest first')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Who is waiting, from today on')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Take an entry off the waitlist')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;waitlist;help;add' {
            break
        }
        'appt;waitlist;help;list' {
            break
        }
        'appt;waitlist;help;remove' {
            break
        }
        'appt;waitlist;help;help' {
            break
        }
        'appt;remind' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('due', 'due', [CompletionResultType]::ParameterValue, 'Deliver the reminders, waitlist offers and patient notifications that are due (cron runs this every few minutes)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List reminders and the other messages `remind due` delivers')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;remind;due' {
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run `sh -c CMD` once per reminder, with its JSON on stdin and APPT_* variables; exit 0 = sent')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Deliver at most this many in this run')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Deliver at most this many in this run')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Send up to N messages to the providers at once (1–64)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what would be delivered and change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;remind;list' {
            [CompletionResult]::new('-S', '-S ', [CompletionResultType]::ParameterName, 'Only this status: pending, sent, failed, cancelled, expired, or in Spanish (pendiente, enviado, fallido…)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only this status: pending, sent, failed, cancelled, expired, or in Spanish (pendiente, enviado, fallido…)')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Only this kind: reminder, confirmation, rescheduled, cancelled, waitlist_offer, recall, or in Spanish (recordatorio, confirmación, control…)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'At most this many')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;remind;help' {
            [CompletionResult]::new('due', 'due', [CompletionResultType]::ParameterValue, 'Deliver the reminders, waitlist offers and patient notifications that are due (cron runs this every few minutes)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List reminders and the other messages `remind due` delivers')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;remind;help;due' {
            break
        }
        'appt;remind;help;list' {
            break
        }
        'appt;remind;help;help' {
            break
        }
        'appt;recall' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The clinic''s recall list: completed visits whose follow-up date has come, with whether each was sent or booked')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send each due recall its one message, with a link to the booking page (through the clinic''s channels, the hook, or as JSON lines)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;recall;list' {
            [CompletionResult]::new('--due-before', '--due-before', [CompletionResultType]::ParameterName, 'Only recalls whose follow-up date is before this date (the date itself left out); default: up to today')
            [CompletionResult]::new('-S', '-S ', [CompletionResultType]::ParameterName, 'Only this status: due, sent, booked')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only this status: due, sent, booked')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;recall;send' {
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run `sh -c CMD` once per recall, with its JSON on stdin and APPT_* variables; exit 0 = sent')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Send up to N messages to the providers at once (1–64)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;recall;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The clinic''s recall list: completed visits whose follow-up date has come, with whether each was sent or booked')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send each due recall its one message, with a link to the booking page (through the clinic''s channels, the hook, or as JSON lines)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;recall;help;list' {
            break
        }
        'appt;recall;help;send' {
            break
        }
        'appt;recall;help;help' {
            break
        }
        'appt;events' {
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Only events after this ID (the last one you saw)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only events of this type, e.g. appointment.booked')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'At most this many')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;export' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'What to write (required): ics (iCalendar), fhir (a FHIR R4 Bundle), jsonl (JSON Lines), csv or xlsx (a spreadsheet)')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'From this local date (inclusive): YYYY-MM-DD, D/M, today, tomorrow, yesterday, a weekday, +N or -N, or in Spanish (hoy, ayer)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'To this local date (inclusive)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Only this doctor''s (name or ID)')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'Only this doctor''s (name or ID)')
            [CompletionResult]::new('-S', '-S ', [CompletionResultType]::ParameterName, 'Only this status (scheduled, confirmed, checked_in, in_progress, completed, cancelled, no_show, or in Spanish: confirmada, atendida, ausente…)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only this status (scheduled, confirmed, checked_in, in_progress, completed, cancelled, no_show, or in Spanish: confirmada, atendida, ausente…)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE (mode 0600, whole or not at all) instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE (mode 0600, whole or not at all) instead of standard output')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--include-patient', '--include-patient', [CompletionResultType]::ParameterName, 'Put the patient''s name, phone and ID into ics and fhir exports, their name and phone into xlsx (jsonl and csv always carry them)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;webhook' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a webhook: events recorded from now on are POSTed to URL')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List webhooks and how their deliveries stand')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a webhook')
            [CompletionResult]::new('deliver', 'deliver', [CompletionResultType]::ParameterValue, 'POST every undelivered event (cron runs this every few minutes)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;webhook;add' {
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Only these event types (comma-separated) [default: all]')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'Sign each body with this secret: X-Appt-Signature: sha256=<hex HMAC-SHA256>. `-` reads it from standard input. A secret written on the command line is visible to other users of the machine (ps): prefer --secret-file or -')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read the signing secret from FILE (trailing line breaks trimmed)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--clinical', '--clinical', [CompletionResultType]::ParameterName, 'Send the whole appointment object, diagnosis, prescription, follow-up and notes included. Without it the receiver gets the message view, as hooks do (for a system that keeps the clinical record)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;webhook;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;webhook;remove' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;webhook;deliver' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;webhook;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a webhook: events recorded from now on are POSTed to URL')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List webhooks and how their deliveries stand')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a webhook')
            [CompletionResult]::new('deliver', 'deliver', [CompletionResultType]::ParameterValue, 'POST every undelivered event (cron runs this every few minutes)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;webhook;help;add' {
            break
        }
        'appt;webhook;help;list' {
            break
        }
        'appt;webhook;help;remove' {
            break
        }
        'appt;webhook;help;deliver' {
            break
        }
        'appt;webhook;help;help' {
            break
        }
        'appt;channel' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a channel to the clinic, last in its order: WhatsApp, SMS or e-mail')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the clinic''s channels in their order (never a secret)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a channel')
            [CompletionResult]::new('order', 'order', [CompletionResultType]::ParameterValue, 'Set the order the clinic''s channels are tried in: the named first, the rest after')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Send one short test message now through a channel (exit 7 when the provider refuses it)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;channel;add' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('whatsapp', 'whatsapp', [CompletionResultType]::ParameterValue, 'WhatsApp through Meta''s Cloud API (the token from --token-file, else APPT_WHATSAPP_TOKEN)')
            [CompletionResult]::new('sms', 'sms', [CompletionResultType]::ParameterValue, 'SMS through Twilio''s REST API (the auth token from --auth-token-file, else APPT_TWILIO_AUTH_TOKEN)')
            [CompletionResult]::new('email', 'email', [CompletionResultType]::ParameterValue, 'E-mail over SMTP with TLS or STARTTLS (the password from --password-file, else APPT_SMTP_PASSWORD)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;channel;add;whatsapp' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The channel''s name, unique in the clinic [default: whatsapp]')
            [CompletionResult]::new('--phone-number-id', '--phone-number-id', [CompletionResultType]::ParameterName, 'The WhatsApp Business phone number''s ID (Meta''s app dashboard)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the access token from FILE, or - for standard input')
            [CompletionResult]::new('--app-secret-file', '--app-secret-file', [CompletionResultType]::ParameterName, 'Read the app secret (signs Meta''s webhooks) from FILE, or -')
            [CompletionResult]::new('--verify-token-file', '--verify-token-file', [CompletionResultType]::ParameterName, 'Read the webhook''s verify token from FILE, or -')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The Graph API''s base URL [default: https://graph.facebook.com/v21.0]')
            [CompletionResult]::new('--template', '--template', [CompletionResultType]::ParameterName, 'A message kind''s approved template, KIND=NAME:LANG[:PLACEHOLDER,…] (repeatable)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;channel;add;sms' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The channel''s name, unique in the clinic [default: sms]')
            [CompletionResult]::new('--account-sid', '--account-sid', [CompletionResultType]::ParameterName, 'The Twilio account''s SID (AC…)')
            [CompletionResult]::new('--auth-token-file', '--auth-token-file', [CompletionResultType]::ParameterName, 'Read the auth token from FILE, or - for standard input')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The sending number, +NUMBER')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The REST API''s base URL [default: https://api.twilio.com]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;channel;add;email' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The channel''s name, unique in the clinic [default: email]')
            [CompletionResult]::new('--smtp-url', '--smtp-url', [CompletionResultType]::ParameterName, 'smtp://USER@HOST:PORT (STARTTLS required) or smtps://USER@HOST:PORT (TLS), no password')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the SMTP password from FILE, or - for standard input')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The sender''s address')
            [CompletionResult]::new('--reply-to', '--reply-to', [CompletionResultType]::ParameterName, 'Where patients'' replies go')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;channel;add;help' {
            [CompletionResult]::new('whatsapp', 'whatsapp', [CompletionResultType]::ParameterValue, 'WhatsApp through Meta''s Cloud API (the token from --token-file, else APPT_WHATSAPP_TOKEN)')
            [CompletionResult]::new('sms', 'sms', [CompletionResultType]::ParameterValue, 'SMS through Twilio''s REST API (the auth token from --auth-token-file, else APPT_TWILIO_AUTH_TOKEN)')
            [CompletionResult]::new('email', 'email', [CompletionResultType]::ParameterValue, 'E-mail over SMTP with TLS or STARTTLS (the password from --password-file, else APPT_SMTP_PASSWORD)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;channel;add;help;whatsapp' {
            break
        }
        'appt;channel;add;help;sms' {
            break
        }
        'appt;channel;add;help;email' {
            break
        }
        'appt;channel;add;help;help' {
            break
        }
        'appt;channel;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;channel;remove' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;channel;order' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;channel;test' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The phone to send to (read in the clinic''s country code), or for an e-mail channel the address')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;channel;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a channel to the clinic, last in its order: WhatsApp, SMS or e-mail')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the clinic''s channels in their order (never a secret)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a channel')
            [CompletionResult]::new('order', 'order', [CompletionResultType]::ParameterValue, 'Set the order the clinic''s channels are tried in: the named first, the rest after')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Send one short test message now through a channel (exit 7 when the provider refuses it)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;channel;help;add' {
            [CompletionResult]::new('whatsapp', 'whatsapp', [CompletionResultType]::ParameterValue, 'WhatsApp through Meta''s Cloud API (the token from --token-file, else APPT_WHATSAPP_TOKEN)')
            [CompletionResult]::new('sms', 'sms', [CompletionResultType]::ParameterValue, 'SMS through Twilio''s REST API (the auth token from --auth-token-file, else APPT_TWILIO_AUTH_TOKEN)')
            [CompletionResult]::new('email', 'email', [CompletionResultType]::ParameterValue, 'E-mail over SMTP with TLS or STARTTLS (the password from --password-file, else APPT_SMTP_PASSWORD)')
            break
        }
        'appt;channel;help;add;whatsapp' {
            break
        }
        'appt;channel;help;add;sms' {
            break
        }
        'appt;channel;help;add;email' {
            break
        }
        'appt;channel;help;list' {
            break
        }
        'appt;channel;help;remove' {
            break
        }
        'appt;channel;help;order' {
            break
        }
        'appt;channel;help;test' {
            break
        }
        'appt;channel;help;help' {
            break
        }
        'appt;inbox' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every message received, answers appt acted on and done ones too')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('done', 'done', [CompletionResultType]::ParameterValue, 'Mark a message done: the inbox no longer shows it')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one message whole, with who wrote and their next visit')
            [CompletionResult]::new('reply', 'reply', [CompletionResultType]::ParameterValue, 'Answer a message through the channel it came by; sent, it is done')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;inbox;done' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;inbox;show' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;inbox;reply' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;inbox;help' {
            [CompletionResult]::new('done', 'done', [CompletionResultType]::ParameterValue, 'Mark a message done: the inbox no longer shows it')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one message whole, with who wrote and their next visit')
            [CompletionResult]::new('reply', 'reply', [CompletionResultType]::ParameterValue, 'Answer a message through the channel it came by; sent, it is done')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;inbox;help;done' {
            break
        }
        'appt;inbox;help;show' {
            break
        }
        'appt;inbox;help;reply' {
            break
        }
        'appt;inbox;help;help' {
            break
        }
        'appt;token' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Make an API token for `appt serve`; it is printed once and kept only as its SHA-256')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List API tokens: name, prefix, scopes, clinic, created, expires, last used (never the token)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke an API token: requests with it are refused from the next one')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;token;add' {
            [CompletionResult]::new('--scopes', '--scopes', [CompletionResultType]::ParameterName, 'What it may do, comma-separated: appointments:read, appointments:write, appointments:overbook, clinical, patients:export, patients:erase, reports:read, calendars:admin')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'When it stops working: days (90d), hours (12h), a date (2026-12-31, at 00:00 UTC) or an RFC 3339 time [default: never]')
            [CompletionResult]::new('--staff', '--staff', [CompletionResultType]::ParameterName, 'A member of staff it acts for: it never does more than their role allows, and goes when they are removed')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'appt;token;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;token;revoke' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'appt;token;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Make an API token for `appt serve`; it is printed once and kept only as its SHA-256')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List API tokens: name, prefix, scopes, clinic, created, expires, last used (never the token)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke an API token: requests with it are refused from the next one')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;token;help;add' {
            break
        }
        'appt;token;help;list' {
            break
        }
        'appt;token;help;revoke' {
            break
        }
        'appt;token;help;help' {
            break
        }
        'appt;staff' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a member of staff, with their PIN (the first member is a manager)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the staff: name, role, doctor, clinic (never a PIN)')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Rename a member, or change their role, doctor or clinic')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a member of staff (the last manager stays)')
            [CompletionResult]::new('pin', 'pin', [CompletionResultType]::ParameterValue, 'Set a member''s PIN (4 to 8 digits), asked twice and never shown')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;staff;add' {
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'What they may do: reception, doctor or manager (recepción, médico, gerente)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'The doctor they are (required for the role doctor)')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'The doctor they are (required for the role doctor)')
            [CompletionResult]::new('--pin-file', '--pin-file', [CompletionResultType]::ParameterName, 'Read the PIN from this file (- for standard input) instead of asking it')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'appt;staff;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;staff;update' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'New name')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'New role: reception, doctor or manager')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'The doctor they are (none: no doctor)')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'The doctor they are (none: no doctor)')
            [CompletionResult]::new('--works-at', '--works-at', [CompletionResultType]::ParameterName, 'The one clinic they work at (none: every clinic)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;staff;remove' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;staff;pin' {
            [CompletionResult]::new('--pin-file', '--pin-file', [CompletionResultType]::ParameterName, 'Read the PIN from this file (- for standard input) instead of asking it')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;staff;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a member of staff, with their PIN (the first member is a manager)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the staff: name, role, doctor, clinic (never a PIN)')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Rename a member, or change their role, doctor or clinic')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a member of staff (the last manager stays)')
            [CompletionResult]::new('pin', 'pin', [CompletionResultType]::ParameterValue, 'Set a member''s PIN (4 to 8 digits), asked twice and never shown')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;staff;help;add' {
            break
        }
        'appt;staff;help;list' {
            break
        }
        'appt;staff;help;update' {
            break
        }
        'appt;staff;help;remove' {
            break
        }
        'appt;staff;help;pin' {
            break
        }
        'appt;staff;help;help' {
            break
        }
        'appt;login' {
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'How long the session lasts: hours, 1 to 24 (8h, 12) [default: the clinic''s --session-hours, 8h]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;logout' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;access-log' {
            [CompletionResult]::new('--patient', '--patient', [CompletionResultType]::ParameterName, 'Only this patient''s record: phone, name or ID')
            [CompletionResult]::new('--staff', '--staff', [CompletionResultType]::ParameterName, 'Only what this member of staff looked at')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most N looks, latest first')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;whoami' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;feed' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Publish a doctor''s visits (or a clinic''s) as a calendar; its secret address is printed once')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List calendar feeds: name, prefix, whose visits, how patients show (never the address)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a calendar feed: its address and CalDAV account answer 404 from the next request')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;feed;add' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'The doctor whose visits it holds [default: the whole clinic''s]')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'The doctor whose visits it holds [default: the whole clinic''s]')
            [CompletionResult]::new('--show', '--show', [CompletionResultType]::ParameterName, 'How events name the patient: none, initials or names')
            [CompletionResult]::new('--days-back', '--days-back', [CompletionResultType]::ParameterName, 'Days before today it still holds')
            [CompletionResult]::new('--days-ahead', '--days-ahead', [CompletionResultType]::ParameterName, 'Days after today it holds')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--qr', '--qr', [CompletionResultType]::ParameterName, 'Print the calendar''s address as a QR code too, for the doctor''s phone to read off the screen')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'appt;feed;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;feed;revoke' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;feed;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Publish a doctor''s visits (or a clinic''s) as a calendar; its secret address is printed once')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List calendar feeds: name, prefix, whose visits, how patients show (never the address)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a calendar feed: its address and CalDAV account answer 404 from the next request')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;feed;help;add' {
            break
        }
        'appt;feed;help;list' {
            break
        }
        'appt;feed;help;revoke' {
            break
        }
        'appt;feed;help;help' {
            break
        }
        'appt;calendar' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Connect a doctor''s own calendar (ICS address or CalDAV); its busy times block their slots')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the doctors'' calendars: kind, host, busy times, last sync, stale since and why')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one calendar')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Read calendars now (all, one, or a doctor''s), for cron; exit 7 if one failed')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a calendar and the busy times read from it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;calendar;add' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'The doctor whose calendar it is')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'The doctor whose calendar it is')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The ICS address (https://, webcal://) or the CalDAV calendar''s')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The user to sign in as')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from this file')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from standard input')
            [CompletionResult]::new('--write', '--write', [CompletionResultType]::ParameterName, 'Also put the doctor''s visits into it, move and delete them (CalDAV only)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'appt;calendar;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;calendar;show' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;calendar;sync' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'The doctor whose calendars to read')
            [CompletionResult]::new('--doctor', '--doctor', [CompletionResultType]::ParameterName, 'The doctor whose calendars to read')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;calendar;remove' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (only a terminal asks)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;calendar;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Connect a doctor''s own calendar (ICS address or CalDAV); its busy times block their slots')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the doctors'' calendars: kind, host, busy times, last sync, stale since and why')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one calendar')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Read calendars now (all, one, or a doctor''s), for cron; exit 7 if one failed')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a calendar and the busy times read from it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;calendar;help;add' {
            break
        }
        'appt;calendar;help;list' {
            break
        }
        'appt;calendar;help;show' {
            break
        }
        'appt;calendar;help;sync' {
            break
        }
        'appt;calendar;help;remove' {
            break
        }
        'appt;calendar;help;help' {
            break
        }
        'appt;check' {
            [CompletionResult]::new('--backup-dir', '--backup-dir', [CompletionResultType]::ParameterName, 'Where the backups are, for --setup (read only by it: the service''s environment sets APPT_BACKUP_DIR for every command)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--full', '--full', [CompletionResultType]::ParameterName, 'Also check every index entry against its table (SQLite''s integrity_check; several times slower on a large file than the page and constraint check done by default)')
            [CompletionResult]::new('--setup', '--setup', [CompletionResultType]::ParameterName, 'Check the installation instead: the database and its key, the clinics'' public URLs, the channels'' credentials, the reminder timer, the last backup and the free disk space')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;backup' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace FILE if it exists')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;purge' {
            [CompletionResult]::new('--before', '--before', [CompletionResultType]::ParameterName, 'What ended before this day goes: YYYY-MM-DD, today, -N (days ago), …, in each clinic''s time zone')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Count what would go, per table, and change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'appt;key' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Make a new national-ID key and seal every national ID again under it, in one transaction')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;key;rotate' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'appt;key;help' {
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Make a new national-ID key and seal every national ID again under it, in one transaction')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;key;help;rotate' {
            break
        }
        'appt;key;help;help' {
            break
        }
        'appt;import' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Check every line against every rule, book nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;transfer' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The empty database to copy into: a file path or a postgres:// URL. A password on the command line is visible to other users (ps): give a URL with a password in APPT_TRANSFER_TO instead')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;demo' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Replace an earlier demo database without asking (only a terminal asks)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Replace an earlier demo database without asking (only a terminal asks)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'appt;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address and port to listen on (port 0: a free one, printed once listening)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads answering requests')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Connections open at once; beyond it new ones are closed at once')
            [CompletionResult]::new('--max-connections-per-address', '--max-connections-per-address', [CompletionResultType]::ParameterName, 'Connections open at once from one client address (an IPv6 client by its /64); beyond it its new ones are closed at once')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'PEM certificate chain for HTTPS (with --tls-key)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'PEM private key for HTTPS (with --tls-cert)')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run `sh -c CMD` to send the booking page''s codes of a clinic with no channel that reaches a phone, as `remind due --exec` runs one (APPT_KIND=verification, the code''s text in APPT_MESSAGE)')
            [CompletionResult]::new('--trusted-proxy', '--trusted-proxy', [CompletionResultType]::ParameterName, 'The address of a proxy of yours (nginx, a load balancer) whose X-Forwarded-For names the client, for the limits per address (repeatable); any other''s header is ignored')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--allow-plain-http', '--allow-plain-http', [CompletionResultType]::ParameterName, 'Serve plain HTTP on an address other than loopback (behind a TLS proxy)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'appt;board' {
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'The day to open on (YYYY-MM-DD, today, tomorrow, a weekday; default today)')
            [CompletionResult]::new('--date', '--date', [CompletionResultType]::ParameterName, 'The day to open on (YYYY-MM-DD, today, tomorrow, a weekday; default today)')
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'The columns: doctor (each doctor''s day) or resource (each room''s and machine''s); médico, recurso, sala in Spanish')
            [CompletionResult]::new('--lock-after', '--lock-after', [CompletionResultType]::ParameterName, 'Once the database has staff: lock after this long without a key, until a PIN is typed (10m, 1h; 0: never) [default: 10m]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'appt;completions' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder''s appt/appt.db)')
            [CompletionResult]::new('--read-db', '--read-db', [CompletionResultType]::ParameterName, 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board''s polling, serve''s GET requests [env: APPT_READ_DB]')
            [CompletionResult]::new('--max-lag', '--max-lag', [CompletionResultType]::ParameterName, 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--clinic', '--clinic', [CompletionResultType]::ParameterName, 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Fit tables and messages to N columns (default: COLUMNS, else the terminal''s)')
            [CompletionResult]::new('--as', '--as', [CompletionResultType]::ParameterName, 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout; errors go to stderr as JSON')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt: fail with VALIDATION_ERROR naming what is missing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'appt;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the database (safe to run again)')
            [CompletionResult]::new('clinic', 'clinic', [CompletionResultType]::ParameterValue, 'Clinics: locations with their time zone and rules')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Doctors')
            [CompletionResult]::new('service', 'service', [CompletionResultType]::ParameterValue, 'Services (appointment types)')
            [CompletionResult]::new('resource', 'resource', [CompletionResultType]::ParameterValue, 'Rooms and equipment a service needs')
            [CompletionResult]::new('window', 'window', [CompletionResultType]::ParameterValue, 'Windows: when bookings are possible')
            [CompletionResult]::new('closure', 'closure', [CompletionResultType]::ParameterValue, 'Closures: holidays and leave')
            [CompletionResult]::new('patient', 'patient', [CompletionResultType]::ParameterValue, 'Patients')
            [CompletionResult]::new('slots', 'slots', [CompletionResultType]::ParameterValue, 'Free slots of a doctor (or clinic-wide) on a date')
            [CompletionResult]::new('book', 'book', [CompletionResultType]::ParameterValue, 'Book an appointment')
            [CompletionResult]::new('reschedule', 'reschedule', [CompletionResultType]::ParameterValue, 'Move an appointment to another time (or doctor)')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel an appointment')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Move an appointment along scheduled → confirmed → checked_in → in_progress → completed, or no_show')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Edit an appointment''s notes, reason, diagnosis, prescription or follow-up')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one appointment')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'An appointment''s events, oldest first')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List appointments')
            [CompletionResult]::new('count', 'count', [CompletionResultType]::ParameterValue, 'Count appointments created since a time')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'A clinic''s figures over a period: utilisation, no-shows, late cancellations, lead time, sources, messages')
            [CompletionResult]::new('next', 'next', [CompletionResultType]::ParameterValue, 'The first free slots from now on, across days and doctors')
            [CompletionResult]::new('agenda', 'agenda', [CompletionResultType]::ParameterValue, 'The day sheet: per doctor, in time order, with free slots as gaps')
            [CompletionResult]::new('queue', 'queue', [CompletionResultType]::ParameterValue, 'Today''s patients per doctor in token order; `queue next` calls the next one in')
            [CompletionResult]::new('waitlist', 'waitlist', [CompletionResultType]::ParameterValue, 'Patients waiting for a doctor on a date; a freed time is offered to them')
            [CompletionResult]::new('remind', 'remind', [CompletionResultType]::ParameterValue, 'Reminders, waitlist offers and patient notifications: deliver the due ones (cron), list them')
            [CompletionResult]::new('recall', 'recall', [CompletionResultType]::ParameterValue, 'Recalls: patients whose follow-up date has come; list them, send each its message once')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'The event log as JSON Lines, oldest first')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export appointments as iCalendar, a FHIR R4 Bundle, JSON Lines or CSV')
            [CompletionResult]::new('webhook', 'webhook', [CompletionResultType]::ParameterValue, 'Webhooks: POST events to other systems (deliver from cron)')
            [CompletionResult]::new('channel', 'channel', [CompletionResultType]::ParameterValue, 'Channels: WhatsApp, SMS and e-mail accounts appt sends through, per clinic')
            [CompletionResult]::new('inbox', 'inbox', [CompletionResultType]::ParameterValue, 'What patients wrote to the clinic''s channels that appt did not act on by itself')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'API tokens for `appt serve`: add (shown once), list, revoke')
            [CompletionResult]::new('staff', 'staff', [CompletionResultType]::ParameterValue, 'The people at the desk: add (with a PIN), list, update, remove, pin')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Sign in at this terminal with your PIN (once the database has staff)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Sign out of this terminal')
            [CompletionResult]::new('access-log', 'access-log', [CompletionResultType]::ParameterValue, 'Who looked at which patient''s clinical record, and when (managers)')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Who is signed in at this terminal')
            [CompletionResult]::new('feed', 'feed', [CompletionResultType]::ParameterValue, 'Calendar feeds: a doctor''s visits (or a clinic''s) on their phone (subscription, CalDAV)')
            [CompletionResult]::new('calendar', 'calendar', [CompletionResultType]::ParameterValue, 'A doctor''s own calendars (ICS, CalDAV): their busy times block the doctor''s slots')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the database: SQLite''s integrity and foreign keys, and appt''s own rules')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Copy the database to FILE while others keep working (mode 0600)')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Remove what need not be kept of visits that ended before a date: messages, links, events'' personal fields')
            [CompletionResult]::new('key', 'key', [CompletionResultType]::ParameterValue, 'The national-ID key: make a new one and seal every national ID again under it')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Book every line of a JSON Lines file (or -) through the booking rules')
            [CompletionResult]::new('transfer', 'transfer', [CompletionResultType]::ParameterValue, 'Copy every row into an empty database of either kind (a file or a postgres:// server)')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Seed a sample clinic into its own database (replacing only an earlier demo) and show today and tomorrow')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the HTTP API for bots, web forms and voice agents (tokens: `appt token`)')
            [CompletionResult]::new('board', 'board', [CompletionResultType]::ParameterValue, 'The front desk''s live screen of one clinic''s day: book, check in, move and cancel from the keyboard')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script for bash, zsh, fish, elvish or powershell')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'appt;help;init' {
            break
        }
        'appt;help;clinic' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a clinic')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List clinics')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a clinic and its settings')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a clinic''s name or settings')
            break
        }
        'appt;help;clinic;add' {
            break
        }
        'appt;help;clinic;list' {
            break
        }
        'appt;help;clinic;show' {
            break
        }
        'appt;help;clinic;update' {
            break
        }
        'appt;help;doctor' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a doctor')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List doctors')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a doctor')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a doctor')
            break
        }
        'appt;help;doctor;add' {
            break
        }
        'appt;help;doctor;list' {
            break
        }
        'appt;help;doctor;show' {
            break
        }
        'appt;help;doctor;update' {
            break
        }
        'appt;help;service' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a service')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List services')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Rename a service, change its duration, its daily limit, its buffers or whether the booking page offers it')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a service (its past appointments keep it)')
            break
        }
        'appt;help;service;add' {
            break
        }
        'appt;help;service;list' {
            break
        }
        'appt;help;service;update' {
            break
        }
        'appt;help;service;remove' {
            break
        }
        'appt;help;resource' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a room or a piece of equipment')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the rooms and equipment')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a room or a piece of equipment')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a room or a piece of equipment')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove one no visit to come holds and no service needs')
            break
        }
        'appt;help;resource;add' {
            break
        }
        'appt;help;resource;list' {
            break
        }
        'appt;help;resource;show' {
            break
        }
        'appt;help;resource;update' {
            break
        }
        'appt;help;resource;remove' {
            break
        }
        'appt;help;window' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a weekly or one-date window for a doctor or the whole clinic')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List windows')
            [CompletionResult]::new('close', 'close', [CompletionResultType]::ParameterValue, 'Stop taking bookings in a window (its slots show as SLOT_INACTIVE)')
            [CompletionResult]::new('open', 'open', [CompletionResultType]::ParameterValue, 'Take bookings in a closed window again')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a window that has no upcoming appointments')
            break
        }
        'appt;help;window;add' {
            break
        }
        'appt;help;window;list' {
            break
        }
        'appt;help;window;close' {
            break
        }
        'appt;help;window;open' {
            break
        }
        'appt;help;window;remove' {
            break
        }
        'appt;help;closure' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Close a doctor (leave) or, with --clinic, a whole clinic (holiday) for some dates')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List closures')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a closure')
            break
        }
        'appt;help;closure;add' {
            break
        }
        'appt;help;closure;list' {
            break
        }
        'appt;help;closure;remove' {
            break
        }
        'appt;help;patient' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a patient (unique by phone)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List patients, optionally searching name and phone')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a patient')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a patient')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Everything appt holds about a patient, for a patient who asks for it')
            [CompletionResult]::new('erase', 'erase', [CompletionResultType]::ParameterValue, 'Erase a patient on request: name, phone, e-mail, national ID, messages and links go; their appointments stay, anonymised')
            break
        }
        'appt;help;patient;add' {
            break
        }
        'appt;help;patient;list' {
            break
        }
        'appt;help;patient;show' {
            break
        }
        'appt;help;patient;update' {
            break
        }
        'appt;help;patient;export' {
            break
        }
        'appt;help;patient;erase' {
            break
        }
        'appt;help;slots' {
            break
        }
        'appt;help;book' {
            break
        }
        'appt;help;reschedule' {
            break
        }
        'appt;help;cancel' {
            break
        }
        'appt;help;status' {
            break
        }
        'appt;help;update' {
            break
        }
        'appt;help;show' {
            break
        }
        'appt;help;history' {
            break
        }
        'appt;help;list' {
            break
        }
        'appt;help;count' {
            break
        }
        'appt;help;report' {
            break
        }
        'appt;help;next' {
            break
        }
        'appt;help;agenda' {
            break
        }
        'appt;help;queue' {
            [CompletionResult]::new('next', 'next', [CompletionResultType]::ParameterValue, 'Call the next patient: the first checked-in appointment of today in the clinic''s queue order (--queue-order: the earliest appointment, a walk-in at its arrival; or the lowest token) moves to in_progress')
            break
        }
        'appt;help;queue;next' {
            break
        }
        'appt;help;waitlist' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Put a patient on the waitlist for a doctor and date; a freed time is offered oldest first')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Who is waiting, from today on')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Take an entry off the waitlist')
            break
        }
        'appt;help;waitlist;add' {
            break
        }
        'appt;help;waitlist;list' {
            break
        }
        'appt;help;waitlist;remove' {
            break
        }
        'appt;help;remind' {
            [CompletionResult]::new('due', 'due', [CompletionResultType]::ParameterValue, 'Deliver the reminders, waitlist offers and patient notifications that are due (cron runs this every few minutes)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List reminders and the other messages `remind due` delivers')
            break
        }
        'appt;help;remind;due' {
            break
        }
        'appt;help;remind;list' {
            break
        }
        'appt;help;recall' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The clinic''s recall list: completed visits whose follow-up date has come, with whether each was sent or booked')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send each due recall its one message, with a link to the booking page (through the clinic''s channels, the hook, or as JSON lines)')
            break
        }
        'appt;help;recall;list' {
            break
        }
        'appt;help;recall;send' {
            break
        }
        'appt;help;events' {
            break
        }
        'appt;help;export' {
            break
        }
        'appt;help;webhook' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a webhook: events recorded from now on are POSTed to URL')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List webhooks and how their deliveries stand')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a webhook')
            [CompletionResult]::new('deliver', 'deliver', [CompletionResultType]::ParameterValue, 'POST every undelivered event (cron runs this every few minutes)')
            break
        }
        'appt;help;webhook;add' {
            break
        }
        'appt;help;webhook;list' {
            break
        }
        'appt;help;webhook;remove' {
            break
        }
        'appt;help;webhook;deliver' {
            break
        }
        'appt;help;channel' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a channel to the clinic, last in its order: WhatsApp, SMS or e-mail')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the clinic''s channels in their order (never a secret)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a channel')
            [CompletionResult]::new('order', 'order', [CompletionResultType]::ParameterValue, 'Set the order the clinic''s channels are tried in: the named first, the rest after')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Send one short test message now through a channel (exit 7 when the provider refuses it)')
            break
        }
        'appt;help;channel;add' {
            [CompletionResult]::new('whatsapp', 'whatsapp', [CompletionResultType]::ParameterValue, 'WhatsApp through Meta''s Cloud API (the token from --token-file, else APPT_WHATSAPP_TOKEN)')
            [CompletionResult]::new('sms', 'sms', [CompletionResultType]::ParameterValue, 'SMS through Twilio''s REST API (the auth token from --auth-token-file, else APPT_TWILIO_AUTH_TOKEN)')
            [CompletionResult]::new('email', 'email', [CompletionResultType]::ParameterValue, 'E-mail over SMTP with TLS or STARTTLS (the password from --password-file, else APPT_SMTP_PASSWORD)')
            break
        }
        'appt;help;channel;add;whatsapp' {
            break
        }
        'appt;help;channel;add;sms' {
            break
        }
        'appt;help;channel;add;email' {
            break
        }
        'appt;help;channel;list' {
            break
        }
        'appt;help;channel;remove' {
            break
        }
        'appt;help;channel;order' {
            break
        }
        'appt;help;channel;test' {
            break
        }
        'appt;help;inbox' {
            [CompletionResult]::new('done', 'done', [CompletionResultType]::ParameterValue, 'Mark a message done: the inbox no longer shows it')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one message whole, with who wrote and their next visit')
            [CompletionResult]::new('reply', 'reply', [CompletionResultType]::ParameterValue, 'Answer a message through the channel it came by; sent, it is done')
            break
        }
        'appt;help;inbox;done' {
            break
        }
        'appt;help;inbox;show' {
            break
        }
        'appt;help;inbox;reply' {
            break
        }
        'appt;help;token' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Make an API token for `appt serve`; it is printed once and kept only as its SHA-256')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List API tokens: name, prefix, scopes, clinic, created, expires, last used (never the token)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke an API token: requests with it are refused from the next one')
            break
        }
        'appt;help;token;add' {
            break
        }
        'appt;help;token;list' {
            break
        }
        'appt;help;token;revoke' {
            break
        }
        'appt;help;staff' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a member of staff, with their PIN (the first member is a manager)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the staff: name, role, doctor, clinic (never a PIN)')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Rename a member, or change their role, doctor or clinic')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a member of staff (the last manager stays)')
            [CompletionResult]::new('pin', 'pin', [CompletionResultType]::ParameterValue, 'Set a member''s PIN (4 to 8 digits), asked twice and never shown')
            break
        }
        'appt;help;staff;add' {
            break
        }
        'appt;help;staff;list' {
            break
        }
        'appt;help;staff;update' {
            break
        }
        'appt;help;staff;remove' {
            break
        }
        'appt;help;staff;pin' {
            break
        }
        'appt;help;login' {
            break
        }
        'appt;help;logout' {
            break
        }
        'appt;help;access-log' {
            break
        }
        'appt;help;whoami' {
            break
        }
        'appt;help;feed' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Publish a doctor''s visits (or a clinic''s) as a calendar; its secret address is printed once')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List calendar feeds: name, prefix, whose visits, how patients show (never the address)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a calendar feed: its address and CalDAV account answer 404 from the next request')
            break
        }
        'appt;help;feed;add' {
            break
        }
        'appt;help;feed;list' {
            break
        }
        'appt;help;feed;revoke' {
            break
        }
        'appt;help;calendar' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Connect a doctor''s own calendar (ICS address or CalDAV); its busy times block their slots')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the doctors'' calendars: kind, host, busy times, last sync, stale since and why')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one calendar')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Read calendars now (all, one, or a doctor''s), for cron; exit 7 if one failed')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a calendar and the busy times read from it')
            break
        }
        'appt;help;calendar;add' {
            break
        }
        'appt;help;calendar;list' {
            break
        }
        'appt;help;calendar;show' {
            break
        }
        'appt;help;calendar;sync' {
            break
        }
        'appt;help;calendar;remove' {
            break
        }
        'appt;help;check' {
            break
        }
        'appt;help;backup' {
            break
        }
        'appt;help;purge' {
            break
        }
        'appt;help;key' {
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Make a new national-ID key and seal every national ID again under it, in one transaction')
            break
        }
        'appt;help;key;rotate' {
            break
        }
        'appt;help;import' {
            break
        }
        'appt;help;transfer' {
            break
        }
        'appt;help;demo' {
            break
        }
        'appt;help;serve' {
            break
        }
        'appt;help;board' {
            break
        }
        'appt;help;completions' {
            break
        }
        'appt;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
