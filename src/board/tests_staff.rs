//! The board's tests of issue 70: a member of staff at it (on the status
//! line, naming its changes), locked when left alone with nothing of the
//! day shown, opened again by their PIN, and another person taking it.

use super::*;
use crate::app::staff::{self, AddRequest};
use crate::core::staff::Person;

/// Monday's busy day with Marta (manager, PIN 2468) and Lucía (reception,
/// PIN 1357); a board opened by Marta, locking after ten minutes.
fn staffed() -> Board {
    let mut st = busy_monday();
    let now = at(SUNDAY);
    for (name, role, pin) in [("Marta", "manager", "2468"), ("Lucía", "reception", "1357")] {
        let req = AddRequest {
            name: name.into(),
            role: role.into(),
            doctor: None,
            clinic: None,
        };
        staff::add(&mut st, &req, pin, now).unwrap();
    }
    Board::open(Options {
        store: st,
        clinic: None,
        date: None,
        clock: Clock::Fixed(at(MONDAY_1005)),
        actor: Actor::Staff(Person {
            name: "Marta".into(),
            role: crate::core::staff::Role::Manager,
            doctor_id: None,
            os_user: Some("mostrador".into()),
        }),
        lang: Language::En,
        color: false,
        key: None,
        by: crate::app::board::Columns::Doctors,
        lock_after: Some(std::time::Duration::from_secs(600)),
    })
    .unwrap()
}

#[test]
fn the_person_at_the_board_is_on_its_status_line_and_it_locks_when_left_alone() {
    let mut b = staffed();
    let shown = screen(&mut b, 120, 30);
    assert!(shown.contains("Marta · "), "{shown}");
    assert!(shown.contains("Pedro P."), "{shown}");
    // Nine minutes alone: still open. Ten: locked, no patient in sight.
    b.idle_for(std::time::Duration::from_secs(540));
    assert!(!b.locked());
    b.idle_for(std::time::Duration::from_secs(600));
    assert!(b.locked());
    let locked = screen(&mut b, 120, 30);
    for name in [
        "Pedro",
        "María",
        "Lucía C",
        "Tomás",
        "Rosa",
        "10:30",
        "Martínez",
    ] {
        assert!(
            !locked.contains(name),
            "{name} shown while locked:\n{locked}"
        );
    }
    assert!(locked.contains("Marta's PIN"), "{locked}");
    // The day's keys do nothing while locked; a PIN is dots.
    let before = appointments(&mut b);
    press(&mut b, "ac");
    assert_eq!(appointments(&mut b), before);
    press(&mut b, "13");
    let typed = screen(&mut b, 120, 30);
    assert!(typed.contains("Marta's PIN: ••▏"), "{typed}");
    assert!(!typed.contains("13"), "{typed}");
    // A wrong PIN leaves it locked, and counts.
    key(&mut b, KeyCode::Esc);
    answer(&mut b, "1111");
    assert!(b.locked());
    assert_eq!(refused_code(&b), "SIGN_IN_REQUIRED");
    let failed: i64 = b
        .store
        .read(|tx| {
            tx.one(
                On::reads(&[Table::Staff]),
                "SELECT failed_pins FROM staff WHERE name = 'Marta'",
                crate::args![],
            )
        })
        .unwrap();
    assert_eq!(failed, 1);
    // The right one opens it again.
    answer(&mut b, "2468");
    assert!(!b.locked());
    assert!(screen(&mut b, 120, 30).contains("Pedro P."));
}

#[test]
fn another_person_takes_the_board_with_their_name_and_pin_and_its_changes_name_them() {
    let mut b = staffed();
    press(&mut b, "p");
    assert!(b.locked());
    let asked = screen(&mut b, 120, 30);
    assert!(asked.contains("Who is at the board? Your name"), "{asked}");
    answer(&mut b, "lucia");
    answer(&mut b, "1357");
    assert!(!b.locked());
    assert_eq!(b.actor().to_string(), "staff:Lucía");
    assert!(screen(&mut b, 120, 30).contains("Lucía · "));
    // Her change is hers: Rosa Méndez (confirmed, 09:00) arrives.
    select(&mut b, "Martínez", "09:00");
    press(&mut b, "a");
    let mut last_event = |column: &str| -> String {
        b.store
            .read(|tx| {
                tx.one(
                    On::reads(&[Table::Events]),
                    &format!("SELECT {column} FROM events ORDER BY id DESC LIMIT 1"),
                    crate::args![],
                )
            })
            .unwrap()
    };
    let actor = last_event("actor");
    assert_eq!(actor, "staff:Lucía");
    // At the same terminal, as the same account.
    let os_user = last_event("os_user");
    assert_eq!(os_user, "mostrador");
    // Without staff, no person and no lock.
    let mut plain = board(busy_monday(), MONDAY_1005, None, Language::En);
    press(&mut plain, "p");
    assert!(!plain.locked());
}

/// The name of the doctor whose column the cursor is on.
fn column_of_cursor(b: &Board) -> String {
    let column = &b.day().columns[b.state.cursor.0];
    column
        .doctor
        .as_ref()
        .map(|d| d.full_name.clone())
        .unwrap_or_default()
}

#[test]
fn a_doctor_at_the_board_starts_on_their_own_column_and_finds_it_where_they_left_it() {
    let mut b = staffed();
    let req = AddRequest {
        name: "Sofía".into(),
        role: "doctor".into(),
        doctor: Some("Sofía Ruiz".into()),
        clinic: None,
    };
    staff::add(&mut b.store, &req, "8642", at(SUNDAY)).unwrap();
    // Marta, a manager, opened it on the first column.
    assert_eq!(column_of_cursor(&b), "Dr. Luis Martínez");
    // Sofía takes the board: her own day, the last doctor's column.
    press(&mut b, "p");
    answer(&mut b, "sofia");
    answer(&mut b, "8642");
    assert!(!b.locked());
    assert_eq!(column_of_cursor(&b), "Dra. Sofía Ruiz");
    // She moves to another column, the board locks and she comes back:
    // where she left it.
    key(&mut b, KeyCode::Left);
    assert_eq!(column_of_cursor(&b), "Dra. Ana García");
    b.idle_for(std::time::Duration::from_secs(600));
    assert!(b.locked());
    answer(&mut b, "8642");
    assert!(!b.locked());
    assert_eq!(column_of_cursor(&b), "Dra. Ana García");
    // Opened by her, it starts there too.
    let person = Person {
        name: "Sofía".into(),
        role: crate::core::staff::Role::Doctor,
        doctor_id: b
            .day()
            .columns
            .iter()
            .filter_map(|c| c.doctor.as_ref())
            .find(|d| d.full_name == "Dra. Sofía Ruiz")
            .map(|d| d.id.clone()),
        os_user: None,
    };
    let mine = Board::open(Options {
        store: b.store,
        clinic: None,
        date: None,
        clock: Clock::Fixed(at(MONDAY_1005)),
        actor: Actor::Staff(person),
        lang: Language::En,
        color: false,
        key: None,
        by: crate::app::board::Columns::Doctors,
        lock_after: None,
    })
    .unwrap();
    assert_eq!(column_of_cursor(&mine), "Dra. Sofía Ruiz");
}
