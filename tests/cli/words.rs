//! The front desk's own words (docs/commands.md#references): names as people
//! say them, for doctors, clinics, services and patients, and a patient's
//! phone or name wherever an appointment is expected.

use crate::common::{s, Env};
use serde_json::Value;

/// Central with Dra. Ana García and Dr. José Núñez, mornings, and two
/// services.
fn desk() -> Env {
    let env = Env::new();
    env.ok(&[
        "clinic",
        "add",
        "Clínica Central",
        "--timezone",
        "America/El_Salvador",
        "--notify",
        "off",
    ]);
    for doctor in ["Dra. Ana García", "Dr. José Núñez"] {
        env.ok(&["doctor", "add", doctor]);
        env.ok(&[
            "window", "add", "--doctor", doctor, "--days", "mon-fri", "--from", "09:00", "--to",
            "13:00",
        ]);
    }
    env.ok(&["service", "add", "Consulta General", "--minutes", "30"]);
    env.ok(&["service", "add", "Control Prenatal", "--minutes", "30"]);
    env
}

fn book(env: &Env, doctor: &str, date: &str, time: &str, phone: &str, name: &str) -> Value {
    env.ok(&[
        "book", "--doctor", doctor, "--date", date, "--time", time, "--phone", phone, "--name",
        name,
    ])["appointment"]
        .clone()
}

#[test]
fn doctors_are_found_the_way_people_say_their_names() {
    let env = desk();
    for (typed, full) in [
        ("garcia", "Dra. Ana García"),
        ("ana", "Dra. Ana García"),
        ("Dr Garcia", "Dra. Ana García"),
        ("dra garcia", "Dra. Ana García"),
        ("dra ana garcia", "Dra. Ana García"),
        ("garcía ana", "Dra. Ana García"),
        ("nunez", "Dr. José Núñez"),
        ("Dr Nunez", "Dr. José Núñez"),
        ("jo nu", "Dr. José Núñez"),
    ] {
        let d = env.ok(&["doctor", "show", typed]);
        assert_eq!(d["full_name"], full, "{typed}");
    }
    // Booking takes the same words.
    let a = book(
        &env,
        "nunez",
        "2026-06-16",
        "10:00",
        "+50370000001",
        "Rosa Díaz",
    );
    assert_eq!(a["doctor"]["full_name"], "Dr. José Núñez");
}

#[test]
fn an_exact_name_wins_and_several_partial_ones_are_ambiguous() {
    let env = desk();
    env.ok(&["doctor", "add", "Dr. Ana Garcés"]);
    // `ana` starts a word of both: the desk chooses.
    let details = env.fails(&["doctor", "show", "ana"], "AMBIGUOUS_ID", 2);
    let mut names: Vec<&str> = details["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| s(&c["name"]))
        .collect();
    names.sort();
    assert_eq!(names, ["Dr. Ana Garcés", "Dra. Ana García"]);
    // A full name is exact, whatever the other names it starts.
    env.ok(&["doctor", "add", "Dr. Ana Garcés Molina"]);
    let d = env.ok(&["doctor", "show", "ana garces"]);
    assert_eq!(d["full_name"], "Dr. Ana Garcés");
}

#[test]
fn a_miss_names_the_closest_whenever_any_exist() {
    let env = desk();
    let details = env.fails(&["doctor", "show", "Martinez"], "NOT_FOUND", 3);
    assert!(
        !details["closest"].as_array().unwrap().is_empty(),
        "{details}"
    );
    let out = env
        .cmd()
        .args(["doctor", "show", "Garsia"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("did you mean Dra. Ana García?"), "{said}");
}

#[test]
fn clinics_and_services_take_the_same_words() {
    let env = desk();
    assert_eq!(
        env.ok(&["clinic", "show", "central"])["name"],
        "Clínica Central"
    );
    let a = env.ok(&[
        "book",
        "--doctor",
        "garcia",
        "--clinic",
        "clinica",
        "--service",
        "prenatal",
        "--date",
        "2026-06-16",
        "--time",
        "09:00",
        "--phone",
        "+50370000002",
        "--name",
        "Marta Ruiz",
    ])["appointment"]
        .clone();
    assert_eq!(a["service"]["name"], "Control Prenatal");
    // `con` starts both services.
    let details = env.refused(
        &[
            "book",
            "--doctor",
            "garcia",
            "--service",
            "con",
            "--date",
            "2026-06-16",
            "--time",
            "09:30",
            "--phone",
            "+50370000009",
            "--name",
            "Eva Paz",
        ],
        "AMBIGUOUS_ID",
        2,
    );
    assert_eq!(details["candidates"].as_array().unwrap().len(), 2);
}

#[test]
fn a_patient_is_found_by_name_phone_or_a_name_that_matches_one() {
    let env = desk();
    book(
        &env,
        "garcia",
        "2026-06-16",
        "09:00",
        "+50370000003",
        "Lucía Castro Peña",
    );
    let p = env.ok(&["patient", "show", "lucia pena"]);
    assert_eq!(p["full_name"], "Lucía Castro Peña");
    let p = env.ok(&["patient", "show", "+503 7000-0003"]);
    assert_eq!(p["full_name"], "Lucía Castro Peña");
}

#[test]
fn a_patients_phone_or_name_means_their_visit_today_else_their_next() {
    let mut env = desk();
    let tuesday = book(
        &env,
        "garcia",
        "2026-06-16",
        "09:00",
        "+50370000004",
        "Carmen Solís",
    );
    let friday = book(
        &env,
        "nunez",
        "2026-06-19",
        "11:00",
        "+50370000004",
        "Carmen Solís",
    );
    // Monday: the next one is Tuesday's.
    let shown = env.ok(&["show", "carmen"]);
    assert_eq!(shown["id"], tuesday["id"]);
    // Tuesday at noon: today's, though it has begun.
    env.at("2026-06-16T18:00:00Z");
    env.ok(&["status", "+50370000004", "checked_in"]);
    assert_eq!(env.ok(&["show", s(&tuesday["id"])])["status"], "checked_in");
    env.ok(&["status", "solis", "in_progress"]);
    env.ok(&["status", "solis", "completed", "--diagnosis", "sana"]);
    // Tuesday evening, today's is done: the next is Friday's.
    env.at("2026-06-16T23:00:00Z");
    let moved = env.ok(&["reschedule", "carmen solis", "--time", "12:00"]);
    assert_eq!(moved["id"], friday["id"]);
    assert_eq!(moved["start_time"], "12:00");
    let history = env.ok(&["history", "Carmen"]);
    assert_eq!(history["appointment_id"], friday["id"], "{history}");
    env.ok(&["cancel", "carmen", "--reason", "viaja"]);
    // Nothing active is left: NOT_FOUND that says why.
    let details = env.fails(&["show", "carmen"], "NOT_FOUND", 3);
    assert_eq!(details["ref"], "carmen");
}

#[test]
fn two_patients_of_one_name_are_ambiguous_with_patient_doctor_and_time() {
    let env = desk();
    book(
        &env,
        "garcia",
        "2026-06-16",
        "09:00",
        "+50370000005",
        "Pedro Alas",
    );
    book(
        &env,
        "nunez",
        "2026-06-17",
        "10:30",
        "+50370000006",
        "Pedro Alas Mena",
    );
    let details = env.fails(&["show", "pedro"], "AMBIGUOUS_ID", 2);
    let candidates = details["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 2, "{details}");
    let first = &candidates[0];
    assert_eq!(first["patient"], "Pedro Alas");
    assert_eq!(first["doctor"], "Dra. Ana García");
    assert_eq!(first["date"], "2026-06-16");
    assert_eq!(first["start_time"], "09:00");
    // The exact name is one patient.
    let shown = env.ok(&["show", "pedro alas"]);
    assert_eq!(shown["patient"]["full_name"], "Pedro Alas");
    // A failed change by name leaves everything as it was.
    env.refused(&["cancel", "pedro", "--reason", "x"], "AMBIGUOUS_ID", 2);
}
