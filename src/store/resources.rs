//! Rooms and equipment (docs/rules.md#rooms-and-equipment): the
//! `resources` table, what each service needs of them (`service_needs`)
//! and what each visit was given (`appointment_resources`, which the
//! schema's guard keeps from holding a resource past its capacity).

use super::db::{marks, On, Row, Table, ToVal, Tx, Val};
use super::stored::{col, Kind, Layout};
use super::{by_id, ensure_unique_name, epoch, name_key, resolve, Lookup};
use crate::args;
use crate::core::resources::{Resource, ResourceKind};
use crate::core::slots::{Busy, Hold};
use crate::core::AppointmentRow;
use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};

pub const COLS: &str = "id, clinic_id, name, kind, capacity, active, created_at, updated_at";
/// `service_needs`' columns.
pub const NEED_COLS: &str = "service_id, grp, position, resource_id";
/// `resource_hours`' columns.
pub const HOURS_COLS: &str = "id, resource_id, weekdays, from_minute, to_minute";
/// `resource_closures`' columns.
pub const CLOSURE_COLS: &str = "id, resource_id, from_date, to_date, reason";
/// `appointment_resources`' columns.
pub const GIVEN_COLS: &str =
    "appointment_id, grp, resource_id, held_from, held_to, active, overbooked";

const LOOKUP: Lookup = Lookup {
    table: Table::Resources,
    also: &[],
    what: crate::error::Entity::Resource,
    by_name: true,
    filter: "",
    label: "name",
    suggest: true,
};

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Layout = Layout {
    name: "resources",
    id: "id",
    cols: &[
        col("capacity", Kind::Range(1, 1000)),
        col("created_at", Kind::Instant),
        col("updated_at", Kind::Instant),
    ],
    rules: &[],
};

fn from_row(r: &Row) -> Result<Resource> {
    let f = r.of("resources", 0)?;
    Ok(Resource {
        id: f.id().to_string(),
        clinic_id: f.get(1)?,
        name: f.get(2)?,
        kind: f.code(3, ResourceKind::parse)?,
        capacity: f.range(4, (1, 1000))?,
        active: f.get(5)?,
        created_at: f.instant(6)?,
        updated_at: f.instant(7)?,
    })
}

pub fn insert(tx: &Tx, r: &Resource) -> Result<()> {
    ensure_unique_name(tx, &LOOKUP, &r.name, &r.id)?;
    tx.exec(
        On::writes(&[Table::Resources]),
        &format!("INSERT INTO resources ({COLS}, name_key) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)"),
        args![
            r.id,
            super::db::id(&r.clinic_id),
            r.name,
            r.kind.as_str(),
            r.capacity,
            r.active,
            epoch(r.created_at),
            epoch(r.updated_at),
            name_key(&r.name)
        ],
    )?;
    Ok(())
}

pub fn update(tx: &Tx, r: &Resource) -> Result<()> {
    ensure_unique_name(tx, &LOOKUP, &r.name, &r.id)?;
    tx.exec(
        On::writes(&[Table::Resources]),
        "UPDATE resources SET name = ?2, name_key = ?3, kind = ?4, capacity = ?5, active = ?6, \
         updated_at = ?7 WHERE id = ?1",
        args![
            r.id,
            r.name,
            name_key(&r.name),
            r.kind.as_str(),
            r.capacity,
            r.active,
            epoch(r.updated_at)
        ],
    )?;
    Ok(())
}

/// Removes a resource no service needs and no visit was given, with its
/// hours and closures.
pub fn remove(tx: &Tx, id: &str) -> Result<()> {
    for table in [Table::ResourceHours, Table::ResourceClosures] {
        tx.exec(
            On::writes(table.alone()),
            &format!("DELETE FROM {} WHERE resource_id = ?1", table.name()),
            args![id],
        )?;
    }
    tx.exec(
        On::writes(&[Table::Resources]),
        "DELETE FROM resources WHERE id = ?1",
        args![id],
    )?;
    Ok(())
}

pub fn get(tx: &Tx, id: &str) -> Result<Resource> {
    by_id(
        tx,
        On::reads(&[Table::Resources]),
        &format!("SELECT {COLS} FROM resources WHERE id = ?1"),
        id.to_val(),
        crate::error::Entity::Resource,
        from_row,
    )
}

/// One resource by name or ID; an unknown name is `NOT_FOUND` with the
/// closest names.
pub fn find(tx: &Tx, input: &str) -> Result<Resource> {
    get(tx, &resolve(tx, &LOOKUP, input)?)
}

/// The resources of `clinic` (every clinic's when None), by name.
pub fn list(tx: &Tx, clinic: Option<&str>) -> Result<Vec<Resource>> {
    tx.rows(
        On::reads(&[Table::Resources]),
        &format!(
            "SELECT {COLS} FROM resources WHERE (clinic_id = ?1 OR ?1 IS NULL) \
             ORDER BY name_key"
        ),
        args![super::db::maybe_id(clinic)],
        from_row,
    )
}

/// How many active visits hold resource `id` after `now`, and how many
/// services need it.
pub fn uses(tx: &Tx, id: &str, now: DateTime<Utc>) -> Result<(i64, i64)> {
    let visits = tx.one(
        On::reads(&[Table::AppointmentResources]),
        "SELECT count(*) FROM appointment_resources WHERE resource_id = ?1 AND active = 1 \
         AND held_to > ?2",
        args![id, epoch(now)],
    )?;
    let services = tx.one(
        On::reads(&[Table::ServiceNeeds]),
        "SELECT count(DISTINCT service_id) FROM service_needs WHERE resource_id = ?1",
        args![id],
    )?;
    Ok((visits, services))
}

/// Whether any visit was ever given resource `id` (its history).
pub fn ever_given(tx: &Tx, id: &str) -> Result<bool> {
    Ok(tx
        .row(
            On::reads(&[Table::AppointmentResources]),
            "SELECT 1 FROM appointment_resources WHERE resource_id = ?1 LIMIT 1",
            args![id],
            |r| r.get::<i64>(0),
        )?
        .is_some())
}

/// What service `id` needs: its groups in order, each group's resources in
/// the order listed.
pub fn needs(tx: &Tx, service_id: &str) -> Result<Vec<Vec<Resource>>> {
    tx.memo(super::asked::Asked::Needs(service_id), || {
        needs_now(tx, service_id)
    })
}

fn needs_now(tx: &Tx, service_id: &str) -> Result<Vec<Vec<Resource>>> {
    let rows: Vec<(i64, Resource)> = tx.rows(
        On::reads(&[Table::ServiceNeeds, Table::Resources]),
        &format!(
            "SELECT n.grp, {} FROM service_needs n JOIN resources r ON r.id = n.resource_id \
             WHERE n.service_id = ?1 ORDER BY n.grp, n.position",
            super::columns::under("r", COLS)
        ),
        args![super::db::id(service_id)],
        |r| Ok((r.get(0)?, from_row(&r.from(1))?)),
    )?;
    let mut groups: Vec<Vec<Resource>> = Vec::new();
    let mut last = None;
    for (grp, res) in rows {
        if last != Some(grp) {
            groups.push(Vec::new());
            last = Some(grp);
        }
        if let Some(g) = groups.last_mut() {
            g.push(res);
        }
    }
    Ok(groups)
}

/// Replaces what service `id` needs.
pub fn set_needs(tx: &Tx, service_id: &str, groups: &[Vec<String>]) -> Result<()> {
    tx.exec(
        On::writes(&[Table::ServiceNeeds]),
        "DELETE FROM service_needs WHERE service_id = ?1",
        args![super::db::id(service_id)],
    )?;
    for (g, group) in groups.iter().enumerate() {
        for (p, id) in group.iter().enumerate() {
            tx.exec(
                On::writes(&[Table::ServiceNeeds]),
                &format!("INSERT INTO service_needs ({NEED_COLS}) VALUES (?1, ?2, ?3, ?4)"),
                args![super::db::id(service_id), g as i64, p as i64, id],
            )?;
        }
    }
    Ok(())
}

/// The active visits holding any of `ids` over `[from, to)` (buffers
/// included), but `except` (a visit being moved): each with its resource.
pub fn busy(
    tx: &Tx,
    ids: &[&str],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: Option<&str>,
) -> Result<Vec<(String, Busy)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT resource_id, appointment_id, held_from, held_to FROM appointment_resources \
         WHERE resource_id IN ({}) AND active = 1 AND held_from > ?1 - 86400 AND held_from < ?2 \
         AND held_to > ?1 AND appointment_id IS DISTINCT FROM ?3",
        marks(4, ids.len())
    );
    let mut args: Vec<Val> = args![epoch(from), epoch(to), super::db::maybe_id(except)].to_vec();
    args.extend(ids.iter().map(|i| i.to_val()));
    tx.rows(
        On::reads(&[Table::AppointmentResources]),
        &sql,
        &args,
        |r| {
            let f = r.of("appointment_resources", 1)?;
            let (start, end) = (f.instant(2)?, f.instant(3)?);
            Ok((f.get(0)?, Busy::new(f.id().to_string(), start, end, 0, 0)))
        },
    )
}

/// The columns of `hold_resources`, as copied.
pub const HOLD_COLS: &str = "hold_id, grp, resource_id, held_from, held_to";

/// The booking page's holds on the resources `ids` whose time meets
/// `[from, to)`, but `except` (the hold being booked), live or not: for
/// each, the resource and the hold with the time its visit would hold.
pub fn held_for_page(
    tx: &Tx,
    ids: &[&str],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: Option<&str>,
) -> Result<Vec<(String, Hold)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT r.resource_id, r.hold_id, r.held_from, r.held_to, h.until \
         FROM hold_resources r JOIN holds h ON h.id = r.hold_id \
         WHERE r.resource_id IN ({}) AND r.held_from > ?1 - 86400 AND r.held_from < ?2 \
         AND r.held_to > ?1 AND (CAST(?3 AS TEXT) IS NULL OR r.hold_id <> ?3)",
        marks(4, ids.len())
    );
    let mut args: Vec<Val> = args![epoch(from), epoch(to), except].to_vec();
    args.extend(ids.iter().map(|i| i.to_val()));
    tx.rows(
        On::reads(&[Table::HoldResources, Table::Holds]),
        &sql,
        &args,
        |r| super::holds::owned_hold(r, "hold_resources"),
    )
}

/// Keeps for the hold `hold` the resources `ids`, one per group in order,
/// over `[from, to)` (the time its visit would hold).
pub fn hold(
    tx: &Tx,
    hold: &str,
    ids: &[&str],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<()> {
    for (g, id) in ids.iter().enumerate() {
        tx.exec(
            On::writes(&[Table::HoldResources]),
            &format!("INSERT INTO hold_resources ({HOLD_COLS}) VALUES (?1, ?2, ?3, ?4, ?5)"),
            args![hold, g as i64, id, epoch(from), epoch(to)],
        )?;
    }
    Ok(())
}

/// Gives visit `a` the resources `ids`, one per group in order, for the
/// time it holds: what it had before is let go. The schema's guard refuses
/// a resource past its capacity (`RESOURCE_BUSY`), but those of `past`
/// (`book --overbook-resource`: given past it, audited on the visit).
pub fn give(tx: &Tx, a: &AppointmentRow, ids: &[&str], past: &[String]) -> Result<()> {
    tx.exec(
        On::writes(&[Table::AppointmentResources]),
        "DELETE FROM appointment_resources WHERE appointment_id = ?1",
        args![super::db::id(&a.id)],
    )?;
    let (from, to) = held(a);
    for (g, id) in ids.iter().enumerate() {
        tx.exec(
            On::writes(&[Table::AppointmentResources]),
            &format!(
                "INSERT INTO appointment_resources ({GIVEN_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ),
            args![
                super::db::id(&a.id),
                g as i64,
                id,
                from,
                to,
                a.status.is_active(),
                past.iter().any(|p| p == id)
            ],
        )?;
    }
    Ok(())
}

/// Keeps visit `a`'s resources with its time and status: a cancelled or
/// missed visit lets them go, its record of them kept.
pub fn follow(tx: &Tx, a: &AppointmentRow) -> Result<()> {
    let (from, to) = held(a);
    tx.exec(
        On::writes(&[Table::AppointmentResources]),
        "UPDATE appointment_resources SET held_from = ?2, held_to = ?3, active = ?4 \
         WHERE appointment_id = ?1 AND (held_from <> ?2 OR held_to <> ?3 OR active <> ?4)",
        args![super::db::id(&a.id), from, to, a.status.is_active()],
    )?;
    Ok(())
}

/// The time visit `a` holds, in seconds.
fn held(a: &AppointmentRow) -> (i64, i64) {
    let (from, to) =
        crate::core::slots::held(a.starts_at, a.ends_at, a.buffer_before, a.buffer_after);
    (epoch(from), epoch(to))
}

/// The resources each of `ids` was given, in group order: (visit, resource).
pub fn given(tx: &Tx, ids: &[&str]) -> Result<Vec<(String, Resource)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    tx.rows(
        On::reads(&[Table::AppointmentResources, Table::Resources]),
        &format!(
            "SELECT g.appointment_id, {} FROM appointment_resources g \
             JOIN resources r ON r.id = g.resource_id WHERE g.appointment_id IN ({}) \
             ORDER BY g.appointment_id, g.grp",
            super::columns::under("r", COLS),
            marks(1, ids.len())
        ),
        &super::db::ids(ids).collect::<Vec<_>>(),
        |r| Ok((r.get(0)?, from_row(&r.from(1))?)),
    )
}

/// Adds hours of resource `resource`: `weekdays` (bit 0 Monday) from
/// `from` to `to` minutes of the local day.
pub fn add_hours(
    tx: &Tx,
    id: &str,
    resource: &str,
    weekdays: u8,
    from: i64,
    to: i64,
) -> Result<()> {
    tx.exec(
        On::writes(&[Table::ResourceHours]),
        &format!("INSERT INTO resource_hours ({HOURS_COLS}) VALUES (?1, ?2, ?3, ?4, ?5)"),
        args![id, resource, i64::from(weekdays), from, to],
    )?;
    Ok(())
}

/// Closes resource `resource` from `from` to `to`, both included.
pub fn add_closure(
    tx: &Tx,
    id: &str,
    resource: &str,
    (from, to): (NaiveDate, NaiveDate),
    reason: Option<&str>,
) -> Result<()> {
    tx.exec(
        On::writes(&[Table::ResourceClosures]),
        &format!("INSERT INTO resource_closures ({CLOSURE_COLS}) VALUES (?1, ?2, ?3, ?4, ?5)"),
        args![id, resource, from, to, reason],
    )?;
    Ok(())
}

const HOURS: Lookup = Lookup {
    table: Table::ResourceHours,
    also: &[],
    what: crate::error::Entity::Window,
    by_name: false,
    filter: "",
    label: "resource_id",
    suggest: false,
};

const CLOSURES: Lookup = Lookup {
    table: Table::ResourceClosures,
    also: &[],
    what: crate::error::Entity::Closure,
    by_name: false,
    filter: "",
    label: "resource_id",
    suggest: false,
};

/// Hours of a resource as stored: ID, resource, weekdays, from, to.
pub type HoursRow = (String, String, u8, i64, i64);
/// A resource's closure as stored: ID, resource, from, to, reason.
pub type ClosureRow = (String, String, NaiveDate, NaiveDate, Option<String>);

fn hours_row(r: &Row) -> Result<HoursRow> {
    let days: i64 = r.get(2)?;
    Ok((
        r.get(0)?,
        r.get(1)?,
        u8::try_from(days).unwrap_or(0),
        r.get(3)?,
        r.get(4)?,
    ))
}

fn closure_row(r: &Row) -> Result<ClosureRow> {
    let f = r.of("resource_closures", 0)?;
    Ok((
        f.id().to_string(),
        f.get(1)?,
        f.date(2)?,
        f.date(3)?,
        f.get(4)?,
    ))
}

/// Resource `resource`'s own hours, by weekday mask and start.
pub fn hours_rows(tx: &Tx, resource: &str) -> Result<Vec<HoursRow>> {
    tx.rows(
        On::reads(&[Table::ResourceHours]),
        &format!(
            "SELECT {HOURS_COLS} FROM resource_hours WHERE resource_id = ?1 \
             ORDER BY from_minute, weekdays, id"
        ),
        args![resource],
        hours_row,
    )
}

/// Resource `resource`'s closures, by start.
pub fn closure_rows(tx: &Tx, resource: &str) -> Result<Vec<ClosureRow>> {
    tx.rows(
        On::reads(&[Table::ResourceClosures]),
        &format!(
            "SELECT {CLOSURE_COLS} FROM resource_closures WHERE resource_id = ?1 \
             ORDER BY from_date, id"
        ),
        args![resource],
        closure_row,
    )
}

/// The hours `input` names (an ID or a unique prefix of one), or None.
pub fn find_hours(tx: &Tx, input: &str) -> Result<Option<HoursRow>> {
    let id = match resolve(tx, &HOURS, input) {
        Ok(id) => id,
        Err(e) if e.code == crate::error::Code::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    tx.row(
        On::reads(&[Table::ResourceHours]),
        &format!("SELECT {HOURS_COLS} FROM resource_hours WHERE id = ?1"),
        args![id],
        hours_row,
    )
}

/// The resource's closure `input` names (an ID or a unique prefix of one),
/// or None.
pub fn find_closure(tx: &Tx, input: &str) -> Result<Option<ClosureRow>> {
    let id = match resolve(tx, &CLOSURES, input) {
        Ok(id) => id,
        Err(e) if e.code == crate::error::Code::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    tx.row(
        On::reads(&[Table::ResourceClosures]),
        &format!("SELECT {CLOSURE_COLS} FROM resource_closures WHERE id = ?1"),
        args![id],
        closure_row,
    )
}

pub fn remove_hours(tx: &Tx, id: &str) -> Result<()> {
    tx.exec(
        On::writes(&[Table::ResourceHours]),
        "DELETE FROM resource_hours WHERE id = ?1",
        args![id],
    )?;
    Ok(())
}

pub fn remove_closure(tx: &Tx, id: &str) -> Result<()> {
    tx.exec(
        On::writes(&[Table::ResourceClosures]),
        "DELETE FROM resource_closures WHERE id = ?1",
        args![id],
    )?;
    Ok(())
}

/// The hours of any of `ids`: (resource, weekdays, from, to) in minutes.
pub fn hours_of(tx: &Tx, ids: &[&str]) -> Result<Vec<(String, u8, i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    tx.rows(
        On::reads(&[Table::ResourceHours]),
        &format!(
            "SELECT resource_id, weekdays, from_minute, to_minute FROM resource_hours \
             WHERE resource_id IN ({})",
            marks(1, ids.len())
        ),
        &ids.iter().map(|i| i.to_val()).collect::<Vec<_>>(),
        |r| {
            let days: i64 = r.get(1)?;
            Ok((
                r.get(0)?,
                u8::try_from(days).unwrap_or(0),
                r.get(2)?,
                r.get(3)?,
            ))
        },
    )
}

/// Which of `ids` a closure covers on `date`, each with the closure's
/// reason (one row a closure).
pub fn closed_on(tx: &Tx, ids: &[&str], date: NaiveDate) -> Result<Vec<(String, Option<String>)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = vec![date.to_val()];
    args.extend(ids.iter().map(|i| i.to_val()));
    tx.rows(
        On::reads(&[Table::ResourceClosures]),
        &format!(
            "SELECT resource_id, reason FROM resource_closures \
             WHERE from_date <= ?1 AND to_date >= ?1 AND resource_id IN ({})",
            marks(2, ids.len())
        ),
        &args,
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// The minutes each of clinic `clinic`'s resources was held (buffers
/// included) by visits not cancelled whose local date is in `[from, to]`:
/// (resource, minutes).
pub fn held_minutes(
    tx: &Tx,
    clinic: &str,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<(String, i64)>> {
    tx.rows(
        On::reads(&[Table::AppointmentResources, Table::Appointments]),
        &format!(
            "SELECT g.resource_id, CAST(sum(g.held_to - g.held_from) / 60 AS BIGINT) \
             FROM appointment_resources g \
             JOIN appointments a ON a.id = g.appointment_id \
             WHERE a.clinic_id = ?1 AND a.local_date >= ?2 AND a.local_date <= ?3 \
             AND {} GROUP BY g.resource_id",
            super::coded::is_not("a.status", crate::core::Status::Cancelled)
        ),
        args![
            super::db::id(clinic),
            super::db::day(from),
            super::db::day(to)
        ],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Every closure of `ids` touching `[from, to]`: (resource, first, last).
pub fn closures_touching(
    tx: &Tx,
    ids: &[&str],
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<(String, NaiveDate, NaiveDate)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = vec![from.to_val(), to.to_val()];
    args.extend(ids.iter().map(|i| i.to_val()));
    tx.rows(
        On::reads(&[Table::ResourceClosures]),
        &format!(
            "SELECT resource_id, from_date, to_date FROM resource_closures \
             WHERE to_date >= ?1 AND from_date <= ?2 AND resource_id IN ({})",
            marks(3, ids.len())
        ),
        &args,
        |r| {
            let f = r.of("resource_closures", 0)?;
            Ok((r.get(0)?, f.date(1)?, f.date(2)?))
        },
    )
}

/// The rooms and equipment each appointment was given, in group order, as
/// one text read after the appointment's joined columns
/// (`store::appointments`): each `id`, `kind` and `name` separated by
/// U+001F, one from the next by U+001E (no name holds either).
pub(super) const GIVEN: &str = "(SELECT string_agg(g.resource_id || '\u{1f}' || r.kind || '\u{1f}' || r.name, \
     '\u{1e}' ORDER BY g.grp) FROM appointment_resources g JOIN resources r ON r.id = g.resource_id \
     WHERE g.appointment_id = a.id)";

/// [`GIVEN`]'s text read back; a part appt did not write is left out.
pub(super) fn given_read(text: Option<String>) -> Vec<crate::core::resources::Given> {
    use crate::core::resources::{Given, ResourceKind};
    let Some(text) = text else {
        return Vec::new();
    };
    text.split('\u{1e}')
        .filter_map(|one| {
            let mut parts = one.splitn(3, '\u{1f}');
            let (id, kind, name) = (parts.next()?, parts.next()?, parts.next()?);
            Some(Given {
                id: id.to_string(),
                name: name.to_string(),
                kind: ResourceKind::parse(kind)?,
            })
        })
        .collect()
}
