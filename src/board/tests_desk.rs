//! The board's tests of issue 43: what the desk meets on it (cancelling
//! inside the cancellation window, `/` finding several patients, a late
//! visit, names cut to fit).

use super::*;

/// Sets one of the clinic's settings as `clinic update` would.
fn set(st: &mut Store, settings: clinic::SettingsInput) {
    clinic::update(st, "Central", None, &settings, false, at(SUNDAY)).unwrap();
}

#[test]
fn x_inside_the_cancellation_window_says_why_and_offers_to_force_it() {
    let mut st = busy_monday();
    set(
        &mut st,
        clinic::SettingsInput {
            cancel_window: Some("2h".into()),
            ..Default::default()
        },
    );
    let mut b = board(st, MONDAY_1005, None, Language::Es);
    let before = appointments(&mut b);
    // Lucía arrived for 10:30 and leaves: 25 minutes away, inside the 2 h.
    select(&mut b, "García", "10:30");
    press(&mut b, "x");
    answer(&mut b, "Se fue");
    let label = b.state.question.as_ref().unwrap().label.clone();
    assert!(
        label.ends_with("¿Cancelar de todos modos? (s/n)"),
        "{label}"
    );
    assert_eq!(appointments(&mut b), before, "nothing yet");
    // At 80 columns the whole question is on screen, wrapped, with how to
    // answer it in the footer (issue 64: it was cut before its "(s/n)",
    // and the footer said "Enter aceptar").
    let shown = screen(&mut b, 80, 24);
    assert!(shown.contains("(s/n): ▏"), "{shown}");
    assert!(shown.contains("plazo de cancelación"), "{shown}");
    assert!(
        shown.contains("s y Enter: sí  n y Enter: no  Esc dejar"),
        "{shown}"
    );
    assert!(!shown.contains("Enter aceptar"), "{shown}");
    // An answer that is neither is asked again.
    answer(&mut b, "tal vez");
    assert_eq!(b.state.question.as_ref().unwrap().label, label);
    answer(&mut b, "sí");
    assert_eq!(b.note(), Some(&Note::Done("Cancelada #5 Lucía C.".into())));
    assert!(b.state.selected().is_none());
    // In English, `n` keeps it.
    let mut b = board(b.store, MONDAY_1005, None, Language::En);
    let before = appointments(&mut b);
    select(&mut b, "Martínez", "10:30");
    press(&mut b, "x");
    answer(&mut b, "Called");
    let label = b.state.question.as_ref().unwrap().label.clone();
    assert!(label.ends_with("Cancel all the same? (y/n)"), "{label}");
    answer(&mut b, "n");
    assert_eq!(b.note(), Some(&Note::Done("Nothing changed.".into())));
    assert_eq!(appointments(&mut b), before);
}

#[test]
fn find_with_several_patients_opens_a_choice_and_jumps_to_the_one_picked() {
    let mut st = busy_monday();
    book_at(
        &mut st,
        "Luis Martínez",
        "2026-06-15",
        "11:30",
        "70000015",
        "Lucía Mejía",
        at(SUNDAY),
    );
    let mut b = board(st, MONDAY_1005, None, Language::En);
    select(&mut b, "García", "08:00");
    let before = b.cursor();
    press(&mut b, "/");
    answer(&mut b, "lucia");
    assert_eq!(b.cursor(), before, "no jump before the desk chooses");
    let label = b.state.question.as_ref().unwrap().label.clone();
    assert_eq!(label, "2 patients match: the number of one");
    let text = screen(&mut b, 80, 24);
    assert!(text.contains("Which one?"), "{text}");
    assert!(
        text.contains("1  Lucía Castro · Mon 15 Jun 10:30 · #5"),
        "{text}"
    );
    assert!(
        text.contains("2  Lucía Mejía · Mon 15 Jun 11:30 · #3"),
        "{text}"
    );
    // Not a number offered: asked again.
    answer(&mut b, "3");
    assert!(b.state.question.is_some());
    answer(&mut b, "2");
    assert_eq!(b.state.selected().unwrap().patient_name, "Lucía Mejía");
}

#[test]
fn a_visit_nobody_arrived_for_past_the_clinics_lateness_is_marked_late() {
    // Rosa is confirmed for 09:00; at 10:05 she has not come.
    let mut b = board(busy_monday(), MONDAY_1005, None, Language::Es);
    select(&mut b, "Martínez", "09:00");
    let text = screen(&mut b, 80, 24);
    assert!(text.contains("#1 ✓! Rosa M."), "{text}");
    assert!(
        text.contains("confirmada · atrasada, no ha llegado"),
        "{text}"
    );
    // Jorge at 10:30 is not late yet; with a lateness of 90 minutes Rosa is not either.
    assert!(text.contains("#2 ○ Jorge A."), "{text}");
    let mut st = b.store;
    set(
        &mut st,
        clinic::SettingsInput {
            late_after: Some("90".into()),
            ..Default::default()
        },
    );
    let mut b = board(st, MONDAY_1005, None, Language::Es);
    let text = screen(&mut b, 80, 24);
    assert!(text.contains("#1 ✓ Rosa M."), "{text}");
}

#[test]
fn names_cut_to_fit_end_with_an_ellipsis() {
    use crate::output::board::cut;
    assert_eq!(cut("Dra. Ana García", 20), "Dra. Ana García");
    assert_eq!(cut("Dra. Ana García", 10), "Dra. Ana …");
    assert_eq!(cut("Dra. Ana García", 1), "…");
    assert_eq!(cut("Dra. Ana García", 0), "");
    let mut st = busy_monday();
    add_doctor(
        &mut st,
        "Dra. Guadalupe Hernández Castillo",
        Some("Ginecología y Obstetricia"),
        ("08:00", "12:00"),
        None,
        at(SUNDAY),
    );
    let mut b = board(st, MONDAY_1005, None, Language::En);
    let text = screen(&mut b, 80, 24);
    assert!(text.contains(" Dra. Guadalupe Hernánd…\n"), "{text}");
    assert!(text.contains(" Ginecología y Obstetri…1▸"), "{text}");
    let text = screen(&mut b, 60, 24);
    assert!(text.contains("1 in progress · 1 done · 1…"), "{text}");
}

#[test]
fn u_sets_the_visits_urgency_in_the_desks_words_and_the_grid_marks_it() {
    let st = busy_monday();
    let mut b = board(st, MONDAY_1005, None, Language::Es);
    select(&mut b, "García", "10:30");
    press(&mut b, "u");
    assert_eq!(
        b.state.question.as_ref().unwrap().label,
        "Urgencia (normal, urgente, emergencia)"
    );
    answer(&mut b, "emergencia");
    assert_eq!(
        b.note(),
        Some(&Note::Done("Urgencia cambiada: #5 Lucía C.".into()))
    );
    assert_eq!(
        b.state.selected().map(|a| a.urgency),
        Some(crate::core::Urgency::Emergency)
    );
    let text = screen(&mut b, 80, 24);
    assert!(text.contains("#5!!"), "{text}");
    // A word of neither language is refused naming the words, and changes nothing.
    press(&mut b, "u");
    answer(&mut b, "pronto");
    assert!(
        matches!(b.note(), Some(Note::Refused { code: "VALIDATION_ERROR", message }) if message.contains("urgente")),
        "{:?}",
        b.note()
    );
    assert_eq!(
        b.state.selected().map(|a| a.urgency),
        Some(crate::core::Urgency::Emergency)
    );
}
