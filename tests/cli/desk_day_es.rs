//! A whole desk day in Spanish (issue 43): a clinic in San Salvador set up
//! and run with `APPT_LANG=es`, typing only Spanish words in flags and
//! answers (`lun-vie`, `mañana`, `viernes`, `4/12`, `llegó`, `en consulta`,
//! `atendida`, `ausente`, `2 h`, `s` at a terminal's question). Each step's
//! outcome is read back from the database through `--json`, not only its
//! exit code. The clock is Monday 15 June 2026, 08:00 in El Salvador.

use crate::common::{s, Env};
use crate::prompts::Tmux;
use serde_json::Value;

/// `appt ARGS --json` at the Spanish desk: exit 0, its JSON.
fn ok(env: &Env, args: &[&str]) -> Value {
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .args(args)
        .arg("--json")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "appt {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// `appt ARGS --json` at the Spanish desk, refused with `code`: the error.
fn refused(env: &Env, args: &[&str], code: &str) -> Value {
    let before = env.snapshot();
    let out = env
        .cmd()
        .env("APPT_LANG", "es")
        .args(args)
        .arg("--json")
        .output()
        .expect("run");
    assert!(!out.status.success(), "appt {args:?} should fail");
    let e: Value = serde_json::from_slice(&out.stderr).expect("JSON error");
    assert_eq!(e["error"]["code"], code, "appt {args:?}: {e}");
    assert_eq!(env.snapshot(), before, "appt {args:?} changed the database");
    e["error"].clone()
}

fn book(env: &Env, date: &str, time: &str, phone: &str, name: &str) -> Value {
    ok(
        env,
        &[
            "book", "-d", "Ruiz", "-s", "consulta", "-D", date, "-t", time, "-P", phone, "--name",
            name,
        ],
    )["appointment"]
        .clone()
}

fn status_of(env: &Env, id: &str) -> String {
    ok(env, &["show", id])["status"]
        .as_str()
        .expect("a status")
        .to_string()
}

#[test]
fn a_whole_desk_day_typed_in_spanish() {
    let mut env = Env::new();

    // Setting up: the clinic reads 4/12 day first and refuses moves two
    // hours before a visit.
    let c = ok(
        &env,
        &[
            "clinic",
            "add",
            "Clínica Santa Lucía",
            "--timezone",
            "America/El_Salvador",
            "--language",
            "es",
            "--country-code",
            "+503",
            "--date-order",
            "dmy",
            "--cancel-window",
            "2 h",
            "--min-notice",
            "30 min",
            "--horizon",
            "365 días",
        ],
    );
    assert_eq!(c["date_order"], "dmy");
    assert_eq!(c["cancel_window"], "2h");
    assert_eq!(c["min_notice"], "30m");
    assert_eq!(c["horizon"], "365d");
    ok(&env, &["doctor", "add", "Dra. Ana Ruiz"]);
    ok(
        &env,
        &["service", "add", "Consulta General", "--minutes", "30"],
    );
    let w = ok(
        &env,
        &[
            "window", "add", "-d", "Ruiz", "--days", "lun-vie", "--from", "08:00", "--to", "12:00",
        ],
    );
    assert_eq!(w["days"], "mon-fri", "{w}");
    // Closed for Christmas, typed day first.
    let closed = ok(
        &env,
        &[
            "closure", "add", "--from", "24/12", "--to", "25/12", "-r", "Navidad",
        ],
    );
    assert_eq!(closed["from"], "2026-12-24", "{closed}");
    assert_eq!(closed["to"], "2026-12-25", "{closed}");

    // Booking, at 08:00: today, tomorrow, Friday and 4 December.
    let lucia = book(&env, "hoy", "09:00", "7012-3456", "Lucía Castro");
    let mario = book(&env, "hoy", "09:30", "7012-3457", "Mario Peña");
    let rosa = book(&env, "hoy", "11:00", "7012-3458", "Rosa Díaz");
    let tomas = book(&env, "mañana", "10:00", "7012-3459", "Tomás Ortiz");
    let elena = book(&env, "viernes", "10:00", "7012-3460", "Elena Vega");
    let pedro = book(&env, "4/12", "10:00", "7012-3461", "Pedro Cruz");
    for (a, date) in [
        (&lucia, "2026-06-15"),
        (&tomas, "2026-06-16"),
        (&elena, "2026-06-19"),
        (&pedro, "2026-12-04"),
    ] {
        assert_eq!(a["date"], date, "{a}");
    }
    // Christmas Day, typed with its year, is closed.
    refused(
        &env,
        &[
            "book",
            "-d",
            "Ruiz",
            "-D",
            "25/12/2026",
            "-t",
            "10:00",
            "-P",
            "7012-3462",
            "--name",
            "Noé Ramos",
        ],
        "OUTSIDE_AVAILABILITY",
    );

    // Tomorrow's patient confirms by phone.
    let t = ok(&env, &["status", s(&tomas["id"]), "confirmada"]);
    assert_eq!(t["status"], "confirmed");

    // 09:05: Lucía arrives, goes in, and is seen.
    env.at("2026-06-15T15:05:00Z");
    let lucia_id = s(&lucia["id"]).to_string();
    for (typed, status) in [("llegó", "checked_in"), ("en consulta", "in_progress")] {
        let a = ok(&env, &["status", &lucia_id, typed]);
        assert_eq!(a["status"], status, "{typed}: {a}");
        assert_eq!(status_of(&env, &lucia_id), status);
    }
    let a = ok(
        &env,
        &[
            "status",
            &lucia_id,
            "atendida",
            "--diagnosis",
            "Gripe común",
        ],
    );
    assert_eq!(a["status"], "completed");
    let shown = ok(&env, &["show", &lucia_id]);
    assert_eq!(shown["diagnosis"], "Gripe común");
    assert!(shown["completed_at"].is_string(), "{shown}");

    // 09:45: Mario never came.
    env.at("2026-06-15T15:45:00Z");
    let m = ok(&env, &["status", s(&mario["id"]), "ausente"]);
    assert_eq!(m["status"], "no_show");
    assert_eq!(m["patient"]["full_name"], "Mario Peña");

    // Rosa's 11:00 is inside the two hours: not cancelled without --force.
    let e = refused(
        &env,
        &["cancel", s(&rosa["id"]), "-r", "Viaje", "--yes"],
        "CANCELLATION_WINDOW",
    );
    assert_eq!(e["details"]["cancel_window"], "2h", "{e}");

    // Elena cancels Friday's visit: the desk answers `s` at the terminal.
    let elena_id = s(&elena["id"])[..8].to_string();
    let t = Tmux::start_sized(
        &env,
        80,
        "APPT_LANG=es",
        &format!("cancel {elena_id} -r Viaje"),
    );
    let screen = t.wait_for("[s/N]");
    assert!(screen.contains("Elena Vega"), "{screen}");
    t.keys(&["s", "Enter"]);
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(!screen.contains("No se cambió nada"), "{screen}");
    let shown = ok(&env, &["show", &elena_id]);
    assert_eq!(shown["status"], "cancelled");
    assert_eq!(shown["cancellation_reason"], "Viaje");

    // Who is confirmed, and what is free the day after tomorrow.
    let list = ok(
        &env,
        &[
            "list",
            "--from",
            "hoy",
            "--to",
            "+7",
            "--status",
            "confirmada",
        ],
    );
    let ids: Vec<&str> = list["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| s(&a["id"]))
        .collect();
    assert_eq!(ids, [s(&tomas["id"])], "{list}");
    let today = ok(&env, &["list", "-D", "hoy"]);
    let statuses: Vec<&str> = today["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| s(&a["status"]))
        .collect();
    assert_eq!(statuses, ["completed", "no_show", "scheduled"], "{today}");
    let absent = ok(&env, &["list", "-D", "hoy", "--status", "no se presentó"]);
    assert_eq!(absent["appointments"][0]["id"], mario["id"], "{absent}");
    let slots = ok(&env, &["slots", "-d", "Ruiz", "--date", "pasado mañana"]);
    assert_eq!(slots["date"], "2026-06-17", "{slots}");
    let starts: Vec<&str> = slots["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|sl| s(&sl["start_time"]))
        .collect();
    assert_eq!(starts.first(), Some(&"08:00"), "{slots}");
    assert_eq!(starts.len(), 8, "{slots}");
    // December's visit is still there, day first.
    let dec = ok(&env, &["list", "-D", "04/12/2026"]);
    assert_eq!(dec["appointments"][0]["id"], pedro["id"], "{dec}");
}

/// One desk day through the prompts alone, in a real terminal (tmux) in
/// Spanish: a visit booked by answering each question (a doctor's name typed
/// without its accents, the service, `mañana`, a slot, a local phone, the
/// name), moved (`pasado mañana`, a slot) and cancelled (the reason, `s` +
/// Enter). Each step is read back through `--json`; no screen reads English.
#[test]
fn a_desk_day_through_the_prompts_in_spanish() {
    let env = Env::new();
    ok(
        &env,
        &[
            "clinic",
            "add",
            "Clínica Santa Lucía",
            "--timezone",
            "America/El_Salvador",
            "--language",
            "es",
            "--country-code",
            "+503",
        ],
    );
    for doctor in ["Dra. Ana Ruiz", "Dr. José Núñez"] {
        ok(&env, &["doctor", "add", doctor]);
        ok(
            &env,
            &[
                "window", "add", "-d", doctor, "--days", "lun-vie", "--from", "08:00", "--to",
                "12:00",
            ],
        );
    }
    ok(
        &env,
        &["service", "add", "Consulta General", "--minutes", "30"],
    );
    ok(
        &env,
        &["service", "add", "Control Prenatal", "--minutes", "40"],
    );
    let english = |screen: &str| {
        let found = crate::spanish::english_in(screen);
        assert!(
            found.is_empty(),
            "English {found:?} on the screen:\n{screen}"
        );
    };

    // Booking: every value asked.
    let t = Tmux::start_sized(&env, 100, "APPT_LANG=es", "book");
    t.wait_for("Médico");
    t.keys(&["nunez"]);
    // Núñez is first before the filter too: what shows it took is Ruiz gone.
    let screen = t.wait_until("the filter to leave Núñez alone", |s| {
        s.contains("> Dr. José Núñez") && !s.contains("Ruiz")
    });
    assert!(screen.contains("Médico"), "{screen}");
    t.keys(&["Enter"]);
    t.wait_for("Fecha [hoy]");
    t.keys(&["mañana", "Enter"]);
    t.wait_for("Control Prenatal (40 min)");
    t.keys(&["prenatal"]);
    let screen = t.wait_for("> Control Prenatal");
    assert!(!screen.contains("> Consulta General"), "{screen}");
    t.keys(&["Enter"]);
    t.wait_for("Turno libre");
    t.keys(&["10:00"]);
    t.wait_for("> 10:00");
    t.keys(&["Enter"]);
    t.wait_for("Teléfono del paciente");
    t.keys(&["7012-3456", "Enter"]);
    t.wait_for("Nombre completo del paciente");
    t.keys(&["Lucía Castro", "Enter"]);
    t.wait_for("Correo del paciente");
    t.keys(&["Enter"]);
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(screen.contains("Cita reservada"), "{screen}");
    english(&screen);
    let list = ok(
        &env,
        &[
            "list",
            "--from",
            "hoy",
            "--to",
            "+7",
            "--patient",
            "7012-3456",
        ],
    );
    assert_eq!(list["total"], 1, "{list}");
    let a = &list["appointments"][0];
    let id = s(&a["id"]).to_string();
    assert_eq!(a["doctor"]["full_name"], "Dr. José Núñez", "{a}");
    assert_eq!(a["service"]["name"], "Control Prenatal", "{a}");
    assert_eq!(a["date"], "2026-06-16", "{a}");
    assert_eq!((s(&a["start_time"]), s(&a["end_time"])), ("10:00", "10:40"));
    assert_eq!(a["patient"]["phone"], "+50370123456", "{a}");
    assert_eq!(a["patient"]["full_name"], "Lucía Castro", "{a}");

    // Moving it: the patient's name as typed, the new date and slot asked.
    let t = Tmux::start_sized(&env, 100, "APPT_LANG=es", "reschedule lucia");
    t.wait_for("Nueva fecha");
    t.keys(&["pasado mañana", "Enter"]);
    t.wait_for("Turno libre");
    t.keys(&["11:00"]);
    t.wait_for("> 11:00");
    t.keys(&["Enter"]);
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(screen.contains("Cita reprogramada"), "{screen}");
    english(&screen);
    let a = ok(&env, &["show", &id]);
    assert_eq!(a["date"], "2026-06-17", "{a}");
    assert_eq!(a["start_time"], "11:00", "{a}");
    assert_eq!(a["status"], "scheduled", "{a}");

    // Cancelling it: the reason asked, then `s` and Enter.
    let t = Tmux::start_sized(&env, 100, "APPT_LANG=es", "cancel lucia");
    t.wait_for("Motivo de la cancelación");
    t.keys(&["No puede venir", "Enter"]);
    let screen = t.wait_for("[s/N]");
    assert!(screen.contains("Lucía Castro"), "{screen}");
    t.keys(&["s", "Enter"]);
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(!screen.contains("No se cambió nada"), "{screen}");
    english(&screen);
    let a = ok(&env, &["show", &id]);
    assert_eq!(a["status"], "cancelled", "{a}");
    assert_eq!(a["cancellation_reason"], "No puede venir", "{a}");
    let types: Vec<String> = ok(&env, &["history", &id])["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| s(&e["type"]).to_string())
        .collect();
    assert_eq!(
        types,
        [
            "appointment.booked",
            "appointment.rescheduled",
            "appointment.cancelled"
        ]
    );
}
