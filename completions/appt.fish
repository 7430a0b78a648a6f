# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_appt_global_optspecs
    string join \n db= read-db= max-lag= json no-input c/clinic= width= as= h/help V/version
end

function __fish_appt_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_appt_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_appt_using_subcommand
    set -l cmd (__fish_appt_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c appt -n "__fish_appt_needs_command" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_needs_command" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_needs_command" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_needs_command" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_needs_command" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_needs_command" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_needs_command" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_needs_command" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_needs_command" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_needs_command" -s V -l version -d 'Print version'
complete -c appt -n "__fish_appt_needs_command" -f -a "init" -d 'Create the database (safe to run again)'
complete -c appt -n "__fish_appt_needs_command" -f -a "clinic" -d 'Clinics: locations with their time zone and rules'
complete -c appt -n "__fish_appt_needs_command" -f -a "doctor" -d 'Doctors'
complete -c appt -n "__fish_appt_needs_command" -f -a "service" -d 'Services (appointment types)'
complete -c appt -n "__fish_appt_needs_command" -f -a "resource" -d 'Rooms and equipment a service needs'
complete -c appt -n "__fish_appt_needs_command" -f -a "window" -d 'Windows: when bookings are possible'
complete -c appt -n "__fish_appt_needs_command" -f -a "closure" -d 'Closures: holidays and leave'
complete -c appt -n "__fish_appt_needs_command" -f -a "patient" -d 'Patients'
complete -c appt -n "__fish_appt_needs_command" -f -a "slots" -d 'Free slots of a doctor (or clinic-wide) on a date'
complete -c appt -n "__fish_appt_needs_command" -f -a "book" -d 'Book an appointment'
complete -c appt -n "__fish_appt_needs_command" -f -a "reschedule" -d 'Move an appointment to another time (or doctor)'
complete -c appt -n "__fish_appt_needs_command" -f -a "cancel" -d 'Cancel an appointment'
complete -c appt -n "__fish_appt_needs_command" -f -a "status" -d 'Move an appointment along scheduled → confirmed → checked_in → in_progress → completed, or no_show'
complete -c appt -n "__fish_appt_needs_command" -f -a "update" -d 'Edit an appointment\'s notes, reason, diagnosis, prescription or follow-up'
complete -c appt -n "__fish_appt_needs_command" -f -a "show" -d 'Show one appointment'
complete -c appt -n "__fish_appt_needs_command" -f -a "history" -d 'An appointment\'s events, oldest first'
complete -c appt -n "__fish_appt_needs_command" -f -a "list" -d 'List appointments'
complete -c appt -n "__fish_appt_needs_command" -f -a "count" -d 'Count appointments created since a time'
complete -c appt -n "__fish_appt_needs_command" -f -a "report" -d 'A clinic\'s figures over a period: utilisation, no-shows, late cancellations, lead time, sources, messages'
complete -c appt -n "__fish_appt_needs_command" -f -a "next" -d 'The first free slots from now on, across days and doctors'
complete -c appt -n "__fish_appt_needs_command" -f -a "agenda" -d 'The day sheet: per doctor, in time order, with free slots as gaps'
complete -c appt -n "__fish_appt_needs_command" -f -a "queue" -d 'Today\'s patients per doctor in token order; `queue next` calls the next one in'
complete -c appt -n "__fish_appt_needs_command" -f -a "waitlist" -d 'Patients waiting for a doctor on a date; a freed time is offered to them'
complete -c appt -n "__fish_appt_needs_command" -f -a "remind" -d 'Reminders, waitlist offers and patient notifications: deliver the due ones (cron), list them'
complete -c appt -n "__fish_appt_needs_command" -f -a "recall" -d 'Recalls: patients whose follow-up date has come; list them, send each its message once'
complete -c appt -n "__fish_appt_needs_command" -f -a "events" -d 'The event log as JSON Lines, oldest first'
complete -c appt -n "__fish_appt_needs_command" -f -a "export" -d 'Export appointments as iCalendar, a FHIR R4 Bundle, JSON Lines or CSV'
complete -c appt -n "__fish_appt_needs_command" -f -a "webhook" -d 'Webhooks: POST events to other systems (deliver from cron)'
complete -c appt -n "__fish_appt_needs_command" -f -a "channel" -d 'Channels: WhatsApp, SMS and e-mail accounts appt sends through, per clinic'
complete -c appt -n "__fish_appt_needs_command" -f -a "inbox" -d 'What patients wrote to the clinic\'s channels that appt did not act on by itself'
complete -c appt -n "__fish_appt_needs_command" -f -a "token" -d 'API tokens for `appt serve`: add (shown once), list, revoke'
complete -c appt -n "__fish_appt_needs_command" -f -a "staff" -d 'The people at the desk: add (with a PIN), list, update, remove, pin'
complete -c appt -n "__fish_appt_needs_command" -f -a "login" -d 'Sign in at this terminal with your PIN (once the database has staff)'
complete -c appt -n "__fish_appt_needs_command" -f -a "logout" -d 'Sign out of this terminal'
complete -c appt -n "__fish_appt_needs_command" -f -a "access-log" -d 'Who looked at which patient\'s clinical record, and when (managers)'
complete -c appt -n "__fish_appt_needs_command" -f -a "whoami" -d 'Who is signed in at this terminal'
complete -c appt -n "__fish_appt_needs_command" -f -a "feed" -d 'Calendar feeds: a doctor\'s visits (or a clinic\'s) on their phone (subscription, CalDAV)'
complete -c appt -n "__fish_appt_needs_command" -f -a "calendar" -d 'A doctor\'s own calendars (ICS, CalDAV): their busy times block the doctor\'s slots'
complete -c appt -n "__fish_appt_needs_command" -f -a "check" -d 'Check the database: SQLite\'s integrity and foreign keys, and appt\'s own rules'
complete -c appt -n "__fish_appt_needs_command" -f -a "backup" -d 'Copy the database to FILE while others keep working (mode 0600)'
complete -c appt -n "__fish_appt_needs_command" -f -a "purge" -d 'Remove what need not be kept of visits that ended before a date: messages, links, events\' personal fields'
complete -c appt -n "__fish_appt_needs_command" -f -a "key" -d 'The national-ID key: make a new one and seal every national ID again under it'
complete -c appt -n "__fish_appt_needs_command" -f -a "import" -d 'Book every line of a JSON Lines file (or -) through the booking rules'
complete -c appt -n "__fish_appt_needs_command" -f -a "transfer" -d 'Copy every row into an empty database of either kind (a file or a postgres:// server)'
complete -c appt -n "__fish_appt_needs_command" -f -a "demo" -d 'Seed a sample clinic into its own database (replacing only an earlier demo) and show today and tomorrow'
complete -c appt -n "__fish_appt_needs_command" -f -a "serve" -d 'Serve the HTTP API for bots, web forms and voice agents (tokens: `appt token`)'
complete -c appt -n "__fish_appt_needs_command" -f -a "board" -d 'The front desk\'s live screen of one clinic\'s day: book, check in, move and cancel from the keyboard'
complete -c appt -n "__fish_appt_needs_command" -f -a "completions" -d 'Print the shell completion script for bash, zsh, fish, elvish or powershell'
complete -c appt -n "__fish_appt_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand init" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand init" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand init" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand init" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand init" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand init" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand init" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand init" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand init" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand clinic; and not __fish_seen_subcommand_from add list show update help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand clinic; and not __fish_seen_subcommand_from add list show update help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and not __fish_seen_subcommand_from add list show update help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and not __fish_seen_subcommand_from add list show update help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand clinic; and not __fish_seen_subcommand_from add list show update help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and not __fish_seen_subcommand_from add list show update help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and not __fish_seen_subcommand_from add list show update help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand clinic; and not __fish_seen_subcommand_from add list show update help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand clinic; and not __fish_seen_subcommand_from add list show update help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand clinic; and not __fish_seen_subcommand_from add list show update help" -f -a "add" -d 'Add a clinic'
complete -c appt -n "__fish_appt_using_subcommand clinic; and not __fish_seen_subcommand_from add list show update help" -f -a "list" -d 'List clinics'
complete -c appt -n "__fish_appt_using_subcommand clinic; and not __fish_seen_subcommand_from add list show update help" -f -a "show" -d 'Show a clinic and its settings'
complete -c appt -n "__fish_appt_using_subcommand clinic; and not __fish_seen_subcommand_from add list show update help" -f -a "update" -d 'Change a clinic\'s name or settings'
complete -c appt -n "__fish_appt_using_subcommand clinic; and not __fish_seen_subcommand_from add list show update help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l timezone -d 'IANA time zone, e.g. America/El_Salvador (required for add)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l slot-minutes -d 'Slot length in minutes of windows that name none (and whose doctor names none)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l min-notice -d 'A booking must start at least this long after now, e.g. 2h' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l horizon -d 'A booking must start within this long from now, e.g. 90d' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l cancel-window -d 'Refuse cancel/reschedule this close to the start unless --force, e.g. 2h or "2 h" (or in Spanish "2 horas"); 0m is off' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l reminders -d 'Reminder offsets before each appointment, e.g. 24h,2h, or none' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l duplicate-check -d 'One active booking per patient, service and date: on|off' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l require-diagnosis -d 'Completing an appointment needs --diagnosis: on|off' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l notify -d 'Confirmation, rescheduled and cancelled messages to patients through `remind due`: on|off' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l country-code -d 'Country code of the clinic\'s local phone numbers, e.g. +503: a phone typed without its + is read in it; none clears it' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l language -d 'The language of the clinic\'s messages to patients: en|es' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l date-order -d 'How a date typed 4/12 is read: dmy (4 December) or mdy (12 April); without it, dmy for a clinic whose language is es, mdy otherwise' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l phone -d 'The clinic\'s phone, as patients are to read it in messages, e.g. "2222-3333"; none clears it' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l public-url -d 'Where patients\' phones reach `appt serve` (usually a TLS proxy), e.g. https://citas.example.com: messages carry links under it; none clears it' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l template -d 'The clinic\'s own text for one kind of message (reminder, confirmation, rescheduled, cancelled, waitlist_offer, recall) with placeholders such as {patient}, {date}, {time}, {link}; KIND= restores the built-in text. Repeatable' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l retain-messages -d 'Keep messages, patients\' links and the personal fields of events this long after a visit is over, e.g. 90d; `remind due` purges what is older; none keeps them for ever' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l queue-order -d 'The order `queue next`, `queue` and the board call checked-in patients in: time (the appointment\'s start, a walk-in\'s arrival) or token (the token number)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l late-after -d 'Minutes past its start after which a visit nobody arrived for is shown late (board, agenda, queue)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l payers -d 'Who may pay for a visit, comma-separated, e.g. "Privado,ISSS,Seguros Futuro": an appointment\'s --payer is one of them; "" clears the list' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l video-url -d 'The video link a telemedicine visit\'s messages give instead of the address ({video_url}), e.g. https://meet.example.com/clinica; none clears it' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l max-overbook-per-day -d 'How many overbooked visits (book --overbook) a doctor may have in a day, 0 to 50; 0 allows none (2 for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l online-booking -d 'Whether `appt serve` offers the clinic\'s online booking page, at {public URL}/b/{slug}: on|off (off for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l slug -d 'The end of the booking page\'s address: 1 to 60 of a-z, 0-9 and -, e.g. san-benito; none takes the clinic\'s name, lower-cased, without accents, words joined by - (as a new clinic has it)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l web-horizon -d 'How far ahead the booking page offers times, e.g. 14d (30d for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l web-notice -d 'The least notice a booking on the page takes, e.g. 1h; 0m for none (2h for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l web-hold -d 'How long the page holds a time for a patient typing the code sent to their phone, 1m to 60m (10m for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l recalls -d 'Whether `appt remind due` also sends the clinic\'s due recalls (the patients whose follow-up date has come): on|off (off for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l web-countries -d 'Country codes besides the clinic\'s own whose phones the booking page sends codes to, e.g. +502,+504; none for no other (none for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l web-codes-per-hour -d 'The most codes the booking page sends in an hour, past which it offers the clinic\'s phone (60 for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l session-hours -d 'How long a session opened by `appt login` lasts here unless --for says otherwise: hours, 1 to 24 (8 for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from list" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from list" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from list" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from list" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from list" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from list" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from show" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from show" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from show" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from show" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from show" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l name -d 'New name' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l timezone -d 'IANA time zone, e.g. America/El_Salvador (required for add)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l slot-minutes -d 'Slot length in minutes of windows that name none (and whose doctor names none)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l min-notice -d 'A booking must start at least this long after now, e.g. 2h' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l horizon -d 'A booking must start within this long from now, e.g. 90d' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l cancel-window -d 'Refuse cancel/reschedule this close to the start unless --force, e.g. 2h or "2 h" (or in Spanish "2 horas"); 0m is off' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l reminders -d 'Reminder offsets before each appointment, e.g. 24h,2h, or none' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l duplicate-check -d 'One active booking per patient, service and date: on|off' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l require-diagnosis -d 'Completing an appointment needs --diagnosis: on|off' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l notify -d 'Confirmation, rescheduled and cancelled messages to patients through `remind due`: on|off' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l country-code -d 'Country code of the clinic\'s local phone numbers, e.g. +503: a phone typed without its + is read in it; none clears it' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l language -d 'The language of the clinic\'s messages to patients: en|es' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l date-order -d 'How a date typed 4/12 is read: dmy (4 December) or mdy (12 April); without it, dmy for a clinic whose language is es, mdy otherwise' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l phone -d 'The clinic\'s phone, as patients are to read it in messages, e.g. "2222-3333"; none clears it' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l public-url -d 'Where patients\' phones reach `appt serve` (usually a TLS proxy), e.g. https://citas.example.com: messages carry links under it; none clears it' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l template -d 'The clinic\'s own text for one kind of message (reminder, confirmation, rescheduled, cancelled, waitlist_offer, recall) with placeholders such as {patient}, {date}, {time}, {link}; KIND= restores the built-in text. Repeatable' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l retain-messages -d 'Keep messages, patients\' links and the personal fields of events this long after a visit is over, e.g. 90d; `remind due` purges what is older; none keeps them for ever' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l queue-order -d 'The order `queue next`, `queue` and the board call checked-in patients in: time (the appointment\'s start, a walk-in\'s arrival) or token (the token number)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l late-after -d 'Minutes past its start after which a visit nobody arrived for is shown late (board, agenda, queue)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l payers -d 'Who may pay for a visit, comma-separated, e.g. "Privado,ISSS,Seguros Futuro": an appointment\'s --payer is one of them; "" clears the list' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l video-url -d 'The video link a telemedicine visit\'s messages give instead of the address ({video_url}), e.g. https://meet.example.com/clinica; none clears it' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l max-overbook-per-day -d 'How many overbooked visits (book --overbook) a doctor may have in a day, 0 to 50; 0 allows none (2 for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l online-booking -d 'Whether `appt serve` offers the clinic\'s online booking page, at {public URL}/b/{slug}: on|off (off for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l slug -d 'The end of the booking page\'s address: 1 to 60 of a-z, 0-9 and -, e.g. san-benito; none takes the clinic\'s name, lower-cased, without accents, words joined by - (as a new clinic has it)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l web-horizon -d 'How far ahead the booking page offers times, e.g. 14d (30d for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l web-notice -d 'The least notice a booking on the page takes, e.g. 1h; 0m for none (2h for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l web-hold -d 'How long the page holds a time for a patient typing the code sent to their phone, 1m to 60m (10m for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l recalls -d 'Whether `appt remind due` also sends the clinic\'s due recalls (the patients whose follow-up date has come): on|off (off for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l web-countries -d 'Country codes besides the clinic\'s own whose phones the booking page sends codes to, e.g. +502,+504; none for no other (none for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l web-codes-per-hour -d 'The most codes the booking page sends in an hour, past which it offers the clinic\'s phone (60 for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l session-hours -d 'How long a session opened by `appt login` lasts here unless --for says otherwise: hours, 1 to 24 (8 for a new clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l all-online -d 'Put on the booking page every doctor with a window at the clinic and every service they may do there (as doctor and service update --online yes would, one by one)'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a clinic'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from help" -f -a "list" -d 'List clinics'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a clinic and its settings'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a clinic\'s name or settings'
complete -c appt -n "__fish_appt_using_subcommand clinic; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand doctor; and not __fish_seen_subcommand_from add list show update help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand doctor; and not __fish_seen_subcommand_from add list show update help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and not __fish_seen_subcommand_from add list show update help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and not __fish_seen_subcommand_from add list show update help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand doctor; and not __fish_seen_subcommand_from add list show update help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and not __fish_seen_subcommand_from add list show update help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and not __fish_seen_subcommand_from add list show update help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand doctor; and not __fish_seen_subcommand_from add list show update help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand doctor; and not __fish_seen_subcommand_from add list show update help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand doctor; and not __fish_seen_subcommand_from add list show update help" -f -a "add" -d 'Add a doctor'
complete -c appt -n "__fish_appt_using_subcommand doctor; and not __fish_seen_subcommand_from add list show update help" -f -a "list" -d 'List doctors'
complete -c appt -n "__fish_appt_using_subcommand doctor; and not __fish_seen_subcommand_from add list show update help" -f -a "show" -d 'Show a doctor'
complete -c appt -n "__fish_appt_using_subcommand doctor; and not __fish_seen_subcommand_from add list show update help" -f -a "update" -d 'Change a doctor'
complete -c appt -n "__fish_appt_using_subcommand doctor; and not __fish_seen_subcommand_from add list show update help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from add" -l specialty -d 'Specialty, e.g. "Medicina General"' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from add" -l slot-minutes -d 'Slot length in minutes of this doctor\'s windows that name none [default: the clinic\'s]' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from add" -l online -d 'Whether the online booking page offers the doctor: yes|no (no by default)' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from add" -l services -d 'The services the doctor does, comma-separated, or all (the default): a window takes only these' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from add" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from add" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from add" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from add" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from add" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from add" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from add" -l same-name -d 'Add a doctor whose name another doctor already has'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from list" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from list" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from list" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from list" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from list" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from list" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from show" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from show" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from show" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from show" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from show" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from show" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from update" -l name -d 'New full name' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from update" -l specialty -d 'New specialty' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from update" -l slot-minutes -d 'New slot length in minutes of this doctor\'s windows that name none' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from update" -l active -d 'Whether the doctor takes bookings: true|false' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from update" -l max-per-day -d 'The most active appointments a day (1–1000), at all clinics; none takes the cap away' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from update" -l online -d 'Whether the online booking page offers the doctor: yes|no' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from update" -l services -d 'The services the doctor does, comma-separated, or all: a window takes only these' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from update" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from update" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from update" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from update" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from update" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from update" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from update" -l same-name -d 'Rename to a name another doctor already has'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from update" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from update" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a doctor'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from help" -f -a "list" -d 'List doctors'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a doctor'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a doctor'
complete -c appt -n "__fish_appt_using_subcommand doctor; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand service; and not __fish_seen_subcommand_from add list update remove help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand service; and not __fish_seen_subcommand_from add list update remove help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand service; and not __fish_seen_subcommand_from add list update remove help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand service; and not __fish_seen_subcommand_from add list update remove help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand service; and not __fish_seen_subcommand_from add list update remove help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand service; and not __fish_seen_subcommand_from add list update remove help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand service; and not __fish_seen_subcommand_from add list update remove help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand service; and not __fish_seen_subcommand_from add list update remove help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand service; and not __fish_seen_subcommand_from add list update remove help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand service; and not __fish_seen_subcommand_from add list update remove help" -f -a "add" -d 'Add a service'
complete -c appt -n "__fish_appt_using_subcommand service; and not __fish_seen_subcommand_from add list update remove help" -f -a "list" -d 'List services'
complete -c appt -n "__fish_appt_using_subcommand service; and not __fish_seen_subcommand_from add list update remove help" -f -a "update" -d 'Rename a service, change its duration, its daily limit, its buffers or whether the booking page offers it'
complete -c appt -n "__fish_appt_using_subcommand service; and not __fish_seen_subcommand_from add list update remove help" -f -a "remove" -d 'Remove a service (its past appointments keep it)'
complete -c appt -n "__fish_appt_using_subcommand service; and not __fish_seen_subcommand_from add list update remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from add" -l minutes -d 'Duration in minutes (5–480)' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from add" -l max-per-day -d 'The most of this service a day (1–1000), per doctor or per clinic\'s clinic-wide hours; none (the default) for no cap' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from add" -l buffer-before -d 'Minutes kept free before each appointment, e.g. to prepare (0–240; default 0)' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from add" -l buffer-after -d 'Minutes kept free after each appointment, e.g. to clean (0–240; default 0)' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from add" -l online -d 'Whether the online booking page offers the service: yes|no (no by default)' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from add" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from add" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from add" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from add" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from add" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from add" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from list" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from list" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from list" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from list" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from list" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from list" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from update" -l name -d 'New name' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from update" -l minutes -d 'New duration in minutes' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from update" -l max-per-day -d 'The most of this service a day (1–1000), per doctor or per clinic\'s clinic-wide hours; none takes the cap away' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from update" -l buffer-before -d 'New minutes kept free before each appointment (0–240), for bookings from now on' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from update" -l buffer-after -d 'New minutes kept free after each appointment (0–240), for bookings from now on' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from update" -l online -d 'Whether the online booking page offers the service: yes|no' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from update" -l needs -d 'Rooms or equipment it needs: one of each --needs, any of the names separated by | (none: nothing)' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from update" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from update" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from update" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from update" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from update" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from update" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from update" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from update" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from remove" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from remove" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from remove" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from remove" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from remove" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from remove" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation (only a terminal asks)'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from remove" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from remove" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a service'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from help" -f -a "list" -d 'List services'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from help" -f -a "update" -d 'Rename a service, change its duration, its daily limit, its buffers or whether the booking page offers it'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a service (its past appointments keep it)'
complete -c appt -n "__fish_appt_using_subcommand service; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand resource; and not __fish_seen_subcommand_from add list show update remove help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand resource; and not __fish_seen_subcommand_from add list show update remove help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and not __fish_seen_subcommand_from add list show update remove help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and not __fish_seen_subcommand_from add list show update remove help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand resource; and not __fish_seen_subcommand_from add list show update remove help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and not __fish_seen_subcommand_from add list show update remove help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and not __fish_seen_subcommand_from add list show update remove help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand resource; and not __fish_seen_subcommand_from add list show update remove help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand resource; and not __fish_seen_subcommand_from add list show update remove help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand resource; and not __fish_seen_subcommand_from add list show update remove help" -f -a "add" -d 'Add a room or a piece of equipment'
complete -c appt -n "__fish_appt_using_subcommand resource; and not __fish_seen_subcommand_from add list show update remove help" -f -a "list" -d 'List the rooms and equipment'
complete -c appt -n "__fish_appt_using_subcommand resource; and not __fish_seen_subcommand_from add list show update remove help" -f -a "show" -d 'Show a room or a piece of equipment'
complete -c appt -n "__fish_appt_using_subcommand resource; and not __fish_seen_subcommand_from add list show update remove help" -f -a "update" -d 'Change a room or a piece of equipment'
complete -c appt -n "__fish_appt_using_subcommand resource; and not __fish_seen_subcommand_from add list show update remove help" -f -a "remove" -d 'Remove one no visit to come holds and no service needs'
complete -c appt -n "__fish_appt_using_subcommand resource; and not __fish_seen_subcommand_from add list show update remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from add" -l kind -d 'room or equipment (sala, equipo)' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from add" -l capacity -d 'Visits it takes at once [default: 1]' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from add" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from add" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from add" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from add" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from add" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from add" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from list" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from list" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from list" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from list" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from list" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from list" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from show" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from show" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from show" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from show" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from show" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from show" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from update" -l name -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from update" -l kind -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from update" -l capacity -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from update" -l active -d 'no: given to no new visit, its history kept' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from update" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from update" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from update" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from update" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from update" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from update" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from update" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from update" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from remove" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from remove" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from remove" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from remove" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from remove" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from remove" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from remove" -s y -l yes
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from remove" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from remove" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a room or a piece of equipment'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the rooms and equipment'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a room or a piece of equipment'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a room or a piece of equipment'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove one no visit to come holds and no service needs'
complete -c appt -n "__fish_appt_using_subcommand resource; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand window; and not __fish_seen_subcommand_from add list close open remove help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand window; and not __fish_seen_subcommand_from add list close open remove help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand window; and not __fish_seen_subcommand_from add list close open remove help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand window; and not __fish_seen_subcommand_from add list close open remove help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand window; and not __fish_seen_subcommand_from add list close open remove help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand window; and not __fish_seen_subcommand_from add list close open remove help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand window; and not __fish_seen_subcommand_from add list close open remove help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand window; and not __fish_seen_subcommand_from add list close open remove help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand window; and not __fish_seen_subcommand_from add list close open remove help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand window; and not __fish_seen_subcommand_from add list close open remove help" -f -a "add" -d 'Add a weekly or one-date window for a doctor or the whole clinic'
complete -c appt -n "__fish_appt_using_subcommand window; and not __fish_seen_subcommand_from add list close open remove help" -f -a "list" -d 'List windows'
complete -c appt -n "__fish_appt_using_subcommand window; and not __fish_seen_subcommand_from add list close open remove help" -f -a "close" -d 'Stop taking bookings in a window (its slots show as SLOT_INACTIVE)'
complete -c appt -n "__fish_appt_using_subcommand window; and not __fish_seen_subcommand_from add list close open remove help" -f -a "open" -d 'Take bookings in a closed window again'
complete -c appt -n "__fish_appt_using_subcommand window; and not __fish_seen_subcommand_from add list close open remove help" -f -a "remove" -d 'Delete a window that has no upcoming appointments'
complete -c appt -n "__fish_appt_using_subcommand window; and not __fish_seen_subcommand_from add list close open remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -s d -l doctor -d 'The doctor this window belongs to' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l days -d 'Weekdays: mon-fri, mon,wed,fri, mon-fri,sun, or in Spanish lun-vie, lun,mié,vie, sáb' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -s D -l date -d 'One date (YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N, or in Spanish: mañana, viernes); replaces weekly windows that day' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l from -d 'Start, local HH:MM' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l to -d 'End, local HH:MM (24:00 for midnight)' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l slot-minutes -d 'Slot grid in minutes [default: the doctor\'s, else the clinic\'s]' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l capacity -d 'How many appointments may overlap at any instant [default: 1]' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l session -d 'Session label: Morning, Afternoon, Evening or free text' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l batch -d 'Batch label' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l services -d 'Only these services (names or IDs, comma-separated)' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l valid-from -d 'First date the weekly window applies' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l valid-to -d 'Last date the weekly window applies' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l resource -d 'A room\'s or a machine\'s own hours (with --days, --from, --to): it is then free only within them' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l clinic-wide -d 'A window for the whole clinic (no doctor)'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from list" -s d -l doctor -d 'Only this doctor\'s windows' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from list" -s D -l date -d 'Only the windows that apply on this date (date windows replace weekly ones)' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from list" -l resource -d 'A room\'s or a machine\'s own hours instead' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from list" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from list" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from list" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from list" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from list" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from list" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from close" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from close" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from close" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from close" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from close" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from close" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from close" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from close" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from close" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from open" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from open" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from open" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from open" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from open" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from open" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from open" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from open" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from open" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from remove" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from remove" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from remove" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from remove" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from remove" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from remove" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation (only a terminal asks)'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from remove" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from remove" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a weekly or one-date window for a doctor or the whole clinic'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from help" -f -a "list" -d 'List windows'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from help" -f -a "close" -d 'Stop taking bookings in a window (its slots show as SLOT_INACTIVE)'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from help" -f -a "open" -d 'Take bookings in a closed window again'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Delete a window that has no upcoming appointments'
complete -c appt -n "__fish_appt_using_subcommand window; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand closure; and not __fish_seen_subcommand_from add list remove help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand closure; and not __fish_seen_subcommand_from add list remove help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and not __fish_seen_subcommand_from add list remove help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and not __fish_seen_subcommand_from add list remove help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand closure; and not __fish_seen_subcommand_from add list remove help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and not __fish_seen_subcommand_from add list remove help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and not __fish_seen_subcommand_from add list remove help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand closure; and not __fish_seen_subcommand_from add list remove help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand closure; and not __fish_seen_subcommand_from add list remove help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand closure; and not __fish_seen_subcommand_from add list remove help" -f -a "add" -d 'Close a doctor (leave) or, with --clinic, a whole clinic (holiday) for some dates'
complete -c appt -n "__fish_appt_using_subcommand closure; and not __fish_seen_subcommand_from add list remove help" -f -a "list" -d 'List closures'
complete -c appt -n "__fish_appt_using_subcommand closure; and not __fish_seen_subcommand_from add list remove help" -f -a "remove" -d 'Delete a closure'
complete -c appt -n "__fish_appt_using_subcommand closure; and not __fish_seen_subcommand_from add list remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from add" -s d -l doctor -d 'The doctor who takes no bookings (else the clinic given with --clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from add" -l from -d 'First closed date' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from add" -l to -d 'Last closed date [default: the from date]' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from add" -s r -l reason -d 'Why, e.g. "Holiday" (shown to the front desk when a booking is refused)' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from add" -l resource -d 'Close a room or a machine instead (maintenance): it is given to no visit those days' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from add" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from add" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from add" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from add" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from add" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from add" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from list" -s d -l doctor -d 'Only this doctor\'s closures' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from list" -l resource -d 'A room\'s or a machine\'s closures instead' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from list" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from list" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from list" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from list" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from list" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from list" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from remove" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from remove" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from remove" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from remove" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from remove" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from remove" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation (only a terminal asks)'
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from remove" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from remove" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from help" -f -a "add" -d 'Close a doctor (leave) or, with --clinic, a whole clinic (holiday) for some dates'
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from help" -f -a "list" -d 'List closures'
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Delete a closure'
complete -c appt -n "__fish_appt_using_subcommand closure; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand patient; and not __fish_seen_subcommand_from add list show update export erase help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand patient; and not __fish_seen_subcommand_from add list show update export erase help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and not __fish_seen_subcommand_from add list show update export erase help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and not __fish_seen_subcommand_from add list show update export erase help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand patient; and not __fish_seen_subcommand_from add list show update export erase help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and not __fish_seen_subcommand_from add list show update export erase help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and not __fish_seen_subcommand_from add list show update export erase help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand patient; and not __fish_seen_subcommand_from add list show update export erase help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand patient; and not __fish_seen_subcommand_from add list show update export erase help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand patient; and not __fish_seen_subcommand_from add list show update export erase help" -f -a "add" -d 'Add a patient (unique by phone)'
complete -c appt -n "__fish_appt_using_subcommand patient; and not __fish_seen_subcommand_from add list show update export erase help" -f -a "list" -d 'List patients, optionally searching name and phone'
complete -c appt -n "__fish_appt_using_subcommand patient; and not __fish_seen_subcommand_from add list show update export erase help" -f -a "show" -d 'Show a patient'
complete -c appt -n "__fish_appt_using_subcommand patient; and not __fish_seen_subcommand_from add list show update export erase help" -f -a "update" -d 'Change a patient'
complete -c appt -n "__fish_appt_using_subcommand patient; and not __fish_seen_subcommand_from add list show update export erase help" -f -a "export" -d 'Everything appt holds about a patient, for a patient who asks for it'
complete -c appt -n "__fish_appt_using_subcommand patient; and not __fish_seen_subcommand_from add list show update export erase help" -f -a "erase" -d 'Erase a patient on request: name, phone, e-mail, national ID, messages and links go; their appointments stay, anonymised'
complete -c appt -n "__fish_appt_using_subcommand patient; and not __fish_seen_subcommand_from add list show update export erase help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from add" -l name -d 'Full name' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from add" -s P -l phone -d 'Phone in E.164, or a local number at a clinic with a country code; spaces, dashes, dots and parentheses are removed' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from add" -l national-id -d 'National ID (stored encrypted)' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from add" -l email -d 'Email address' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from add" -l channel -d 'How the patient prefers to be sent messages: whatsapp, sms, email, or none for no messages [default: the clinic\'s order]' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from add" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from add" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from add" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from add" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from add" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from add" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from list" -l search -d 'Text found in the name or the phone' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from list" -s n -l limit -d 'At most this many' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from list" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from list" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from list" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from list" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from list" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from list" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from show" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from show" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from show" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from show" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from show" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from show" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from update" -l name -d 'New full name' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from update" -s P -l phone -d 'New phone' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from update" -l national-id -d 'New national ID' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from update" -l email -d 'New email ("" clears it)' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from update" -l channel -d 'New preferred channel: whatsapp, sms, email or none ("" clears it: the clinic\'s order)' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from update" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from update" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from update" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from update" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from update" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from update" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from update" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from update" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from export" -s o -l output -d 'Write to FILE (mode 0600, whole or not at all) instead of standard output' -r -F
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from export" -l format -d 'json (everything appt holds), fhir (a FHIR R4 Bundle of the Patient and their Appointments) or html (a page to print, in the clinic\'s language)' -r -f -a "json\t'Everything appt holds: the record, appointments with their events, messages, waitlist entries and links'
fhir\t'A FHIR R4 Bundle (collection): the Patient and their Appointments'
html\t'A page to print and hand over, in the clinic\'s language'"
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from export" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from export" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from export" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from export" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from export" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from export" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from export" -l include-national-id -d 'Put the national ID in (it is opened with the key, as `patient show` does)'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from export" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from export" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from erase" -l reason -d 'Why: recorded with the erasure (the request\'s date or number)' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from erase" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from erase" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from erase" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from erase" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from erase" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from erase" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from erase" -l clinical -d 'The clinical record of their appointments goes too (diagnosis, prescription, follow-up)'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from erase" -s y -l yes -d 'Do not ask for confirmation (only a terminal asks)'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from erase" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from erase" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from erase" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a patient (unique by phone)'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from help" -f -a "list" -d 'List patients, optionally searching name and phone'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a patient'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a patient'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from help" -f -a "export" -d 'Everything appt holds about a patient, for a patient who asks for it'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from help" -f -a "erase" -d 'Erase a patient on request: name, phone, e-mail, national ID, messages and links go; their appointments stay, anonymised'
complete -c appt -n "__fish_appt_using_subcommand patient; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand slots" -s d -l doctor -d 'The doctor' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand slots" -s D -l date -d 'The date: YYYY-MM-DD, D/M, today, tomorrow, yesterday, a weekday, +N or -N, or in Spanish (hoy, mañana, pasado mañana, viernes)' -r
complete -c appt -n "__fish_appt_using_subcommand slots" -s s -l service -d 'Slots long enough for this service' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand slots" -l duration -d 'Slots long enough for this many minutes' -r
complete -c appt -n "__fish_appt_using_subcommand slots" -l session -d 'Only this session (Morning, Afternoon, …)' -r
complete -c appt -n "__fish_appt_using_subcommand slots" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand slots" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand slots" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand slots" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand slots" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand slots" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand slots" -l clinic-wide -d 'The clinic-wide windows instead of a doctor\'s'
complete -c appt -n "__fish_appt_using_subcommand slots" -s a -l all -d 'Every grid slot, with why the unavailable ones are not offered'
complete -c appt -n "__fish_appt_using_subcommand slots" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand slots" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand slots" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand book" -s d -l doctor -d 'The doctor (name or ID)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand book" -s D -l date -d 'Local date: YYYY-MM-DD, D/M (in the clinic\'s --date-order), today, tomorrow, a weekday (the next one), +N or -N, or in Spanish (hoy, mañana, pasado mañana, viernes)' -r
complete -c appt -n "__fish_appt_using_subcommand book" -s t -l time -d 'Local time, HH:MM (24 h)' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l at -d 'The start as RFC 3339 with offset (picks either side of a DST fold)' -r
complete -c appt -n "__fish_appt_using_subcommand book" -s p -l patient -d 'An existing patient: ID, prefix or phone' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand book" -s P -l phone -d 'The patient\'s phone (E.164, or local to a clinic with a country code); creates the patient if new' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l name -d 'The patient\'s full name (replaces the stored one)' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l national-id -d 'The patient\'s national ID (stored encrypted)' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l email -d 'The patient\'s email (replaces the stored one)' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l channel -d 'How the patient prefers to be sent messages: whatsapp, sms, email or none (replaces the stored one)' -r
complete -c appt -n "__fish_appt_using_subcommand book" -s s -l service -d 'Service (appointment type) by name or ID' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand book" -l duration -d 'Length in minutes, 5–480 [default: the service\'s, else the window\'s slot]' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l session -d 'Only in a window of this session (Morning, Afternoon, …)' -r
complete -c appt -n "__fish_appt_using_subcommand book" -s r -l reason -d 'Reason for the visit' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l notes -d 'Notes' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l source -d 'Where the booking came from: manual, phone, whatsapp, web, walk_in, import, api' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l external-ref -d 'The caller\'s own ID for this booking at its clinic: booking it again there returns the same appointment' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l overbook -d 'Fit the visit in where availability or capacity would refuse it (an emergency), recorded with why and by whom: the reason given here, else --reason. Never a past time, a duplicate, or more than the clinic\'s --max-overbook-per-day for the doctor' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l resource -d 'The room or machine to give it, of a group its service needs [default: the first free]' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l urgency -d 'How soon the patient must be seen: normal, urgent or emergency (in Spanish urgente, emergencia) [default: normal]' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l modality -d 'Where the visit happens: in_person, telemedicine or home (in Spanish presencial, telemedicina, domicilio) [default: in_person]' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l visit-type -d 'first or follow_up (in Spanish "primera vez", control, seguimiento) [default: follow_up when the patient has an earlier completed visit with the doctor, else first]' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l payer -d 'Who pays: one of the clinic\'s --payers (e.g. ISSS)' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l repeat -d 'Book a series: the same local time every day or every week' -r -f -a "daily\t''
weekly\t''"
complete -c appt -n "__fish_appt_using_subcommand book" -l every -d 'A series every N days or weeks [default: 1]' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l count -d 'How many occurrences a series has (at most 104)' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l until -d 'The last date a series may fall on' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand book" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand book" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand book" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand book" -l clinic-wide -d 'Book into a clinic-wide window (no doctor)'
complete -c appt -n "__fish_appt_using_subcommand book" -l walk-in -d 'A patient who walked in: the first free slot from now in the window open now, checked in, with the day\'s next token'
complete -c appt -n "__fish_appt_using_subcommand book" -l no-notify -d 'Send the patient no confirmation message'
complete -c appt -n "__fish_appt_using_subcommand book" -l overbook-resource -d 'With --overbook: its rooms and machines may be overbooked too (else never)'
complete -c appt -n "__fish_appt_using_subcommand book" -l force -d 'Book even into a time the doctor\'s own calendar says they are busy'
complete -c appt -n "__fish_appt_using_subcommand book" -l skip-conflicts -d 'Book the occurrences that can be booked and list the others'
complete -c appt -n "__fish_appt_using_subcommand book" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand book" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand book" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand reschedule" -s D -l date -d 'Local date: YYYY-MM-DD, D/M (in the clinic\'s --date-order), today, tomorrow, a weekday (the next one), +N or -N, or in Spanish (hoy, mañana, pasado mañana, viernes)' -r
complete -c appt -n "__fish_appt_using_subcommand reschedule" -s t -l time -d 'Local time, HH:MM (24 h)' -r
complete -c appt -n "__fish_appt_using_subcommand reschedule" -l at -d 'The start as RFC 3339 with offset (picks either side of a DST fold)' -r
complete -c appt -n "__fish_appt_using_subcommand reschedule" -s d -l doctor -d 'Move to another doctor' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand reschedule" -l duration -d 'New length in minutes (else the length stays)' -r
complete -c appt -n "__fish_appt_using_subcommand reschedule" -s r -l reason -d 'Why it moved (kept in the event)' -r
complete -c appt -n "__fish_appt_using_subcommand reschedule" -l urgency -d 'New urgency: normal, urgent or emergency (in Spanish urgente, emergencia)' -r
complete -c appt -n "__fish_appt_using_subcommand reschedule" -l modality -d 'New modality: in_person, telemedicine or home (in Spanish presencial, telemedicina, domicilio)' -r
complete -c appt -n "__fish_appt_using_subcommand reschedule" -l visit-type -d 'New visit type: first or follow_up (in Spanish "primera vez", control, seguimiento)' -r
complete -c appt -n "__fish_appt_using_subcommand reschedule" -l payer -d 'New payer: one of the clinic\'s --payers; "" clears it' -r
complete -c appt -n "__fish_appt_using_subcommand reschedule" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand reschedule" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand reschedule" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand reschedule" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand reschedule" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand reschedule" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand reschedule" -l force -d 'Move even inside the clinic\'s cancellation window, or into a busy time of the doctor\'s own calendar'
complete -c appt -n "__fish_appt_using_subcommand reschedule" -l no-notify -d 'Send the patient no "rescheduled" message'
complete -c appt -n "__fish_appt_using_subcommand reschedule" -l series -d 'Move this occurrence of a series and every later one to --time, each on its own date'
complete -c appt -n "__fish_appt_using_subcommand reschedule" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand reschedule" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand reschedule" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand cancel" -s r -l reason -d 'Why it is cancelled (required). Kept for the clinic: the patient is never sent it' -r
complete -c appt -n "__fish_appt_using_subcommand cancel" -l tell-patient -d 'The reason the patient\'s "cancelled" message gives (without it, the message gives none)' -r
complete -c appt -n "__fish_appt_using_subcommand cancel" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand cancel" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand cancel" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand cancel" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand cancel" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand cancel" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand cancel" -l force -d 'Cancel even inside the clinic\'s cancellation window'
complete -c appt -n "__fish_appt_using_subcommand cancel" -l no-notify -d 'Send the patient no "cancelled" message'
complete -c appt -n "__fish_appt_using_subcommand cancel" -s y -l yes -d 'Do not ask for confirmation (only a terminal asks)'
complete -c appt -n "__fish_appt_using_subcommand cancel" -l series -d 'Cancel this occurrence of a series and every later active one'
complete -c appt -n "__fish_appt_using_subcommand cancel" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand cancel" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand cancel" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand status" -l diagnosis -d 'Diagnosis (required for completed when the clinic says so)' -r
complete -c appt -n "__fish_appt_using_subcommand status" -l prescription -d 'Prescription' -r
complete -c appt -n "__fish_appt_using_subcommand status" -l follow-up -d 'Follow-up date (sets follow_up_required)' -r
complete -c appt -n "__fish_appt_using_subcommand status" -l notes -d 'Notes' -r
complete -c appt -n "__fish_appt_using_subcommand status" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand status" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand status" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand status" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand status" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand status" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand status" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand status" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand status" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand update" -s r -l reason -d 'Reason for the visit' -r
complete -c appt -n "__fish_appt_using_subcommand update" -l notes -d 'Notes' -r
complete -c appt -n "__fish_appt_using_subcommand update" -l diagnosis -d 'Diagnosis' -r
complete -c appt -n "__fish_appt_using_subcommand update" -l prescription -d 'Prescription' -r
complete -c appt -n "__fish_appt_using_subcommand update" -l follow-up -d 'Follow-up date (sets follow_up_required)' -r
complete -c appt -n "__fish_appt_using_subcommand update" -l urgency -d 'New urgency: normal, urgent or emergency (in Spanish urgente, emergencia)' -r
complete -c appt -n "__fish_appt_using_subcommand update" -l modality -d 'New modality: in_person, telemedicine or home (in Spanish presencial, telemedicina, domicilio)' -r
complete -c appt -n "__fish_appt_using_subcommand update" -l visit-type -d 'New visit type: first or follow_up (in Spanish "primera vez", control, seguimiento)' -r
complete -c appt -n "__fish_appt_using_subcommand update" -l payer -d 'New payer: one of the clinic\'s --payers; "" clears it' -r
complete -c appt -n "__fish_appt_using_subcommand update" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand update" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand update" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand update" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand update" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand update" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand update" -l no-follow-up -d 'Clear the follow-up'
complete -c appt -n "__fish_appt_using_subcommand update" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand update" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand update" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand show" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand show" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand show" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand show" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand show" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand show" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand show" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand show" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand show" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand history" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand history" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand history" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand history" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand history" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand history" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand history" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand history" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand history" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand list" -s D -l date -d 'One local date: YYYY-MM-DD, D/M, today, tomorrow, yesterday, a weekday, +N or -N, or in Spanish (hoy, mañana, viernes)' -r
complete -c appt -n "__fish_appt_using_subcommand list" -l from -d 'From this local date (inclusive)' -r
complete -c appt -n "__fish_appt_using_subcommand list" -l to -d 'To this local date (inclusive)' -r
complete -c appt -n "__fish_appt_using_subcommand list" -s S -l status -d 'Only this status: scheduled, confirmed, checked_in, in_progress, completed, cancelled, no_show, or in Spanish (confirmada, llegó, atendida, ausente…)' -r
complete -c appt -n "__fish_appt_using_subcommand list" -s d -l doctor -d 'Only this doctor\'s' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand list" -s p -l patient -d 'Only this patient\'s (ID, prefix or phone)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand list" -l source -d 'Only from this source' -r
complete -c appt -n "__fish_appt_using_subcommand list" -l series -d 'Only this series\' occurrences (its ID or prefix, or one occurrence\'s ID)' -r
complete -c appt -n "__fish_appt_using_subcommand list" -l urgency -d 'Only this urgency: normal, urgent, emergency (or urgente, emergencia)' -r
complete -c appt -n "__fish_appt_using_subcommand list" -l modality -d 'Only this modality: in_person, telemedicine, home (or presencial, telemedicina, domicilio)' -r
complete -c appt -n "__fish_appt_using_subcommand list" -l visit-type -d 'Only first visits or follow-ups: first, follow_up (or "primera vez", control)' -r
complete -c appt -n "__fish_appt_using_subcommand list" -l payer -d 'Only this payer\'s (case ignored)' -r
complete -c appt -n "__fish_appt_using_subcommand list" -l page -d 'Page number, from 1' -r
complete -c appt -n "__fish_appt_using_subcommand list" -s n -l limit -d 'Appointments per page, at most 500' -r
complete -c appt -n "__fish_appt_using_subcommand list" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand list" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand list" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand list" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand list" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand list" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand list" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand list" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand list" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand count" -l source -d 'Only from this source (e.g. whatsapp)' -r
complete -c appt -n "__fish_appt_using_subcommand count" -l since -d 'Created since this date (its local midnight) or RFC 3339 time [default: 24 hours ago]' -r
complete -c appt -n "__fish_appt_using_subcommand count" -s S -l status -d 'Only with this status now' -r
complete -c appt -n "__fish_appt_using_subcommand count" -l by -d 'Count in groups: urgency, modality, visit_type, payer or doctor' -r
complete -c appt -n "__fish_appt_using_subcommand count" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand count" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand count" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand count" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand count" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand count" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand count" -l overbooked -d 'Only the overbooked visits (book --overbook)'
complete -c appt -n "__fish_appt_using_subcommand count" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand count" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand count" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand report" -l from -d 'The first date of the period [default: 28 days before --to]' -r
complete -c appt -n "__fish_appt_using_subcommand report" -l to -d 'The last date of the period, included [default: yesterday]' -r
complete -c appt -n "__fish_appt_using_subcommand report" -l month -l mes -d 'A whole month instead: 2026-11, 11/2026, June (junio), last or this (pasado, este)' -r
complete -c appt -n "__fish_appt_using_subcommand report" -s d -l doctor -d 'Only this doctor\'s visits' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand report" -l service -d 'Only this service\'s visits' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand report" -l format -d 'The figures as rows: csv or xlsx (a spreadsheet)' -r -f -a "csv\t'CSV (RFC 4180): every figure a row, with a header row'
xlsx\t'An Excel spreadsheet (.xlsx) in the clinic\'s language, to --output FILE'"
complete -c appt -n "__fish_appt_using_subcommand report" -s o -l output -d 'Write --format\'s rows to FILE (mode 0600, whole or not at all) instead of standard output' -r -F
complete -c appt -n "__fish_appt_using_subcommand report" -l html -d 'Write the report as one web page to FILE (charts inline, nothing fetched; written whole or not at all)' -r -F
complete -c appt -n "__fish_appt_using_subcommand report" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand report" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand report" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand report" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand report" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand report" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand report" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand report" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand report" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand next" -s d -l doctor -d 'Only this doctor' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand next" -l specialty -d 'Only doctors of this specialty' -r
complete -c appt -n "__fish_appt_using_subcommand next" -s s -l service -d 'Slots long enough for this service' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand next" -l after -d 'From this date on instead of now: YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N, or in Spanish (mañana, lunes)' -r
complete -c appt -n "__fish_appt_using_subcommand next" -s n -l limit -d 'How many slots [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand next" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand next" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand next" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand next" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand next" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand next" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand next" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand next" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand next" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand agenda" -s D -l date -d 'The first day: YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N or -N, or in Spanish (hoy, mañana, lunes) [default: today]' -r
complete -c appt -n "__fish_appt_using_subcommand agenda" -s d -l doctor -d 'Only this doctor' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand agenda" -l days -d 'How many consecutive days, from the first' -r
complete -c appt -n "__fish_appt_using_subcommand agenda" -l resource -d 'A room\'s or a machine\'s day: only the visits given it' -r
complete -c appt -n "__fish_appt_using_subcommand agenda" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand agenda" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand agenda" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand agenda" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand agenda" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand agenda" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand agenda" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand agenda" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand agenda" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand queue; and not __fish_seen_subcommand_from next help" -s d -l doctor -d 'Only this doctor\'s queue' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand queue; and not __fish_seen_subcommand_from next help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand queue; and not __fish_seen_subcommand_from next help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand queue; and not __fish_seen_subcommand_from next help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand queue; and not __fish_seen_subcommand_from next help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand queue; and not __fish_seen_subcommand_from next help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand queue; and not __fish_seen_subcommand_from next help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand queue; and not __fish_seen_subcommand_from next help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand queue; and not __fish_seen_subcommand_from next help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand queue; and not __fish_seen_subcommand_from next help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand queue; and not __fish_seen_subcommand_from next help" -f -a "next" -d 'Call the next patient: the first checked-in appointment of today in the clinic\'s queue order (--queue-order: the earliest appointment, a walk-in at its arrival; or the lowest token) moves to in_progress'
complete -c appt -n "__fish_appt_using_subcommand queue; and not __fish_seen_subcommand_from next help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand queue; and __fish_seen_subcommand_from next" -s d -l doctor -d 'The doctor calling (a terminal asks)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand queue; and __fish_seen_subcommand_from next" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand queue; and __fish_seen_subcommand_from next" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand queue; and __fish_seen_subcommand_from next" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand queue; and __fish_seen_subcommand_from next" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand queue; and __fish_seen_subcommand_from next" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand queue; and __fish_seen_subcommand_from next" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand queue; and __fish_seen_subcommand_from next" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand queue; and __fish_seen_subcommand_from next" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand queue; and __fish_seen_subcommand_from next" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "next" -d 'Call the next patient: the first checked-in appointment of today in the clinic\'s queue order (--queue-order: the earliest appointment, a walk-in at its arrival; or the lowest token) moves to in_progress'
complete -c appt -n "__fish_appt_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and not __fish_seen_subcommand_from add list remove help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand waitlist; and not __fish_seen_subcommand_from add list remove help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and not __fish_seen_subcommand_from add list remove help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and not __fish_seen_subcommand_from add list remove help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand waitlist; and not __fish_seen_subcommand_from add list remove help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and not __fish_seen_subcommand_from add list remove help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and not __fish_seen_subcommand_from add list remove help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and not __fish_seen_subcommand_from add list remove help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and not __fish_seen_subcommand_from add list remove help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and not __fish_seen_subcommand_from add list remove help" -f -a "add" -d 'Put a patient on the waitlist for a doctor and date; a freed time is offered oldest first'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and not __fish_seen_subcommand_from add list remove help" -f -a "list" -d 'Who is waiting, from today on'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and not __fish_seen_subcommand_from add list remove help" -f -a "remove" -d 'Take an entry off the waitlist'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and not __fish_seen_subcommand_from add list remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from add" -s d -l doctor -d 'The doctor the patient wants (a terminal asks)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from add" -s D -l date -d 'The date the patient wants: YYYY-MM-DD, D/M, today, tomorrow, a weekday, +N, or in Spanish (mañana, viernes) (a terminal asks)' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from add" -s p -l patient -d 'An existing patient: ID, prefix, phone or name' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from add" -s P -l phone -d 'The patient\'s phone (E.164, or local to a clinic with a country code); creates the patient if new' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from add" -l name -d 'The patient\'s full name (for a new patient)' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from add" -l email -d 'The patient\'s email (replaces the stored one)' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from add" -l channel -d 'How the patient prefers to be sent messages: whatsapp, sms, email or none (replaces the stored one)' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from add" -s s -l service -d 'The service wanted' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from add" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from add" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from add" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from add" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from add" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from add" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from list" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from list" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from list" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from list" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from list" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from list" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from remove" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from remove" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from remove" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from remove" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from remove" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from remove" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation (only a terminal asks)'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from remove" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from remove" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from help" -f -a "add" -d 'Put a patient on the waitlist for a doctor and date; a freed time is offered oldest first'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from help" -f -a "list" -d 'Who is waiting, from today on'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Take an entry off the waitlist'
complete -c appt -n "__fish_appt_using_subcommand waitlist; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand remind; and not __fish_seen_subcommand_from due list help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand remind; and not __fish_seen_subcommand_from due list help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and not __fish_seen_subcommand_from due list help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and not __fish_seen_subcommand_from due list help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand remind; and not __fish_seen_subcommand_from due list help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and not __fish_seen_subcommand_from due list help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and not __fish_seen_subcommand_from due list help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand remind; and not __fish_seen_subcommand_from due list help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand remind; and not __fish_seen_subcommand_from due list help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand remind; and not __fish_seen_subcommand_from due list help" -f -a "due" -d 'Deliver the reminders, waitlist offers and patient notifications that are due (cron runs this every few minutes)'
complete -c appt -n "__fish_appt_using_subcommand remind; and not __fish_seen_subcommand_from due list help" -f -a "list" -d 'List reminders and the other messages `remind due` delivers'
complete -c appt -n "__fish_appt_using_subcommand remind; and not __fish_seen_subcommand_from due list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from due" -l exec -d 'Run `sh -c CMD` once per reminder, with its JSON on stdin and APPT_* variables; exit 0 = sent' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from due" -s n -l limit -d 'Deliver at most this many in this run' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from due" -l concurrency -d 'Send up to N messages to the providers at once (1–64)' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from due" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from due" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from due" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from due" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from due" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from due" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from due" -l dry-run -d 'Print what would be delivered and change nothing'
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from due" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from due" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from due" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from list" -s S -l status -d 'Only this status: pending, sent, failed, cancelled, expired, or in Spanish (pendiente, enviado, fallido…)' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from list" -l kind -d 'Only this kind: reminder, confirmation, rescheduled, cancelled, waitlist_offer, recall, or in Spanish (recordatorio, confirmación, control…)' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from list" -s n -l limit -d 'At most this many' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from list" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from list" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from list" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from list" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from list" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from list" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from help" -f -a "due" -d 'Deliver the reminders, waitlist offers and patient notifications that are due (cron runs this every few minutes)'
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from help" -f -a "list" -d 'List reminders and the other messages `remind due` delivers'
complete -c appt -n "__fish_appt_using_subcommand remind; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand recall; and not __fish_seen_subcommand_from list send help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand recall; and not __fish_seen_subcommand_from list send help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand recall; and not __fish_seen_subcommand_from list send help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand recall; and not __fish_seen_subcommand_from list send help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand recall; and not __fish_seen_subcommand_from list send help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand recall; and not __fish_seen_subcommand_from list send help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand recall; and not __fish_seen_subcommand_from list send help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand recall; and not __fish_seen_subcommand_from list send help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand recall; and not __fish_seen_subcommand_from list send help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand recall; and not __fish_seen_subcommand_from list send help" -f -a "list" -d 'The clinic\'s recall list: completed visits whose follow-up date has come, with whether each was sent or booked'
complete -c appt -n "__fish_appt_using_subcommand recall; and not __fish_seen_subcommand_from list send help" -f -a "send" -d 'Send each due recall its one message, with a link to the booking page (through the clinic\'s channels, the hook, or as JSON lines)'
complete -c appt -n "__fish_appt_using_subcommand recall; and not __fish_seen_subcommand_from list send help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from list" -l due-before -d 'Only recalls whose follow-up date is before this date (the date itself left out); default: up to today' -r
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from list" -s S -l status -d 'Only this status: due, sent, booked' -r
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from list" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from list" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from list" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from list" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from list" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from list" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from send" -l exec -d 'Run `sh -c CMD` once per recall, with its JSON on stdin and APPT_* variables; exit 0 = sent' -r
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from send" -l concurrency -d 'Send up to N messages to the providers at once (1–64)' -r
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from send" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from send" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from send" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from send" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from send" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from send" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from send" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from send" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from send" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from help" -f -a "list" -d 'The clinic\'s recall list: completed visits whose follow-up date has come, with whether each was sent or booked'
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from help" -f -a "send" -d 'Send each due recall its one message, with a link to the booking page (through the clinic\'s channels, the hook, or as JSON lines)'
complete -c appt -n "__fish_appt_using_subcommand recall; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand events" -l after -d 'Only events after this ID (the last one you saw)' -r
complete -c appt -n "__fish_appt_using_subcommand events" -l type -d 'Only events of this type, e.g. appointment.booked' -r
complete -c appt -n "__fish_appt_using_subcommand events" -s n -l limit -d 'At most this many' -r
complete -c appt -n "__fish_appt_using_subcommand events" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand events" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand events" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand events" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand events" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand events" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand events" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand events" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand events" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand export" -l format -d 'What to write (required): ics (iCalendar), fhir (a FHIR R4 Bundle), jsonl (JSON Lines), csv or xlsx (a spreadsheet)' -r -f -a "ics\t'iCalendar (RFC 5545), one event per appointment'
fhir\t'A FHIR R4 Bundle (collection) of Appointment, Patient and Practitioner resources'
jsonl\t'JSON Lines: one appointment object per line'
csv\t'CSV (RFC 4180) with a header row'
xlsx\t'An Excel spreadsheet (.xlsx) in the clinic\'s language, to --output FILE'"
complete -c appt -n "__fish_appt_using_subcommand export" -l from -d 'From this local date (inclusive): YYYY-MM-DD, D/M, today, tomorrow, yesterday, a weekday, +N or -N, or in Spanish (hoy, ayer)' -r
complete -c appt -n "__fish_appt_using_subcommand export" -l to -d 'To this local date (inclusive)' -r
complete -c appt -n "__fish_appt_using_subcommand export" -s d -l doctor -d 'Only this doctor\'s (name or ID)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand export" -s S -l status -d 'Only this status (scheduled, confirmed, checked_in, in_progress, completed, cancelled, no_show, or in Spanish: confirmada, atendida, ausente…)' -r
complete -c appt -n "__fish_appt_using_subcommand export" -s o -l output -d 'Write to FILE (mode 0600, whole or not at all) instead of standard output' -r -F
complete -c appt -n "__fish_appt_using_subcommand export" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand export" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand export" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand export" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand export" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand export" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand export" -l include-patient -d 'Put the patient\'s name, phone and ID into ics and fhir exports, their name and phone into xlsx (jsonl and csv always carry them)'
complete -c appt -n "__fish_appt_using_subcommand export" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand export" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand export" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove deliver help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove deliver help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove deliver help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove deliver help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove deliver help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove deliver help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove deliver help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove deliver help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove deliver help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove deliver help" -f -a "add" -d 'Add a webhook: events recorded from now on are POSTed to URL'
complete -c appt -n "__fish_appt_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove deliver help" -f -a "list" -d 'List webhooks and how their deliveries stand'
complete -c appt -n "__fish_appt_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove deliver help" -f -a "remove" -d 'Remove a webhook'
complete -c appt -n "__fish_appt_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove deliver help" -f -a "deliver" -d 'POST every undelivered event (cron runs this every few minutes)'
complete -c appt -n "__fish_appt_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove deliver help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from add" -l events -d 'Only these event types (comma-separated) [default: all]' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from add" -l secret -d 'Sign each body with this secret: X-Appt-Signature: sha256=<hex HMAC-SHA256>. `-` reads it from standard input. A secret written on the command line is visible to other users of the machine (ps): prefer --secret-file or -' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from add" -l secret-file -d 'Read the signing secret from FILE (trailing line breaks trimmed)' -r -F
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from add" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from add" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from add" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from add" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from add" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from add" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from add" -l clinical -d 'Send the whole appointment object, diagnosis, prescription, follow-up and notes included. Without it the receiver gets the message view, as hooks do (for a system that keeps the clinical record)'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from list" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from list" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from list" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from list" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from list" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from list" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from remove" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation (only a terminal asks)'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from deliver" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from deliver" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from deliver" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from deliver" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from deliver" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from deliver" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from deliver" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from deliver" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from deliver" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a webhook: events recorded from now on are POSTed to URL'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "list" -d 'List webhooks and how their deliveries stand'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a webhook'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "deliver" -d 'POST every undelivered event (cron runs this every few minutes)'
complete -c appt -n "__fish_appt_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand channel; and not __fish_seen_subcommand_from add list remove order test help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand channel; and not __fish_seen_subcommand_from add list remove order test help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and not __fish_seen_subcommand_from add list remove order test help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and not __fish_seen_subcommand_from add list remove order test help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand channel; and not __fish_seen_subcommand_from add list remove order test help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and not __fish_seen_subcommand_from add list remove order test help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and not __fish_seen_subcommand_from add list remove order test help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand channel; and not __fish_seen_subcommand_from add list remove order test help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand channel; and not __fish_seen_subcommand_from add list remove order test help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand channel; and not __fish_seen_subcommand_from add list remove order test help" -f -a "add" -d 'Add a channel to the clinic, last in its order: WhatsApp, SMS or e-mail'
complete -c appt -n "__fish_appt_using_subcommand channel; and not __fish_seen_subcommand_from add list remove order test help" -f -a "list" -d 'List the clinic\'s channels in their order (never a secret)'
complete -c appt -n "__fish_appt_using_subcommand channel; and not __fish_seen_subcommand_from add list remove order test help" -f -a "remove" -d 'Remove a channel'
complete -c appt -n "__fish_appt_using_subcommand channel; and not __fish_seen_subcommand_from add list remove order test help" -f -a "order" -d 'Set the order the clinic\'s channels are tried in: the named first, the rest after'
complete -c appt -n "__fish_appt_using_subcommand channel; and not __fish_seen_subcommand_from add list remove order test help" -f -a "test" -d 'Send one short test message now through a channel (exit 7 when the provider refuses it)'
complete -c appt -n "__fish_appt_using_subcommand channel; and not __fish_seen_subcommand_from add list remove order test help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from add" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from add" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from add" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from add" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from add" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from add" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from add" -f -a "whatsapp" -d 'WhatsApp through Meta\'s Cloud API (the token from --token-file, else APPT_WHATSAPP_TOKEN)'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from add" -f -a "sms" -d 'SMS through Twilio\'s REST API (the auth token from --auth-token-file, else APPT_TWILIO_AUTH_TOKEN)'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from add" -f -a "email" -d 'E-mail over SMTP with TLS or STARTTLS (the password from --password-file, else APPT_SMTP_PASSWORD)'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from add" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from list" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from list" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from list" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from list" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from list" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from list" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from remove" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from remove" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from remove" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from remove" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from remove" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from remove" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation (only a terminal asks)'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from remove" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from remove" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from order" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from order" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from order" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from order" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from order" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from order" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from order" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from order" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from order" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from test" -l to -d 'The phone to send to (read in the clinic\'s country code), or for an e-mail channel the address' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from test" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from test" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from test" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from test" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from test" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from test" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from test" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from test" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a channel to the clinic, last in its order: WhatsApp, SMS or e-mail'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the clinic\'s channels in their order (never a secret)'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a channel'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from help" -f -a "order" -d 'Set the order the clinic\'s channels are tried in: the named first, the rest after'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from help" -f -a "test" -d 'Send one short test message now through a channel (exit 7 when the provider refuses it)'
complete -c appt -n "__fish_appt_using_subcommand channel; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand inbox; and not __fish_seen_subcommand_from done show reply help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand inbox; and not __fish_seen_subcommand_from done show reply help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand inbox; and not __fish_seen_subcommand_from done show reply help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand inbox; and not __fish_seen_subcommand_from done show reply help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand inbox; and not __fish_seen_subcommand_from done show reply help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand inbox; and not __fish_seen_subcommand_from done show reply help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand inbox; and not __fish_seen_subcommand_from done show reply help" -l all -d 'Every message received, answers appt acted on and done ones too'
complete -c appt -n "__fish_appt_using_subcommand inbox; and not __fish_seen_subcommand_from done show reply help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand inbox; and not __fish_seen_subcommand_from done show reply help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand inbox; and not __fish_seen_subcommand_from done show reply help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand inbox; and not __fish_seen_subcommand_from done show reply help" -f -a "done" -d 'Mark a message done: the inbox no longer shows it'
complete -c appt -n "__fish_appt_using_subcommand inbox; and not __fish_seen_subcommand_from done show reply help" -f -a "show" -d 'Show one message whole, with who wrote and their next visit'
complete -c appt -n "__fish_appt_using_subcommand inbox; and not __fish_seen_subcommand_from done show reply help" -f -a "reply" -d 'Answer a message through the channel it came by; sent, it is done'
complete -c appt -n "__fish_appt_using_subcommand inbox; and not __fish_seen_subcommand_from done show reply help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from done" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from done" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from done" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from done" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from done" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from done" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from done" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from done" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from done" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from show" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from show" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from show" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from show" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from show" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from show" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from reply" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from reply" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from reply" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from reply" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from reply" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from reply" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from reply" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from reply" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from reply" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from help" -f -a "done" -d 'Mark a message done: the inbox no longer shows it'
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one message whole, with who wrote and their next visit'
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from help" -f -a "reply" -d 'Answer a message through the channel it came by; sent, it is done'
complete -c appt -n "__fish_appt_using_subcommand inbox; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand token; and not __fish_seen_subcommand_from add list revoke help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand token; and not __fish_seen_subcommand_from add list revoke help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand token; and not __fish_seen_subcommand_from add list revoke help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand token; and not __fish_seen_subcommand_from add list revoke help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand token; and not __fish_seen_subcommand_from add list revoke help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand token; and not __fish_seen_subcommand_from add list revoke help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand token; and not __fish_seen_subcommand_from add list revoke help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand token; and not __fish_seen_subcommand_from add list revoke help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand token; and not __fish_seen_subcommand_from add list revoke help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand token; and not __fish_seen_subcommand_from add list revoke help" -f -a "add" -d 'Make an API token for `appt serve`; it is printed once and kept only as its SHA-256'
complete -c appt -n "__fish_appt_using_subcommand token; and not __fish_seen_subcommand_from add list revoke help" -f -a "list" -d 'List API tokens: name, prefix, scopes, clinic, created, expires, last used (never the token)'
complete -c appt -n "__fish_appt_using_subcommand token; and not __fish_seen_subcommand_from add list revoke help" -f -a "revoke" -d 'Revoke an API token: requests with it are refused from the next one'
complete -c appt -n "__fish_appt_using_subcommand token; and not __fish_seen_subcommand_from add list revoke help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from add" -l scopes -d 'What it may do, comma-separated: appointments:read, appointments:write, appointments:overbook, clinical, patients:export, patients:erase, reports:read, calendars:admin' -r
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from add" -l expires -d 'When it stops working: days (90d), hours (12h), a date (2026-12-31, at 00:00 UTC) or an RFC 3339 time [default: never]' -r
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from add" -l staff -d 'A member of staff it acts for: it never does more than their role allows, and goes when they are removed' -r
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from add" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from add" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from add" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from add" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from add" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from add" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from list" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from list" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from list" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from list" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from list" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from list" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from revoke" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from revoke" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from revoke" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from revoke" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from revoke" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from revoke" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from revoke" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from revoke" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "add" -d 'Make an API token for `appt serve`; it is printed once and kept only as its SHA-256'
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "list" -d 'List API tokens: name, prefix, scopes, clinic, created, expires, last used (never the token)'
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke an API token: requests with it are refused from the next one'
complete -c appt -n "__fish_appt_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand staff; and not __fish_seen_subcommand_from add list update remove pin help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand staff; and not __fish_seen_subcommand_from add list update remove pin help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and not __fish_seen_subcommand_from add list update remove pin help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and not __fish_seen_subcommand_from add list update remove pin help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand staff; and not __fish_seen_subcommand_from add list update remove pin help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and not __fish_seen_subcommand_from add list update remove pin help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and not __fish_seen_subcommand_from add list update remove pin help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand staff; and not __fish_seen_subcommand_from add list update remove pin help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand staff; and not __fish_seen_subcommand_from add list update remove pin help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand staff; and not __fish_seen_subcommand_from add list update remove pin help" -f -a "add" -d 'Add a member of staff, with their PIN (the first member is a manager)'
complete -c appt -n "__fish_appt_using_subcommand staff; and not __fish_seen_subcommand_from add list update remove pin help" -f -a "list" -d 'List the staff: name, role, doctor, clinic (never a PIN)'
complete -c appt -n "__fish_appt_using_subcommand staff; and not __fish_seen_subcommand_from add list update remove pin help" -f -a "update" -d 'Rename a member, or change their role, doctor or clinic'
complete -c appt -n "__fish_appt_using_subcommand staff; and not __fish_seen_subcommand_from add list update remove pin help" -f -a "remove" -d 'Remove a member of staff (the last manager stays)'
complete -c appt -n "__fish_appt_using_subcommand staff; and not __fish_seen_subcommand_from add list update remove pin help" -f -a "pin" -d 'Set a member\'s PIN (4 to 8 digits), asked twice and never shown'
complete -c appt -n "__fish_appt_using_subcommand staff; and not __fish_seen_subcommand_from add list update remove pin help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from add" -l role -d 'What they may do: reception, doctor or manager (recepción, médico, gerente)' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from add" -s d -l doctor -d 'The doctor they are (required for the role doctor)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from add" -l pin-file -d 'Read the PIN from this file (- for standard input) instead of asking it' -r -F
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from add" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from add" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from add" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from add" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from add" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from add" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from list" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from list" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from list" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from list" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from list" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from list" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from update" -l name -d 'New name' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from update" -l role -d 'New role: reception, doctor or manager' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from update" -s d -l doctor -d 'The doctor they are (none: no doctor)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from update" -l works-at -d 'The one clinic they work at (none: every clinic)' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from update" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from update" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from update" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from update" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from update" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from update" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from update" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from update" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from remove" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from remove" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from remove" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from remove" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from remove" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from remove" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation (only a terminal asks)'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from remove" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from remove" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from pin" -l pin-file -d 'Read the PIN from this file (- for standard input) instead of asking it' -r -F
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from pin" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from pin" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from pin" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from pin" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from pin" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from pin" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from pin" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from pin" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from pin" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a member of staff, with their PIN (the first member is a manager)'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the staff: name, role, doctor, clinic (never a PIN)'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from help" -f -a "update" -d 'Rename a member, or change their role, doctor or clinic'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a member of staff (the last manager stays)'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from help" -f -a "pin" -d 'Set a member\'s PIN (4 to 8 digits), asked twice and never shown'
complete -c appt -n "__fish_appt_using_subcommand staff; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand login" -l for -d 'How long the session lasts: hours, 1 to 24 (8h, 12) [default: the clinic\'s --session-hours, 8h]' -r
complete -c appt -n "__fish_appt_using_subcommand login" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand login" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand login" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand login" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand login" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand login" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand login" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand login" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand login" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand logout" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand logout" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand logout" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand logout" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand logout" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand logout" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand logout" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand logout" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand logout" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand access-log" -l patient -d 'Only this patient\'s record: phone, name or ID' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand access-log" -l staff -d 'Only what this member of staff looked at' -r
complete -c appt -n "__fish_appt_using_subcommand access-log" -l limit -d 'At most N looks, latest first' -r
complete -c appt -n "__fish_appt_using_subcommand access-log" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand access-log" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand access-log" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand access-log" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand access-log" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand access-log" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand access-log" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand access-log" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand access-log" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand whoami" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand whoami" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand whoami" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand whoami" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand whoami" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand whoami" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand whoami" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand whoami" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand whoami" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand feed; and not __fish_seen_subcommand_from add list revoke help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand feed; and not __fish_seen_subcommand_from add list revoke help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and not __fish_seen_subcommand_from add list revoke help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and not __fish_seen_subcommand_from add list revoke help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand feed; and not __fish_seen_subcommand_from add list revoke help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and not __fish_seen_subcommand_from add list revoke help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and not __fish_seen_subcommand_from add list revoke help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand feed; and not __fish_seen_subcommand_from add list revoke help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand feed; and not __fish_seen_subcommand_from add list revoke help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand feed; and not __fish_seen_subcommand_from add list revoke help" -f -a "add" -d 'Publish a doctor\'s visits (or a clinic\'s) as a calendar; its secret address is printed once'
complete -c appt -n "__fish_appt_using_subcommand feed; and not __fish_seen_subcommand_from add list revoke help" -f -a "list" -d 'List calendar feeds: name, prefix, whose visits, how patients show (never the address)'
complete -c appt -n "__fish_appt_using_subcommand feed; and not __fish_seen_subcommand_from add list revoke help" -f -a "revoke" -d 'Revoke a calendar feed: its address and CalDAV account answer 404 from the next request'
complete -c appt -n "__fish_appt_using_subcommand feed; and not __fish_seen_subcommand_from add list revoke help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from add" -s d -l doctor -d 'The doctor whose visits it holds [default: the whole clinic\'s]' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from add" -l show -d 'How events name the patient: none, initials or names' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from add" -l days-back -d 'Days before today it still holds' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from add" -l days-ahead -d 'Days after today it holds' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from add" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from add" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from add" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from add" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from add" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from add" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from add" -l qr -d 'Print the calendar\'s address as a QR code too, for the doctor\'s phone to read off the screen'
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from list" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from list" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from list" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from list" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from list" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from list" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from revoke" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from revoke" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from revoke" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from revoke" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from revoke" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from revoke" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from revoke" -s y -l yes -d 'Do not ask for confirmation (only a terminal asks)'
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from revoke" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from revoke" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from help" -f -a "add" -d 'Publish a doctor\'s visits (or a clinic\'s) as a calendar; its secret address is printed once'
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from help" -f -a "list" -d 'List calendar feeds: name, prefix, whose visits, how patients show (never the address)'
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke a calendar feed: its address and CalDAV account answer 404 from the next request'
complete -c appt -n "__fish_appt_using_subcommand feed; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand calendar; and not __fish_seen_subcommand_from add list show sync remove help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand calendar; and not __fish_seen_subcommand_from add list show sync remove help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and not __fish_seen_subcommand_from add list show sync remove help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and not __fish_seen_subcommand_from add list show sync remove help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand calendar; and not __fish_seen_subcommand_from add list show sync remove help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and not __fish_seen_subcommand_from add list show sync remove help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and not __fish_seen_subcommand_from add list show sync remove help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand calendar; and not __fish_seen_subcommand_from add list show sync remove help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand calendar; and not __fish_seen_subcommand_from add list show sync remove help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand calendar; and not __fish_seen_subcommand_from add list show sync remove help" -f -a "add" -d 'Connect a doctor\'s own calendar (ICS address or CalDAV); its busy times block their slots'
complete -c appt -n "__fish_appt_using_subcommand calendar; and not __fish_seen_subcommand_from add list show sync remove help" -f -a "list" -d 'List the doctors\' calendars: kind, host, busy times, last sync, stale since and why'
complete -c appt -n "__fish_appt_using_subcommand calendar; and not __fish_seen_subcommand_from add list show sync remove help" -f -a "show" -d 'Show one calendar'
complete -c appt -n "__fish_appt_using_subcommand calendar; and not __fish_seen_subcommand_from add list show sync remove help" -f -a "sync" -d 'Read calendars now (all, one, or a doctor\'s), for cron; exit 7 if one failed'
complete -c appt -n "__fish_appt_using_subcommand calendar; and not __fish_seen_subcommand_from add list show sync remove help" -f -a "remove" -d 'Remove a calendar and the busy times read from it'
complete -c appt -n "__fish_appt_using_subcommand calendar; and not __fish_seen_subcommand_from add list show sync remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from add" -s d -l doctor -d 'The doctor whose calendar it is' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from add" -l url -d 'The ICS address (https://, webcal://) or the CalDAV calendar\'s' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from add" -l user -d 'The user to sign in as' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from add" -l password-file -d 'Read the password from this file' -r -F
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from add" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from add" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from add" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from add" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from add" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from add" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from add" -l password-stdin -d 'Read the password from standard input'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from add" -l write -d 'Also put the doctor\'s visits into it, move and delete them (CalDAV only)'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from list" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from list" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from list" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from list" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from list" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from list" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from show" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from show" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from show" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from show" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from show" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from show" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from sync" -s d -l doctor -d 'The doctor whose calendars to read' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from sync" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from sync" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from sync" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from sync" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from sync" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from sync" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from sync" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from sync" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from sync" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from remove" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from remove" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from remove" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from remove" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from remove" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from remove" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation (only a terminal asks)'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from remove" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from remove" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from help" -f -a "add" -d 'Connect a doctor\'s own calendar (ICS address or CalDAV); its busy times block their slots'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the doctors\' calendars: kind, host, busy times, last sync, stale since and why'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one calendar'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from help" -f -a "sync" -d 'Read calendars now (all, one, or a doctor\'s), for cron; exit 7 if one failed'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a calendar and the busy times read from it'
complete -c appt -n "__fish_appt_using_subcommand calendar; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand check" -l backup-dir -d 'Where the backups are, for --setup (read only by it: the service\'s environment sets APPT_BACKUP_DIR for every command)' -r -F
complete -c appt -n "__fish_appt_using_subcommand check" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand check" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand check" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand check" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand check" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand check" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand check" -l full -d 'Also check every index entry against its table (SQLite\'s integrity_check; several times slower on a large file than the page and constraint check done by default)'
complete -c appt -n "__fish_appt_using_subcommand check" -l setup -d 'Check the installation instead: the database and its key, the clinics\' public URLs, the channels\' credentials, the reminder timer, the last backup and the free disk space'
complete -c appt -n "__fish_appt_using_subcommand check" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand check" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand check" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand backup" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand backup" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand backup" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand backup" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand backup" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand backup" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand backup" -l force -d 'Replace FILE if it exists'
complete -c appt -n "__fish_appt_using_subcommand backup" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand backup" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand backup" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand purge" -l before -d 'What ended before this day goes: YYYY-MM-DD, today, -N (days ago), …, in each clinic\'s time zone' -r
complete -c appt -n "__fish_appt_using_subcommand purge" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand purge" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand purge" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand purge" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand purge" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand purge" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand purge" -l dry-run -d 'Count what would go, per table, and change nothing'
complete -c appt -n "__fish_appt_using_subcommand purge" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand purge" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand purge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c appt -n "__fish_appt_using_subcommand key; and not __fish_seen_subcommand_from rotate help" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand key; and not __fish_seen_subcommand_from rotate help" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand key; and not __fish_seen_subcommand_from rotate help" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand key; and not __fish_seen_subcommand_from rotate help" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand key; and not __fish_seen_subcommand_from rotate help" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand key; and not __fish_seen_subcommand_from rotate help" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand key; and not __fish_seen_subcommand_from rotate help" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand key; and not __fish_seen_subcommand_from rotate help" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand key; and not __fish_seen_subcommand_from rotate help" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand key; and not __fish_seen_subcommand_from rotate help" -f -a "rotate" -d 'Make a new national-ID key and seal every national ID again under it, in one transaction'
complete -c appt -n "__fish_appt_using_subcommand key; and not __fish_seen_subcommand_from rotate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand key; and __fish_seen_subcommand_from rotate" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand key; and __fish_seen_subcommand_from rotate" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand key; and __fish_seen_subcommand_from rotate" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand key; and __fish_seen_subcommand_from rotate" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand key; and __fish_seen_subcommand_from rotate" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand key; and __fish_seen_subcommand_from rotate" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand key; and __fish_seen_subcommand_from rotate" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand key; and __fish_seen_subcommand_from rotate" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand key; and __fish_seen_subcommand_from rotate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c appt -n "__fish_appt_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "rotate" -d 'Make a new national-ID key and seal every national ID again under it, in one transaction'
complete -c appt -n "__fish_appt_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand import" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand import" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand import" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand import" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand import" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand import" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand import" -l dry-run -d 'Check every line against every rule, book nothing'
complete -c appt -n "__fish_appt_using_subcommand import" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand import" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand import" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand transfer" -l to -d 'The empty database to copy into: a file path or a postgres:// URL. A password on the command line is visible to other users (ps): give a URL with a password in APPT_TRANSFER_TO instead' -r -F
complete -c appt -n "__fish_appt_using_subcommand transfer" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand transfer" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand transfer" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand transfer" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand transfer" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand transfer" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand transfer" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand transfer" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand transfer" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand demo" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand demo" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand demo" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand demo" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand demo" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand demo" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand demo" -s y -l yes -d 'Replace an earlier demo database without asking (only a terminal asks)'
complete -c appt -n "__fish_appt_using_subcommand demo" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand demo" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c appt -n "__fish_appt_using_subcommand serve" -l listen -d 'Address and port to listen on (port 0: a free one, printed once listening)' -r
complete -c appt -n "__fish_appt_using_subcommand serve" -l threads -d 'Worker threads answering requests' -r
complete -c appt -n "__fish_appt_using_subcommand serve" -l max-connections -d 'Connections open at once; beyond it new ones are closed at once' -r
complete -c appt -n "__fish_appt_using_subcommand serve" -l max-connections-per-address -d 'Connections open at once from one client address (an IPv6 client by its /64); beyond it its new ones are closed at once' -r
complete -c appt -n "__fish_appt_using_subcommand serve" -l tls-cert -d 'PEM certificate chain for HTTPS (with --tls-key)' -r -F
complete -c appt -n "__fish_appt_using_subcommand serve" -l tls-key -d 'PEM private key for HTTPS (with --tls-cert)' -r -F
complete -c appt -n "__fish_appt_using_subcommand serve" -l exec -d 'Run `sh -c CMD` to send the booking page\'s codes of a clinic with no channel that reaches a phone, as `remind due --exec` runs one (APPT_KIND=verification, the code\'s text in APPT_MESSAGE)' -r
complete -c appt -n "__fish_appt_using_subcommand serve" -l trusted-proxy -d 'The address of a proxy of yours (nginx, a load balancer) whose X-Forwarded-For names the client, for the limits per address (repeatable); any other\'s header is ignored' -r
complete -c appt -n "__fish_appt_using_subcommand serve" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand serve" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand serve" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand serve" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand serve" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand serve" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand serve" -l allow-plain-http -d 'Serve plain HTTP on an address other than loopback (behind a TLS proxy)'
complete -c appt -n "__fish_appt_using_subcommand serve" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand serve" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand serve" -s h -l help -d 'Print help'
complete -c appt -n "__fish_appt_using_subcommand board" -s D -l date -d 'The day to open on (YYYY-MM-DD, today, tomorrow, a weekday; default today)' -r
complete -c appt -n "__fish_appt_using_subcommand board" -l by -d 'The columns: doctor (each doctor\'s day) or resource (each room\'s and machine\'s); médico, recurso, sala in Spanish' -r
complete -c appt -n "__fish_appt_using_subcommand board" -l lock-after -d 'Once the database has staff: lock after this long without a key, until a PIN is typed (10m, 1h; 0: never) [default: 10m]' -r
complete -c appt -n "__fish_appt_using_subcommand board" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand board" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand board" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand board" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand board" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand board" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand board" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand board" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand board" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c appt -n "__fish_appt_using_subcommand completions" -l db -d 'Database file, or postgres://USER:PASSWORD@HOST:PORT/DBNAME [env: APPT_DB] (default: the user data folder\'s appt/appt.db)' -r -F
complete -c appt -n "__fish_appt_using_subcommand completions" -l read-db -d 'A PostgreSQL standby for the reads that may lag a little: agenda, slots, list, next, report, the board\'s polling, serve\'s GET requests [env: APPT_READ_DB]' -r
complete -c appt -n "__fish_appt_using_subcommand completions" -l max-lag -d 'Seconds a --read-db standby may lag behind before its reads go to the primary [default: 5]' -r
complete -c appt -n "__fish_appt_using_subcommand completions" -s c -l clinic -d 'Clinic by name or ID [env: APPT_CLINIC] (default: the only clinic)' -r -f -a "(__appt_names)"
complete -c appt -n "__fish_appt_using_subcommand completions" -l width -d 'Fit tables and messages to N columns (default: COLUMNS, else the terminal\'s)' -r
complete -c appt -n "__fish_appt_using_subcommand completions" -l as -d 'Run a sweep (remind due, webhook deliver, calendar sync, purge, backup) as appt itself, not a person' -r
complete -c appt -n "__fish_appt_using_subcommand completions" -l json -d 'Print one JSON document on stdout; errors go to stderr as JSON'
complete -c appt -n "__fish_appt_using_subcommand completions" -l no-input -d 'Never prompt: fail with VALIDATION_ERROR naming what is missing'
complete -c appt -n "__fish_appt_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "init" -d 'Create the database (safe to run again)'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "clinic" -d 'Clinics: locations with their time zone and rules'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "doctor" -d 'Doctors'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "service" -d 'Services (appointment types)'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "resource" -d 'Rooms and equipment a service needs'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "window" -d 'Windows: when bookings are possible'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "closure" -d 'Closures: holidays and leave'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "patient" -d 'Patients'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "slots" -d 'Free slots of a doctor (or clinic-wide) on a date'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "book" -d 'Book an appointment'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "reschedule" -d 'Move an appointment to another time (or doctor)'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "cancel" -d 'Cancel an appointment'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "status" -d 'Move an appointment along scheduled → confirmed → checked_in → in_progress → completed, or no_show'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "update" -d 'Edit an appointment\'s notes, reason, diagnosis, prescription or follow-up'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "show" -d 'Show one appointment'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "history" -d 'An appointment\'s events, oldest first'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "list" -d 'List appointments'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "count" -d 'Count appointments created since a time'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "report" -d 'A clinic\'s figures over a period: utilisation, no-shows, late cancellations, lead time, sources, messages'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "next" -d 'The first free slots from now on, across days and doctors'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "agenda" -d 'The day sheet: per doctor, in time order, with free slots as gaps'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "queue" -d 'Today\'s patients per doctor in token order; `queue next` calls the next one in'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "waitlist" -d 'Patients waiting for a doctor on a date; a freed time is offered to them'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "remind" -d 'Reminders, waitlist offers and patient notifications: deliver the due ones (cron), list them'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "recall" -d 'Recalls: patients whose follow-up date has come; list them, send each its message once'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "events" -d 'The event log as JSON Lines, oldest first'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "export" -d 'Export appointments as iCalendar, a FHIR R4 Bundle, JSON Lines or CSV'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "webhook" -d 'Webhooks: POST events to other systems (deliver from cron)'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "channel" -d 'Channels: WhatsApp, SMS and e-mail accounts appt sends through, per clinic'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "inbox" -d 'What patients wrote to the clinic\'s channels that appt did not act on by itself'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "token" -d 'API tokens for `appt serve`: add (shown once), list, revoke'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "staff" -d 'The people at the desk: add (with a PIN), list, update, remove, pin'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "login" -d 'Sign in at this terminal with your PIN (once the database has staff)'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "logout" -d 'Sign out of this terminal'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "access-log" -d 'Who looked at which patient\'s clinical record, and when (managers)'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "whoami" -d 'Who is signed in at this terminal'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "feed" -d 'Calendar feeds: a doctor\'s visits (or a clinic\'s) on their phone (subscription, CalDAV)'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "calendar" -d 'A doctor\'s own calendars (ICS, CalDAV): their busy times block the doctor\'s slots'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "check" -d 'Check the database: SQLite\'s integrity and foreign keys, and appt\'s own rules'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "backup" -d 'Copy the database to FILE while others keep working (mode 0600)'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "purge" -d 'Remove what need not be kept of visits that ended before a date: messages, links, events\' personal fields'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "key" -d 'The national-ID key: make a new one and seal every national ID again under it'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "import" -d 'Book every line of a JSON Lines file (or -) through the booking rules'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "transfer" -d 'Copy every row into an empty database of either kind (a file or a postgres:// server)'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "demo" -d 'Seed a sample clinic into its own database (replacing only an earlier demo) and show today and tomorrow'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "serve" -d 'Serve the HTTP API for bots, web forms and voice agents (tokens: `appt token`)'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "board" -d 'The front desk\'s live screen of one clinic\'s day: book, check in, move and cancel from the keyboard'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "completions" -d 'Print the shell completion script for bash, zsh, fish, elvish or powershell'
complete -c appt -n "__fish_appt_using_subcommand help; and not __fish_seen_subcommand_from init clinic doctor service resource window closure patient slots book reschedule cancel status update show history list count report next agenda queue waitlist remind recall events export webhook channel inbox token staff login logout access-log whoami feed calendar check backup purge key import transfer demo serve board completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from clinic" -f -a "add" -d 'Add a clinic'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from clinic" -f -a "list" -d 'List clinics'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from clinic" -f -a "show" -d 'Show a clinic and its settings'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from clinic" -f -a "update" -d 'Change a clinic\'s name or settings'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from doctor" -f -a "add" -d 'Add a doctor'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from doctor" -f -a "list" -d 'List doctors'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from doctor" -f -a "show" -d 'Show a doctor'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from doctor" -f -a "update" -d 'Change a doctor'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from service" -f -a "add" -d 'Add a service'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from service" -f -a "list" -d 'List services'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from service" -f -a "update" -d 'Rename a service, change its duration, its daily limit, its buffers or whether the booking page offers it'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from service" -f -a "remove" -d 'Remove a service (its past appointments keep it)'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from resource" -f -a "add" -d 'Add a room or a piece of equipment'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from resource" -f -a "list" -d 'List the rooms and equipment'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from resource" -f -a "show" -d 'Show a room or a piece of equipment'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from resource" -f -a "update" -d 'Change a room or a piece of equipment'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from resource" -f -a "remove" -d 'Remove one no visit to come holds and no service needs'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from window" -f -a "add" -d 'Add a weekly or one-date window for a doctor or the whole clinic'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from window" -f -a "list" -d 'List windows'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from window" -f -a "close" -d 'Stop taking bookings in a window (its slots show as SLOT_INACTIVE)'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from window" -f -a "open" -d 'Take bookings in a closed window again'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from window" -f -a "remove" -d 'Delete a window that has no upcoming appointments'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from closure" -f -a "add" -d 'Close a doctor (leave) or, with --clinic, a whole clinic (holiday) for some dates'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from closure" -f -a "list" -d 'List closures'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from closure" -f -a "remove" -d 'Delete a closure'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from patient" -f -a "add" -d 'Add a patient (unique by phone)'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from patient" -f -a "list" -d 'List patients, optionally searching name and phone'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from patient" -f -a "show" -d 'Show a patient'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from patient" -f -a "update" -d 'Change a patient'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from patient" -f -a "export" -d 'Everything appt holds about a patient, for a patient who asks for it'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from patient" -f -a "erase" -d 'Erase a patient on request: name, phone, e-mail, national ID, messages and links go; their appointments stay, anonymised'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "next" -d 'Call the next patient: the first checked-in appointment of today in the clinic\'s queue order (--queue-order: the earliest appointment, a walk-in at its arrival; or the lowest token) moves to in_progress'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from waitlist" -f -a "add" -d 'Put a patient on the waitlist for a doctor and date; a freed time is offered oldest first'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from waitlist" -f -a "list" -d 'Who is waiting, from today on'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from waitlist" -f -a "remove" -d 'Take an entry off the waitlist'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from remind" -f -a "due" -d 'Deliver the reminders, waitlist offers and patient notifications that are due (cron runs this every few minutes)'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from remind" -f -a "list" -d 'List reminders and the other messages `remind due` delivers'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from recall" -f -a "list" -d 'The clinic\'s recall list: completed visits whose follow-up date has come, with whether each was sent or booked'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from recall" -f -a "send" -d 'Send each due recall its one message, with a link to the booking page (through the clinic\'s channels, the hook, or as JSON lines)'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "add" -d 'Add a webhook: events recorded from now on are POSTed to URL'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "list" -d 'List webhooks and how their deliveries stand'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "remove" -d 'Remove a webhook'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "deliver" -d 'POST every undelivered event (cron runs this every few minutes)'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from channel" -f -a "add" -d 'Add a channel to the clinic, last in its order: WhatsApp, SMS or e-mail'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from channel" -f -a "list" -d 'List the clinic\'s channels in their order (never a secret)'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from channel" -f -a "remove" -d 'Remove a channel'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from channel" -f -a "order" -d 'Set the order the clinic\'s channels are tried in: the named first, the rest after'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from channel" -f -a "test" -d 'Send one short test message now through a channel (exit 7 when the provider refuses it)'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from inbox" -f -a "done" -d 'Mark a message done: the inbox no longer shows it'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from inbox" -f -a "show" -d 'Show one message whole, with who wrote and their next visit'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from inbox" -f -a "reply" -d 'Answer a message through the channel it came by; sent, it is done'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "add" -d 'Make an API token for `appt serve`; it is printed once and kept only as its SHA-256'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "list" -d 'List API tokens: name, prefix, scopes, clinic, created, expires, last used (never the token)'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "revoke" -d 'Revoke an API token: requests with it are refused from the next one'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from staff" -f -a "add" -d 'Add a member of staff, with their PIN (the first member is a manager)'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from staff" -f -a "list" -d 'List the staff: name, role, doctor, clinic (never a PIN)'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from staff" -f -a "update" -d 'Rename a member, or change their role, doctor or clinic'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from staff" -f -a "remove" -d 'Remove a member of staff (the last manager stays)'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from staff" -f -a "pin" -d 'Set a member\'s PIN (4 to 8 digits), asked twice and never shown'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from feed" -f -a "add" -d 'Publish a doctor\'s visits (or a clinic\'s) as a calendar; its secret address is printed once'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from feed" -f -a "list" -d 'List calendar feeds: name, prefix, whose visits, how patients show (never the address)'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from feed" -f -a "revoke" -d 'Revoke a calendar feed: its address and CalDAV account answer 404 from the next request'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from calendar" -f -a "add" -d 'Connect a doctor\'s own calendar (ICS address or CalDAV); its busy times block their slots'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from calendar" -f -a "list" -d 'List the doctors\' calendars: kind, host, busy times, last sync, stale since and why'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from calendar" -f -a "show" -d 'Show one calendar'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from calendar" -f -a "sync" -d 'Read calendars now (all, one, or a doctor\'s), for cron; exit 7 if one failed'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from calendar" -f -a "remove" -d 'Remove a calendar and the busy times read from it'
complete -c appt -n "__fish_appt_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "rotate" -d 'Make a new national-ID key and seal every national ID again under it, in one transaction'

# Doctor, service, clinic and patient names come from the database the line
# points at, through `appt __complete` (docs/commands.md#appt-completions).
function __appt_names
    command -q appt; or return 1
    command appt __complete fish -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token --cut-at-cursor) 2>/dev/null
end
function __appt_names_due
    set -g __appt_names_found (__appt_names)
end
complete -c appt -n __appt_names_due -f -a "(string join \n -- \$__appt_names_found)"
