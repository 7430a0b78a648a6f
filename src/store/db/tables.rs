//! appt's tables as values, and what each statement says it reads and
//! writes ([`On`]). A transaction forgets the answers it kept from a table
//! when a statement declares it writes that table; nothing reads the SQL
//! text to find out. In debug builds (every test) each statement's
//! declaration is held against the tables its text names, so a declaration
//! cannot go wrong quietly.

/// A table of appt's schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    /// Who looked at a visit's clinical fields (docs/security.md#who-looked).
    AccessLog,
    ApiTokens,
    /// The rooms and equipment each visit was given.
    AppointmentResources,
    Appointments,
    /// Failed authentications, by address, for the limit on them.
    AuthFailures,
    /// The busy times read from the doctors' own calendars.
    CalendarBusy,
    /// What appt wrote into the doctors' own calendars.
    CalendarWrites,
    /// The doctors' own calendars (docs/calendars.md).
    Calendars,
    /// A clinic's channels: the providers appt sends through.
    Channels,
    /// How many times each table was changed: the marks a long-lived
    /// reader compares (`db::changes`).
    Changes,
    Clinics,
    Closures,
    Doctors,
    Events,
    /// The calendars `appt serve` publishes.
    Feeds,
    /// The rooms and equipment a booking page's hold keeps.
    HoldResources,
    /// Times held for patients typing the booking page's code.
    Holds,
    /// The messages a clinic's channels received.
    Inbox,
    Meta,
    PatientLinks,
    Patients,
    Reminders,
    /// The days a resource is closed.
    ResourceClosures,
    /// A resource's own hours.
    ResourceHours,
    /// A clinic's rooms and equipment.
    Resources,
    /// What each service needs of them.
    ServiceNeeds,
    Services,
    /// The people at the desk (docs/security.md#staff).
    Staff,
    /// Members signed in at a terminal.
    StaffSessions,
    /// The queue's tokens: the last number given per doctor and day.
    Tokens,
    Waitlist,
    /// The booking page's codes sent, for its limits.
    WebCodes,
    Webhooks,
    WindowServices,
    Windows,
}

impl Table {
    /// Every table, in the order of their names.
    pub const ALL: [Table; 35] = [
        Table::AccessLog,
        Table::ApiTokens,
        Table::AppointmentResources,
        Table::Appointments,
        Table::AuthFailures,
        Table::CalendarBusy,
        Table::CalendarWrites,
        Table::Calendars,
        Table::Changes,
        Table::Channels,
        Table::Clinics,
        Table::Closures,
        Table::Doctors,
        Table::Events,
        Table::Feeds,
        Table::HoldResources,
        Table::Holds,
        Table::Inbox,
        Table::Meta,
        Table::PatientLinks,
        Table::Patients,
        Table::Reminders,
        Table::ResourceClosures,
        Table::ResourceHours,
        Table::Resources,
        Table::ServiceNeeds,
        Table::Services,
        Table::Staff,
        Table::StaffSessions,
        Table::Tokens,
        Table::Waitlist,
        Table::WebCodes,
        Table::Webhooks,
        Table::WindowServices,
        Table::Windows,
    ];

    /// Whether the table keeps its own IDs as their 16 bytes, bound with
    /// [`super::id`] (docs/performance.md#footprint); the others keep them
    /// as text.
    pub const fn ids_as_bytes(self) -> bool {
        matches!(
            self,
            Table::Appointments
                | Table::Clinics
                | Table::Doctors
                | Table::Patients
                | Table::Reminders
                | Table::Services
                | Table::Windows
        )
    }

    /// Its name in SQL.
    pub const fn name(self) -> &'static str {
        match self {
            Table::AccessLog => "access_log",
            Table::ApiTokens => "api_tokens",
            Table::AppointmentResources => "appointment_resources",
            Table::Resources => "resources",
            Table::ResourceClosures => "resource_closures",
            Table::ResourceHours => "resource_hours",
            Table::ServiceNeeds => "service_needs",
            Table::AuthFailures => "auth_failures",
            Table::CalendarBusy => "calendar_busy",
            Table::CalendarWrites => "calendar_writes",
            Table::Calendars => "calendars",
            Table::Appointments => "appointments",
            Table::Changes => "changes",
            Table::Channels => "channels",
            Table::Clinics => "clinics",
            Table::Closures => "closures",
            Table::Doctors => "doctors",
            Table::Events => "events",
            Table::Feeds => "feeds",
            Table::HoldResources => "hold_resources",
            Table::Holds => "holds",
            Table::Inbox => "inbox",
            Table::Meta => "meta",
            Table::PatientLinks => "patient_links",
            Table::Patients => "patients",
            Table::Reminders => "reminders",
            Table::Services => "services",
            Table::Staff => "staff",
            Table::StaffSessions => "staff_sessions",
            Table::Tokens => "tokens",
            Table::Waitlist => "waitlist",
            Table::WebCodes => "web_codes",
            Table::Webhooks => "webhooks",
            Table::WindowServices => "window_services",
            Table::Windows => "windows",
        }
    }

    /// The table alone, as a declaration's list.
    pub const fn alone(self) -> &'static [Table] {
        match self {
            Table::AccessLog => &[Table::AccessLog],
            Table::ApiTokens => &[Table::ApiTokens],
            Table::AppointmentResources => &[Table::AppointmentResources],
            Table::Resources => &[Table::Resources],
            Table::ResourceClosures => &[Table::ResourceClosures],
            Table::ResourceHours => &[Table::ResourceHours],
            Table::ServiceNeeds => &[Table::ServiceNeeds],
            Table::AuthFailures => &[Table::AuthFailures],
            Table::CalendarBusy => &[Table::CalendarBusy],
            Table::CalendarWrites => &[Table::CalendarWrites],
            Table::Calendars => &[Table::Calendars],
            Table::Appointments => &[Table::Appointments],
            Table::Changes => &[Table::Changes],
            Table::Channels => &[Table::Channels],
            Table::Clinics => &[Table::Clinics],
            Table::Closures => &[Table::Closures],
            Table::Doctors => &[Table::Doctors],
            Table::Events => &[Table::Events],
            Table::Feeds => &[Table::Feeds],
            Table::HoldResources => &[Table::HoldResources],
            Table::Holds => &[Table::Holds],
            Table::Inbox => &[Table::Inbox],
            Table::Meta => &[Table::Meta],
            Table::PatientLinks => &[Table::PatientLinks],
            Table::Patients => &[Table::Patients],
            Table::Reminders => &[Table::Reminders],
            Table::Services => &[Table::Services],
            Table::Staff => &[Table::Staff],
            Table::StaffSessions => &[Table::StaffSessions],
            Table::Tokens => &[Table::Tokens],
            Table::Waitlist => &[Table::Waitlist],
            Table::WebCodes => &[Table::WebCodes],
            Table::Webhooks => &[Table::Webhooks],
            Table::WindowServices => &[Table::WindowServices],
            Table::Windows => &[Table::Windows],
        }
    }

    /// The table named `name`.
    pub fn named(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// What a statement reads and writes, as tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct On {
    pub reads: &'static [Table],
    pub writes: &'static [Table],
}

impl On {
    /// A statement that only reads `tables`.
    pub const fn reads(tables: &'static [Table]) -> On {
        On {
            reads: tables,
            writes: &[],
        }
    }

    /// A statement that writes `tables` (and reads nothing else).
    pub const fn writes(tables: &'static [Table]) -> On {
        On {
            reads: &[],
            writes: tables,
        }
    }

    /// This write, reading `tables` besides (a subquery, a join).
    pub const fn reading(self, tables: &'static [Table]) -> On {
        On {
            reads: tables,
            writes: self.writes,
        }
    }

    /// A statement that may write anything (a migration, a script).
    pub const EVERYTHING: On = On {
        reads: &Table::ALL,
        writes: &Table::ALL,
    };

    /// A read of whichever tables its text names (`check`'s scans over
    /// every table, a transfer's copy): it writes nothing, so it need name
    /// none for the kept answers' sake.
    pub const SCAN: On = On {
        reads: &Table::ALL,
        writes: &[],
    };

    /// No table: the connection's own business (a savepoint, a setting).
    pub const NOTHING: On = On {
        reads: &[],
        writes: &[],
    };
}

/// In debug builds: the tables `sql` names are the ones `on` declares, and
/// a statement that writes says so. A wrong declaration is a bug the tests
/// meet at once, rather than an answer kept past the write that changed it.
#[cfg(debug_assertions)]
pub(super) fn check(on: On, sql: &str) {
    if on == On::EVERYTHING || on == On::NOTHING {
        return;
    }
    let first = sql.split_whitespace().next().unwrap_or("");
    let writes = matches!(first, "INSERT" | "UPDATE" | "DELETE") || sql.contains("RETURNING");
    if on == On::SCAN {
        assert!(!writes, "a scan that writes: {sql}");
        return;
    }
    let named = named_in(sql);
    let declared: Vec<Table> = on.reads.iter().chain(on.writes).copied().collect();
    // Two columns share a table's name: a clinic's `reminders`, a
    // webhook's `events`.
    let a_column = |t: &Table| {
        COLUMNS_NAMED_SO
            .iter()
            .any(|(col, of)| col == t && named.contains(of))
    };
    let agree = declared.iter().all(|t| named.contains(t))
        && named.iter().all(|t| declared.contains(t) || a_column(t));
    assert!(
        agree,
        "a statement's declared tables (reads {:?}, writes {:?}) are not the ones it names: {sql}",
        on.reads, on.writes
    );
    assert_eq!(
        writes,
        !on.writes.is_empty(),
        "a statement's declaration (writes {:?}) does not say whether it writes: {sql}",
        on.writes
    );
}

#[cfg(not(debug_assertions))]
pub(super) fn check(_: On, _: &str) {}

/// The columns named as a table is, and the table they are of.
#[cfg(debug_assertions)]
const COLUMNS_NAMED_SO: [(Table, Table); 2] = [
    (Table::Reminders, Table::Clinics),
    (Table::Events, Table::Webhooks),
];

/// The tables `sql` names, outside its string literals.
#[cfg(debug_assertions)]
fn named_in(sql: &str) -> Vec<Table> {
    let mut unquoted = String::with_capacity(sql.len());
    let mut quoted = false;
    for c in sql.chars() {
        if c == '\'' {
            quoted = !quoted;
        } else if !quoted {
            unquoted.push(c);
        }
    }
    let mut named: Vec<Table> = unquoted
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter_map(Table::named)
        .collect();
    named.sort_unstable();
    named.dedup();
    named
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_named_once() {
        for t in Table::ALL {
            assert_eq!(Table::named(t.name()), Some(t));
            assert_eq!(t.alone(), &[t]);
        }
        let mut sorted = Table::ALL;
        sorted.sort_by_key(|t| t.name());
        assert_eq!(sorted, Table::ALL);
    }

    #[test]
    #[cfg(debug_assertions)]
    fn a_declaration_is_held_to_the_tables_its_text_names() {
        use Table::*;
        let ok = On::writes(&[Windows]).reading(&[WindowServices]);
        check(
            ok,
            "DELETE FROM windows WHERE id IN (SELECT window_id FROM window_services)",
        );
        let missing = std::panic::catch_unwind(|| {
            check(
                On::writes(&[Windows]),
                "DELETE FROM window_services WHERE window_id = ?1",
            )
        });
        assert!(missing.is_err());
        let unsaid = std::panic::catch_unwind(|| {
            check(
                On::reads(&[Meta]),
                "UPDATE meta SET value = ?2 WHERE key = ?1",
            )
        });
        assert!(unsaid.is_err());
        // A table's name inside a literal is not the table.
        check(
            On::reads(&[Events]),
            "SELECT id FROM events WHERE type = 'appointments'",
        );
    }
}
