//! The board's tests of issue 66: the selected visit names its rooms, and
//! `--by resource` shows the clinic's rooms and machines as its columns.

use super::*;
use crate::app::board::Columns;
use crate::app::resource::{self, ResourceInput};

/// Monday's clinic with two chairs and a cleaning that needs either:
/// García and Martínez each have one at 10:30 (Sillón 1, Sillón 2), and
/// Martínez one at 11:00 (Sillón 1); Sillón 3 is closed for upkeep.
fn chairs() -> Store {
    let before = at(SUNDAY);
    let mut st = clinic_in("America/El_Salvador", before);
    for name in ["Sillón 1", "Sillón 2", "Sillón 3"] {
        let r = ResourceInput {
            name: Some(name.into()),
            kind: Some("sala".into()),
            ..Default::default()
        };
        resource::add(&mut st, None, &r, before).unwrap();
    }
    service::add(&mut st, "Limpieza", 30, before).unwrap();
    let needs = service::ServiceUpdate {
        needs: Some(vec!["Sillón 1|Sillón 2".into()]),
        ..Default::default()
    };
    service::update(&mut st, "Limpieza", &needs, before).unwrap();
    let upkeep = Some("mantenimiento");
    resource::add_closure(&mut st, "Sillón 3", ("2026-06-15", None), upkeep, before).unwrap();
    for (doctor, time, phone, name) in [
        ("Ana García", "10:30", "70000001", "María López"),
        ("Luis Martínez", "10:30", "70000002", "José Hernández"),
        ("Luis Martínez", "11:00", "70000003", "Carmen Rivas"),
    ] {
        let r = BookRequest {
            service: Some("Limpieza".into()),
            doctor: Some(doctor.into()),
            when: WhenInput {
                date: Some("2026-06-15".into()),
                time: Some(time.into()),
                at: None,
            },
            phone: Some(phone.into()),
            name: Some(name.into()),
            source: "manual".into(),
            ..Default::default()
        };
        book::book(&mut st, &r, &desk(), before).unwrap();
    }
    st
}

fn by_resource(st: Store, lang: Language) -> Board {
    Board::open(Options {
        store: st,
        clinic: None,
        date: None,
        clock: Clock::Fixed(at(MONDAY_1005)),
        actor: Actor::Board("ana".into()),
        lang,
        color: false,
        key: None,
        by: Columns::Resources,
        lock_after: None,
    })
    .unwrap()
}

/// Moves the cursor to column `name` (a room) at local `hhmm`.
fn select_room(b: &mut Board, name: &str, hhmm: &str) {
    let col = b
        .state
        .day
        .columns
        .iter()
        .position(|c| c.resource.as_ref().is_some_and(|r| r.name == name))
        .unwrap_or_else(|| panic!("no column for {name}"));
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

#[test]
fn the_selected_visit_names_its_chair() {
    let mut b = board(chairs(), MONDAY_1005, None, Language::Es);
    select(&mut b, "Martínez", "10:30");
    let shown = screen(&mut b, 80, 24);
    assert!(shown.contains("Limpieza · Sillón 2"), "{shown}");
    select(&mut b, "García", "10:30");
    let shown = screen(&mut b, 80, 24);
    assert!(shown.contains("Limpieza · Sillón 1"), "{shown}");
}

#[test]
fn by_resource_the_rooms_are_the_columns_with_the_visits_given_them() {
    let mut b = by_resource(chairs(), Language::Es);
    let names: Vec<String> = b
        .day()
        .columns
        .iter()
        .map(|c| {
            c.resource
                .as_ref()
                .map(|r| r.name.clone())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(names, ["Sillón 1", "Sillón 2", "Sillón 3"]);
    let visits = |b: &Board, i: usize| -> Vec<String> {
        b.day().columns[i]
            .appointments
            .iter()
            .map(|a| {
                let hm = crate::core::time::local_hm(a.timezone, a.starts_at);
                format!("{hm} {}", a.doctor_name.clone().unwrap_or_default())
            })
            .collect()
    };
    assert_eq!(
        visits(&b, 0),
        ["10:30 Dra. Ana García", "11:00 Dr. Luis Martínez"]
    );
    assert_eq!(visits(&b, 1), ["10:30 Dr. Luis Martínez"]);
    assert!(visits(&b, 2).is_empty());
    assert!(b.day().columns[2].closed.is_some(), "closed for upkeep");
    // The header counts the doctors' day: three booked, their free slots.
    assert_eq!(b.day().counts.booked, 3);
    let doctors = board(chairs(), MONDAY_1005, None, Language::Es);
    assert_eq!(b.day().counts, doctors.day().counts);
    // At 80 columns in Spanish: the rooms, their kind, whose visit it is.
    select_room(&mut b, "Sillón 2", "10:30");
    let shown = screen(&mut b, 80, 24);
    for seen in [
        "Sillón 1",
        "Sillón 2",
        "sala",
        "José H.",
        "+50370000002 · Limpieza · Dr. Luis Martínez · ",
        "Cerrado: mantenimiento",
    ] {
        assert!(shown.contains(seen), "{seen}: {shown}");
    }
    // A room's cell books nothing (the desk books in a doctor's column),
    // nor is a walk-in a room's; a visit's keys act on it as anywhere.
    let before = appointments(&mut b);
    select_room(&mut b, "Sillón 2", "09:00");
    key(&mut b, KeyCode::Enter);
    assert_eq!(refused_code(&b), "VALIDATION_ERROR");
    press(&mut b, "w");
    assert_eq!(refused_code(&b), "VALIDATION_ERROR");
    assert_eq!(appointments(&mut b), before, "nothing written");
    select_room(&mut b, "Sillón 1", "11:00");
    press(&mut b, "c");
    let carmen = &b.day().columns[0].appointments[1];
    assert_eq!(
        carmen.status,
        Status::Confirmed,
        "confirmed from the room's column"
    );
}

#[test]
fn by_reads_either_language() {
    assert_eq!(Columns::parse("recurso"), Some(Columns::Resources));
    assert_eq!(Columns::parse("Salas"), Some(Columns::Resources));
    assert_eq!(Columns::parse("médico"), Some(Columns::Doctors));
    assert_eq!(Columns::parse("doctor"), Some(Columns::Doctors));
    assert_eq!(Columns::parse("paciente"), None);
}

#[test]
fn v_switches_to_the_rooms_and_back_keeping_a_move_under_way() {
    let mut b = board(chairs(), MONDAY_1005, None, Language::En);
    select(&mut b, "Martínez", "11:00");
    press(&mut b, "m");
    press(&mut b, "v");
    assert!(b.day().columns.iter().all(|c| c.resource.is_some()));
    assert!(b.state.moving.is_some(), "the move is still under way");
    // The selection follows the visit into its chair's column.
    let a = b.state.selected().expect("still selected").clone();
    assert!(a
        .doctor_name
        .as_deref()
        .is_some_and(|d| d.contains("Martínez")));
    press(&mut b, "v");
    assert!(b.day().columns.iter().all(|c| c.resource.is_none()));
    // Put down at 11:30 in his column: the chair goes with it.
    select(&mut b, "Martínez", "11:30");
    key(&mut b, KeyCode::Enter);
    let moved = b
        .day()
        .columns
        .iter()
        .flat_map(|c| &c.appointments)
        .find(|x| x.id == a.id)
        .unwrap();
    assert_eq!(
        crate::core::time::local_hm(moved.timezone, moved.starts_at),
        "11:30"
    );
    assert_eq!(moved.resources[0].name, "Sillón 1");
}
