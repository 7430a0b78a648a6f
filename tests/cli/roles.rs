//! Tests: roles (docs/security.md#roles), on both engines. Walks the table
//! docs/security.md shows: it names every command appt has, and for each
//! role every `yes` works (run on a copy of the clinic, so each starts
//! from the same day) and every `—` is `FORBIDDEN` (exit 8) naming the
//! role needed, with nothing changed. The clinical fields are a visit's
//! own: reception and another doctor neither read them anywhere nor
//! write them; the visit's doctor and a manager do.

use crate::common::{s, write_clinical_record, Env};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The roles, in the table's order, and who plays each: Lucía at the
/// desk, Ana (Dr. García, whose visit holds the clinical record) and
/// Marta; Beto is Dra. Ruiz, the other doctor.
const PLAYERS: [(&str, &str); 3] = [
    ("reception", "Lucía"),
    ("doctor", "Ana"),
    ("manager", "Marta"),
];

/// docs/security.md's table of roles: each command's words after `appt`
/// and its cells, one a role.
fn table() -> BTreeMap<String, [String; 3]> {
    rows_of(|first| first.strip_prefix("appt ").map(str::to_string))
}

/// docs/security.md's table of routes: each route (`GET /v1/clinics`) and
/// its cells, one a role.
fn routes_table() -> BTreeMap<String, [String; 3]> {
    rows_of(|first| (!first.starts_with("appt ")).then(|| first.to_string()))
}

/// The rows of the tables under docs/security.md's `### Roles` whose first
/// cell `key` takes, by that key.
fn rows_of(key: impl Fn(&str) -> Option<String>) -> BTreeMap<String, [String; 3]> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/security.md"))
        .expect("docs/security.md");
    let section = doc
        .split("\n### Roles\n")
        .nth(1)
        .expect("docs/security.md has ### Roles");
    let section = section.split("\n## ").next().unwrap_or_default();
    let mut rows = BTreeMap::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(cells.len(), 4, "{line}");
        let Some(words) = key(cells[0].trim_matches('`')) else {
            continue;
        };
        let roles = [cells[1], cells[2], cells[3]].map(str::to_string);
        assert!(rows.insert(words.clone(), roles).is_none(), "{words} twice");
    }
    rows
}

/// Every command that runs: each without subcommands, and each whose
/// subcommand may be left out (`inbox`, `queue`).
fn commands() -> Vec<String> {
    let mut out: Vec<String> = crate::help::commands()
        .into_iter()
        .filter(|(path, cmd)| {
            let subs = cmd.get_subcommands().any(|s| s.get_name() != "help");
            !path.is_empty() && (!subs || !cmd.is_subcommand_required_set())
        })
        .map(|(path, _)| path.join(" "))
        .collect();
    out.sort();
    out
}

/// The commands that change nothing (their lines below): each role runs
/// them on the clinic itself.
#[rustfmt::skip]
const READS: [&str; 38] = [
    "clinic list", "clinic show", "doctor list", "doctor show", "service list",
    "resource list", "resource show", "window list", "closure list", "patient list",
    "patient show", "slots", "show", "history", "list", "count", "next", "agenda",
    "queue", "waitlist list", "remind list", "recall list", "inbox", "inbox show",
    "token list", "staff list", "feed list", "calendar list", "calendar show",
    "webhook list", "channel list", "report", "remind due", "purge", "access-log", "check", "events",
    "export",
];

/// What a command that may run must do.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Works,
    /// Fails for a reason of its own, with this code (the clinic has no
    /// such thing, or it needs a terminal), past the gate.
    Fails(&'static str),
}

/// The clinic every command runs against: its IDs by name.
struct Clinic {
    env: Env,
    ids: BTreeMap<&'static str, String>,
    /// The clinical record Ana's visit holds.
    words: [&'static str; 4],
    pins: BTreeMap<&'static str, PathBuf>,
    /// The hospital's calendar of Dr. García, answering while the test runs.
    _calendar: crate::calendars::Server,
}

fn clinic() -> Clinic {
    let mut env = Env::clinic();
    let dir = env.dir.path().to_path_buf();
    let mut ids = BTreeMap::new();
    env.ok(&["doctor", "add", "Dra. Ruiz"]);
    #[rustfmt::skip]
    env.ok(&["window", "add", "-d", "Dra. Ruiz", "--days", "mon-fri", "--from", "09:00", "--to", "13:00"]);
    let a = env.book("2026-06-15", "10:00", "+50370000001");
    let words = write_clinical_record(&env, &a);
    ids.insert("A", s(&a["id"]).to_string());
    ids.insert(
        "B",
        s(&env.book("2026-06-16", "10:00", "+50370000002")["id"]).to_string(),
    );
    #[rustfmt::skip]
    let c = env.ok(&["book", "-d", "Dra. Ruiz", "-D", "2026-06-15", "-t", "11:00", "-P", "+50370000003", "--name", "Rosa Díaz"]);
    ids.insert("C", s(&c["appointment"]["id"]).to_string());
    #[rustfmt::skip]
    let w = env.ok(&["waitlist", "add", "-d", "Dr. García", "-D", "2026-06-16", "-P", "+50370000004", "--name", "Luis"]);
    ids.insert("W", s(&w["id"]).to_string());
    env.ok(&["resource", "add", "Sillón 1", "--kind", "room"]);
    #[rustfmt::skip]
    let cl = env.ok(&["closure", "add", "-d", "Dr. García", "--from", "2026-07-01", "-r", "Vacaciones"]);
    ids.insert("CL", s(&cl["id"]).to_string());
    #[rustfmt::skip]
    let win = env.ok(&["window", "add", "-d", "Dr. García", "--days", "sat", "--from", "08:00", "--to", "10:00"]);
    ids.insert("WIN", s(&win["id"]).to_string());
    std::fs::write(dir.join("secret"), "s3cret-for-the-crm-hook\n").unwrap();
    let secret = dir.join("secret").display().to_string();
    let hook = env.ok(&[
        "webhook",
        "add",
        "https://crm.example/appt",
        "--secret-file",
        &secret,
    ]);
    ids.insert("HOOK", s(&hook["id"]).to_string());
    env.ok(&["token", "add", "bot", "--scopes", "appointments:read"]);
    env.ok(&[
        "clinic",
        "update",
        "Central",
        "--public-url",
        "https://citas.example",
    ]);
    env.ok(&["feed", "add", "garcia", "--doctor", "Dr. García"]);
    let calendar = crate::calendars::Server::ics(crate::calendars::SURGERY);
    ids.insert("ICS", calendar.url.clone());
    env.ok(&[
        "calendar",
        "add",
        "hosp",
        "-d",
        "Dr. García",
        "--url",
        &calendar.url,
    ]);
    #[rustfmt::skip]
    env.ok(&["channel", "add", "sms", "--account-sid", "AC01", "--auth-token-file", &secret, "--from", "+15550001111", "--api-url", "http://127.0.0.1:9"]);
    // The staff: Marta first (a manager), then the rest as her.
    let mut pins = BTreeMap::new();
    for (name, pin) in [
        ("Marta", "2468"),
        ("Lucía", "1357"),
        ("Ana", "2580"),
        ("Beto", "1470"),
        ("Pedro", "9999"),
    ] {
        let file = dir.join(format!("pin-{pin}"));
        std::fs::write(&file, format!("{pin}\n")).unwrap();
        pins.insert(name, file);
    }
    let staff = [
        ("Marta", vec!["--role", "manager"]),
        ("Lucía", vec!["--role", "reception"]),
        ("Ana", vec!["--role", "doctor", "--doctor", "Dr. García"]),
        ("Beto", vec!["--role", "doctor", "--doctor", "Dra. Ruiz"]),
        ("Pedro", vec!["--role", "reception"]),
    ];
    for (name, role) in staff {
        let pin = pins[name].display().to_string();
        let mut args = vec!["staff", "add", name, "--pin-file", &pin];
        args.extend(role);
        env.ok(&args);
        env.staff = Some(("Marta".into(), pins["Marta"].clone()));
    }
    Clinic {
        env,
        ids,
        words,
        pins,
        _calendar: calendar,
    }
}

impl Clinic {
    /// `env` as `name`.
    fn as_member(&self, env: &mut Env, name: &str) {
        env.staff = Some((name.to_string(), self.pins[name].clone()));
    }

    /// The clinic's own env as `name`.
    fn as_member_here(&mut self, name: &str) {
        self.env.staff = Some((name.to_string(), self.pins[name].clone()));
    }
}

/// The command line each command of the table is tried with, in `dir`
/// (a folder of the env it runs in), and what it does when it may run.
fn line(words: &str, ids: &BTreeMap<&str, String>, dir: &str) -> (Vec<String>, Expect) {
    let id = |k: &str| ids[k].clone();
    let (a, b) = (id("A"), id("B"));
    let v: Vec<String> = match words {
        "clinic add" => vec![
            "clinic",
            "add",
            "Norte",
            "--timezone",
            "America/El_Salvador",
        ]
        .into_iter()
        .map(String::from)
        .collect(),
        "clinic list" | "doctor list" | "service list" | "resource list" | "window list"
        | "closure list" | "patient list" | "list" | "count" | "next" | "agenda" | "queue"
        | "waitlist list" | "remind list" | "recall list" | "recall send" | "inbox"
        | "token list" | "staff list" | "feed list" | "calendar list" | "webhook list"
        | "channel list" | "check" | "report" | "events" | "webhook deliver" | "board"
        | "access-log" => words.split(' ').map(String::from).collect(),
        _ => {
            let line = match words {
                "clinic show" => "clinic show Central".to_string(),
                "clinic update" => "clinic update Central --min-notice 30m".to_string(),
                "doctor add" => "doctor add Soto".to_string(),
                "doctor show" => "doctor show García".to_string(),
                "doctor update" => "doctor update García --specialty Pediatría".to_string(),
                "service add" => "service add Vacuna --minutes 15".to_string(),
                "service update" => "service update General --minutes 45".to_string(),
                "service remove" => "service remove General -y".to_string(),
                "resource add" => "resource add Rayos --kind equipment".to_string(),
                "resource show" => "resource show Sillón".to_string(),
                "resource update" => "resource update Sillón --name Sillón-2".to_string(),
                "resource remove" => "resource remove Sillón -y".to_string(),
                "window add" => "window add -d Ruiz --days sat --from 08:00 --to 10:00".to_string(),
                "window close" | "window open" => format!("{words} {}", id("WIN")),
                "window remove" => format!("{words} {} -y", id("WIN")),
                "closure add" => "closure add -d García --from 2026-08-03 -r Congreso".to_string(),
                "closure remove" => format!("closure remove {} -y", id("CL")),
                "patient add" => "patient add --name Nora -P +50370000009".to_string(),
                "patient show" => "patient show +50370000001".to_string(),
                "patient update" => "patient update +50370000001 --email ana@example.com".to_string(),
                "patient export" => format!("patient export +50370000001 -o {dir}/ana.json"),
                "patient erase" => "patient erase +50370000002 --reason pedido -y".to_string(),
                "slots" => "slots -d García -D 2026-06-16".to_string(),
                "book" => "book -d García -D 2026-06-16 -t 11:00 -P +50370000005 --name Eva".to_string(),
                "reschedule" => format!("reschedule {b} -t 11:30"),
                "cancel" => format!("cancel {b} -r llamó"),
                "status" => format!("status {b} confirmed"),
                "update" => format!("update {b} --notes pagó"),
                "show" | "history" => format!("{words} {a}"),
                "queue next" => "queue next -d García".to_string(),
                "waitlist add" => "waitlist add -d García -D 2026-06-17 -P +50370000006 --name Mía".to_string(),
                "waitlist remove" => format!("waitlist remove {} -y", id("W")),
                "remind due" => "remind due --dry-run".to_string(),
                "export" => format!("export --format jsonl -o {dir}/all.jsonl"),
                "webhook add" => format!("webhook add https://erp.example/in --secret-file {dir}/secret"),
                "webhook remove" => format!("webhook remove {} -y", id("HOOK")),
                "channel add sms" => format!("channel add sms --name sms2 --account-sid AC02 --auth-token-file {dir}/secret --from +15550002222"),
                "channel add whatsapp" => format!("channel add whatsapp --phone-number-id 123 --token-file {dir}/secret"),
                "channel add email" => format!("channel add email --smtp-url smtp://citas@127.0.0.1:2525 --password-file {dir}/secret --from citas@clinica.example"),
                "channel remove" => "channel remove sms -y".to_string(),
                "channel order" => "channel order sms".to_string(),
                "channel test" => "channel test sms --to +50370000001".to_string(),
                "inbox done" | "inbox show" => format!("{words} 9f9f9f9f"),
                "inbox reply" => format!("{words} 9f9f9f9f gracias"),
                "token add" => "token add form --scopes appointments:write".to_string(),
                "token revoke" => "token revoke bot".to_string(),
                "staff add" => format!("staff add Rosa --role reception --pin-file {dir}/secret-pin"),
                "staff update" => "staff update Pedro --role manager".to_string(),
                "staff remove" => "staff remove Pedro -y".to_string(),
                "staff pin" => format!("staff pin Pedro --pin-file {dir}/secret-pin"),
                "feed add" => "feed add ruiz --doctor Ruiz".to_string(),
                "feed revoke" => "feed revoke garcia -y".to_string(),
                "calendar add" => format!("calendar add casa -d Ruiz --url {}", id("ICS")),
                "calendar show" => "calendar show hosp".to_string(),
                "calendar remove" => "calendar remove hosp -y".to_string(),
                "calendar sync" => "calendar sync hosp".to_string(),
                "backup" => format!("backup {dir}/backup.db"),
                "purge" => "purge --before 2026-01-01 --dry-run".to_string(),
                "key rotate" => "key rotate".to_string(),
                "import" => format!("import {dir}/import.jsonl"),
                "transfer" => format!("transfer --to {dir}/copy.db"),
                other => panic!("the table names `appt {other}`, which this test does not run: give it a line"),
            };
            line.split(' ').map(String::from).collect()
        }
    };
    let expect = match words {
        // Nothing in the inbox to find.
        "inbox done" | "inbox show" | "inbox reply" => Expect::Fails("NOT_FOUND"),
        // Nobody has arrived to call in.
        "queue next" => Expect::Fails("NOT_FOUND"),
        // The provider at the channel's address is not there.
        "channel test" => Expect::Fails("DELIVERY_FAILED"),
        "board" => Expect::Fails("VALIDATION_ERROR"),
        // A copy of a file: PostgreSQL has its own tools.
        "backup" if crate::common::on_postgres() => Expect::Fails("VALIDATION_ERROR"),
        _ => Expect::Works,
    };
    (v, expect)
}

/// Runs `args` in `env` (with `--json`): (exit code, stdout, error code).
fn run(env: &Env, args: &[String]) -> (i32, String, String) {
    let out = env.cmd().args(args).arg("--json").output().unwrap();
    let code = serde_json::from_slice::<Value>(&out.stderr)
        .map(|v| v["error"]["code"].as_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        if out.status.success() {
            String::new()
        } else if code.is_empty() {
            String::from_utf8_lossy(&out.stderr).into_owned()
        } else {
            code
        },
    )
}

/// What a fresh env needs on disk for the lines above.
fn files(env: &Env) {
    let dir = env.dir.path();
    std::fs::write(dir.join("secret"), "another-s3cret-for-a-hook\n").unwrap();
    std::fs::write(dir.join("secret-pin"), "4321\n").unwrap();
    std::fs::write(
        dir.join("import.jsonl"),
        "{\"doctor\": \"Dr. García\", \"date\": \"2026-06-17\", \"time\": \"09:00\", \"phone\": \"+50370000007\", \"name\": \"Iris\"}\n",
    )
    .unwrap();
}

#[test]
fn the_table_of_roles_names_every_command_and_each_role_does_what_it_says() {
    let table = table();
    let names: Vec<String> = table.keys().cloned().collect();
    assert_eq!(
        names,
        commands(),
        "docs/security.md's table of roles and appt's commands differ"
    );
    let mut clinic = clinic();
    files(&clinic.env);
    let mut failures = Vec::new();
    for (words, cells) in &table {
        for (i, (role, member)) in PLAYERS.iter().enumerate() {
            let cell = cells[i].as_str();
            match cell {
                // Needs nobody (tried elsewhere: sessions.rs): never asks.
                "open" => continue,
                "yes" | "sweep" => {
                    // What changes the clinic runs on a copy of it.
                    let copy = (!READS.contains(&words.as_str())).then(|| {
                        let mut env = clinic.env.copy();
                        clinic.as_member(&mut env, member);
                        files(&env);
                        env
                    });
                    if copy.is_none() {
                        clinic.as_member_here(member);
                    }
                    let env = copy.as_ref().unwrap_or(&clinic.env);
                    let dir = env.dir.path().display().to_string();
                    let (args, expect) = line(words, &clinic.ids, &dir);
                    let (exit, stdout, code) = run(env, &args);
                    let fine = match expect {
                        Expect::Works => exit == 0,
                        Expect::Fails(want) => exit != 0 && exit != 8 && code == want,
                    };
                    if !fine {
                        failures.push(format!(
                            "{role} `appt {}`: exit {exit}, {code} (expected {expect:?}) {}",
                            args.join(" "),
                            &stdout[..stdout.len().min(200)]
                        ));
                    }
                    // What showed a visit's clinical record is recorded.
                    if stdout.contains(clinic.words[0]) {
                        let sql = format!(
                            "SELECT count(*) FROM access_log WHERE actor = 'staff:{member}' \
                             AND command = '{words}' AND appointment_id = {}",
                            env.id_literal(&clinic.ids["A"])
                        );
                        if env.rows(&sql)[0][0] == "0" {
                            failures.push(format!(
                                "{role} `appt {words}` showed the record unrecorded"
                            ));
                        }
                    }
                }
                "—" => {
                    clinic.as_member_here(member);
                    let env = &clinic.env;
                    let dir = env.dir.path().display().to_string();
                    let (args, _) = line(words, &clinic.ids, &dir);
                    let before = env.snapshot();
                    let (exit, stdout, code) = run(env, &args);
                    if exit != 8 || code != "FORBIDDEN" || !stdout.is_empty() {
                        failures.push(format!(
                            "{role} `appt {}`: exit {exit}, {code}, expected FORBIDDEN",
                            args.join(" ")
                        ));
                    } else if env.snapshot() != before {
                        failures.push(format!(
                            "{role} `appt {words}` was refused but changed the database"
                        ));
                    }
                }
                other => {
                    panic!("`appt {words}`: {role}'s cell is {other:?}: yes, —, sweep or open")
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `appt ARGS` as `member`, in JSON and as the desk reads it: both
/// outputs, which must have worked.
fn read_as(clinic: &mut Clinic, member: &str, args: &[&str]) -> String {
    clinic.as_member_here(member);
    let json = clinic.env.ok(args).to_string();
    let out = clinic.env.cmd().args(args).output().unwrap();
    assert!(out.status.success(), "{member} {args:?}: {out:?}");
    json + &String::from_utf8_lossy(&out.stdout)
}

#[test]
fn a_visits_clinical_fields_are_its_doctors_and_the_managers_alone() {
    let mut clinic = clinic();
    let a = clinic.ids["A"].clone();
    let [diagnosis, prescription, ..] = clinic.words;
    // Arrived: in the queue too.
    clinic.as_member_here("Marta");
    clinic.env.ok(&["status", &a, "checked_in"]);
    let reads: [&[&str]; 8] = [
        &["queue"],
        &["remind", "list"],
        &["show", &a],
        &["history", &a],
        &["list", "-D", "2026-06-15"],
        &["agenda", "-d", "García"],
        &["patient", "show", "+50370000001"],
        &["recall", "list"],
    ];
    // Reception and the other doctor read the visit, never its record.
    for member in ["Lucía", "Beto"] {
        for args in reads {
            let shown = read_as(&mut clinic, member, args);
            for word in [diagnosis, prescription] {
                assert!(
                    !shown.contains(word),
                    "{member} {args:?} shows {word}: {shown}"
                );
            }
        }
    }
    // Its doctor and the manager read it.
    for member in ["Ana", "Marta"] {
        for args in [&["show", &a][..], &["history", &a]] {
            let shown = read_as(&mut clinic, member, args);
            assert!(shown.contains(diagnosis), "{member} {args:?}: {shown}");
        }
    }
    // Nor do reception and the other doctor write it, the desk's fields
    // aside; its doctor does.
    for (member, needed) in [("Lucía", "doctor"), ("Beto", "manager")] {
        clinic.as_member_here(member);
        for args in [
            &["update", &a, "--diagnosis", "Gripe"][..],
            &["update", &a, "--no-follow-up"],
            &["status", &a, "confirmed", "--prescription", "Reposo"],
        ] {
            let d = clinic.env.refused(args, "FORBIDDEN", 8);
            assert_eq!(d["role_needed"], needed, "{member} {args:?}");
        }
        clinic
            .env
            .ok(&["update", &a, "--notes", "Trae sus exámenes"]);
    }
    clinic.as_member_here("Ana");
    let done = clinic
        .env
        .ok(&["update", &a, "--diagnosis", "Control prenatal"]);
    assert_eq!(done["diagnosis"], "Control prenatal");
    // A doctor's day is their own unless they name another.
    clinic.as_member_here("Beto");
    let day = clinic.env.ok(&["agenda", "-D", "2026-06-15"]);
    let doctors: Vec<&str> = day["doctors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["doctor"]["full_name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(doctors, ["Dra. Ruiz"], "{day}");
}

/// Every route the API document says a token's scope opens, as
/// `METHOD /path`.
fn api_routes() -> Vec<String> {
    let doc: Value =
        serde_json::from_str(include_str!("../../src/serve/openapi.json")).expect("openapi.json");
    let mut out = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if op.get("x-scope").is_some() {
                out.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    out.sort();
    out
}

/// The request each route of the table is tried with: its path (the
/// query or the IDs filled in) and its body.
fn request(route: &str, ids: &BTreeMap<&str, String>) -> (String, String, Option<Value>) {
    let (method, path) = route.split_once(' ').unwrap();
    let id = |k: &str| ids[k].clone();
    let (path, body) = match route {
        "GET /v1/slots" => (
            format!("{path}?doctor={}&date=2026-06-16", id("GARCIA")),
            None,
        ),
        "GET /v1/agenda" => (format!("{path}?date=2026-06-15"), None),
        "GET /v1/reports" | "GET /reports" => {
            (format!("{path}?from=2026-06-01&to=2026-06-30"), None)
        }
        "POST /v1/resources" => (
            path.into(),
            Some(json!({"name": "Rayos", "kind": "equipment"})),
        ),
        "POST /v1/appointments" => (
            path.into(),
            Some(
                json!({"doctor": id("GARCIA"), "date": "2026-06-16", "time": "12:00", "phone": "+50370000008", "name": "Olga"}),
            ),
        ),
        "GET /v1/appointments/{id}" | "GET /v1/appointments/{id}/history" => {
            (path.replace("{id}", &id("A")), None)
        }
        "PATCH /v1/appointments/{id}" => (
            path.replace("{id}", &id("B")),
            Some(json!({"notes": "pagó"})),
        ),
        "POST /v1/appointments/{id}/reschedule" => (
            path.replace("{id}", &id("B")),
            Some(json!({"time": "11:30"})),
        ),
        "POST /v1/appointments/{id}/status" => (
            path.replace("{id}", &id("B")),
            Some(json!({"status": "confirmed"})),
        ),
        "POST /v1/appointments/{id}/cancel" => (
            path.replace("{id}", &id("E")),
            Some(json!({"reason": "llamó"})),
        ),
        "DELETE /v1/appointments/{id}" => (
            format!("{}?reason=llam%C3%B3", path.replace("{id}", &id("F"))),
            None,
        ),
        "POST /v1/waitlist" => (
            path.into(),
            Some(
                json!({"doctor": id("GARCIA"), "date": "2026-06-17", "phone": "+50370000006", "name": "Mía"}),
            ),
        ),
        "GET /v1/patients/{id}/export" => (path.replace("{id}", &id("PATIENT_A")), None),
        "POST /v1/patients/{id}/erase" => (
            path.replace("{id}", &id("PATIENT_G")),
            Some(json!({"reason": "pedido"})),
        ),
        "POST /v1/calendars" => (
            path.into(),
            Some(json!({"name": "casa", "doctor": id("GARCIA"), "url": id("ICS")})),
        ),
        "GET /v1/calendars/{id}" => (path.replace("{id}", "hosp"), None),
        "POST /v1/calendars/{id}/sync" => (path.replace("{id}", "hosp"), Some(json!({}))),
        "DELETE /v1/calendars/{id}" => (path.replace("{id}", "casa"), None),
        _ if !path.contains('{') && method == "GET" => (path.into(), None),
        other => {
            panic!("the table names `{other}`, which this test does not call: give it a request")
        }
    };
    (method.to_string(), path, body)
}

#[test]
fn a_token_tied_to_a_member_of_staff_never_exceeds_their_role() {
    use crate::serve::Server;
    let table = routes_table();
    let names: Vec<String> = table.keys().cloned().collect();
    assert_eq!(
        names,
        api_routes(),
        "docs/security.md's table of routes and the API differ"
    );
    let mut clinic = clinic();
    let mut ids = clinic.ids.clone();
    let all = "appointments:read,appointments:write,appointments:overbook,clinical,\
               patients:export,patients:erase,reports:read,calendars:admin";
    // Rita and Dani start as managers, so that their tokens may be made
    // with every scope; their roles are then changed under the tokens.
    clinic.as_member_here("Marta");
    for name in ["Rita", "Dani"] {
        let pin = clinic.pins["Pedro"].display().to_string();
        clinic.env.ok(&[
            "staff",
            "add",
            name,
            "--role",
            "manager",
            "--pin-file",
            &pin,
        ]);
    }
    let mut tokens = Vec::new();
    for (name, member) in [("t-rita", "Rita"), ("t-dani", "Dani"), ("t-marta", "Marta")] {
        let added = clinic
            .env
            .ok(&["token", "add", name, "--scopes", all, "--staff", member]);
        assert_eq!(added["staff"], member);
        tokens.push(added["token"].as_str().unwrap().to_string());
    }
    // A scope the role could never use is refused at once.
    let d = clinic.env.refused(
        &[
            "token",
            "add",
            "nope",
            "--scopes",
            "reports:read",
            "--staff",
            "Lucía",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(
        d["scopes"].as_str().unwrap().contains("reports:read"),
        "{d}"
    );
    clinic
        .env
        .ok(&["staff", "update", "Rita", "--role", "reception"]);
    clinic.env.ok(&[
        "staff",
        "update",
        "Dani",
        "--role",
        "doctor",
        "--doctor",
        "Dr. García",
    ]);
    for (key, time, phone) in [
        ("E", "11:00", "+50370000011"),
        ("F", "11:30", "+50370000012"),
        ("G", "12:00", "+50370000013"),
    ] {
        let a = clinic.env.book("2026-06-17", time, phone);
        ids.insert(key, s(&a["id"]).to_string());
        if key == "G" {
            ids.insert("PATIENT_G", s(&a["patient"]["id"]).to_string());
        }
    }
    let a = clinic.env.ok(&["show", &ids["A"]]);
    ids.insert("PATIENT_A", s(&a["patient"]["id"]).to_string());
    ids.insert("GARCIA", s(&a["doctor"]["id"]).to_string());
    let mut failures = Vec::new();
    for (i, (role, _)) in PLAYERS.iter().enumerate() {
        let env = clinic.env.copy();
        let srv = Server::start(&env, &[]);
        // Its first use is recorded (last_used_at): not by a refusal below.
        assert_eq!(srv.get("/v1/clinics", &tokens[i]).status, 200);
        // What is read, then made, then changed, then removed.
        let mut routes: Vec<_> = table.iter().collect();
        let rank = ["GET", "POST", "PATCH", "DELETE"];
        routes.sort_by_key(|(r, _)| rank.iter().position(|m| r.starts_with(m)));
        for (route, cells) in routes {
            let (method, path, body) = request(route, &ids);
            let before = (cells[i] == "—").then(|| env.snapshot());
            let r = srv.call(&method, &path, Some(&tokens[i]), body.as_ref());
            match cells[i].as_str() {
                "yes" if (200..300).contains(&r.status) => {}
                "—" if r.status == 403 && r.code() == "FORBIDDEN" => {
                    if before != Some(env.snapshot()) {
                        failures.push(format!(
                            "{role} {method} {path} was refused but changed the database"
                        ));
                    }
                }
                cell => failures.push(format!(
                    "{role} {method} {path} ({cell}): {} {}",
                    r.status,
                    &r.body[..r.body.len().min(200)]
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The doctor's token reads and writes the clinical record of their own
    // visits alone: Dani is Dr. García; Rosa's visit is Dra. Ruiz's.
    let srv = Server::start(&clinic.env, &[]);
    let dani = &tokens[1];
    let own = srv
        .get(&format!("/v1/appointments/{}", ids["A"]), dani)
        .json();
    assert_eq!(own["diagnosis"], clinic.words[0]);
    let rosa = &ids["C"];
    let other = srv.get(&format!("/v1/appointments/{rosa}"), dani);
    assert_eq!(other.status, 200);
    assert!(other.json().get("diagnosis").is_none(), "{}", other.body);
    let listed = srv.get("/v1/appointments?date=2026-06-15", dani).json();
    for a in listed["appointments"].as_array().unwrap() {
        assert_eq!(
            a.get("diagnosis").is_some(),
            a["id"] == ids["A"].as_str(),
            "{a}"
        );
    }
    let before = clinic.env.snapshot();
    let r = srv.call(
        "PATCH",
        &format!("/v1/appointments/{rosa}"),
        Some(dani),
        Some(&json!({"diagnosis": "Gripe"})),
    );
    assert_eq!(
        (r.status, r.code().as_str()),
        (403, "FORBIDDEN"),
        "{}",
        r.body
    );
    assert_eq!(clinic.env.snapshot(), before);
    // Rita, at the desk now, reads no clinical key even with the scope.
    let rita = srv
        .get(&format!("/v1/appointments/{}", ids["A"]), &tokens[0])
        .json();
    assert!(rita.get("diagnosis").is_none(), "{rita}");
    // What Dani was shown is recorded, once a route and visit; Rita nothing.
    let looks = clinic.env.rows(
        "SELECT actor, os_user, command, appointment_id FROM access_log \
         WHERE actor LIKE 'api:%' ORDER BY command",
    );
    let a_id = ids["A"].clone();
    let want: Vec<Vec<String>> = ["GET /v1/appointments", "GET /v1/appointments/{id}"]
        .iter()
        .map(|route| {
            ["api:t-dani", "serve", route, a_id.as_str()]
                .map(String::from)
                .to_vec()
        })
        .collect();
    assert_eq!(looks, want);
    // Removed, a member's tokens go with them.
    drop(srv);
    clinic.as_member_here("Marta");
    clinic.env.ok(&["staff", "remove", "Rita", "-y"]);
    let srv = Server::start(&clinic.env, &[]);
    assert_eq!(srv.get("/v1/clinics", &tokens[0]).status, 401);
}

#[test]
fn who_looked_at_a_clinical_record_is_kept_for_the_managers_and_outlives_the_patients_name() {
    let mut clinic = clinic();
    let a = clinic.ids["A"].clone();
    let looks = |env: &Env| {
        env.rows("SELECT actor, command, os_user FROM access_log ORDER BY actor, command")
    };
    // Reception and the other doctor are shown no record: nothing is noted.
    read_as(&mut clinic, "Lucía", &["show", &a]);
    read_as(&mut clinic, "Beto", &["show", &a]);
    assert_eq!(looks(&clinic.env), Vec::<Vec<String>>::new());
    // Its doctor is, and each command that showed it is recorded once.
    read_as(&mut clinic, "Ana", &["show", &a]);
    read_as(&mut clinic, "Ana", &["history", &a]);
    clinic.env.ok(&["list", "-D", "2026-06-15"]);
    let seen = looks(&clinic.env);
    let who: Vec<(&str, &str)> = seen
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(
        who,
        [
            ("staff:Ana", "history"),
            ("staff:Ana", "list"),
            ("staff:Ana", "show"),
            ("staff:Ana", "show"),
        ]
    );
    assert!(seen.iter().all(|r| r[2].starts_with("cli:")), "{seen:?}");
    // The manager reads them, by patient or by member of staff.
    clinic.as_member_here("Marta");
    let by_patient = clinic.env.ok(&["access-log", "--patient", "+50370000001"]);
    assert_eq!(
        by_patient["looks"].as_array().unwrap().len(),
        4,
        "{by_patient}"
    );
    assert_eq!(by_patient["looks"][0]["appointment_id"], a.as_str());
    let by_staff = clinic.env.ok(&["access-log", "--staff", "Lucía"]);
    assert_eq!(by_staff["looks"], json!([]));
    // Erased, the patient is named by nobody; the looks (their count) stay.
    clinic.env.ok(&[
        "patient",
        "erase",
        "+50370000001",
        "--reason",
        "pedido",
        "-y",
    ]);
    let after = clinic.env.ok(&["access-log"]);
    assert_eq!(after["looks"].as_array().unwrap().len(), 4, "{after}");
    let shown =
        String::from_utf8(clinic.env.cmd().arg("access-log").output().unwrap().stdout).unwrap();
    assert!(!shown.contains("Test Patient"), "{shown}");
    // The clinic's retention takes them as it takes the messages.
    clinic.env.at("2026-06-20T14:00:00Z");
    let purged = clinic.env.ok(&["purge", "--before", "2026-06-16"]);
    assert_eq!(purged["purged"]["access_log"], 4, "{purged}");
    assert_eq!(
        clinic.env.rows("SELECT count(*) FROM access_log")[0][0],
        "0"
    );
}
