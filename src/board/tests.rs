//! The board on its own: drawn on ratatui's `TestBackend`-sized buffers
//! (snapshots with insta, in `src/board/snapshots/`) and driven key by key
//! against a real SQLite store, as a desk would (docs/board.md).

use super::state::Effect;
use super::{Board, Flow, Options};
use crate::app::book::{self, BookRequest};
use crate::app::change::{self, StatusRequest};
use crate::app::schedule::WhenInput;
use crate::app::{bound_id, On, Table};
use crate::app::{clinic, closure, doctor, service, waitlist, window, Clock, Store};
use crate::core::message::Status as MessageStatus;
use crate::core::{Actor, Language, Status};
use crate::output::board::Note;
use chrono::{DateTime, Utc};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Terminal;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Sunday 2026-06-14 08:00 in El Salvador: before the Monday the tests look at.
const SUNDAY: &str = "2026-06-14T14:00:00Z";
/// Monday 2026-06-15 10:05 in El Salvador (UTC-6, no DST).
const MONDAY_1005: &str = "2026-06-15T16:05:00Z";

/// A clinic in `zone` with three doctors: García 08:00–12:00, Martínez
/// 09:00–13:00 (both Monday to Friday, 30-minute slots), Ruiz 10:00–12:00
/// taking only "Dermatología" visits.
fn clinic_in(zone: &str, now: DateTime<Utc>) -> Store {
    let mut st = Store::in_memory().unwrap();
    seed(&mut st, zone, now);
    st
}

/// [`clinic_in`]'s clinic, written into `st`.
fn seed(st: &mut Store, zone: &str, now: DateTime<Utc>) {
    clinic::add(
        st,
        "Central",
        &clinic::SettingsInput {
            timezone: Some(zone.into()),
            country_code: Some("+503".into()),
            notify: Some("off".into()),
            ..Default::default()
        },
        now,
    )
    .unwrap();
    service::add(st, "Dermatología", 30, now).unwrap();
    for (name, specialty, from, to, services) in [
        (
            "Dra. Ana García",
            "Medicina General",
            "08:00",
            "12:00",
            None,
        ),
        ("Dr. Luis Martínez", "Pediatría", "09:00", "13:00", None),
        (
            "Dra. Sofía Ruiz",
            "Dermatología",
            "10:00",
            "12:00",
            Some("Dermatología"),
        ),
    ] {
        add_doctor(st, name, Some(specialty), (from, to), services, now);
    }
}

/// A doctor working Monday to Friday `hours`, in windows taking only
/// `services` when given.
fn add_doctor(
    st: &mut Store,
    name: &str,
    specialty: Option<&str>,
    (from, to): (&str, &str),
    services: Option<&str>,
    now: DateTime<Utc>,
) {
    doctor::add(
        st,
        &doctor::DoctorInput {
            name: Some(name.into()),
            specialty: specialty.map(String::from),
            ..Default::default()
        },
        now,
    )
    .unwrap();
    window::add(
        st,
        &window::WindowInput {
            doctor: Some(name.into()),
            days: Some("mon-fri".into()),
            from: from.into(),
            to: to.into(),
            services: services.map(String::from),
            ..Default::default()
        },
        now,
    )
    .unwrap();
}

fn desk() -> Actor {
    Actor::Cli("ana".into())
}

/// Books `doctor` at a local `date` and `time` for a patient; returns its ID.
fn book_at(
    st: &mut Store,
    doctor: &str,
    date: &str,
    time: &str,
    phone: &str,
    name: &str,
    now: DateTime<Utc>,
) -> String {
    // Ruiz's window takes only dermatology visits.
    let service = doctor.contains("Ruiz").then(|| "Dermatología".to_string());
    let r = BookRequest {
        service,
        doctor: Some(doctor.into()),
        when: WhenInput {
            date: Some(date.into()),
            time: Some(time.into()),
            at: None,
        },
        phone: Some(phone.into()),
        name: Some(name.into()),
        source: "manual".into(),
        ..Default::default()
    };
    book::book(st, &r, &desk(), now).unwrap().appointments()[0]
        .id
        .clone()
}

fn move_to(st: &mut Store, id: &str, status: Status, now: DateTime<Utc>) {
    let r = StatusRequest {
        id: id.into(),
        status: status.as_str().into(),
        diagnosis: (status == Status::Completed).then(|| "Gripe".into()),
        ..Default::default()
    };
    change::set_status(st, &r, &desk(), now).unwrap();
}

/// Monday's day at the clinic in El Salvador: a morning under way at 10:05.
fn busy_monday() -> Store {
    let before = at(SUNDAY);
    let now = at(MONDAY_1005);
    let mut st = clinic_in("America/El_Salvador", before);
    let day = "2026-06-15";
    let mut book = |doctor: &str, time: &str, phone: &str, name: &str| {
        book_at(&mut st, doctor, day, time, phone, name, before)
    };
    let done = book("Ana García", "08:00", "70000001", "María López");
    let gone = book("Ana García", "08:30", "70000002", "José Hernández");
    let seen = book("Ana García", "09:00", "70000003", "Carmen Rivas");
    let waiting = book("Ana García", "09:30", "70000004", "Pedro Paz");
    let early = book("Ana García", "10:30", "70000005", "Lucía Castro");
    let sure = book("Luis Martínez", "09:00", "70000006", "Rosa Méndez");
    book("Luis Martínez", "10:30", "70000007", "Jorge Alvarado");
    book("Sofía Ruiz", "11:00", "70000008", "Elena Funes");
    for (id, path) in [
        (
            &done,
            &[Status::CheckedIn, Status::InProgress, Status::Completed][..],
        ),
        (&gone, &[Status::NoShow]),
        (&seen, &[Status::CheckedIn, Status::InProgress]),
        (&waiting, &[Status::CheckedIn]),
        (&early, &[Status::Confirmed, Status::CheckedIn]),
        (&sure, &[Status::Confirmed]),
    ] {
        for s in path {
            move_to(&mut st, id, *s, now);
        }
    }
    waitlist::add(
        &mut st,
        &waitlist::AddRequest {
            clinic: None,
            doctor: "Ana García".into(),
            date: day.into(),
            patient: None,
            phone: Some("70000009".into()),
            name: Some("Tomás Guardado".into()),
            email: None,
            channel: None,
            service: None,
            seen_from: None,
        },
        now,
    )
    .unwrap();
    st
}

fn board(st: Store, now: &str, date: Option<&str>, lang: Language) -> Board {
    Board::open(Options {
        store: st,
        clinic: None,
        date: date.map(String::from),
        clock: Clock::Fixed(at(now)),
        actor: Actor::Board("ana".into()),
        lang,
        color: false,
        key: None,
        by: crate::app::board::Columns::Doctors,
        lock_after: None,
    })
    .unwrap()
}

/// The screen as text, drawn through a real ratatui `Terminal` on the
/// `TestBackend` (what a terminal would show, without colour).
fn screen(b: &mut Board, width: u16, height: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
    t.draw(|f| {
        let area = f.area();
        b.render(area, f.buffer_mut())
    })
    .unwrap();
    lines(t.backend().buffer())
}

fn lines(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn press(b: &mut Board, keys: &str) {
    for c in keys.chars() {
        assert_eq!(
            b.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
            Flow::Stay
        );
    }
}

fn key(b: &mut Board, code: KeyCode) -> Flow {
    b.key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Types an answer to the question asked and presses Enter.
fn answer(b: &mut Board, text: &str) {
    press(b, text);
    key(b, KeyCode::Enter);
}

fn refused_code(b: &Board) -> &'static str {
    match b.note() {
        Some(Note::Refused { code, .. }) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Every appointment's ID, status and last change: what a refused key must leave.
fn appointments(b: &mut Board) -> Vec<(String, i64, i64)> {
    b.store
        .read(|tx| {
            tx.rows(
                On::reads(&[Table::Appointments]),
                "SELECT id, status, updated_at FROM appointments ORDER BY id",
                crate::args![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
        })
        .unwrap()
}

/// Moves the cursor to the cell of `doctor` (a column) at local `hhmm`.
fn select(b: &mut Board, doctor: &str, hhmm: &str) {
    let col = b
        .state
        .day
        .columns
        .iter()
        .position(|c| {
            c.doctor
                .as_ref()
                .is_some_and(|d| d.full_name.contains(doctor))
        })
        .unwrap_or_else(|| panic!("no column for {doctor}"));
    let tz = b.state.day.clinic.timezone;
    let row = b
        .state
        .day
        .rows
        .iter()
        .position(|r| crate::core::time::local_hm(tz, *r) == hhmm)
        .unwrap_or_else(|| panic!("no row at {hhmm}"));
    b.state.cursor = (col, row);
}

// ---------------------------------------------------------------------------
// Snapshots.

#[test]
fn a_morning_under_way_at_80_by_24() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::En);
    insta::assert_snapshot!(screen(&mut b, 80, 24));
}

#[test]
fn a_morning_under_way_at_120_by_40_with_the_panes_beside() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::En);
    insta::assert_snapshot!(screen(&mut b, 120, 40));
}

#[test]
fn the_same_morning_in_spanish() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::Es);
    insta::assert_snapshot!(screen(&mut b, 80, 24));
}

#[test]
fn the_help_lists_every_key_and_symbol() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::En);
    press(&mut b, "?");
    insta::assert_snapshot!(screen(&mut b, 80, 24));
    // Any key closes it, and does nothing else.
    press(&mut b, "x");
    assert!(b.state.question.is_none() && !b.state.help);
}

/// New York falls back on Sunday 2026-11-01: 01:00–02:00 comes twice, and
/// the time column shows the offset that tells the two apart.
#[test]
fn a_day_the_clocks_fall_back_shows_both_one_oclocks() {
    let before = at("2026-10-30T12:00:00Z");
    let mut st = clinic_in("America/New_York", before);
    window::add(
        &mut st,
        &window::WindowInput {
            doctor: Some("Ana García".into()),
            date: Some("2026-11-01".into()),
            from: "00:00".into(),
            to: "03:00".into(),
            ..Default::default()
        },
        before,
    )
    .unwrap();
    // The second 01:30 (EST, UTC-5) is 06:30Z.
    let r = BookRequest {
        doctor: Some("Ana García".into()),
        when: WhenInput {
            at: Some("2026-11-01T06:30:00Z".into()),
            ..Default::default()
        },
        phone: Some("+12125550100".into()),
        name: Some("John Smith".into()),
        source: "manual".into(),
        ..Default::default()
    };
    book::book(&mut st, &r, &desk(), before).unwrap();
    let mut b = board(st, "2026-10-30T12:00:00Z", Some("2026-11-01"), Language::En);
    let text = screen(&mut b, 80, 24);
    assert!(
        text.contains(" 01:30 -04") && text.contains(" 01:30 -05"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn a_closed_day_says_why() {
    let now = at(SUNDAY);
    let mut st = clinic_in("America/El_Salvador", now);
    closure::add(
        &mut st,
        &closure::ClosureInput {
            clinic: None,
            doctor: None,
            from: "2026-06-15".into(),
            to: None,
            reason: Some("Feriado nacional".into()),
        },
        now,
    )
    .unwrap();
    let mut b = board(st, SUNDAY, Some("2026-06-15"), Language::En);
    let text = screen(&mut b, 80, 24);
    assert!(text.contains("Closed: Feriado nacional"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_full_day_has_no_free_cell() {
    let now = at(SUNDAY);
    let mut st = clinic_in("America/El_Salvador", now);
    let mut n = 0;
    for (doctor, from, to) in [("Ana García", 8, 12), ("Luis Martínez", 9, 13)] {
        for hour in from..to {
            for minute in ["00", "30"] {
                n += 1;
                let time = format!("{hour:02}:{minute}");
                let phone = format!("7100{n:04}");
                let name = format!("Paciente {n}");
                book_at(&mut st, doctor, "2026-06-15", &time, &phone, &name, now);
            }
        }
    }
    let mut b = board(st, SUNDAY, Some("2026-06-15"), Language::En);
    let text = screen(&mut b, 120, 40);
    assert!(text.contains("16 booked · 4 free"), "{text}");
    insta::assert_snapshot!(text);
}

/// A surgery with half an hour kept free before and after it
/// (docs/rules.md#buffers): those slots show as the buffer, neither free nor
/// an appointment, and are not counted free.
#[test]
fn the_time_kept_free_around_an_appointment_shows_as_its_buffer() {
    let now = at(SUNDAY);
    let mut st = clinic_in("America/El_Salvador", now);
    let buffers = service::Buffers {
        before: Some(30),
        after: Some(30),
    };
    service::add_with(&mut st, "Cirugía menor", 60, &buffers, now).unwrap();
    let r = BookRequest {
        service: Some("Cirugía menor".into()),
        doctor: Some("Luis Martínez".into()),
        when: WhenInput {
            date: Some("2026-06-15".into()),
            time: Some("10:00".into()),
            at: None,
        },
        phone: Some("70000001".into()),
        name: Some("Rosa Méndez".into()),
        source: "manual".into(),
        ..Default::default()
    };
    book::book(&mut st, &r, &desk(), now).unwrap();
    let mut b = board(st, SUNDAY, Some("2026-06-15"), Language::En);
    let text = screen(&mut b, 80, 24);
    let row = |text: &str, hhmm: &str| -> String {
        text.lines()
            .find(|l| l.starts_with(&format!(" {hhmm}")))
            .unwrap_or_default()
            .to_string()
    };
    // Martínez's column comes first: 09:30 and 11:00 are the buffers,
    // 10:30 the surgery's second half; 09:00 and 11:30 are free.
    assert!(row(&text, "09:00").starts_with(" 09:00 · free"), "{text}");
    assert!(row(&text, "09:30").starts_with(" 09:30 · buffer"), "{text}");
    assert!(row(&text, "10:00").contains("#1 ○ Rosa M."), "{text}");
    assert!(
        row(&text, "10:30").starts_with(&format!(" 10:30{}", " ".repeat(20))),
        "{text}"
    );
    assert!(row(&text, "11:00").starts_with(" 11:00 · buffer"), "{text}");
    assert!(row(&text, "11:30").starts_with(" 11:30 · free"), "{text}");
    // Eight of García's, four of Martínez's, four of Ruiz's (for a service).
    assert!(text.contains("1 booked · 16 free"), "{text}");
    select(&mut b, "Martínez", "11:00");
    let text = screen(&mut b, 80, 24);
    assert!(
        text.contains("11:00 kept free: the buffer around an appointment"),
        "{text}"
    );
    insta::assert_snapshot!(text);
    let mut b = board(b.store, SUNDAY, Some("2026-06-15"), Language::Es);
    select(&mut b, "Martínez", "09:30");
    let text = screen(&mut b, 80, 24);
    assert!(row(&text, "09:30").starts_with(" 09:30 · margen"), "{text}");
    assert!(
        text.contains("09:30 reservado: el margen alrededor de una cita"),
        "{text}"
    );
}

/// An occurrence of a series (docs/rules.md#series) carries `↻` in its
/// cell and says so on the status line, in both languages.
#[test]
fn an_occurrence_of_a_series_is_marked() {
    let now = at(SUNDAY);
    let mut st = clinic_in("America/El_Salvador", now);
    let r = BookRequest {
        doctor: Some("Luis Martínez".into()),
        when: WhenInput {
            date: Some("2026-06-15".into()),
            time: Some("10:00".into()),
            at: None,
        },
        phone: Some("70000001".into()),
        name: Some("Rosa Méndez".into()),
        source: "manual".into(),
        repeat: crate::app::repeat::RepeatInput::given(
            Some("weekly".into()),
            None,
            Some(3),
            None,
            false,
        ),
        ..Default::default()
    };
    book::book(&mut st, &r, &desk(), now).unwrap();
    book_at(
        &mut st,
        "Luis Martínez",
        "2026-06-15",
        "11:00",
        "70000002",
        "Ana Gómez",
        now,
    );
    let mut b = board(st, SUNDAY, Some("2026-06-22"), Language::En);
    let text = screen(&mut b, 80, 24);
    assert!(text.contains("#1 ○ Rosa M. ↻"), "{text}");
    select(&mut b, "Martínez", "10:00");
    let text = screen(&mut b, 80, 24);
    assert!(text.contains("scheduled · ↻ part of a series"), "{text}");
    // A single booking has no mark.
    let mut b = board(b.store, SUNDAY, Some("2026-06-15"), Language::Es);
    let text = screen(&mut b, 80, 24);
    assert!(text.contains("#1 ○ Rosa M. ↻"), "{text}");
    assert!(
        text.contains("#2 ○ Ana G.") && !text.contains("Ana G. ↻"),
        "{text}"
    );
    select(&mut b, "Martínez", "10:00");
    assert!(screen(&mut b, 80, 24).contains("↻ parte de una serie"));
}

#[test]
fn doctors_that_do_not_fit_scroll_sideways_with_a_marker() {
    let now = at(SUNDAY);
    let mut st = clinic_in("America/El_Salvador", now);
    for i in 1..=5 {
        let name = format!("Dr. Extra {i}");
        add_doctor(&mut st, &name, None, ("09:00", "10:00"), None, now);
    }
    let mut b = board(st, SUNDAY, Some("2026-06-15"), Language::En);
    let first = screen(&mut b, 80, 24);
    assert!(first.contains("5▸") && !first.contains("◂"), "{first}");
    for _ in 0..7 {
        key(&mut b, KeyCode::Right);
    }
    let last = screen(&mut b, 80, 24);
    assert!(last.contains("◂5") && !last.contains("▸\n"), "{last}");
    insta::assert_snapshot!(last);
}

// ---------------------------------------------------------------------------
// Keys: each the command's own use case.

#[test]
fn enter_on_a_free_cell_books_a_new_patient_as_the_board() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::En);
    select(&mut b, "García", "11:30");
    key(&mut b, KeyCode::Enter);
    assert_eq!(b.state.question.as_ref().unwrap().label, "Phone");
    answer(&mut b, "7788-1122");
    assert_eq!(
        b.state.question.as_ref().unwrap().label,
        "Name (new patient)"
    );
    answer(&mut b, "Ana Torres");
    assert_eq!(
        b.note(),
        Some(&Note::Done("Booked #6 Ana T. at 11:30.".into()))
    );
    let a = b.state.selected().unwrap().clone();
    assert_eq!(a.patient_phone, "+50377881122");
    assert_eq!(a.source, "manual");
    let actor: String = b
        .store
        .read(|tx| {
            tx.one(
                On::reads(&[Table::Events]),
                "SELECT actor FROM events WHERE appointment_id = ?1",
                crate::args![bound_id(&a.id)],
            )
        })
        .unwrap();
    assert_eq!(actor, "board:ana");
}

#[test]
fn a_known_phone_books_without_asking_the_name() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::En);
    // Tomás waits on the waitlist: a known patient.
    select(&mut b, "Martínez", "12:30");
    key(&mut b, KeyCode::Enter);
    answer(&mut b, "70000009");
    assert!(b.state.question.is_none(), "{:?}", b.state.question);
    assert_eq!(b.state.selected().unwrap().patient_name, "Tomás Guardado");
}

#[test]
fn a_window_that_takes_one_service_books_it_without_asking() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::En);
    select(&mut b, "Ruiz", "11:30");
    key(&mut b, KeyCode::Enter);
    answer(&mut b, "70000001");
    // The only service possible is the booking's: nothing more to ask.
    assert!(
        b.state.question.is_none(),
        "{:?}",
        b.state.question.as_ref().map(|q| &q.label)
    );
    let a = b.state.selected().unwrap();
    assert_eq!(a.service_name.as_deref(), Some("Dermatología"));
}

/// Dra. Ruiz does dermatology and minor surgery, on Monday in a window
/// that names no service (a date window in place of her weekly one).
fn two_services() -> Store {
    let mut st = busy_monday();
    let now = at(SUNDAY);
    service::add(&mut st, "Cirugía menor", 30, now).unwrap();
    let one = |list: &str| doctor::DoctorInput {
        services: Some(list.into()),
        ..Default::default()
    };
    doctor::update(
        &mut st,
        "Sofía Ruiz",
        &one("Dermatología,Cirugía menor"),
        now,
    )
    .unwrap();
    window::add(
        &mut st,
        &window::WindowInput {
            doctor: Some("Sofía Ruiz".into()),
            date: Some("2026-06-15".into()),
            from: "10:00".into(),
            to: "12:00".into(),
            ..Default::default()
        },
        now,
    )
    .unwrap();
    st
}

#[test]
fn a_slot_that_takes_several_services_asks_which_and_enter_takes_the_first() {
    let mut b = board(two_services(), MONDAY_1005, None, Language::En);
    select(&mut b, "Ruiz", "11:30");
    assert!(screen(&mut b, 80, 24).contains("free (service)"));
    key(&mut b, KeyCode::Enter);
    answer(&mut b, "70000001");
    assert_eq!(
        b.state.question.as_ref().unwrap().label,
        "Service (Dermatología, Cirugía menor; Enter: Dermatología)"
    );
    key(&mut b, KeyCode::Enter);
    let a = b.state.selected().unwrap();
    assert_eq!(a.service_name.as_deref(), Some("Dermatología"));
}

#[test]
fn a_refused_booking_keeps_the_answers_and_asks_only_what_was_wrong() {
    let mut b = board(two_services(), MONDAY_1005, None, Language::Es);
    select(&mut b, "Ruiz", "11:30");
    key(&mut b, KeyCode::Enter);
    // A new patient: phone, name, then a service no window takes.
    answer(&mut b, "7123-4567");
    answer(&mut b, "Ana Nueva");
    answer(&mut b, "odontología");
    assert_eq!(refused_code(&b), "INVALID_APPOINTMENT_TYPE");
    // Only the service is asked again; the phone and name stand.
    let label = b.state.question.as_ref().unwrap().label.clone();
    assert!(label.starts_with("Servicio ("), "{label}");
    answer(&mut b, "dermatología");
    let a = b.state.selected().unwrap();
    assert_eq!(a.patient_name, "Ana Nueva");
    assert_eq!(a.patient_phone, "+50371234567");
    assert_eq!(a.service_name.as_deref(), Some("Dermatología"));
    // A phone that is no phone is asked again, alone.
    select(&mut b, "Ruiz", "10:30");
    key(&mut b, KeyCode::Enter);
    answer(&mut b, "hola");
    assert_eq!(refused_code(&b), "VALIDATION_ERROR");
    assert_eq!(b.state.question.as_ref().unwrap().label, "Teléfono");
}

#[test]
fn the_status_keys_walk_an_appointment_through_its_day() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::En);
    select(&mut b, "Martínez", "10:30");
    press(&mut b, "c");
    assert_eq!(b.state.selected().unwrap().status, Status::Confirmed);
    press(&mut b, "a");
    assert_eq!(b.state.selected().unwrap().status, Status::CheckedIn);
    assert!(b
        .day()
        .queue
        .iter()
        .any(|a| a.patient_name == "Jorge Alvarado"));
    press(&mut b, "s");
    assert_eq!(b.state.selected().unwrap().status, Status::InProgress);
    // Done asks the diagnosis this clinic requires.
    press(&mut b, "d");
    assert_eq!(b.state.question.as_ref().unwrap().label, "Diagnosis");
    answer(&mut b, "Control sano");
    let a = b.state.selected().unwrap();
    assert_eq!(a.status, Status::Completed);
    assert_eq!(a.diagnosis.as_deref(), Some("Control sano"));
    assert_eq!(b.day().counts.done, 2);
}

#[test]
fn a_refused_key_says_its_code_and_changes_nothing() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::En);
    let before = appointments(&mut b);
    // María's visit is over: it cannot be confirmed again.
    select(&mut b, "García", "08:00");
    press(&mut b, "c");
    assert_eq!(refused_code(&b), "INVALID_STATE_TRANSITION");
    let text = screen(&mut b, 80, 24);
    assert!(text.contains("INVALID_STATE_TRANSITION: "), "{text}");
    select(&mut b, "Martínez", "10:30");
    // A cancellation needs its reason.
    press(&mut b, "x");
    answer(&mut b, "   ");
    assert_eq!(refused_code(&b), "VALIDATION_ERROR");
    // A phone that is no phone.
    select(&mut b, "García", "11:30");
    key(&mut b, KeyCode::Enter);
    answer(&mut b, "hola");
    assert_eq!(refused_code(&b), "VALIDATION_ERROR");
    // The phone is asked again; Esc leaves the booking.
    key(&mut b, KeyCode::Esc);
    // Nothing to act on in a free cell.
    press(&mut b, "c");
    assert_eq!(refused_code(&b), "VALIDATION_ERROR");
    assert_eq!(appointments(&mut b), before);
}

#[test]
fn cancel_asks_the_reason_and_frees_the_cell() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::Es);
    select(&mut b, "Martínez", "10:30");
    press(&mut b, "x");
    assert_eq!(
        b.state.question.as_ref().unwrap().label,
        "Motivo de la cancelación"
    );
    answer(&mut b, "Llamó para cancelar");
    assert_eq!(b.note(), Some(&Note::Done("Cancelada #2 Jorge A.".into())));
    assert!(b.state.selected().is_none());
    let text = screen(&mut b, 80, 24);
    assert!(text.contains("Cancelada #2 Jorge A."), "{text}");
}

/// The state alone decides what a key asks and writes nothing: the board
/// carries the effect out. A reason typed to `x` names the cancellation,
/// the database still holds the visit, and only the board's doing of it
/// cancels.
#[test]
fn a_key_names_its_effect_and_only_the_board_carries_it_out() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::En);
    select(&mut b, "Martínez", "10:30");
    let id = b.state.selected().unwrap().id.clone();
    let before = appointments(&mut b);
    let now = at(MONDAY_1005);
    let press_alone =
        |b: &mut Board, c: KeyCode| b.state.key(KeyEvent::new(c, KeyModifiers::NONE), now);
    assert!(press_alone(&mut b, KeyCode::Char('x')).is_none());
    for c in "Called".chars() {
        assert!(press_alone(&mut b, KeyCode::Char(c)).is_none());
    }
    let effect = press_alone(&mut b, KeyCode::Enter);
    assert!(
        matches!(&effect, Some(Effect::Cancel { id: i, reason, force: false }) if *i == id && reason == "Called"),
        "{effect:?}"
    );
    assert_eq!(appointments(&mut b), before, "the state wrote nothing");
    assert!(
        matches!(press_alone(&mut b, KeyCode::Char(']')), Some(Effect::GoTo(d)) if d == b.state.day.date + chrono::Duration::days(1))
    );
    assert!(b.perform(effect.unwrap()).is_none());
    assert_eq!(b.note(), Some(&Note::Done("Cancelled #2 Jorge A.".into())));
    assert_ne!(appointments(&mut b), before);
}

#[test]
fn esc_gives_up_a_question_and_nothing_is_written() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::En);
    let before = appointments(&mut b);
    select(&mut b, "García", "11:30");
    key(&mut b, KeyCode::Enter);
    press(&mut b, "7788");
    key(&mut b, KeyCode::Backspace);
    key(&mut b, KeyCode::Esc);
    assert!(b.state.question.is_none());
    assert_eq!(appointments(&mut b), before);
}

#[test]
fn move_then_enter_on_a_free_cell_reschedules() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::En);
    select(&mut b, "Martínez", "10:30");
    let id = b.state.selected().unwrap().id.clone();
    press(&mut b, "m");
    let text = screen(&mut b, 80, 24);
    assert!(text.contains("Moving #2 Jorge A."), "{text}");
    // Another doctor's free cell.
    select(&mut b, "García", "11:30");
    key(&mut b, KeyCode::Enter);
    let a = b.state.selected().unwrap();
    assert_eq!(a.id, id);
    assert_eq!(a.doctor_name.as_deref(), Some("Dra. Ana García"));
    assert_eq!(
        b.note(),
        Some(&Note::Done("Moved #6 Jorge A. to 11:30.".into()))
    );
}

#[test]
fn a_walk_in_joins_the_queue_of_the_selected_doctor() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::En);
    select(&mut b, "Martínez", "09:00");
    press(&mut b, "w");
    answer(&mut b, "70001234");
    answer(&mut b, "Beatriz Solano");
    let last = b
        .day()
        .queue
        .iter()
        .find(|a| a.patient_name == "Beatriz Solano")
        .unwrap();
    assert_eq!(last.doctor_name.as_deref(), Some("Dr. Luis Martínez"));
    assert_eq!(last.status, Status::CheckedIn);
    assert_eq!(last.source, "walk_in");
}

#[test]
fn find_jumps_to_a_patients_appointment_by_name_or_local_phone() {
    let mut st = busy_monday();
    // Lucía's next visit, on Wednesday.
    book_at(
        &mut st,
        "Luis Martínez",
        "2026-06-17",
        "09:00",
        "70000005",
        "Lucía Castro",
        at(SUNDAY),
    );
    let mut b = board(st, MONDAY_1005, None, Language::En);
    press(&mut b, "/");
    answer(&mut b, "lucia castro");
    assert_eq!(b.state.selected().unwrap().patient_name, "Lucía Castro");
    assert_eq!(b.day().date.to_string(), "2026-06-15");
    // From Tuesday on, her next one is Wednesday's.
    press(&mut b, "]/");
    answer(&mut b, "7000-0005");
    assert_eq!(b.day().date.to_string(), "2026-06-17");
    assert_eq!(
        b.state.selected().unwrap().doctor_name.as_deref(),
        Some("Dr. Luis Martínez")
    );
    press(&mut b, "/");
    answer(&mut b, "Nadie Conocido");
    assert_eq!(refused_code(&b), "NOT_FOUND");
    press(&mut b, "t");
    assert_eq!(b.day().date.to_string(), "2026-06-15");
}

/// Two desks on one file: the clinic, with these visits booked on Monday
/// 15 June (doctor, time, phone, name) on Sunday; a board on Monday, and
/// another store to write as another desk. Their IDs, in that order.
fn two_desks(
    visits: &[(&str, &str, &str, &str)],
) -> (tempfile::TempDir, Board, Store, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("appt.db");
    let now = at(SUNDAY);
    let ids = {
        let mut st = Store::open(&path, crate::app::Create::File).unwrap();
        seed(&mut st, "America/El_Salvador", now);
        visits
            .iter()
            .map(|(doctor, time, phone, name)| {
                book_at(&mut st, doctor, "2026-06-15", time, phone, name, now)
            })
            .collect()
    };
    let b = board(
        Store::open(&path, crate::app::Create::Never).unwrap(),
        SUNDAY,
        Some("2026-06-15"),
        Language::En,
    );
    let other = Store::open(&path, crate::app::Create::Never).unwrap();
    (dir, b, other, ids)
}

#[test]
fn another_desks_booking_shows_on_the_next_tick_and_the_selection_stays() {
    let now = at(SUNDAY);
    let (_dir, mut b, mut other, _) =
        two_desks(&[("Ana García", "10:00", "+50370000001", "Ana Uno")]);
    select(&mut b, "García", "10:00");
    let mine = b.state.selected().unwrap().id.clone();
    // Nothing changed: a tick reads nothing again.
    b.tick();
    assert_eq!(b.day().counts.booked, 1);
    // Earlier in the day, so the selected appointment's row moves down.
    book_at(
        &mut other,
        "Ana García",
        "2026-06-15",
        "08:00",
        "+50370000002",
        "Ana Dos",
        now,
    );
    b.tick();
    assert_eq!(b.day().counts.booked, 2);
    assert_eq!(b.state.selected().unwrap().id, mine);
    let text = screen(&mut b, 80, 24);
    assert!(text.contains("#2 ○ Ana D."), "{text}");
}

/// The board reads again only the part of the day a change touched
/// (docs/board.md#live): cron's sending a message reads the messages and
/// not the grid; another desk's booking reads the grid, and of the
/// messages only the new visit's.
#[test]
fn a_change_reads_again_only_the_part_of_the_day_it_touched() {
    let now = at(SUNDAY);
    let (_dir, mut b, mut other, ids) =
        two_desks(&[("Ana García", "10:00", "+50370000001", "Ana Uno")]);
    let first = ids[0].clone();
    let grid = b.day().columns.as_ptr();
    assert!(b.day().told.is_empty());
    other
        .write(|tx| {
            let sent = tx.exec(
                On::writes(&[Table::Reminders]),
                "UPDATE reminders SET status = ?3, sent_at = ?1 WHERE id = \
                 (SELECT min(id) FROM reminders WHERE appointment_id = ?2)",
                crate::args![
                    now.timestamp(),
                    bound_id(&first),
                    MessageStatus::Sent.code()
                ],
            )?;
            assert_eq!(sent, 1);
            Ok(())
        })
        .unwrap();
    b.tick();
    assert!(b.day().told.contains_key(&first));
    // The grid was not read again: the same columns.
    assert_eq!(b.day().columns.as_ptr(), grid);
    book_at(
        &mut other,
        "Ana García",
        "2026-06-15",
        "08:00",
        "+50370000002",
        "Ana Dos",
        now,
    );
    b.tick();
    assert_eq!(b.day().counts.booked, 2);
    assert_ne!(b.day().columns.as_ptr(), grid);
    assert!(b.day().told.contains_key(&first));
    assert_eq!(b.day().told.len(), 1);
}

/// A change to visits alone (a status, a move) reads again the columns
/// of those visits' doctors, where they were and where they are, and no
/// other; the counts and the queue follow.
#[test]
fn a_visits_change_reads_again_only_its_doctors_columns() {
    let now = at(SUNDAY);
    let (dir, mut b, mut other, ids) = two_desks(&[
        ("Ana García", "10:00", "+50370000001", "Ana Uno"),
        ("Luis Martínez", "09:00", "+50370000002", "Luis Dos"),
        ("Sofía Ruiz", "10:00", "+50370000003", "Sofía Tres"),
    ]);
    let first = ids[0].clone();
    let column = |b: &Board, who: &str| {
        b.day()
            .columns
            .iter()
            .find(|c| c.doctor.as_ref().is_some_and(|d| d.full_name.contains(who)))
            .map(|c| c.appointments.as_ptr())
            .unwrap()
    };
    let (garcia, martinez, ruiz) = (
        column(&b, "García"),
        column(&b, "Martínez"),
        column(&b, "Ruiz"),
    );
    let desk = Actor::Cli("desk".into());
    let confirm = StatusRequest {
        id: first.clone(),
        status: "confirmed".into(),
        ..StatusRequest::default()
    };
    change::set_status(&mut other, &confirm, &desk, now).unwrap();
    b.tick();
    let visit = |b: &Board| {
        b.day()
            .columns
            .iter()
            .find_map(|c| {
                c.appointments
                    .iter()
                    .find(|a| a.id == first)
                    .map(|a| (c, a))
            })
            .map(|(c, a)| (c.doctor.as_ref().unwrap().full_name.clone(), a.status))
            .unwrap()
    };
    assert_eq!(visit(&b), ("Dra. Ana García".into(), Status::Confirmed));
    assert_ne!(column(&b, "García"), garcia);
    assert_eq!(column(&b, "Martínez"), martinez);
    assert_eq!(column(&b, "Ruiz"), ruiz);
    // Moved to Martínez at 11:00: both columns read again, Ruiz's not.
    let garcia = column(&b, "García");
    let free = b.day().counts.free;
    let to = change::RescheduleRequest {
        id: first.clone(),
        when: WhenInput {
            at: Some("2026-06-15T17:00:00Z".into()),
            ..WhenInput::default()
        },
        doctor: Some("Luis Martínez".into()),
        ..change::RescheduleRequest::default()
    };
    change::reschedule(&mut other, &to, &desk, now).unwrap();
    b.tick();
    assert_eq!(visit(&b).0, "Dr. Luis Martínez");
    assert_ne!(column(&b, "García"), garcia);
    assert_ne!(column(&b, "Martínez"), martinez);
    assert_eq!(column(&b, "Ruiz"), ruiz);
    assert_eq!(b.day().counts.booked, 3);
    // García's 10:00 is free again and Martínez's 11:00 taken.
    assert_eq!(b.day().counts.free, free);
    // What a whole read makes of the day is what the columns read again made.
    let whole = crate::app::board::day(
        &mut Store::open(&dir.path().join("appt.db"), crate::app::Create::Never).unwrap(),
        None,
        Some(b.day().date),
        now,
        crate::app::board::Columns::Doctors,
    )
    .unwrap();
    assert_eq!(whole.counts, b.day().counts);
    assert_eq!(whole.rows, b.day().rows);
    let names = |d: &crate::app::board::Day| -> Vec<(String, Vec<String>)> {
        d.columns
            .iter()
            .map(|c| {
                (
                    c.doctor
                        .as_ref()
                        .map(|d| d.full_name.clone())
                        .unwrap_or_default(),
                    c.appointments.iter().map(|a| a.id.clone()).collect(),
                )
            })
            .collect()
    };
    assert_eq!(names(&whole), names(b.day()));
}

#[test]
fn q_and_ctrl_c_quit() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::En);
    assert_eq!(key(&mut b, KeyCode::Char('q')), Flow::Quit);
    // Ctrl-C quits even in the middle of a question.
    press(&mut b, "/");
    assert_eq!(
        b.key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        Flow::Quit
    );
}

#[test]
fn the_cursor_stays_in_view_on_a_small_screen() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::En);
    key(&mut b, KeyCode::End);
    // Ten rows; at 80×18 the grid shows six.
    let text = screen(&mut b, 80, 18);
    // The last row (Martínez's 12:30) is drawn, so the grid scrolled.
    assert!(
        text.contains(" 12:30") && !text.contains(" 08:00"),
        "{text}"
    );
    key(&mut b, KeyCode::Home);
    let text = screen(&mut b, 80, 18);
    assert!(
        !text.contains(" 12:30") && text.contains(" 08:00"),
        "{text}"
    );
    let area = Rect::new(0, 0, 80, 18);
    let mut buf = Buffer::empty(area);
    b.render(area, &mut buf);
    assert_eq!(lines(&buf), text);
}

#[test]
fn a_doctor_whose_hours_have_passed_keeps_a_column() {
    // Monday 12:45: García's and Ruiz's mornings are over, nobody booked.
    let now = "2026-06-15T18:45:00Z";
    let st = clinic_in("America/El_Salvador", at(SUNDAY));
    let b = board(st, now, None, Language::En);
    let names: Vec<&str> = b
        .day()
        .columns
        .iter()
        .filter_map(|c| c.doctor.as_ref().map(|d| d.full_name.as_str()))
        .collect();
    assert_eq!(
        names,
        ["Dr. Luis Martínez", "Dra. Ana García", "Dra. Sofía Ruiz"]
    );
    assert_eq!(b.day().counts.free, 0);
}

#[test]
fn any_size_draws_without_a_panic_and_a_tiny_one_says_so() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::En);
    for (w, h) in [
        (1, 1),
        (12, 4),
        (80, 7),
        (39, 30),
        (40, 12),
        (80, 12),
        (200, 60),
    ] {
        let text = screen(&mut b, w, h);
        let small = w < 40 || h < 12;
        assert_eq!(text.contains("Central ·"), !small, "{w}×{h}:\n{text}");
        if w >= 20 {
            assert_eq!(text.contains("The board"), small, "{w}×{h}:\n{text}");
        }
    }
    insta::assert_snapshot!(screen(&mut b, 40, 12));
}

#[test]
fn done_asks_the_diagnosis_of_a_patient_who_has_only_arrived() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::En);
    select(&mut b, "García", "09:30");
    assert_eq!(b.state.selected().unwrap().status, Status::CheckedIn);
    press(&mut b, "d");
    assert_eq!(b.state.question.as_ref().unwrap().label, "Diagnosis");
    answer(&mut b, "Migraña");
    assert_eq!(b.state.selected().unwrap().status, Status::Completed);
}

#[test]
fn a_phone_that_is_no_phone_is_refused_before_the_name_is_asked() {
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::En);
    let before = appointments(&mut b);
    select(&mut b, "García", "11:30");
    key(&mut b, KeyCode::Enter);
    answer(&mut b, "12");
    // Asked again, before the name.
    assert_eq!(b.state.question.as_ref().unwrap().label, "Phone");
    assert_eq!(refused_code(&b), "VALIDATION_ERROR");
    assert_eq!(appointments(&mut b), before);
}

/// A clinic with a channel: its inbox is a third pane (who wrote, their
/// words), and the status line says what became of the selected visit's
/// last message, in the board's language.
#[test]
fn the_inbox_is_a_pane_and_the_status_line_tells_a_message_delivered() {
    use crate::app::outbox::channel::{add, AddRequest, Input};
    let mut st = busy_monday();
    let now = at(MONDAY_1005);
    add(
        &mut st,
        &AddRequest {
            clinic: None,
            name: None,
            input: Input::Sms {
                account_sid: "AC0123456789abcdef0123456789abcdef".into(),
                from: "+15550001111".into(),
                api_url: None,
            },
            secrets: crate::core::channel::Secrets {
                token: "twilio-token".into(),
                ..Default::default()
            },
            key: None,
        },
        now,
    )
    .unwrap();
    let sent = at("2026-06-14T16:30:00Z").timestamp();
    st.write(|tx| {
        let changed = tx.exec(
            On::writes(&[Table::Reminders]).reading(&[Table::Appointments, Table::Patients]),
            "UPDATE reminders SET status = ?3, sent_at = ?1, delivered_at = ?2, \
             channel = 'sms', provider_id = 'SM0001' WHERE offset_minutes = 1440 AND appointment_id IN \
             (SELECT a.id FROM appointments a JOIN patients p ON p.id = a.patient_id \
             WHERE p.full_name = 'Lucía Castro')",
            crate::args![sent, sent + 60, MessageStatus::Sent.code()],
        )?;
        assert_eq!(changed, 1);
        let pedro: String = tx.one(
            On::reads(&[Table::Patients]),
            "SELECT id FROM patients WHERE full_name = 'Pedro Paz'",
            crate::args![],
        )?;
        let clinic: String = tx.one(
            On::reads(&[Table::Clinics]),
            "SELECT id FROM clinics",
            crate::args![],
        )?;
        // Pedro's words, and a stranger's: what `app::inbound` keeps.
        for (i, who, body) in [
            (1, pedro.as_str(), "¿Puedo llevar\na mi hija?"),
            (2, "", "Hola, ¿atienden sábados?"),
        ] {
            let received = (now - chrono::Duration::minutes(10 - i)).timestamp();
            tx.exec(
                On::writes(&[Table::Inbox]),
                "INSERT INTO inbox (id, clinic_id, channel, kind, provider_id, patient_id, sender, \
                 body, received_at, outcome) VALUES (?1, ?2, 'sms', 'sms', ?3, \
                 ?4, CASE WHEN ?4 IS NULL THEN '+50377778888' END, ?5, ?6, 'inbox')",
                crate::args![
                    format!("in-{i}"),
                    bound_id(&clinic),
                    format!("SMin{i}"),
                    bound_id(who),
                    body,
                    received
                ],
            )?;
        }
        Ok(())
    })
    .unwrap();
    let mut b = board(st, MONDAY_1005, None, Language::En);
    select(&mut b, "García", "10:30");
    let shown = screen(&mut b, 80, 24);
    assert!(
        shown.contains("Lucía Castro") && shown.contains("reminder 24h delivered"),
        "{shown}"
    );
    // The newest first; a stranger by their phone.
    let newest = shown.find("+50377778888  Hola").expect(&shown);
    let older = shown.find("Pedro P.  ¿Puedo llevar ");
    assert!(older.is_some_and(|o| o > newest), "{shown}");
    insta::assert_snapshot!(shown);
    // In Spanish, at 120 columns: the panes beside the grid, one over the other.
    let mut b = board(b.store, MONDAY_1005, None, Language::Es);
    select(&mut b, "García", "10:30");
    let shown = screen(&mut b, 120, 40);
    assert!(
        shown.contains("Mensajes (2)") && shown.contains("recordatorio 24h entregado"),
        "{shown}"
    );
    // Tab: the inbox has the focus, its keys in the footer.
    key(&mut b, KeyCode::Tab);
    let shown = screen(&mut b, 80, 24);
    assert!(
        shown.contains("↓↑ elegir  Enter leer  r responder"),
        "{shown}"
    );
    // Pedro's, the older one, read whole: both its lines.
    key(&mut b, KeyCode::Down);
    key(&mut b, KeyCode::Enter);
    let shown = screen(&mut b, 80, 24);
    assert!(shown.contains("│¿Puedo llevar"), "{shown}");
    assert!(shown.contains("│a mi hija?"), "{shown}");
    assert!(shown.contains("Pedro Paz"), "{shown}");
    // `r` asks for the answer; Esc leaves it unsent.
    press(&mut b, "r");
    assert!(screen(&mut b, 80, 24).contains("Respuesta (va por el canal"));
    key(&mut b, KeyCode::Esc);
    // `d`: done, gone from the pane.
    press(&mut b, "d");
    let shown = screen(&mut b, 80, 24);
    assert!(shown.contains("Mensaje in-1 atendido."), "{shown}");
    assert!(!shown.contains("¿Puedo llevar"), "{shown}");
    // Tab again: back to the day, its keys in the footer.
    key(&mut b, KeyCode::Tab);
    assert!(!screen(&mut b, 80, 24).contains("↓↑ elegir"));
}

/// A time the booking page holds for a patient typing their code shows as
/// held, says so in the status line, and cannot be booked from the board.
#[test]
fn a_time_held_by_the_booking_page_shows_held() {
    let mut st = busy_monday();
    let now = at(MONDAY_1005);
    st.write(|tx| {
        tx.exec(
            On::writes(&[Table::Clinics]),
            "UPDATE clinics SET online_booking = 1",
            crate::args![],
        )?;
        let (clinic, doctor): (String, String) = tx.row(
            On::reads(&[Table::Clinics, Table::Doctors]),
            "SELECT c.id, d.id FROM clinics c, doctors d WHERE d.full_name = 'Dr. Luis Martínez'",
            crate::args![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .unwrap();
        // Martínez's 11:30 (17:30Z), held until 10:12.
        tx.exec(
            On::writes(&[Table::Holds]),
            "INSERT INTO holds (id, clinic_id, doctor_id, service_id, starts_at, ends_at, until, \
             name, phone, email, channel, code_hash, attempts, address, created_at) \
             VALUES ('hold-1', ?1, ?2, NULL, ?3, ?4, ?5, 'Ana Web', '+50370009999', NULL, NULL, \
             'x', 0, '127.0.0.1', ?6)",
            crate::args![
                bound_id(&clinic),
                bound_id(&doctor),
                at("2026-06-15T17:30:00Z").timestamp(),
                at("2026-06-15T18:00:00Z").timestamp(),
                at("2026-06-15T16:12:00Z").timestamp(),
                now.timestamp()
            ],
        )?;
        Ok(())
    })
    .unwrap();
    let mut b = board(st, MONDAY_1005, None, Language::En);
    select(&mut b, "Martínez", "11:30");
    let shown = screen(&mut b, 80, 24);
    assert!(shown.contains("· held"), "{shown}");
    assert!(
        shown.contains("11:30 held for a patient confirming it on the booking page"),
        "{shown}"
    );
    let before = appointments(&mut b);
    key(&mut b, KeyCode::Enter);
    assert!(b.state.question.is_none());
    assert_eq!(refused_code(&b), "VALIDATION_ERROR");
    assert_eq!(appointments(&mut b), before);
}

// Issue 43: the desk's board (cancelling inside the window, finding
// among several, lateness, names cut to fit).
#[path = "tests_desk.rs"]
mod desk;

#[path = "tests_rooms.rs"]
mod rooms;

/// A completed visit whose follow-up date has come counts in the header as
/// a recall due, in either language, and no longer once the patient has
/// booked again with that doctor.
#[test]
fn the_header_counts_the_recalls_due() {
    let shown = |follow_up: &str, again: bool, lang: Language| {
        let mut st = busy_monday();
        let now = at(MONDAY_1005);
        // Carmen Rivas, in with Ana García, is seen and told to come back.
        let seen: String = st
            .read(|tx| {
                tx.one(
                    On::reads(&[Table::Appointments]),
                    "SELECT id FROM appointments WHERE status = ?1",
                    crate::args![Status::InProgress.code()],
                )
            })
            .unwrap();
        let r = StatusRequest {
            id: seen,
            status: "completed".into(),
            diagnosis: Some("Gripe".into()),
            follow_up: Some(follow_up.into()),
            ..Default::default()
        };
        change::set_status(&mut st, &r, &desk(), now).unwrap();
        if again {
            book_at(
                &mut st,
                "Ana García",
                "2026-06-22",
                "09:00",
                "70000003",
                "Carmen Rivas",
                now,
            );
        }
        let mut b = board(st, MONDAY_1005, None, lang);
        screen(&mut b, 120, 40)
    };
    // Due tomorrow: not yet.
    let s = shown("2026-06-16", false, Language::En);
    assert!(!s.contains("recall"), "{s}");
    let s = shown("2026-06-15", false, Language::En);
    assert!(s.contains("· 1 recall due"), "{s}");
    let s = shown("2026-06-15", false, Language::Es);
    assert!(s.contains("· 1 control pendiente"), "{s}");
    let s = shown("2026-06-15", true, Language::En);
    assert!(!s.contains("recall"), "{s}");
}

/// The board's free cells are `slots`' own, doctor by doctor, the one
/// decision of who does what asked by both (docs/rules.md#who-does-what):
/// Ruiz's Monday takes two services, García's and Martínez's any.
#[test]
fn the_boards_free_cells_are_the_slots_of_each_doctor() {
    let mut b = board(two_services(), MONDAY_1005, None, Language::En);
    let text = screen(&mut b, 120, 40);
    let mut all = 0;
    let columns: Vec<(String, Vec<DateTime<Utc>>)> = b
        .day()
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let name = c.doctor.as_ref().unwrap().full_name.clone();
            let free = b
                .day()
                .rows
                .iter()
                .filter(|r| matches!(b.day().cell(i, **r), crate::app::board::Cell::Free(_)))
                .copied()
                .collect();
            (name, free)
        })
        .collect();
    for (name, free) in columns {
        let asked = crate::app::slots::SlotsRequest {
            doctor: Some(name.clone()),
            date: "2026-06-15".into(),
            ..Default::default()
        };
        let day = crate::app::slots::day(&mut b.store, &asked, at(MONDAY_1005)).unwrap();
        let offered: Vec<DateTime<Utc>> = day.free().map(|s| s.start).collect();
        assert_eq!(free, offered, "{name}");
        all += offered.len();
    }
    assert!(all > 0);
    assert!(text.contains(&format!(" · {all} free · ")), "{text}");
}

#[path = "tests_calendar.rs"]
mod calendar;

#[path = "tests_staff.rs"]
mod staff;
