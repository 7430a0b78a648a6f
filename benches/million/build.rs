//! Building a workload's database (docs/performance.md#what-is-measured):
//! clinics, doctors, the service and windows through `appt` itself, then
//! patients, appointments, tokens, reminders and events written the way the
//! store writes them, in one transaction.

use super::events;
use super::{
    appt, err, instant_of, is_weekday, now, run_ok, span, Res, Rng, Workload, CANCEL_REASONS, DUE,
    FIRST, LAST, REASONS, SPECIALTIES,
};
use appt::core::zone::Tz;
use appt::core::{AppointmentRow, MessageKind, MessageStatus, Status};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{params, Connection, Statement, Transaction};
use std::fs;
use std::path::Path;
use std::time::Instant;

struct Clinic {
    id: String,
    tz: Tz,
}

struct Doctor {
    id: String,
    clinic: usize,
    /// The Morning and Afternoon windows: (id, start minute, session).
    windows: Vec<(String, i64, String)>,
}

/// What `appt` made: the clinics (by name), the doctors (in the order
/// made) and the one service.
struct Setup {
    clinics: Vec<Clinic>,
    doctors: Vec<Doctor>,
    service_id: String,
}

/// A patient: ID, name, phone.
type Patient = (String, String, String);

/// Builds the database at `target` (through a temporary file, so a build
/// that stops half-way leaves nothing behind).
pub fn build(target: &Path, wl: &Workload, scale: f64) -> Res<()> {
    let tmp = target.with_extension("building");
    for ext in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{ext}", tmp.display()));
    }
    let db = tmp.to_string_lossy().into_owned();
    let t = Instant::now();
    let names = setup(&db, wl)?;
    eprintln!("setup through appt: {:.1} s", t.elapsed().as_secs_f64());
    // Kept as it is for the import's memory beside an empty database.
    fs::copy(&tmp, super::footprint::empty(target)).map_err(err)?;

    let mut conn = Connection::open(&tmp).map_err(err)?;
    // Bulk load: no journal (a failed build is thrown away), a large cache.
    conn.execute_batch(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1500000; \
         PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=OFF;",
    )
    .map_err(err)?;
    let made = read_setup(&conn, &names, wl)?;

    let t = Instant::now();
    let tx = conn.transaction().map_err(err)?;
    let mut rng = Rng(0x5EED_0000 + super::DATA_VERSION as u64);
    let patients = write_patients(&tx, &mut rng, &made, wl, scale)?;
    let (n_appts, n_events) = Writer::new(&tx, &made, wl)?.write(&mut rng, &patients, scale)?;
    tx.commit().map_err(err)?;
    conn.execute_batch("PRAGMA journal_mode=WAL;")
        .map_err(err)?;
    drop(conn);
    eprintln!(
        "wrote {n_appts} appointments, {} patients, {n_events} events in {:.1} s",
        patients.len(),
        t.elapsed().as_secs_f64()
    );
    // appt must take the file as its own.
    run_ok({
        let mut c = appt(&db);
        c.args(["--clinic", "Clínica Centro", "count", "--json"]);
        c
    })?;
    fs::rename(&tmp, target).map_err(err)?;
    let _ = fs::remove_file(format!("{}-wal", tmp.display()));
    let _ = fs::remove_file(format!("{}-shm", tmp.display()));
    Ok(())
}

/// What appt makes itself: the file, its schema and stamps, and the
/// workload's clinics, service, doctors and windows. Returns the doctors'
/// names, in the order made.
fn setup(db: &str, wl: &Workload) -> Res<Vec<String>> {
    let appt_ok = |args: &[&str]| {
        run_ok({
            let mut c = appt(db);
            c.args(args);
            c
        })
    };
    appt_ok(&["init"])?;
    for &(name, tz) in wl.clinics {
        appt_ok(&["clinic", "add", name, "--timezone", tz, "--horizon", "730d"])?;
    }
    let slot = wl.slot.to_string();
    appt_ok(&["service", "add", "Consulta general", "--minutes", &slot])?;
    let mut names = Vec::new();
    for i in 0..wl.doctors {
        let name = format!(
            "Dr. {} {}",
            FIRST[i % FIRST.len()],
            LAST[(i * 7 + i / FIRST.len()) % LAST.len()]
        );
        let clinic = wl.clinics[wl.clinic_of(i)].0;
        let specialty = SPECIALTIES[i % SPECIALTIES.len()];
        appt_ok(&[
            "doctor",
            "add",
            &name,
            "--specialty",
            specialty,
            "--slot-minutes",
            &slot,
        ])?;
        for &(from, to, session) in wl.windows {
            appt_ok(&[
                "--clinic",
                clinic,
                "window",
                "add",
                "--doctor",
                &name,
                "--days",
                "mon-fri",
                "--from",
                from,
                "--to",
                to,
                "--slot-minutes",
                &slot,
                "--session",
                session,
            ])?;
        }
        names.push(name);
    }
    Ok(names)
}

/// The rows `setup` made, as the generator needs them.
fn read_setup(conn: &Connection, names: &[String], wl: &Workload) -> Res<Setup> {
    let mut st = conn
        .prepare("SELECT id, timezone FROM clinics ORDER BY name")
        .map_err(err)?;
    let clinics = st
        .query_map([], |r| Ok((shown(r.get(0)?), r.get::<_, String>(1)?)))
        .map_err(err)?
        .map(|r| {
            let (id, tz) = r.map_err(err)?;
            Ok(Clinic {
                id,
                tz: tz.parse().map_err(err)?,
            })
        })
        .collect::<Res<Vec<_>>>()?;
    let mut doctors = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let id: String = conn
            .query_row("SELECT id FROM doctors WHERE full_name = ?1", [name], |r| {
                r.get(0).map(shown)
            })
            .map_err(err)?;
        let mut st = conn
            .prepare("SELECT id, start_minute, session FROM windows WHERE doctor_id = ?1 ORDER BY start_minute")
            .map_err(err)?;
        let windows = st
            .query_map([id_bytes(&id)], |r| {
                Ok((shown(r.get(0)?), r.get(1)?, r.get(2)?))
            })
            .map_err(err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        doctors.push(Doctor {
            id,
            clinic: wl.clinic_of(i),
            windows,
        });
    }
    let service_id = conn
        .query_row("SELECT id FROM services", [], |r| r.get(0).map(shown))
        .map_err(err)?;
    Ok(Setup {
        clinics,
        doctors,
        service_id,
    })
}

/// Patients: names from common Spanish names (accents and all), E.164 phones.
fn write_patients(
    tx: &Transaction,
    rng: &mut Rng,
    made: &Setup,
    wl: &Workload,
    scale: f64,
) -> Res<Vec<Patient>> {
    let (first, _) = span(scale);
    let n_patients = ((wl.patients * scale) as i64).max(5000);
    let mut patients = Vec::with_capacity(n_patients as usize);
    let mut st = tx
        .prepare(
            "INSERT INTO patients (id, full_name, name_key, phone, national_id, email, no_show_count, \
             created_at, updated_at) VALUES (?1, ?2, ?3, ?4, NULL, ?5, 0, ?6, ?6)",
        )
        .map_err(err)?;
    let since = instant_of(made.clinics[0].tz, first, 0).timestamp() - 400 * 86400;
    for i in 0..n_patients {
        let name = format!(
            "{} {} {}",
            rng.pick(&FIRST),
            rng.pick(&LAST),
            rng.pick(&LAST)
        );
        let phone = format!("+503{}", 70_000_000 + i);
        let email = (rng.below(10) < 4).then(|| format!("paciente{i}@example.com"));
        let id = rng.uuid();
        let created = since + rng.below(400 * 86400);
        st.execute(params![
            id_bytes(&id),
            name,
            appt::store::name_key(&name),
            phone,
            email,
            created
        ])
        .map_err(err)?;
        patients.push((id, name, phone));
    }
    Ok(patients)
}

/// The appointments' statements, and what they have written.
struct Writer<'a> {
    made: &'a Setup,
    wl: &'a Workload,
    appointment: Statement<'a>,
    reminder: Statement<'a>,
    token: Statement<'a>,
    event: Statement<'a>,
    events: Vec<events::Written>,
    /// Reminders still to make due for the `remind due` figure.
    due_left: usize,
    now: DateTime<Utc>,
}

impl<'a> Writer<'a> {
    fn new(tx: &'a Transaction, made: &'a Setup, wl: &'a Workload) -> Res<Self> {
        let prepare = |sql: &str| tx.prepare(sql).map_err(err);
        Ok(Writer {
            made,
            wl,
            appointment: prepare(
                "INSERT INTO appointments (id, clinic_id, doctor_id, window_id, patient_id, service_id, local_date, \
                 starts_at, ends_at, duration_minutes, status, token_number, source, session, batch, reason, notes, \
                 diagnosis, prescription, follow_up_required, follow_up_date, cancellation_reason, \
                 external_reference_id, sequence, created_at, updated_at, confirmed_at, checked_in_at, started_at, \
                 completed_at, cancelled_at, no_show_at, solo) \
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,NULL,?15,NULL,?16,?17,?18,?19,?20,NULL,?21,\
                 ?22,?23,?24,?25,?26,?27,?28,?29,1)",
            )?,
            reminder: prepare(
                "INSERT INTO reminders (id, appointment_id, offset_minutes, due_at, status, attempts, sent_at, \
                 created_at, updated_at, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?,
            token: prepare("INSERT INTO tokens (scope, local_date, last) VALUES (?1, ?2, ?3)")?,
            event: prepare(
                "INSERT INTO events (type, appointment_id, created_at, data, actor) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            events: Vec::new(),
            due_left: DUE,
            now: now(),
        })
    }

    /// Every day's appointments with their tokens and reminders, then
    /// every event in the order they happened (as their IDs grow).
    /// Returns how many appointments and events.
    fn write(mut self, rng: &mut Rng, patients: &[Patient], scale: f64) -> Res<(i64, usize)> {
        let (first, last) = span(scale);
        let future_days = (last - self.now.date_naive()).num_days().max(1) as f64;
        let slots = self.wl.day_slots();
        let mut n_appts = 0i64;
        let mut day = first;
        let mut day_no = 0i64;
        while day <= last {
            if !is_weekday(day) {
                day += Duration::days(1);
                continue;
            }
            day_no += 1;
            // Near days are nearly full, far ones emptier; the past stayed busy.
            let ahead = (day - self.now.date_naive()).num_days();
            let fill = if ahead < 0 {
                0.85
            } else {
                0.95 - 0.5 * (ahead as f64 / future_days)
            };
            let mut k = 0i64;
            for d in &self.made.doctors {
                let mut token = 0i64;
                for &(w, minute) in &slots {
                    if rng.unit() >= fill {
                        continue;
                    }
                    // A cancelled visit's slot booked again, at most four times.
                    for _ in 0..4 {
                        token += 1;
                        let p = &patients
                            [((day_no * 7919 + k * 104_729) % patients.len() as i64) as usize];
                        k += 1;
                        let (a, sequence) = self.visit(rng, d, w, day, minute, token, p);
                        self.insert(&a, sequence)?;
                        self.remind(rng, &a)?;
                        self.events.extend(events::of(&a));
                        n_appts += 1;
                        if !(self.wl.rebook && matches!(a.status, Status::Cancelled)) {
                            break;
                        }
                    }
                }
                if token > 0 {
                    self.token
                        .execute(params![d.id, day.to_string(), token])
                        .map_err(err)?;
                }
            }
            day += Duration::days(1);
        }
        let mut events = std::mem::take(&mut self.events);
        events.sort_by_key(|e| (e.at, e.step));
        for e in &events {
            self.event
                .execute(params![
                    e.kind.code(),
                    id_bytes(&e.appointment_id),
                    e.at,
                    e.data,
                    e.actor
                ])
                .map_err(err)?;
        }
        Ok((n_appts, events.len()))
    }

    /// One appointment in doctor `d`'s window `w` at `minute` of `day`, as
    /// it finally is, with how many times it changed.
    #[allow(clippy::too_many_arguments)]
    fn visit(
        &self,
        rng: &mut Rng,
        d: &Doctor,
        w: usize,
        day: NaiveDate,
        minute: i64,
        token: i64,
        p: &Patient,
    ) -> (AppointmentRow, i64) {
        let now = self.now;
        let clinic = &self.made.clinics[d.clinic];
        let slot_minutes = self.wl.slot;
        let starts = instant_of(clinic.tz, day, minute);
        let ends = starts + Duration::minutes(slot_minutes);
        let past = starts < now;
        let mut created = starts - Duration::seconds(3600 + rng.below(45 * 86400));
        if created > now - Duration::seconds(60) {
            created = now - Duration::seconds(60 + rng.below(45 * 86400));
        }
        let span_s = |a: DateTime<Utc>, b: DateTime<Utc>, rng: &mut Rng| {
            a + Duration::seconds(rng.below((b - a).num_seconds().max(1)))
        };
        let roll = rng.below(100);
        let status = match (past, roll) {
            (true, 0..=44) => Status::Cancelled,
            (true, 45..=89) => Status::Completed,
            (true, _) => Status::NoShow,
            (false, 0..=19) => Status::Cancelled,
            (false, 20..=49) => Status::Confirmed,
            (false, _) => Status::Scheduled,
        };
        let mut a = AppointmentRow {
            id: rng.uuid(),
            clinic_id: clinic.id.clone(),
            doctor_id: Some(d.id.clone()),
            patient_id: p.0.clone(),
            service_id: None,
            window_id: Some(d.windows[w].0.clone()),
            local_date: day,
            starts_at: starts,
            ends_at: ends,
            duration_minutes: slot_minutes,
            status: Status::Scheduled,
            token_number: token,
            source: rng
                .pick(&[
                    "manual", "manual", "manual", "phone", "phone", "whatsapp", "whatsapp",
                    "whatsapp", "web", "web", "import", "api",
                ])
                .to_string(),
            session: Some(d.windows[w].2.clone()),
            batch: None,
            reason: (rng.below(2) == 0).then(|| rng.pick(&REASONS).to_string()),
            notes: None,
            diagnosis: None,
            prescription: None,
            follow_up_required: false,
            follow_up_date: None,
            cancellation_reason: None,
            external_reference_id: None,
            created_at: created,
            updated_at: created,
            confirmed_at: None,
            checked_in_at: None,
            started_at: None,
            completed_at: None,
            cancelled_at: None,
            no_show_at: None,
            series_id: None,
            buffer_before: 0,
            buffer_after: 0,
            urgency: Default::default(),
            modality: Default::default(),
            visit_type: Default::default(),
            payer: None,
            overbooked: None,
        };
        if rng.below(10) < 6 {
            a.service_id = Some(self.made.service_id.clone());
        }
        let limit = if past { starts } else { now };
        let mut sequence = 0;
        match status {
            Status::Confirmed => {
                a.confirmed_at = Some(span_s(created, limit, rng));
                sequence = 1;
            }
            Status::Cancelled => {
                let at = span_s(created, limit, rng);
                a.cancelled_at = Some(at);
                a.cancellation_reason = Some(rng.pick(&CANCEL_REASONS).to_string());
                sequence = 1;
            }
            Status::Completed => {
                a.checked_in_at = Some(starts - Duration::minutes(10));
                a.started_at = Some(starts);
                a.completed_at = Some(ends.min(now));
                a.diagnosis = Some("Evolución favorable".into());
                if rng.below(3) == 0 {
                    a.prescription = Some("Paracetamol 500 mg cada 8 h".into());
                }
                if rng.below(10) == 0 {
                    a.follow_up_required = true;
                    a.follow_up_date = Some(day + Duration::days(30));
                }
                sequence = 3;
            }
            Status::NoShow => {
                a.no_show_at = Some((ends + Duration::minutes(30)).min(now));
                sequence = 1;
            }
            _ => {}
        }
        a.status = status;
        a.updated_at = [a.confirmed_at, a.cancelled_at, a.completed_at, a.no_show_at]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(created);
        (a, sequence)
    }

    fn insert(&mut self, a: &AppointmentRow, sequence: i64) -> Res<()> {
        let ts = |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp());
        self.appointment
            .execute(params![
                id_bytes(&a.id),
                id_bytes(&a.clinic_id),
                a.doctor_id.as_deref().map(id_bytes),
                a.window_id.as_deref().map(id_bytes),
                id_bytes(&a.patient_id),
                a.service_id.as_deref().map(id_bytes),
                (a.local_date - NaiveDate::default()).num_days(),
                a.starts_at.timestamp(),
                a.ends_at.timestamp(),
                a.duration_minutes,
                a.status.code(),
                a.token_number,
                appt::core::source_code(&a.source),
                a.session,
                a.reason,
                a.diagnosis,
                a.prescription,
                a.follow_up_required,
                a.follow_up_date.map(|d| d.to_string()),
                a.cancellation_reason,
                sequence,
                a.created_at.timestamp(),
                a.updated_at.timestamp(),
                ts(a.confirmed_at),
                ts(a.checked_in_at),
                ts(a.started_at),
                ts(a.completed_at),
                ts(a.cancelled_at),
                ts(a.no_show_at),
            ])
            .map_err(err)?;
        Ok(())
    }

    /// Reminders 24 h and 2 h before, made at booking when still ahead.
    fn remind(&mut self, rng: &mut Rng, a: &AppointmentRow) -> Res<()> {
        let now = self.now;
        let created = a.created_at;
        for offset in [1440i64, 120] {
            let due = a.starts_at - Duration::minutes(offset);
            if due <= created {
                continue;
            }
            let (state, sent, updated) = match a.cancelled_at {
                Some(c) if due > c => (MessageStatus::Cancelled, None, c),
                _ if due > now => (MessageStatus::Pending, None, created),
                _ if offset == 1440
                    && a.starts_at > now
                    && a.status.is_active()
                    && self.due_left > 0 =>
                {
                    // One of the reminders the `remind due` figure finds due.
                    self.due_left -= 1;
                    (MessageStatus::Pending, None, created)
                }
                _ => (MessageStatus::Sent, Some(due), due),
            };
            self.reminder
                .execute(params![
                    rng.uuid_bytes(),
                    id_bytes(&a.id),
                    offset,
                    due.timestamp(),
                    state.code(),
                    i64::from(sent.is_some()),
                    sent.map(|s| s.timestamp()),
                    created.timestamp(),
                    updated.timestamp(),
                    MessageKind::Reminder.code(),
                ])
                .map_err(err)?;
        }
        Ok(())
    }
}

/// An ID as appt keeps it: its 16 bytes.
fn id_bytes(id: &str) -> [u8; 16] {
    uuid::Uuid::parse_str(id)
        .expect("the builder's IDs are UUIDs")
        .into_bytes()
}

/// An ID's 16 bytes as appt shows it.
fn shown(bytes: [u8; 16]) -> String {
    uuid::Uuid::from_bytes(bytes).to_string()
}
