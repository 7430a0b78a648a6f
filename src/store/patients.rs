//! The `patients` table: one row per phone number.

use super::asked::Asked;
use super::db::{self, Backend, Row, ToVal, Tx, Val};
use super::db::{Insert, On, Table};
use super::keys::{self, Keyring, Keys, SealedState, Unopened, KEY_CHECK_SAMPLE};
use super::stored::{col, opt, Kind, Layout};
use super::{epoch, meta, name_key, new_id, resolve, Lookup};
use crate::args;
use crate::core::patient_step::{patient_step, PatientStep};
use crate::core::{Patient, Preference};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

pub const COLS: &str =
    "id, full_name, phone, national_id, email, no_show_count, created_at, updated_at, erased_at, \
                        channel";
const LOOKUP: Lookup = Lookup {
    table: Table::Patients,
    also: &[],
    what: crate::error::Entity::Patient,
    by_name: true,
    // An erased patient is found by nothing but [`find_erasing`].
    filter: "erased_at IS NULL",
    label: "full_name || ' ' || phone",
    suggest: false,
};

/// A patient as stored: the national ID still sealed.
#[derive(Clone)]
pub struct Stored {
    pub patient: Patient,
    pub sealed_id: Option<Vec<u8>>,
}

impl Stored {
    pub fn has_sealed_id(&self) -> bool {
        self.sealed_id.is_some()
    }

    /// The patient with the national ID opened by `keys`; an ID that cannot be
    /// opened (no key, a damaged row, or a value sealed for another patient)
    /// is marked unreadable, so that one bad row never hides the patient.
    pub fn reveal(self, keys: Option<&Keyring>) -> Patient {
        let mut p = self.patient;
        if let Some(s) = self.sealed_id {
            match keys.and_then(|k| k.open(&p.id, &s).ok()) {
                Some(id) => p.national_id = Some(id),
                None => p.national_id_unreadable = true,
            }
        }
        p
    }
}

/// Whether any patient has a sealed national ID.
pub fn any_sealed_id(conn: &Tx) -> Result<bool> {
    let one: Option<i64> = conn.row(
        On::reads(&[Table::Patients]),
        "SELECT 1 FROM patients WHERE national_id IS NOT NULL LIMIT 1",
        args![],
        |r| r.get(0),
    )?;
    Ok(one.is_some())
}

/// Whether anything is sealed under the database's key: a national ID, a
/// channel's secrets or a doctor's own calendar's (then no new key may be
/// made: it would open none of them).
pub fn any_sealed(conn: &Tx) -> Result<bool> {
    Ok(any_sealed_id(conn)? || super::channels::any_secrets(conn)?)
}

/// What the key policy needs to know of the sealed IDs: the recorded key
/// check value, whether any ID is sealed, and, without a check value, a few
/// sealed IDs to try a key on.
pub fn sealed_state(conn: &Tx) -> Result<SealedState> {
    let mut state = SealedState {
        check: meta::key_check(conn)?.map(|hex| keys::from_hex(&hex).unwrap_or_default()),
        any_sealed: any_sealed(conn)?,
        sample: Vec::new(),
    };
    if state.any_sealed && !state.has_usable_check() {
        state.sample = conn.rows(
            On::reads(&[Table::Patients]),
            "SELECT id, national_id FROM patients WHERE national_id IS NOT NULL LIMIT ?1",
            args![KEY_CHECK_SAMPLE],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
    }
    Ok(state)
}

/// The keys that seal a new ID (made when there are none and nothing is
/// sealed). Call it inside the write transaction that stores the ID. The
/// first sealing with a key the database has not recorded binds every ID an
/// older appt sealed to its patient and records the key.
pub fn sealing_keys(conn: &Tx, keys: &Keys) -> Result<Keyring> {
    let mut ring = keys.for_sealing(&sealed_state(conn)?)?;
    if ring.needs_record() {
        bind_unbound(conn, &ring)?;
        record_key(conn, &ring)?;
        ring.mark_recorded();
    }
    Ok(ring)
}

/// The keys that open the sealed IDs; `DATABASE_ERROR` without them.
pub fn opening_keys(conn: &Tx, keys: &Keys) -> Result<Keyring> {
    keys.for_opening(&sealed_state(conn)?)
}

/// The keys to list stored IDs with, or why there are none (a warning).
pub fn listing_keys(conn: &Tx, keys: &Keys) -> Result<(Option<Keyring>, Option<Error>)> {
    keys.for_listing(&sealed_state(conn)?)
}

/// Records `ring`'s current key as the one the database's IDs are sealed under.
pub fn record_key(conn: &Tx, ring: &Keyring) -> Result<()> {
    meta::set_key_check(conn, &keys::to_hex(&ring.check_value()?))
}

/// Seals again, bound to their patient, the IDs an older appt sealed unbound
/// (format 0: the first byte is 0, so they sort below `[1]`). One that does
/// not open is left as it is (`check` reports it).
fn bind_unbound(conn: &Tx, ring: &Keyring) -> Result<()> {
    let unbound: Vec<(String, Vec<u8>)> = conn.rows(
        On::reads(&[Table::Patients]),
        "SELECT id, national_id FROM patients WHERE national_id < ?1",
        args![vec![1u8]],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    for (id, sealed) in unbound {
        if let Ok(plain) = ring.open(&id, &sealed) {
            set_sealed(conn, &id, &ring.seal(&id, &plain)?)?;
        }
    }
    Ok(())
}

fn set_sealed(conn: &Tx, id: &str, sealed: &[u8]) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Patients]),
        "UPDATE patients SET national_id = ?2 WHERE id = ?1",
        args![db::id(id), sealed],
    )?;
    Ok(())
}

/// What re-sealing every ID did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Resealed {
    pub resealed: u64,
    /// IDs `from` could not open (damaged, or another patient's): left as they are.
    pub unreadable: u64,
}

/// Every sealed ID opened with `from` and sealed again with `to`, a page at a
/// time (by patient ID), in the caller's transaction.
pub fn reseal_all(conn: &Tx, from: &Keyring, to: &Keyring) -> Result<Resealed> {
    let mut done = Resealed::default();
    // The page's cursor, bound as an ID: NULL at the start.
    let mut after = Val::Null;
    loop {
        let page: Vec<(String, Vec<u8>)> = conn.rows(
            On::reads(&[Table::Patients]),
            // Compared first: PostgreSQL takes the parameter's type from
            // its first use, and `IS NULL` gives it none.
            "SELECT id, national_id FROM patients WHERE national_id IS NOT NULL \
             AND (id > ?1 OR ?1 IS NULL) ORDER BY id LIMIT 1000",
            args![after],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let Some((last, _)) = page.last() else {
            return Ok(done);
        };
        after = db::id(last);
        for (id, sealed) in page {
            match from.open(&id, &sealed) {
                Ok(plain) => {
                    set_sealed(conn, &id, &to.seal(&id, &plain)?)?;
                    done.resealed += 1;
                }
                Err(_) => done.unreadable += 1,
            }
        }
    }
}

/// Each sealed ID that `keys` does not open for its own patient, and why.
pub fn unopened(conn: &Tx, keys: &Keyring) -> Result<Vec<(String, Vec<u8>, Unopened)>> {
    let mut bad = Vec::new();
    conn.each(
        On::reads(&[Table::Patients]),
        "SELECT id, national_id FROM patients WHERE national_id IS NOT NULL ORDER BY id",
        args![],
        |r| {
            let (id, sealed): (String, Vec<u8>) = (r.get(0)?, r.get(1)?);
            if let Err(why) = keys.open(&id, &sealed) {
                bad.push((id, sealed, why));
            }
            Ok(())
        },
    )?;
    Ok(bad)
}

/// Calls `f` with every patient's ID.
pub fn each_id(conn: &Tx, mut f: impl FnMut(&str)) -> Result<()> {
    conn.each(
        On::reads(&[Table::Patients]),
        "SELECT id FROM patients",
        args![],
        |r| {
            f(&r.get::<String>(0)?);
            Ok(())
        },
    )
}

/// The columns [`from_row`] parses, for `appt check`.
pub const STORED: Layout = Layout {
    name: "patients",
    id: "id",
    cols: &[
        col("created_at", Kind::Instant),
        col("updated_at", Kind::Instant),
        opt("erased_at", Kind::Instant),
        opt("channel", Kind::OneOf(&Preference::CODES)),
    ],
    rules: &[],
};

pub(super) fn from_row(r: &Row) -> Result<Stored> {
    let f = r.of("patients", 0)?;
    let erased_at = f.opt_instant(8)?;
    Ok(Stored {
        patient: Patient {
            id: f.id().to_string(),
            full_name: f.get(1)?,
            // An erased patient's phone column holds a placeholder, no phone.
            phone: if erased_at.is_some() {
                String::new()
            } else {
                f.get(2)?
            },
            national_id: None,
            national_id_unreadable: false,
            email: f.get(4)?,
            channel: f.opt_code(9, Preference::parse)?,
            no_show_count: f.get(5)?,
            created_at: f.instant(6)?,
            updated_at: f.instant(7)?,
            erased_at,
        },
        sealed_id: f.get(3)?,
    })
}

fn one(conn: &Tx, cond: &str, arg: Val) -> Result<Option<Stored>> {
    conn.row(
        On::reads(&[Table::Patients]),
        &format!("SELECT {COLS} FROM patients WHERE {cond}"),
        args![arg],
        from_row,
    )
}

pub fn get(conn: &Tx, id: &str) -> Result<Stored> {
    one(conn, "id = ?1", db::id(id))?.ok_or_else(|| Error::not_found(crate::error::Entity::Patient))
}

/// The patients of these whole IDs that are there (an ID no patient has is
/// left out), one query per 500: an event page's patients at once.
pub fn get_many(conn: &Tx, ids: &[&str]) -> Result<Vec<Stored>> {
    let found = conn.rows_in_ids(
        On::reads(&[Table::Patients]),
        &format!("SELECT {COLS} FROM patients WHERE id IN ({{keys}})"),
        &[],
        ids,
        from_row,
    )?;
    Ok(found)
}

/// The patient with this phone (E.164): asked once per transaction
/// ([`Tx::memo`]; a write to `patients` forgets it, a booking's own
/// writes forget their phone's).
pub fn by_phone(conn: &Tx, phone: &str) -> Result<Option<Stored>> {
    conn.memo(Asked::PatientByPhone(phone), || {
        one(conn, "phone = ?1", phone.to_val())
    })
}

/// What writing the patient with `phone` changes of what [`by_phone`] kept.
fn changes(phone: &str) -> [Asked<'_>; 1] {
    [Asked::PatientByPhone(phone)]
}

/// A patient by ID, unique ID prefix, or phone (in any common spelling; a
/// local number in `country`, the clinic's country code).
pub fn find(conn: &Tx, input: &str, country: Option<&str>) -> Result<Stored> {
    if let Some(phone) = crate::core::phone::lookup_key(input, country) {
        if let Some(p) = by_phone(conn, &phone)? {
            return Ok(p);
        }
    }
    match resolve(conn, &LOOKUP, input) {
        Ok(id) => get(conn, &id),
        Err(e) => Err(said_erased(conn, input, None, e)?),
    }
}

/// An erased patient by their whole ID, for a clinic that knows them when
/// `clinic` is given; None for anyone else.
fn erased(conn: &Tx, input: &str, clinic: Option<&str>) -> Result<Option<Stored>> {
    let id = input.trim();
    if !super::lookup::could_be_id(id) {
        return Ok(None);
    }
    let Some(p) = one(conn, "id = ?1 AND erased_at IS NOT NULL", db::id(id))? else {
        return Ok(None);
    };
    match clinic {
        Some(c) if !knows(conn, c, id)? => Ok(None),
        _ => Ok(Some(p)),
    }
}

/// A miss (`e`) of `input` that names an erased patient by ID says so,
/// still `NOT_FOUND`: an erased patient is no one to book, wait or change
/// (docs/privacy.md#erasure). For anyone else the miss stays as it is.
fn said_erased(conn: &Tx, input: &str, clinic: Option<&str>, e: Error) -> Result<Error> {
    if e.code != crate::error::Code::NotFound || erased(conn, input, clinic)?.is_none() {
        return Ok(e);
    }
    Ok(was_erased(input))
}

/// `NOT_FOUND` for a patient named by `input` who was erased
/// (`details.erased`).
pub fn was_erased(input: &str) -> Error {
    Error::new(
        crate::error::Code::NotFound,
        crate::text::msg!("e-this_patient_was_erased"),
    )
    .details(serde_json::json!({"ref": input.trim(), "erased": true}))
}

/// The patient an erasure is for: [`find_known`]'s, or one erased already,
/// named by their whole ID (erasing twice answers the same).
pub fn find_erasing(
    conn: &Tx,
    input: &str,
    country: Option<&str>,
    clinic: Option<&str>,
) -> Result<Stored> {
    match erased(conn, input, clinic)? {
        Some(p) => Ok(p),
        None => find_known(conn, input, country, clinic),
    }
}

/// [`find`] for a caller that sees from one clinic (an API token limited
/// to it, docs/security.md#clinics-apart): only the patients that clinic
/// knows ([`known_at`]) are found, and any other is exactly as missing —
/// by phone, ID, prefix or name, in candidates as in a miss.
pub fn find_known(
    conn: &Tx,
    input: &str,
    country: Option<&str>,
    clinic: Option<&str>,
) -> Result<Stored> {
    let Some(clinic) = clinic else {
        return find(conn, input, country);
    };
    if let Some(phone) = crate::core::phone::lookup_key(input, country) {
        if let Some(p) = by_phone(conn, &phone)? {
            if knows(conn, clinic, &p.patient.id)? {
                return Ok(p);
            }
        }
    }
    let cond = format!(
        "{} AND {}",
        LOOKUP.filter,
        known_at(conn.backend(), clinic)?
    );
    let l = Lookup {
        filter: &cond,
        also: KNOWN.reads,
        ..LOOKUP
    };
    match resolve(conn, &l, input) {
        Ok(id) => get(conn, &id),
        Err(e) => Err(said_erased(conn, input, Some(clinic), e)?),
    }
}

/// The condition (on `patients.id`) of the patients `clinic` knows: those
/// who have or had an appointment there, or wait there, under their own
/// name: one booked there by a name given for another clinic's patient
/// (docs/api.md#another-clinics-patient) is not known through it. A patient
/// is made through a clinic only with one of these, in the same transaction.
fn known_at(backend: Backend, clinic: &str) -> Result<String> {
    // Inlined, not bound: a look-up's filter is a condition of its own. A
    // clinic's ID is appt's own (lowercase hex and dashes); anything else
    // is refused rather than written into a statement.
    if !super::lookup::could_be_id(clinic) {
        return Err(Error::new(
            crate::error::Code::Internal,
            crate::text::msg!("e-clinic_id_not_spelt_as_id"),
        ));
    }
    let clinic = db::id_literal(backend, clinic);
    Ok(format!(
        "(EXISTS (SELECT 1 FROM appointments k WHERE k.patient_id = patients.id AND k.clinic_id = {clinic} \
         AND k.patient_name_given IS NULL) \
         OR EXISTS (SELECT 1 FROM waitlist k WHERE k.patient_id = patients.id AND k.clinic_id = {clinic} \
         AND k.patient_name_given IS NULL))"
    ))
}

/// What a read of the patients a clinic knows reads ([`known_at`]).
const KNOWN: On = On::reads(&[Table::Patients, Table::Appointments, Table::Waitlist]);

/// Whether `clinic` knows the patient `id` ([`known_at`]).
pub fn knows(conn: &Tx, clinic: &str, id: &str) -> Result<bool> {
    let found: Option<i64> = conn.row(
        KNOWN,
        &format!(
            "SELECT 1 FROM patients WHERE id = ?1 AND {}",
            known_at(conn.backend(), clinic)?
        ),
        args![db::id(id)],
        |r| r.get(0),
    )?;
    Ok(found.is_some())
}

/// The patients a phone or name means (docs/commands.md#references): the
/// one with that phone (a local number in `country`, the clinic's country
/// code), else those the name finds as people say names (the exact ones if
/// any). At most 10; none is no error.
pub fn matching(conn: &Tx, input: &str, country: Option<&str>) -> Result<Vec<String>> {
    if let Some(phone) = crate::core::phone::lookup_key(input, country) {
        if let Some(p) = by_phone(conn, &phone)? {
            return Ok(vec![p.patient.id]);
        }
    }
    Ok(super::lookup::by_words(conn, &LOOKUP, input)?
        .into_iter()
        .map(|(id, _)| id)
        .collect())
}

/// The patients whose phone holds `digits` (its end or middle, as
/// [`crate::core::phone::fragment`] reads them), by name; at most 100.
pub fn holding_digits(conn: &Tx, digits: &str) -> Result<Vec<String>> {
    conn.rows(
        On::reads(&[Table::Patients]),
        "SELECT id FROM patients WHERE erased_at IS NULL AND phone LIKE ?1 \
         ORDER BY name_key LIMIT 100",
        args![format!("%{digits}%")],
        |r| r.get(0),
    )
}

pub fn insert(conn: &Tx, p: &Patient, sealed_id: Option<&[u8]>) -> Result<()> {
    if by_phone(conn, &p.phone)?.is_some() {
        return Err(Error::field(
            "phone",
            crate::text::msg!("e-a_patient_with_phone_already_exists", a = p.phone),
        ));
    }
    insert_row(conn, p, sealed_id)
}

/// A new patient: every column, and the key its name is found by.
const INSERT: Insert = Insert {
    into: Table::Patients,
    columns: &[COLS, "name_key"],
    upsert: "",
};

/// [`insert`] once the phone is known to be free.
fn insert_row(conn: &Tx, p: &Patient, sealed_id: Option<&[u8]>) -> Result<()> {
    conn.insert_later_changing(
        &INSERT,
        args![
            db::id(&p.id),
            p.full_name,
            p.phone,
            sealed_id,
            p.email,
            p.no_show_count,
            epoch(p.created_at),
            epoch(p.updated_at),
            p.erased_at.map(epoch),
            p.channel.map(Preference::as_str),
            name_key(&p.full_name)
        ],
        &changes(&p.phone),
    )?;
    Ok(())
}

/// Counts a change of a patient's name (or its erasure) in `meta`, where a
/// calendar feed reads it (`feeds::signature`): a feed that names patients
/// is another calendar from then on, without looking each of them up.
/// With `unless`, only when patient `id`'s stored name is not that one.
pub fn name_changed(conn: &Tx, id: &str, unless: Option<&str>) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Meta]).reading(&[Table::Patients]),
        &format!(
            "INSERT INTO meta (key, value) SELECT '{}', '1' WHERE EXISTS \
             (SELECT 1 FROM patients WHERE id = ?1 AND (?2 = '' OR full_name <> ?2)) \
             ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)",
            super::feeds::PATIENT_NAMES
        ),
        args![db::id(id), unless.unwrap_or("")],
    )?;
    Ok(())
}

/// Writes every field but the national ID, which changes only when `sealed_id` is Some.
pub fn update(conn: &Tx, p: &Patient, sealed_id: Option<&[u8]>) -> Result<()> {
    if let Some(other) = by_phone(conn, &p.phone)? {
        if other.patient.id != p.id {
            return Err(Error::field(
                "phone",
                crate::text::msg!("e-another_patient_has_phone", a = p.phone),
            ));
        }
    }
    name_changed(conn, &p.id, Some(&p.full_name))?;
    conn.exec(
        On::writes(&[Table::Patients]),
        "UPDATE patients SET full_name=?2, name_key=?3, phone=?4, email=?5, updated_at=?6, \
         national_id = coalesce(?7, national_id), channel=?8 WHERE id=?1",
        args![
            db::id(&p.id),
            p.full_name,
            name_key(&p.full_name),
            p.phone,
            p.email,
            epoch(p.updated_at),
            sealed_id,
            p.channel.map(Preference::as_str)
        ],
    )?;
    Ok(())
}

/// Who has a phone, for [`upsert_by_phone`].
pub enum PhoneOwner<'a> {
    /// Not asked yet: it asks.
    Unasked,
    /// Asked already in this transaction (which holds the write lock, so
    /// the answer still holds): one query less for a booking.
    Asked(Option<&'a Patient>),
    /// Not asked yet, and a patient the caller may not change (another
    /// clinic's, docs/api.md#another-clinics-patient): found, they are left
    /// as they are; no one found, one is made.
    Another,
}

/// What [`upsert_by_phone`] did.
pub struct Upserted {
    pub id: String,
    /// The name the patient had, when this renamed it.
    pub renamed_from: Option<String>,
    /// Whether the phone was new, and so is the patient.
    pub created: bool,
}

/// How a patient is reached, as given with a booking or a waitlist entry
/// (docs/rules.md#which-channel): each given one replaces the patient's,
/// each left out keeps it.
#[derive(Debug, Clone, Default)]
pub struct Contact {
    pub email: Option<String>,
    pub channel: Option<Preference>,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.channel.is_none()
    }
}

/// Sets what `contact` gives of patient `id`'s e-mail and preferred channel.
pub fn set_contact(
    conn: &Tx,
    id: &str,
    phone: &str,
    contact: &Contact,
    now: DateTime<Utc>,
) -> Result<()> {
    if contact.is_empty() {
        return Ok(());
    }
    conn.later_changing(
        On::writes(&[Table::Patients]),
        "UPDATE patients SET email = coalesce(?2, email), channel = coalesce(?3, channel), \
         updated_at = ?4 WHERE id = ?1",
        args![
            db::id(id),
            contact.email,
            contact.channel.map(Preference::as_str),
            epoch(now)
        ],
        &changes(phone),
    )
}

/// How each of the patients `ids` is reached (whole IDs; an ID no patient
/// has is left out): one query per 500, for a sweep's messages at once.
pub fn contacts(conn: &Tx, ids: &[&str]) -> Result<HashMap<String, Contact>> {
    let found = conn.rows_in_ids(
        On::reads(&[Table::Patients]),
        "SELECT id, email, channel FROM patients WHERE id IN ({keys})",
        &[],
        ids,
        |r| {
            let (id, email, channel): (String, Option<String>, Option<String>) =
                (r.get(0)?, r.get(1)?, r.get(2)?);
            let channel = channel.as_deref().and_then(Preference::parse);
            Ok((id, Contact { email, channel }))
        },
    )?;
    Ok(found.into_iter().collect())
}

/// Booking's patient step, as [`patient_step`] decides it
/// (docs/rules.md#booking rule 9): find by phone, then make, leave or update
/// the patient. A national ID given is sealed with `keys` for the patient
/// it ends up on.
pub fn upsert_by_phone(
    conn: &Tx,
    name: &str,
    phone: &str,
    owner: PhoneOwner,
    national_id: Option<(&str, &Keyring)>,
    contact: &Contact,
    now: DateTime<Utc>,
) -> Result<Upserted> {
    let seal = |id: &str| {
        national_id
            .map(|(plain, keys)| keys.seal(id, plain))
            .transpose()
    };
    let asked;
    let (owner, may_change) = match owner {
        PhoneOwner::Asked(o) => (o, true),
        PhoneOwner::Unasked | PhoneOwner::Another => {
            asked = by_phone(conn, phone)?.map(|s| s.patient);
            (asked.as_ref(), !matches!(owner, PhoneOwner::Another))
        }
    };
    let step = patient_step(owner.map(|o| o.full_name.as_str()), name, may_change);
    let (o, renamed_from) = match (owner, step) {
        (Some(o), PatientStep::Leave) => {
            return Ok(Upserted {
                id: o.id.clone(),
                renamed_from: None,
                created: false,
            })
        }
        (Some(o), PatientStep::Update { renamed_from }) => (o, renamed_from.map(String::from)),
        _ => return create(conn, name, phone, contact, seal, now),
    };
    let sealed_id = seal(&o.id)?;
    if renamed_from.is_some() {
        name_changed(conn, &o.id, None)?;
    }
    conn.later_changing(
        On::writes(&[Table::Patients]),
        "UPDATE patients SET full_name = ?2, name_key = ?3, national_id = coalesce(?4, national_id), \
         updated_at = ?5, email = coalesce(?6, email), channel = coalesce(?7, channel) WHERE id = ?1",
        args![
            db::id(&o.id),
            name,
            name_key(name),
            sealed_id,
            epoch(now),
            contact.email,
            contact.channel.map(Preference::as_str)
        ],
        &changes(phone),
    )?;
    Ok(Upserted {
        id: o.id.clone(),
        renamed_from,
        created: false,
    })
}

/// [`upsert_by_phone`]'s new patient, for a phone nobody has.
fn create(
    conn: &Tx,
    name: &str,
    phone: &str,
    contact: &Contact,
    seal: impl Fn(&str) -> Result<Option<Vec<u8>>>,
    now: DateTime<Utc>,
) -> Result<Upserted> {
    let p = Patient {
        id: new_id(),
        full_name: name.to_string(),
        phone: phone.to_string(),
        national_id: None,
        national_id_unreadable: false,
        email: contact.email.clone(),
        channel: contact.channel,
        no_show_count: 0,
        created_at: now,
        updated_at: now,
        erased_at: None,
    };
    insert_row(conn, &p, seal(&p.id)?.as_deref())?;
    Ok(Upserted {
        id: p.id,
        renamed_from: None,
        created: true,
    })
}

pub fn count_no_show(conn: &Tx, id: &str, now: DateTime<Utc>) -> Result<()> {
    conn.exec(
        On::writes(&[Table::Patients]),
        "UPDATE patients SET no_show_count = no_show_count + 1, updated_at = ?2 WHERE id = ?1",
        args![db::id(id), epoch(now)],
    )?;
    Ok(())
}

/// What completing a patient on the command line looks for
/// (docs/commands.md#appt-completions).
pub enum Typed<'a> {
    /// Words each of which starts a word of the name (folded, as `name_key`
    /// is); none: every patient.
    Words(&'a [&'a str]),
    /// Digits the phone holds.
    Digits(&'a str),
}

/// Up to `limit` patients for what was typed, by name: (full name, phone).
/// The index on (name_key, phone) gives the order, so the scan stops at
/// `limit` matches; a 100 000-patient clinic answers in milliseconds.
pub fn completing(conn: &Tx, typed: Typed, limit: i64) -> Result<Vec<(String, String)>> {
    let escape = |t: &str| {
        t.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    };
    let (conditions, mut values): (Vec<String>, Vec<Val>) = match typed {
        Typed::Words(words) => words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                (
                    format!("' ' || name_key LIKE ?{} ESCAPE '\\'", i + 1),
                    Val::Text(format!("% {}%", escape(&name_key(w)))),
                )
            })
            .unzip(),
        Typed::Digits(digits) => (
            vec!["phone LIKE ?1 ESCAPE '\\'".to_string()],
            vec![Val::Text(format!("%{}%", escape(digits)))],
        ),
    };
    // An erased patient is no one to pick (and the search index holds none).
    let filter = format!("WHERE erased_at IS NULL{}", {
        conditions
            .iter()
            .map(|c| format!(" AND {c}"))
            .collect::<String>()
    });
    values.push(Val::Int(limit));
    conn.rows(
        On::reads(&[Table::Patients]),
        &format!(
            "SELECT full_name, phone FROM patients {filter} ORDER BY name_key, phone LIMIT ?{}",
            values.len()
        ),
        &values,
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Patients whose name or phone contains `text` (all of them without it), by name.
pub fn search(conn: &Tx, text: Option<&str>, limit: i64) -> Result<Vec<Stored>> {
    // A name matches on its folded key (case, accents and punctuation
    // ignored); text that folds to nothing (only punctuation) matches no name.
    let pattern = text.map(name_key).filter(|k| !k.is_empty()).map(|k| {
        let escaped = k
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    // A phone matches on its digits; text without digits matches no phone
    // (`LIKE NULL` is never true).
    let digits = text.and_then(|t| {
        let d: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
        (!d.is_empty()).then(|| format!("%{d}%"))
    });
    conn.rows(
        On::reads(&[Table::Patients]),
        &search_sql(conn.backend()),
        args![pattern, digits, limit, i64::from(text.is_some())],
        from_row,
    )
}

/// [`search`]'s statement. The index on (name_key, phone) answers the
/// match and the order: only the rows shown are read from the table. SQLite
/// checks a name on the index before it reads the row; PostgreSQL does so
/// only when it reads the index alone, so there the page's IDs are chosen
/// from the index (which holds them, schema v16) and then read.
fn search_sql(backend: Backend) -> String {
    // An erased patient is found by no search (the index holds none).
    let matching =
        "erased_at IS NULL AND (?4 = 0 OR name_key LIKE ?1 ESCAPE '\\' OR phone LIKE ?2)";
    match backend {
        Backend::Sqlite => {
            format!("SELECT {COLS} FROM patients WHERE {matching} ORDER BY name_key, phone LIMIT ?3")
        }
        Backend::Postgres => format!(
            "SELECT {} FROM (SELECT id, name_key, phone FROM patients WHERE {matching} \
             ORDER BY name_key, phone LIMIT ?3) s JOIN patients p ON p.id = s.id ORDER BY s.name_key, s.phone",
            super::columns::under("p", COLS)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search_args() -> Vec<Val> {
        args!["%garcia%", Val::Null, 200_i64, 1_i64].to_vec()
    }

    /// `rows_in` asks its keys 500 at a time, each after the arguments
    /// given before them, and every key once.
    #[test]
    fn many_keys_are_asked_500_at_a_time_after_the_arguments_before_them() {
        let mut st = crate::store::Store::in_memory().unwrap();
        let keys: Vec<String> = (0..1201).map(|i| format!("k{i}")).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let lead = args!["lead"].to_vec();
        let rows: Vec<(String, String)> = st
            .read(|tx| {
                tx.rows_in(
                    On::NOTHING,
                    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1300) \
                     SELECT ?1, group_concat('k' || i) FROM n WHERE 'k' || i IN ({keys})",
                    &lead,
                    &refs,
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
            })
            .unwrap();
        let sizes: Vec<usize> = rows.iter().map(|(_, a)| a.split(',').count()).collect();
        assert_eq!(sizes, [500, 500, 201]);
        assert!(rows.iter().all(|(l, _)| l == "lead"), "{rows:?}");
        let asked: Vec<String> = rows
            .iter()
            .flat_map(|(_, a)| a.split(',').map(String::from))
            .collect();
        assert_eq!(asked, keys);
    }

    /// A search walks the (name, phone) index in its order and reads the
    /// rows it shows: no scan of the table, no sort.
    #[test]
    fn a_search_walks_its_index() {
        let plan =
            crate::store::sqlite_plan(&search_sql(Backend::Sqlite), search_args()).join("\n");
        assert!(plan.contains("USING INDEX patients_search"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }

    /// On PostgreSQL the page's IDs come from the index alone (it holds
    /// them, schema v16), so a name passed over costs no read of its row.
    #[test]
    #[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
    fn a_search_walks_its_index_on_postgres() {
        crate::store::on_scratch_pg(|st| {
            let plan = st
                .read(|tx| {
                    tx.exec(On::NOTHING, "SET LOCAL enable_seqscan = off", &[])?;
                    // On an empty table a bitmap scan and a sort cost as
                    // little; the point is that the index answers alone.
                    tx.exec(On::NOTHING, "SET LOCAL enable_bitmapscan = off", &[])?;
                    tx.rows(
                        On::NOTHING,
                        &format!("EXPLAIN {}", search_sql(Backend::Postgres)),
                        &search_args(),
                        |r| r.get::<String>(0),
                    )
                })
                .unwrap()
                .join("\n");
            assert!(
                plan.contains("Index Only Scan using patients_search"),
                "{plan}"
            );
        });
    }
}
