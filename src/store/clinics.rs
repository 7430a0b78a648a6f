//! The `clinics` table.

use super::asked::Asked;
use super::db::{On, Table};
use super::db::{Row, Tx};
use super::stored::{col, opt, Kind, Layout, MINUTES, NOT_NEGATIVE, POSITIVE, WEB_HOLD};
use super::{by_id, ensure_unique_name, epoch, name_key, Lookup};
use crate::args;
use crate::core::overbook;
use crate::core::{Clinic, DateOrder, Language, QueueOrder, Settings};
use crate::error::{Error, Result};
use std::collections::BTreeMap;

pub const COLS: &str =
    "id, name, timezone, slot_minutes, min_notice, horizon, cancel_window, reminders, \
                    duplicate_check, require_diagnosis, created_at, updated_at, notify, country_code, \
                    language, phone, public_url, templates, retain_messages, date_order, queue_order, late_after, \
                    payers, video_url, max_overbook_per_day, online_booking, slug, web_horizon, web_notice, web_hold, recalls, web_countries, web_codes_per_hour, \
                    session_hours";

const LOOKUP: Lookup = Lookup {
    table: Table::Clinics,
    also: &[],
    what: crate::error::Entity::Clinic,
    by_name: true,
    filter: "",
    label: "name",
    suggest: true,
};

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Layout = Layout {
    name: "clinics",
    id: "id",
    cols: &[
        col("timezone", Kind::Zone),
        col("slot_minutes", Kind::Range(MINUTES.0, MINUTES.1)),
        col("min_notice", Kind::Range(NOT_NEGATIVE.0, NOT_NEGATIVE.1)),
        col("horizon", Kind::Range(POSITIVE.0, POSITIVE.1)),
        col("cancel_window", Kind::Range(NOT_NEGATIVE.0, NOT_NEGATIVE.1)),
        col("reminders", Kind::Offsets),
        col("created_at", Kind::Instant),
        col("updated_at", Kind::Instant),
        opt("country_code", Kind::CountryCode),
        col("language", Kind::OneOf(&LANGUAGES)),
        opt("templates", Kind::Json),
        opt("retain_messages", Kind::Range(POSITIVE.0, POSITIVE.1)),
        opt("date_order", Kind::OneOf(&ORDERS)),
        col("queue_order", Kind::OneOf(&QUEUE_ORDERS)),
        col("late_after", Kind::Range(NOT_NEGATIVE.0, NOT_NEGATIVE.1)),
        col(
            "max_overbook_per_day",
            Kind::Range(0, overbook::MAX_PER_DAY),
        ),
        col("web_horizon", Kind::Range(POSITIVE.0, POSITIVE.1)),
        col("web_notice", Kind::Range(NOT_NEGATIVE.0, NOT_NEGATIVE.1)),
        col("web_hold", Kind::Range(WEB_HOLD.0, WEB_HOLD.1)),
        col(
            "web_codes_per_hour",
            Kind::Range(CODES_PER_HOUR.0, CODES_PER_HOUR.1),
        ),
        col(
            "session_hours",
            Kind::Range(SESSION_HOURS.0, SESSION_HOURS.1),
        ),
    ],
    rules: &[],
};

/// The languages a clinic's messages may be in, as stored.
const LANGUAGES: [&str; 2] = ["en", "es"];

/// How a clinic may read `4/12`, as stored (NULL: its language's way).
const ORDERS: [&str; 2] = ["dmy", "mdy"];
/// The orders a clinic's queue may be called in, as stored.
const QUEUE_ORDERS: [&str; 2] = ["time", "token"];

/// A clinic's templates as stored: a JSON object of text, or NULL for none.
fn templates_text(s: &Settings) -> Option<String> {
    (!s.templates.is_empty()).then(|| serde_json::json!(s.templates).to_string())
}

fn templates_of(
    v: Option<serde_json::Value>,
) -> std::result::Result<BTreeMap<String, String>, crate::text::Msg> {
    let Some(v) = v else {
        return Ok(BTreeMap::new());
    };
    serde_json::from_value(v).map_err(|_| crate::text::msg!("e-not_an_object_of_texts"))
}

pub(super) fn from_row(r: &Row) -> Result<Clinic> {
    let f = r.of("clinics", 0)?;
    Ok(Clinic {
        id: f.id().to_string(),
        name: f.get(1)?,
        timezone: f.zone(2)?,
        settings: Settings {
            slot_minutes: f.range(3, MINUTES)?,
            min_notice: f.range(4, NOT_NEGATIVE)?,
            horizon: f.range(5, POSITIVE)?,
            cancel_window: f.range(6, NOT_NEGATIVE)?,
            reminders: f.offsets(7)?,
            duplicate_check: f.get(8)?,
            require_diagnosis: f.get(9)?,
            notify: f.get(12)?,
            country_code: f.country_code(13)?,
            language: Language::parse(&f.one_of(14, &LANGUAGES)?)?,
            phone: f.get(15)?,
            public_url: f.get(16)?,
            templates: templates_of(f.opt_json(17)?).map_err(|p| f.damaged(17, p))?,
            retain_messages: f.opt_range(18, POSITIVE)?,
            date_order: f
                .get::<Option<String>>(19)?
                .map(|o| {
                    DateOrder::parse(&o)
                        .ok_or_else(|| f.damaged(19, crate::text::msg!("e-not_dmy_or_mdy")))
                })
                .transpose()?,
            queue_order: QueueOrder::parse(&f.one_of(20, &QUEUE_ORDERS)?)?,
            late_after: f.range(21, NOT_NEGATIVE)?,
            payers: f
                .get::<Option<String>>(22)?
                .map_or_else(Vec::new, |p| p.lines().map(str::to_string).collect()),
            video_url: f.get(23)?,
            max_overbook_per_day: f.range(24, (0, overbook::MAX_PER_DAY))?,
            online_booking: f.get(25)?,
            slug: f.get(26)?,
            web_horizon: f.range(27, POSITIVE)?,
            web_notice: f.range(28, NOT_NEGATIVE)?,
            web_hold: f.range(29, WEB_HOLD)?,
            recalls: f.get(30)?,
            web_countries: f
                .get::<Option<String>>(31)?
                .map_or_else(Vec::new, |c| c.split(',').map(str::to_string).collect()),
            web_codes_per_hour: f.range(32, CODES_PER_HOUR)?,
            session_hours: f.range(33, SESSION_HOURS)?,
        },
        created_at: f.instant(10)?,
        updated_at: f.instant(11)?,
    })
}

/// The hours a session lasts: the bounds its column keeps.
const SESSION_HOURS: (i64, i64) = (1, crate::core::staff::SESSION_HOURS.1);

/// The codes an hour a clinic's page may send: the bounds its column keeps.
const CODES_PER_HOUR: (i64, i64) = (1, crate::core::booking_page::MAX_CODES_PER_HOUR);

/// A clinic's other countries as stored: comma-separated, NULL for none.
fn countries_text(s: &Settings) -> Option<String> {
    (!s.web_countries.is_empty()).then(|| s.web_countries.join(","))
}

/// A clinic's payers as stored: one a line, NULL for none.
fn payers_text(s: &Settings) -> Option<String> {
    (!s.payers.is_empty()).then(|| s.payers.join("\n"))
}

fn reminders_text(s: &Settings) -> String {
    s.reminders
        .iter()
        .map(|m| m.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn insert(conn: &Tx, c: &Clinic) -> Result<()> {
    ensure_unique_name(conn, &LOOKUP, &c.name, &c.id)?;
    let s = &c.settings;
    conn.exec(
        On::writes(&[Table::Clinics]),
        &format!("INSERT INTO clinics ({COLS}, name_key) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,?32,?33,?34,?35)"),
        args![
            super::db::id(&c.id), c.name, c.timezone.name(), s.slot_minutes, s.min_notice, s.horizon, s.cancel_window,
            reminders_text(s), s.duplicate_check, s.require_diagnosis, epoch(c.created_at), epoch(c.updated_at),
            s.notify, s.country_code, s.language.as_str(), s.phone, s.public_url, templates_text(s),
            s.retain_messages, s.date_order.map(DateOrder::as_str), s.queue_order.as_str(), s.late_after,
            payers_text(s), s.video_url, s.max_overbook_per_day, s.online_booking, s.slug, s.web_horizon,
            s.web_notice, s.web_hold, s.recalls, countries_text(s), s.web_codes_per_hour,
            s.session_hours, name_key(&c.name)
        ],
    )?;
    Ok(())
}

pub fn update(conn: &Tx, c: &Clinic) -> Result<()> {
    ensure_unique_name(conn, &LOOKUP, &c.name, &c.id)?;
    let s = &c.settings;
    conn.exec(
        On::writes(&[Table::Clinics]),
        "UPDATE clinics SET name=?2, name_key=?3, timezone=?4, slot_minutes=?5, min_notice=?6, horizon=?7, \
         cancel_window=?8, reminders=?9, duplicate_check=?10, require_diagnosis=?11, updated_at=?12, notify=?13, \
         country_code=?14, language=?15, phone=?16, public_url=?17, templates=?18, retain_messages=?19, date_order=?20, \
         queue_order=?21, late_after=?22, payers=?23, video_url=?24, max_overbook_per_day=?25, \
         online_booking=?26, slug=?27, web_horizon=?28, web_notice=?29, web_hold=?30, recalls=?31, \
         web_countries=?32, web_codes_per_hour=?33, session_hours=?34 WHERE id=?1",
        args![
            super::db::id(&c.id), c.name, name_key(&c.name), c.timezone.name(), s.slot_minutes, s.min_notice, s.horizon,
            s.cancel_window, reminders_text(s), s.duplicate_check, s.require_diagnosis, epoch(c.updated_at),
            s.notify, s.country_code, s.language.as_str(), s.phone, s.public_url, templates_text(s),
            s.retain_messages, s.date_order.map(DateOrder::as_str), s.queue_order.as_str(), s.late_after,
            payers_text(s), s.video_url, s.max_overbook_per_day, s.online_booking, s.slug, s.web_horizon,
            s.web_notice, s.web_hold, s.recalls, countries_text(s), s.web_codes_per_hour,
            s.session_hours
        ],
    )?;
    Ok(())
}

/// Kept until the database changes ([`Tx::lasting`]): a calendar feed's
/// phones and the booking page ask at every request.
pub fn get(conn: &Tx, id: &str) -> Result<Clinic> {
    conn.memo(Asked::Clinic(id), || {
        conn.lasting(format!("clinics::get {id}"), || {
            by_id(
                conn,
                On::reads(&[Table::Clinics]),
                &format!("SELECT {COLS} FROM clinics WHERE id = ?1"),
                super::db::id(id),
                crate::error::Entity::Clinic,
                from_row,
            )
        })
    })
}

/// The clinics where the doctor has windows.
pub fn of_doctor(conn: &Tx, doctor_id: &str) -> Result<Vec<Clinic>> {
    conn.memo(Asked::ClinicsOfDoctor(doctor_id), || {
        conn.rows(
            On::reads(&[Table::Clinics, Table::Windows]),
            &format!(
                "SELECT {COLS} FROM clinics WHERE id IN \
                 (SELECT clinic_id FROM windows WHERE doctor_id = ?1) ORDER BY id"
            ),
            args![super::db::id(doctor_id)],
            from_row,
        )
    })
}

pub fn list(conn: &Tx) -> Result<Vec<Clinic>> {
    // Kept until the database changes: the booking page asks at every request.
    conn.lasting("clinics::list".into(), || {
        conn.rows(
            On::reads(&[Table::Clinics]),
            &format!("SELECT {COLS} FROM clinics ORDER BY name_key"),
            args![],
            from_row,
        )
    })
}

pub fn find(conn: &Tx, input: &str) -> Result<Clinic> {
    super::lookup::find(conn, &LOOKUP, input, get)
}

/// The clinic named on the command line (or `$APPT_CLINIC`), else the only one.
pub fn default(conn: &Tx, given: Option<&str>) -> Result<Clinic> {
    if let Some(g) = given {
        return find(conn, g);
    }
    let mut all = list(conn)?;
    match all.len() {
        1 => Ok(all.remove(0)),
        0 => Err(Error::not_found(crate::error::Entity::Clinic)
            .hint(crate::text::msg!("e-create_one_with_appt_clinic_add_name"))),
        _ => Err(Error::field(
            "clinic",
            crate::text::msg!("e-several_clinics_exist_give_clinic_name_or"),
        )),
    }
}

pub fn has_appointments(conn: &Tx, id: &str) -> Result<bool> {
    conn.one(
        On::reads(&[Table::Appointments]),
        "SELECT EXISTS (SELECT 1 FROM appointments WHERE clinic_id = ?1)",
        args![super::db::id(id)],
    )
}
