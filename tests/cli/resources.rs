//! Tests: rooms and equipment (docs/rules.md#rooms-and-equipment) — a
//! dental clinic of four dentists and three chairs, an imaging clinic of one
//! ultrasound machine and two doctors, the database's own guard, and many
//! processes racing for the last room.

use crate::common::{s, Env};
use serde_json::Value;

const TUESDAY: &str = "2026-06-16";

fn book(_env: &Env, doctor: &str, time: &str, phone: &str, service: &str) -> Vec<String> {
    [
        "book", "-d", doctor, "-D", TUESDAY, "-t", time, "-P", phone, "--name", "Paciente", "-s",
        service,
    ]
    .iter()
    .map(|a| a.to_string())
    .collect()
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn names(a: &Value) -> Vec<&str> {
    a["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| s(&r["name"]))
        .collect()
}

/// Central with Dr. García and three more dentists (09:00–13:00), three
/// chairs, and a cleaning that needs any one of them.
fn dental() -> Env {
    let env = Env::clinic();
    for d in ["Dra. Pérez", "Dr. Soto", "Dra. Vega"] {
        env.ok(&["doctor", "add", d]);
        env.ok(&[
            "window", "add", "-d", d, "--days", "mon-fri", "--from", "09:00", "--to", "13:00",
        ]);
    }
    for c in ["Sillón 1", "Sillón 2", "Sillón 3"] {
        let r = env.ok(&["resource", "add", c, "--kind", "sala"]);
        assert_eq!(r["kind"], "room");
        assert_eq!(r["capacity"], 1);
    }
    env.ok(&["service", "add", "Limpieza", "--minutes", "30"]);
    let s = env.ok(&[
        "service",
        "update",
        "Limpieza",
        "--needs",
        "Sillón 1|Sillón 2|Sillón 3",
    ]);
    let group: Vec<&str> = s["needs"][0].as_array().unwrap().iter().map(s_).collect();
    assert_eq!(group, ["Sillón 1", "Sillón 2", "Sillón 3"]);
    env
}

fn s_(r: &Value) -> &str {
    s(&r["name"])
}

/// docs/rules.md#rooms-and-equipment: four dentists, three chairs — the
/// chairs go in the order listed, the fourth dentist at the same time is
/// refused with the chairs and the times they are free, and a cancelled
/// visit frees its chair.
#[test]
fn three_chairs_take_three_dentists_at_once_and_the_fourth_waits() {
    let env = dental();
    let dentists = ["Dr. García", "Dra. Pérez", "Dr. Soto", "Dra. Vega"];
    let mut booked = Vec::new();
    for (n, d) in dentists[..3].iter().enumerate() {
        let a = env.ok(&args(&book(
            &env,
            d,
            "10:00",
            &format!("+50370000{n:03}"),
            "Limpieza",
        )))["appointment"]
            .clone();
        assert_eq!(names(&a), [format!("Sillón {}", n + 1)]);
        assert_eq!(a["resources"][0]["kind"], "room");
        booked.push(a);
    }
    // The fourth: the dentist is free, the chairs are not.
    let fourth = book(&env, dentists[3], "10:00", "+50370000009", "Limpieza");
    let d = env.refused(&args(&fourth), "RESOURCE_BUSY", 4);
    assert_eq!(
        d["resource"],
        serde_json::json!(["Sillón 1", "Sillón 2", "Sillón 3"])
    );
    assert_eq!(d["next"][0], "2026-06-16T16:30:00Z", "{d}");
    // Her day says why, naming the chairs; 10:30 is offered.
    let day = env.ok(&[
        "slots",
        "-d",
        dentists[3],
        "-D",
        TUESDAY,
        "-s",
        "Limpieza",
        "--all",
    ]);
    let at = |t: &str| {
        day["slots"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["start_time"] == t)
            .cloned()
            .unwrap()
    };
    assert_eq!(at("10:00")["reason"], "RESOURCE_BUSY");
    assert_eq!(at("10:00")["busy_resources"][2], "Sillón 3");
    assert_eq!(at("10:30")["available"], true);
    let free = env.ok(&["slots", "-d", dentists[3], "-D", TUESDAY, "-s", "Limpieza"]);
    assert!(!free["slots"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["start_time"] == "10:00"));
    // Without the service (nothing needed), the time is hers.
    let other = env.ok(&["slots", "-d", dentists[3], "-D", TUESDAY]);
    assert!(other["slots"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["start_time"] == "10:00"));
    // A cancellation frees its chair, and the fourth gets it.
    env.ok(&["cancel", s(&booked[1]["id"]), "-r", "No puede venir"]);
    let a = env.ok(&args(&fourth))["appointment"].clone();
    assert_eq!(names(&a), ["Sillón 2"]);
    // The chairs as the visits show them.
    let shown = env.ok(&["show", s(&a["id"])]);
    assert_eq!(names(&shown), ["Sillón 2"]);
}

/// Central with Dr. García and Dra. Ruiz (09:00–13:00), two rooms and one
/// ultrasound machine, and an ultrasound that needs a room and the machine.
fn imaging() -> Env {
    let env = Env::clinic();
    env.ok(&["doctor", "add", "Dra. Ruiz"]);
    env.ok(&[
        "window",
        "add",
        "-d",
        "Dra. Ruiz",
        "--days",
        "mon-fri",
        "--from",
        "09:00",
        "--to",
        "13:00",
    ]);
    env.ok(&["resource", "add", "Sala A", "--kind", "room"]);
    env.ok(&["resource", "add", "Sala B", "--kind", "room"]);
    env.ok(&["resource", "add", "Ecógrafo", "--kind", "equipo"]);
    env.ok(&["service", "add", "Ecografía", "--minutes", "30"]);
    env.ok(&[
        "service",
        "update",
        "Ecografía",
        "--needs",
        "Sala A|Sala B",
        "--needs",
        "Ecógrafo",
    ]);
    env
}

/// docs/rules.md#rooms-and-equipment: one ultrasound machine for two
/// doctors; a move keeps its room when it is free and is refused onto a
/// time the machine is taken; a no-show frees it; an overbooking passes
/// over the doctor's time, never the machine's.
#[test]
fn one_ultrasound_for_two_doctors_is_never_booked_twice() {
    let mut env = imaging();
    let list = env.ok(&["service", "list"]);
    let eco = list["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "Ecografía")
        .unwrap();
    assert_eq!(eco["needs"].as_array().unwrap().len(), 2);
    let a = env.ok(&args(&book(
        &env,
        "Dr. García",
        "10:00",
        "+50370000001",
        "Ecografía",
    )))["appointment"]
        .clone();
    assert_eq!(names(&a), ["Sala A", "Ecógrafo"]);
    // Dra. Ruiz is free at 10:00 and Sala B too; the machine is not.
    let other = book(&env, "Dra. Ruiz", "10:00", "+50370000002", "Ecografía");
    let d = env.refused(&args(&other), "RESOURCE_BUSY", 4);
    assert_eq!(d["resource"], serde_json::json!(["Ecógrafo"]));
    // At 10:30 she gets Sala A and the machine.
    let b = env.ok(&args(&book(
        &env,
        "Dra. Ruiz",
        "10:30",
        "+50370000002",
        "Ecografía",
    )))["appointment"]
        .clone();
    assert_eq!(names(&b), ["Sala A", "Ecógrafo"]);
    // Moving García's visit onto 10:30 is refused: the machine is hers.
    env.refused(
        &["reschedule", s(&a["id"]), "-t", "10:30"],
        "RESOURCE_BUSY",
        4,
    );
    // Moved to 11:00 it keeps its room.
    let moved = env.ok(&["reschedule", s(&a["id"]), "-t", "11:00"]);
    let moved = if moved["appointment"].is_object() {
        &moved["appointment"]
    } else {
        &moved
    };
    assert_eq!(names(moved), ["Sala A", "Ecógrafo"]);
    // The doctor's time may be overbooked; the machine's never.
    env.refused(
        &[
            "book",
            "-d",
            "Dra. Ruiz",
            "-D",
            TUESDAY,
            "-t",
            "11:00",
            "-P",
            "+50370000003",
            "--name",
            "Urgente",
            "-s",
            "Ecografía",
            "--overbook",
            "Dolor",
        ],
        "RESOURCE_BUSY",
        4,
    );
    // A no-show lets the machine go: 10:30 is free again afterwards.
    env.at("2026-06-16T10:45:00-06:00");
    env.ok(&["status", s(&b["id"]), "no_show"]);
    let day = env.ok(&[
        "slots",
        "-d",
        "Dr. García",
        "-D",
        TUESDAY,
        "-s",
        "Ecografía",
        "--all",
    ]);
    let busy: Vec<&Value> = day["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["reason"] == "RESOURCE_BUSY")
        .collect();
    assert!(busy.is_empty(), "{busy:?}");
}

/// docs/commands.md#resource: add, list, show, update and remove, in
/// either language's words; an unknown one is `NOT_FOUND` with the closest
/// names; one a visit to come holds, or a service needs, stays; one with a
/// history is kept inactive.
#[test]
fn resources_are_added_listed_changed_and_removed_by_the_rules() {
    let env = Env::clinic();
    let r = env.ok(&[
        "resource",
        "add",
        "Gimnasio",
        "--kind",
        "sala",
        "--capacity",
        "6",
    ]);
    assert_eq!(r["capacity"], 6);
    env.fails(
        &["resource", "add", "Gimnasio", "--kind", "room"],
        "VALIDATION_ERROR",
        2,
    );
    env.fails(
        &["resource", "add", "Rayos", "--kind", "mueble"],
        "VALIDATION_ERROR",
        2,
    );
    env.fails(
        &[
            "resource",
            "add",
            "Rayos",
            "--kind",
            "equipment",
            "--capacity",
            "0",
        ],
        "VALIDATION_ERROR",
        2,
    );
    let d = env.fails(&["resource", "show", "Ginmasio"], "NOT_FOUND", 3);
    assert!(d.to_string().contains("Gimnasio"), "{d}");
    env.fails(
        &[
            "service",
            "update",
            "General Checkup",
            "--needs",
            "Quirófano",
        ],
        "NOT_FOUND",
        3,
    );
    let u = env.ok(&[
        "resource",
        "update",
        "Gimnasio",
        "--capacity",
        "8",
        "--name",
        "Gym",
    ]);
    assert_eq!(u["capacity"], 8);
    assert_eq!(u["name"], "Gym");
    let list = env.ok(&["resource", "list"]);
    assert_eq!(list["resources"].as_array().unwrap().len(), 1);
    // Needed by a service: it stays.
    env.ok(&["service", "update", "General Checkup", "--needs", "Gym"]);
    let a = env.ok(&args(&book(
        &env,
        "Dr. García",
        "10:00",
        "+50370000001",
        "General Checkup",
    )))["appointment"]
        .clone();
    assert_eq!(names(&a), ["Gym"]);
    env.refused(&["resource", "remove", "Gym", "-y"], "VALIDATION_ERROR", 2);
    env.ok(&["service", "update", "General Checkup", "--needs", "ninguno"]);
    // Held by a visit to come: it stays.
    let d = env.refused(&["resource", "remove", "Gym", "-y"], "VALIDATION_ERROR", 2);
    assert_eq!(d["future_appointments"], 1);
    // Once that visit is cancelled, its history keeps it, inactive.
    env.ok(&["cancel", s(&a["id"]), "-r", "x"]);
    let kept = env.ok(&["resource", "remove", "Gym", "-y"]);
    assert_eq!(kept["removed"], false);
    assert_eq!(kept["active"], false);
    // One never used goes.
    env.ok(&["resource", "add", "Camilla", "--kind", "equipment"]);
    let gone = env.ok(&["resource", "remove", "Camilla", "-y"]);
    assert_eq!(gone["removed"], true);
    env.fails(&["resource", "show", "Camilla"], "NOT_FOUND", 3);
    // In Spanish.
    let out = env
        .cmd()
        .args(["resource", "list"])
        .env("APPT_LANG", "es")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("sala") && text.contains("Activo"), "{text}");
}

/// docs/rules.md#rooms-and-equipment: the database's own guard — a row
/// written past appt (another program, a bug) that would hold a room
/// twice is refused by the engine itself, on either engine.
#[test]
fn the_database_itself_refuses_a_room_held_twice() {
    let env = dental();
    let a = env.ok(&args(&book(
        &env,
        "Dr. García",
        "10:00",
        "+50370000001",
        "Limpieza",
    )))["appointment"]
        .clone();
    let b = env.ok(&args(&book(
        &env,
        "Dra. Pérez",
        "10:00",
        "+50370000002",
        "Limpieza",
    )))["appointment"]
        .clone();
    let row = |id: &str| {
        env.rows(&format!(
            "SELECT resource_id, held_from, held_to FROM appointment_resources WHERE appointment_id = {}",
            env.id_literal(id)
        ))
        .remove(0)
    };
    let (ra, rb) = (row(s(&a["id"])), row(s(&b["id"])));
    assert_ne!(ra[0], rb[0]);
    // B's chair moved to A's: refused, and nothing changed.
    let before = env.snapshot();
    let e = env
        .try_exec(&format!(
            "UPDATE appointment_resources SET resource_id = '{}' WHERE appointment_id = {}",
            ra[0],
            env.id_literal(s(&b["id"]))
        ))
        .unwrap_err();
    assert!(e.contains("resource busy"), "{e}");
    // A second row of A's chair overlapping by a minute: refused too.
    let e = env
        .try_exec(&format!(
            "INSERT INTO appointment_resources (appointment_id, grp, resource_id, held_from, held_to, active) VALUES ({}, 1, '{}', {}, {}, 1)",
            env.id_literal(s(&b["id"])),
            ra[0],
            ra[2].parse::<i64>().unwrap() - 60,
            ra[2].parse::<i64>().unwrap() + 600
        ))
        .unwrap_err();
    assert!(e.contains("resource busy"), "{e}");
    assert_eq!(env.snapshot(), before);
    // Right after A's time it fits.
    env.exec(&format!(
        "INSERT INTO appointment_resources (appointment_id, grp, resource_id, held_from, held_to, active) VALUES ({}, 1, '{}', {}, {}, 1)",
        env.id_literal(s(&b["id"])),
        ra[0],
        ra[2],
        ra[2].parse::<i64>().unwrap() + 600
    ));
}

/// docs/rules.md#rooms-and-equipment: thirty race for the last room — ten
/// desks (processes), ten programs (`POST /v1/appointments`) and ten
/// patients holding the time on the booking page — with a doctor whose
/// window takes thirty at once: exactly one has it, a visit or a hold;
/// every other desk and program is `RESOURCE_BUSY` (exit 4, 409), every
/// other patient told the time was taken; on either engine.
#[test]
fn thirty_racing_for_the_last_room_from_desks_programs_and_the_page_leave_it_to_one() {
    use crate::booking_page::hold;
    use crate::channels::{add_sms, providers, twilio_sent};
    use crate::serve::{token, Server};
    let env = Env::clinic();
    let (api, _rx) = providers(vec![twilio_sent("SM0001")]);
    add_sms(&env, &api);
    env.ok(&[
        "window",
        "add",
        "-d",
        "Dr. García",
        "-D",
        TUESDAY,
        "--from",
        "10:00",
        "--to",
        "11:00",
        "--capacity",
        "30",
    ]);
    env.ok(&["resource", "add", "Quirófano", "--kind", "room"]);
    env.ok(&["service", "add", "Cirugía menor", "--minutes", "30"]);
    env.ok(&["service", "update", "Cirugía menor", "--needs", "Quirófano"]);
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--public-url",
        "https://citas.central.example",
        "--online-booking",
        "on",
        "--country-code",
        "+503",
        "--language",
        "es",
    ]);
    let service = env.ok(&["service", "update", "Cirugía menor", "--online", "yes"]);
    let doctor = env.ok(&["doctor", "update", "Dr. García", "--online", "yes"]);
    let (service, doctor) = (s(&service["id"]), s(&doctor["id"]));
    let writer = token(&env, "w", "appointments:read,appointments:write", &[]);
    let server = Server::start(&env, &[]);
    let ten = "2026-06-16T16:00:00Z";
    let barrier = std::sync::Barrier::new(30);
    let (desks, programs, patients) = std::thread::scope(|scope| {
        let desks: Vec<_> = (0..10)
            .map(|n| {
                let (env, barrier) = (&env, &barrier);
                scope.spawn(move || {
                    let phone = format!("+5037100{n:04}");
                    let mut cmd = env.cmd();
                    cmd.args(args(&book(
                        env,
                        "Dr. García",
                        "10:00",
                        &phone,
                        "Cirugía menor",
                    )))
                    .arg("--json");
                    barrier.wait();
                    cmd.output().unwrap()
                })
            })
            .collect();
        let programs: Vec<_> = (0..10)
            .map(|n| {
                let (server, barrier, writer) = (&server, &barrier, &writer);
                scope.spawn(move || {
                    let body = serde_json::json!({
                        "doctor": "Dr. García", "date": TUESDAY, "time": "10:00",
                        "phone": format!("+5037200{n:04}"), "name": "Programa",
                        "service": "Cirugía menor",
                    });
                    barrier.wait();
                    server.post("/v1/appointments", writer, body)
                })
            })
            .collect();
        let patients: Vec<_> = (0..10)
            .map(|n| {
                let (server, barrier) = (&server, &barrier);
                scope.spawn(move || {
                    let phone = format!("7300-{n:04}");
                    barrier.wait();
                    hold(server, service, doctor, ten, &phone)
                })
            })
            .collect();
        fn join<T>(v: Vec<std::thread::ScopedJoinHandle<'_, T>>) -> Vec<T> {
            v.into_iter().map(|h| h.join().unwrap()).collect()
        }
        (join(desks), join(programs), join(patients))
    });
    let won = desks.iter().filter(|o| o.status.success()).count()
        + programs.iter().filter(|r| r.status == 201).count()
        + patients.iter().filter(|r| r.status == 200).count();
    assert_eq!(won, 1, "exactly one has the room");
    for o in desks.iter().filter(|o| !o.status.success()) {
        let e: Value = serde_json::from_slice(&o.stderr).expect("JSON error");
        assert_eq!(e["error"]["code"], "RESOURCE_BUSY", "{e}");
        assert_eq!(o.status.code(), Some(4));
    }
    for r in programs.iter().filter(|r| r.status != 201) {
        assert_eq!(
            (r.status, r.code()),
            (409, "RESOURCE_BUSY".to_string()),
            "{}",
            r.body
        );
    }
    for r in patients.iter().filter(|r| r.status != 200) {
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(r.body.contains("Alguien tomó esa hora"), "{}", r.body);
    }
    let taken = env.rows(
        "SELECT (SELECT count(*) FROM appointment_resources WHERE active = 1) \
         + (SELECT count(*) FROM hold_resources)",
    );
    assert_eq!(taken[0][0], "1");
}

/// docs/commands.md#appt-book: `--resource` gives the one asked for (or
/// refuses it when taken, or when the service does not need it); the
/// agenda shows each visit's room, `agenda --resource` is the room's day,
/// and the calendar's LOCATION names it.
#[test]
fn the_desk_names_the_chair_and_sees_each_rooms_day() {
    let env = dental();
    let mut third = book(&env, "Dr. García", "10:00", "+50370000001", "Limpieza");
    third.extend(["--resource".to_string(), "Sillón 3".to_string()]);
    let a = env.ok(&args(&third))["appointment"].clone();
    assert_eq!(names(&a), ["Sillón 3"]);
    let mut again = book(&env, "Dra. Pérez", "10:00", "+50370000002", "Limpieza");
    again.extend(["--resource".to_string(), "Sillón 3".to_string()]);
    let d = env.refused(&args(&again), "RESOURCE_BUSY", 4);
    assert_eq!(d["resource"], serde_json::json!(["Sillón 3"]));
    // Without --resource she gets the first free chair.
    let b = env.ok(&args(&book(
        &env,
        "Dra. Pérez",
        "10:00",
        "+50370000002",
        "Limpieza",
    )))["appointment"]
        .clone();
    assert_eq!(names(&b), ["Sillón 1"]);
    // A resource the service does not need, and one that does not exist.
    env.ok(&["resource", "add", "Rayos X", "--kind", "equipment"]);
    let mut odd = book(&env, "Dr. Soto", "10:00", "+50370000003", "Limpieza");
    odd.extend(["--resource".to_string(), "Rayos X".to_string()]);
    env.refused(&args(&odd), "VALIDATION_ERROR", 2);
    odd.pop();
    odd.push("Sillon 9".to_string());
    env.refused(&args(&odd), "NOT_FOUND", 3);
    // The agenda: each visit with its chair.
    let out = env
        .cmd()
        .args(["agenda", "-D", TUESDAY])
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Limpieza · Sillón 3"), "{text}");
    // Sillón 3's day: García's visit alone.
    let day = env.ok(&["agenda", "-D", TUESDAY, "--resource", "Sillón 3"]);
    let visits: Vec<&Value> = day["doctors"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["appointments"].as_array().unwrap())
        .collect();
    assert_eq!(visits.len(), 1, "{day}");
    assert_eq!(visits[0]["id"], a["id"]);
    // The calendar says where.
    let ics = crate::export::export_file(&env, "day.ics", &["--format", "ics"]);
    let ics = std::fs::read_to_string(ics).unwrap();
    assert!(ics.contains("LOCATION:Central · Sillón 3"), "{ics}");
}

/// docs/rules.md#rooms-and-equipment: a service whose needs change keeps
/// its booked visits as they were, and `check` reports each one without
/// the room it now needs.
#[test]
fn check_reports_a_visit_booked_before_its_service_needed_a_room() {
    let env = Env::clinic();
    let a = env.ok(&args(&book(
        &env,
        "Dr. García",
        "10:00",
        "+50370000001",
        "General Checkup",
    )))["appointment"]
        .clone();
    assert!(names(&a).is_empty());
    env.ok(&["check"]);
    env.ok(&["resource", "add", "Consultorio 1", "--kind", "room"]);
    env.ok(&[
        "service",
        "update",
        "General Checkup",
        "--needs",
        "Consultorio 1",
    ]);
    let out = env.raw(&["check", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(6));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let missing: Vec<&Value> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["check"] == "missing_resource")
        .collect();
    assert_eq!(missing.len(), 1, "{report}");
    assert_eq!(missing[0]["rows"][0]["appointment_id"], a["id"]);
    // The visit is as it was.
    assert!(names(&env.ok(&["show", s(&a["id"])])).is_empty());
}

/// docs/api.md: `GET /v1/resources` shows a clinic's token its own
/// clinic's alone; `POST /v1/resources` adds one at the token's clinic
/// with the write scope.
#[test]
fn the_api_lists_and_adds_a_clinics_own_resources() {
    use crate::serve::{token, Server};
    let env = Env::clinic();
    env.second_clinic("Norte", "14:00", "17:00");
    env.ok(&[
        "resource",
        "add",
        "Sala Norte",
        "--kind",
        "room",
        "--clinic",
        "Norte",
    ]);
    let central = token(
        &env,
        "central",
        "appointments:read,appointments:write",
        &["--clinic", "Central"],
    );
    let reader = token(
        &env,
        "reader",
        "appointments:read",
        &["--clinic", "Central"],
    );
    let server = Server::start(&env, &[]);
    let r = server.post(
        "/v1/resources",
        &central,
        serde_json::json!({"name": "Ecógrafo", "kind": "equipo"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["kind"], "equipment");
    let r = server.post(
        "/v1/resources",
        &central,
        serde_json::json!({"name": "Ecógrafo", "kind": "room"}),
    );
    assert_eq!((r.status, r.code()), (400, "VALIDATION_ERROR".to_string()));
    let r = server.post(
        "/v1/resources",
        &reader,
        serde_json::json!({"name": "X", "kind": "room"}),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let listed = server.get("/v1/resources", &central).json();
    let names: Vec<&str> = listed["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| s(&r["name"]))
        .collect();
    assert_eq!(
        names,
        ["Ecógrafo"],
        "Central's token never sees Norte's room"
    );
    assert_eq!(
        env.ok(&["resource", "list"])["resources"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// docs/rules.md#rooms-and-equipment: a resource with hours of its own is
/// given only within them, and a closure (maintenance) keeps it from every
/// visit those days; the doctor's time alone is not enough.
#[test]
fn a_machine_is_given_only_within_its_hours_and_never_on_a_day_it_is_closed() {
    let env = Env::clinic();
    env.ok(&["resource", "add", "Ecógrafo", "--kind", "equipment"]);
    env.ok(&["service", "add", "Ecografía", "--minutes", "30"]);
    env.ok(&["service", "update", "Ecografía", "--needs", "Ecógrafo"]);
    let h = env.ok(&[
        "window",
        "add",
        "--resource",
        "Ecógrafo",
        "--days",
        "lun-vie",
        "--from",
        "09:00",
        "--to",
        "10:30",
    ]);
    assert_eq!(h["days"], "mon-fri");
    env.fails(
        &[
            "window",
            "add",
            "--resource",
            "Ecógrafo",
            "--days",
            "lun",
            "--from",
            "11:00",
            "--to",
            "10:00",
        ],
        "VALIDATION_ERROR",
        2,
    );
    let late = book(&env, "Dr. García", "10:30", "+50370000001", "Ecografía");
    env.refused(&args(&late), "RESOURCE_BUSY", 4);
    let a = env.ok(&args(&book(
        &env,
        "Dr. García",
        "10:00",
        "+50370000001",
        "Ecografía",
    )))["appointment"]
        .clone();
    assert_eq!(names(&a), ["Ecógrafo"]);
    let day = env.ok(&[
        "slots",
        "-d",
        "Dr. García",
        "-D",
        TUESDAY,
        "-s",
        "Ecografía",
    ]);
    let offered: Vec<&str> = day["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| s(&x["start_time"]))
        .collect();
    assert_eq!(offered, ["09:00", "09:30"], "within its hours, 10:00 taken");
    // Closed on Wednesday for maintenance.
    let c = env.ok(&[
        "closure",
        "add",
        "--resource",
        "Ecógrafo",
        "--from",
        "2026-06-17",
        "-r",
        "mantenimiento",
    ]);
    assert_eq!(c["from"], "2026-06-17");
    assert_eq!(c["to"], "2026-06-17");
    let mut wednesday = book(&env, "Dr. García", "09:00", "+50370000002", "Ecografía");
    wednesday[4] = "2026-06-17".into();
    env.refused(&args(&wednesday), "RESOURCE_BUSY", 4);
    wednesday[4] = "2026-06-18".into();
    env.ok(&args(&wednesday));
    // Listed with their IDs, and removed by them: the machine then keeps
    // the clinic's hours and is free on Wednesday again.
    let listed = env.ok(&["window", "list", "--resource", "Ecógrafo"]);
    assert_eq!(listed["hours"][0]["id"], h["id"], "{listed}");
    assert_eq!(listed["hours"][0]["from"], "09:00");
    let closed = env.ok(&["closure", "list", "--resource", "Ecógrafo"]);
    assert_eq!(closed["closures"][0]["reason"], "mantenimiento", "{closed}");
    let text = |a: &[&str]| {
        let out = env.cmd().args(a).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = text(&["window", "list", "--resource", "Ecógrafo"]);
    assert!(shown.contains("09:00–10:30"), "{shown}");
    let shown = text(&["closure", "list", "--resource", "Ecógrafo"]);
    assert!(shown.contains("mantenimiento"), "{shown}");
    let prefix = &s(&c["id"])[..8];
    let gone = env.ok(&["closure", "remove", prefix, "-y"]);
    assert_eq!(gone["id"], c["id"]);
    wednesday[4] = "2026-06-17".into();
    env.ok(&args(&wednesday));
    env.ok(&["window", "remove", s(&h["id"]), "-y"]);
    assert!(
        env.ok(&["window", "list", "--resource", "Ecógrafo"])["hours"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let late = book(&env, "Dr. García", "10:30", "+50370000003", "Ecografía");
    env.ok(&args(&late));
    env.fails(&["window", "remove", "ffffffff"], "NOT_FOUND", 3);
}

/// docs/reports.md#rooms: each room's minutes held of its minutes open,
/// checked against SQL written here: the minutes its visits hold (a
/// cancelled one aside), and the clinic's windows that day (a chair with
/// hours of its own counts those).
#[test]
fn the_report_gives_each_rooms_use_as_the_sql_counts_it() {
    let env = dental();
    env.ok(&[
        "window",
        "add",
        "--resource",
        "Sillón 3",
        "--days",
        "mon-fri",
        "--from",
        "09:00",
        "--to",
        "11:00",
    ]);
    for (n, d) in ["Dr. García", "Dra. Pérez", "Dr. Soto"].iter().enumerate() {
        env.ok(&args(&book(
            &env,
            d,
            "10:00",
            &format!("+5037000{n:04}"),
            "Limpieza",
        )));
    }
    let gone = env.ok(&args(&book(
        &env,
        "Dra. Vega",
        "11:00",
        "+50370009999",
        "Limpieza",
    )))["appointment"]
        .clone();
    env.ok(&["cancel", s(&gone["id"]), "-r", "x"]);
    let report = env.ok(&["report", "--from", TUESDAY, "--to", TUESDAY]);
    let held = env.rows(&format!(
        "SELECT r.name, CAST(sum(g.held_to - g.held_from) / 60 AS BIGINT) FROM appointment_resources g \
         JOIN resources r ON r.id = g.resource_id JOIN appointments a ON a.id = g.appointment_id \
         WHERE a.status <> {} AND a.local_date = {} GROUP BY r.name ORDER BY r.name",
        crate::common::status_code("cancelled"),
        crate::common::day_number("2026-06-16")
    ));
    let open = env.rows(
        "SELECT max(end_minute) - min(start_minute) FROM windows WHERE doctor_id IS NOT NULL",
    )[0][0]
        .parse::<i64>()
        .unwrap();
    let rooms = report["rooms"].as_array().unwrap();
    assert_eq!(rooms.len(), 3, "{report}");
    for row in &held {
        let r = rooms.iter().find(|x| x["name"] == row[0].as_str()).unwrap();
        assert_eq!(r["booked_minutes"], row[1].parse::<i64>().unwrap(), "{r}");
    }
    let chair = |n: &str| rooms.iter().find(|x| x["name"] == n).unwrap().clone();
    assert_eq!(chair("Sillón 1")["open_minutes"], open);
    assert_eq!(chair("Sillón 3")["open_minutes"], 120, "its own hours");
    assert_eq!(chair("Sillón 1")["booked_minutes"], 30);
    assert_eq!(chair("Sillón 3")["rate"], 0.25);
    // The desk's report says it too.
    let out = env
        .cmd()
        .args(["report", "--from", TUESDAY, "--to", TUESDAY])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Sillón 3: 25"), "{text}");
    // The CSV and the spreadsheet have a row each, the page a figure.
    let period = ["report", "--from", TUESDAY, "--to", TUESDAY];
    let out = env
        .cmd()
        .args(period)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(
        csv.contains("rooms,resource,Sillón 3,,,30,120,0.25\r\n"),
        "{csv}"
    );
    let xlsx = env.dir.path().join("salas.xlsx");
    env.ok(&[
        &period[..],
        &["--format", "xlsx", "-o", xlsx.to_str().unwrap()],
    ]
    .concat());
    if let Some(read) = crate::export::validate("check_xlsx.py", &[xlsx.as_os_str()]) {
        let book: Value = serde_json::from_str(&read).unwrap();
        let row = book["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r[2]["value"] == "Sillón 3")
            .cloned()
            .expect("a row for Sillón 3");
        assert_eq!(row[0]["value"], "rooms", "{row}");
        assert_eq!(
            row[7]["value"].as_str().unwrap().parse::<f64>().unwrap(),
            0.25
        );
    }
    let html = env.dir.path().join("informe.html");
    env.ok(&[&period[..], &["--html", html.to_str().unwrap()]].concat());
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("data-figure=\"rooms\""), "{page}");
    let id = s(&chair("Sillón 3")["id"]).to_string();
    assert!(
        page.contains(&format!(
            "data-key=\"{id}\" data-booked=\"30\" data-open=\"120\""
        )),
        "{page}"
    );
}

/// docs/rules.md#rooms-and-equipment: `--overbook-resource` lets an
/// overbooking take a machine past its capacity, audited on the visit as
/// any overbooking (the rule passed over `RESOURCE_BUSY`), and the
/// database's guard leaves that row alone; the room free beside it is
/// given as usual.
#[test]
fn an_emergency_may_overbook_the_machine_only_when_asked_to() {
    let env = imaging();
    env.ok(&args(&book(
        &env,
        "Dr. García",
        "10:00",
        "+50370000001",
        "Ecografía",
    )));
    let mut urgent = book(&env, "Dra. Ruiz", "10:00", "+50370000002", "Ecografía");
    urgent.extend(["--overbook".into(), "Dolor agudo".into()]);
    env.refused(&args(&urgent), "RESOURCE_BUSY", 4);
    urgent.push("--overbook-resource".into());
    let a = env.ok(&args(&urgent))["appointment"].clone();
    assert_eq!(names(&a), ["Sala B", "Ecógrafo"]);
    assert_eq!(a["overbooked"]["rule"], "RESOURCE_BUSY");
    assert_eq!(a["overbooked"]["reason"], "Dolor agudo");
    let rows = env.rows(&format!(
        "SELECT r.name, g.overbooked FROM appointment_resources g JOIN resources r \
         ON r.id = g.resource_id WHERE g.appointment_id = {} ORDER BY g.grp",
        env.id_literal(s(&a["id"]))
    ));
    assert_eq!(rows, [["Sala B", "0"], ["Ecógrafo", "1"]]);
    // A program asks the same through the API: refused without
    // `"resources": true`, taken past the machine's capacity with it.
    use crate::serve::{token, Server};
    let t = token(
        &env,
        "urgencias",
        "appointments:read,appointments:write,appointments:overbook",
        &[],
    );
    let server = Server::start(&env, &[]);
    let body = |resources: Option<bool>| {
        let mut overbook = serde_json::json!({"reason": "Dolor agudo"});
        if let Some(r) = resources {
            overbook["resources"] = r.into();
        }
        serde_json::json!({
            "doctor": "Dra. Ruiz", "date": TUESDAY, "time": "10:00",
            "phone": "+50370000003", "name": "Urgente", "service": "Ecografía",
            "overbook": overbook,
        })
    };
    let r = server.post("/v1/appointments", &t, body(Some(false)));
    assert_eq!(
        (r.status, r.code()),
        (409, "RESOURCE_BUSY".to_string()),
        "{}",
        r.body
    );
    let r = server.post("/v1/appointments", &t, body(Some(true)));
    assert_eq!(r.status, 201, "{}", r.body);
    let id = s(&r.json()["appointment"]["id"]).to_string();
    let rows = env.rows(&format!(
        "SELECT r.name, g.overbooked FROM appointment_resources g JOIN resources r \
         ON r.id = g.resource_id WHERE g.appointment_id = {} ORDER BY g.grp",
        env.id_literal(&id)
    ));
    assert_eq!(
        rows,
        [["Sala A", "1"], ["Ecógrafo", "1"]],
        "both rooms and the machine are taken"
    );
}

/// docs/rules.md#rooms-and-equipment: the questions that look across a
/// clinic's doctors (`next`, the booking page) or ask over HTTP
/// (`GET /v1/slots`) offer no time whose machine is taken, though the
/// doctor is free then.
#[test]
fn next_the_page_and_the_api_offer_no_time_whose_machine_is_taken() {
    use crate::serve::{token, Server};
    let mut env = imaging();
    env.ok(&args(&book(
        &env,
        "Dr. García",
        "10:00",
        "+50370000001",
        "Ecografía",
    )));
    env.at("2026-06-16T09:50:00-06:00");
    let ten = "2026-06-16T16:00:00Z";
    let ten_thirty = "2026-06-16T16:30:00Z";
    // `next`: Dra. Ruiz is free at 10:00, the machine is not.
    let next = env.ok(&["next", "-s", "Ecografía", "--limit", "3"]);
    let starts: Vec<&str> = next["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| s(&x["starts_at"]))
        .collect();
    assert!(!starts.contains(&ten), "{next}");
    assert_eq!(starts[0], ten_thirty, "{next}");
    // Without the service, Dra. Ruiz's 10:00 is free.
    let any = env.ok(&["next", "-d", "Dra. Ruiz", "--limit", "1"]);
    assert_eq!(any["slots"][0]["starts_at"], ten, "{any}");
    // GET /v1/slots for her day with the service.
    let reader = token(&env, "r", "appointments:read", &["--clinic", "Central"]);
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--public-url",
        "https://citas.central.example",
        "--online-booking",
        "on",
    ]);
    let service = env.ok(&["service", "update", "Ecografía", "--online", "yes"]);
    let ruiz = env.ok(&["doctor", "update", "Dra. Ruiz", "--online", "yes"]);
    let (service, ruiz) = (s(&service["id"]), s(&ruiz["id"]));
    // The day before, outside the page's notice.
    env.at("2026-06-15T08:00:00-06:00");
    let server = Server::start(&env, &[]);
    let r = server.get(
        &format!("/v1/slots?doctor=Dra.%20Ruiz&date={TUESDAY}&service=Ecograf%C3%ADa&all=true"),
        &reader,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let slots = r.json();
    let at = |t: &str| {
        slots["slots"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["starts_at"] == t)
            .cloned()
            .unwrap()
    };
    assert_eq!(at(ten)["reason"], "RESOURCE_BUSY", "{slots}");
    assert!(at(ten_thirty)["reason"].is_null(), "{slots}");
    // The booking page: her times that day leave 10:00 out.
    let page = server.call(
        "GET",
        &format!("/b/central?service={service}&doctor={ruiz}&date={TUESDAY}"),
        None,
        None,
    );
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(&format!("{ruiz}|{ten_thirty}")),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains(&format!("{ruiz}|{ten}")),
        "{}",
        page.body
    );
}

/// docs/rules.md#holds: a time a patient holds on the booking page holds
/// the room and the machine its visit would get, as it holds the doctor's
/// time: the desk is refused them meanwhile; the code books the visit on
/// them; a hold left to end lets them go.
#[test]
fn a_time_held_on_the_page_holds_its_machine_too() {
    use crate::booking_page::{code_of, hold, hold_id, post};
    use crate::channels::{add_sms, providers, seen, twilio_sent};
    use crate::serve::Server;
    let mut env = imaging();
    let (api, rx) = providers(vec![twilio_sent("SM0001")]);
    add_sms(&env, &api);
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--public-url",
        "https://citas.central.example",
        "--online-booking",
        "on",
        "--country-code",
        "+503",
    ]);
    let service = env.ok(&["service", "update", "Ecografía", "--online", "yes"]);
    let ruiz = env.ok(&["doctor", "update", "Dra. Ruiz", "--online", "yes"]);
    let (service, ruiz) = (s(&service["id"]), s(&ruiz["id"]));
    let server = Server::start(&env, &[]);
    let ten = "2026-06-16T16:00:00Z";
    let held = hold(&server, service, ruiz, ten, "7000-1111");
    assert_eq!(held.status, 200, "{}", held.body);
    let kept = env.rows(
        "SELECT r.name FROM hold_resources h JOIN resources r ON r.id = h.resource_id \
         ORDER BY h.grp",
    );
    assert_eq!(kept, [["Sala A"], ["Ecógrafo"]]);
    // Dr. García is free at 10:00; the machine is the patient's.
    let desk = book(&env, "Dr. García", "10:00", "+50370000009", "Ecografía");
    let d = env.refused(&args(&desk), "RESOURCE_BUSY", 4);
    assert_eq!(d["resource"], serde_json::json!(["Ecógrafo"]), "{d}");
    let day = env.ok(&[
        "slots",
        "-d",
        "Dr. García",
        "-D",
        TUESDAY,
        "-s",
        "Ecografía",
        "--all",
    ]);
    let at_ten = day["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["starts_at"] == ten)
        .cloned()
        .unwrap();
    assert_eq!(at_ten["reason"], "RESOURCE_BUSY", "{at_ten}");
    // The code books the visit on the machine it held.
    let code = code_of(&seen(&rx));
    let r = post(
        &server,
        &[
            ("action", "verify"),
            ("hold", &hold_id(&held.body)),
            ("code", &code),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let list = env.ok(&["list", "--date", TUESDAY]);
    assert_eq!(names(&list["appointments"][0]), ["Sala A", "Ecógrafo"]);
    assert_eq!(env.rows("SELECT count(*) FROM hold_resources")[0][0], "0");
    // A hold at 10:30 left to end: once over, the desk has the machine.
    let ten_thirty = "2026-06-16T16:30:00Z";
    let held = hold(&server, service, ruiz, ten_thirty, "7000-2222");
    assert_eq!(held.status, 200, "{}", held.body);
    let desk = book(&env, "Dr. García", "10:30", "+50370000009", "Ecografía");
    env.refused(&args(&desk), "RESOURCE_BUSY", 4);
    env.at("2026-06-15T09:00:00-06:00");
    let booked = env.ok(&args(&desk));
    assert_eq!(names(&booked["appointment"]), ["Sala A", "Ecógrafo"]);
}

/// docs/board.md#rooms: `appt board --by sala` in a real terminal at 80
/// columns, in Spanish: the chairs are the columns, each visit in its
/// chair's; a `--by` neither word is refused before any screen is drawn.
#[test]
fn the_board_by_resource_shows_each_chairs_day_in_a_terminal() {
    use crate::board::Board;
    let env = dental();
    env.ok(&args(&book(
        &env,
        "Dra. Vega",
        "10:00",
        "+50370000001",
        "Limpieza",
    )));
    env.ok(&args(&book(
        &env,
        "Dr. Soto",
        "10:00",
        "+50370000002",
        "Limpieza",
    )));
    env.refused(&["board", "--by", "paciente"], "VALIDATION_ERROR", 2);
    let t = Board::start(&env, (80, 24), "APPT_LANG=es", "-D 2026-06-16 --by sala");
    let screen = t.wait_for("Sillón 3");
    let header = screen
        .lines()
        .find(|l| l.contains("Sillón 1"))
        .unwrap_or_default();
    assert!(
        header.contains("Sillón 2") && header.contains("Sillón 3"),
        "{screen}"
    );
    let ten = screen
        .lines()
        .find(|l| l.trim_start().starts_with("10:00"))
        .unwrap_or_default();
    assert_eq!(
        ten.matches("#1").count(),
        2,
        "two chairs taken at 10:00:\n{screen}"
    );
    t.keys(&["q"]);
    t.wait_for("EXIT=0");
}

/// docs/rules.md#rooms-and-equipment: a series and an import assign a
/// chair to each visit, as `book` does; an occurrence or a line whose
/// chairs are all taken is skipped or rejected with `RESOURCE_BUSY`.
#[test]
fn a_series_and_an_import_give_each_visit_its_chair() {
    let env = dental();
    // The three chairs taken on the 23rd at 10:00 by three dentists.
    for (d, phone) in [
        ("Dra. Pérez", "+50370000011"),
        ("Dr. Soto", "+50370000012"),
        ("Dra. Vega", "+50370000013"),
    ] {
        let mut b = book(&env, d, "10:00", phone, "Limpieza");
        b[4] = "2026-06-23".into();
        env.ok(&args(&b));
    }
    let mut weekly = book(&env, "Dr. García", "10:00", "+50370000001", "Limpieza");
    weekly.extend(
        ["--repeat", "weekly", "--count", "3", "--skip-conflicts"]
            .iter()
            .map(|a| a.to_string()),
    );
    let series = env.ok(&args(&weekly));
    let chairs: Vec<Vec<&str>> = series["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(names)
        .collect();
    assert_eq!(chairs, [["Sillón 1"], ["Sillón 1"]], "{series}");
    assert_eq!(series["skipped"][0]["code"], "RESOURCE_BUSY", "{series}");
    // An import: each line its chair, a line without one rejected.
    let line = |doctor: &str, time: &str, phone: &str, date: &str| {
        serde_json::json!({"doctor": doctor, "date": date, "time": time,
            "phone": phone, "name": "Paciente", "service": "Limpieza"})
        .to_string()
    };
    let path = env.dir.path().join("citas.jsonl");
    let lines = [
        line("Dra. Pérez", "11:00", "+50370000021", TUESDAY),
        // Dr. García is free then (his series skipped it); no chair is.
        line("Dr. García", "10:00", "+50370000022", "2026-06-23"),
    ];
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let out = env
        .cmd()
        .args(["import", path.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["booked"].as_i64(), v["rejected"].as_i64()),
        (Some(1), Some(1)),
        "{v}"
    );
    assert_eq!(v["errors"][0]["code"], "RESOURCE_BUSY", "{v}");
    let day = env.ok(&["list", "--date", TUESDAY]);
    let imported = day["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["source"] == "import")
        .unwrap();
    assert_eq!(names(imported), ["Sillón 1"]);
}
