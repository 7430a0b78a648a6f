//! A request checks itself: the checks the API once made on its own (a
//! doctor or `clinic_wide`, a date with `start`/`end`, a required date or
//! status) are the use case's request's, so every front end gets the same
//! refusal — the API, `import`, and the library called directly as another
//! front end would. Where clap or the command line's prompts refuse first,
//! the command keeps its own refusal, naming its flags.

use crate::common::*;
use crate::serve::{token, Server};
use appt::app::change::{self, StatusRequest};
use appt::app::list::{self, ListRequest};
use appt::app::slots::{self, SlotsRequest};
use appt::app::{Create, Store};
use appt::core::Actor;
use serde_json::{json, Value};

const RW: &str = "appointments:read,appointments:write";

/// The env's database, opened as a front end of its own opens it.
fn store(env: &Env) -> Store {
    Store::open(&env.db, Create::Never).expect("open the test database")
}

fn now() -> chrono::DateTime<chrono::Utc> {
    MONDAY_8AM.parse().unwrap()
}

/// The API's refusal is the use case's error, whole: code, message, details.
fn same(api: &crate::serve::Resp, direct: appt::error::Error) {
    assert_eq!(api.status, 400, "{}", api.body);
    assert_eq!(api.json(), direct.to_json());
}

#[test]
fn slots_without_a_doctor_or_a_date_are_refused_alike_by_the_api_and_the_use_case() {
    let env = Env::clinic();
    let t = token(&env, "bot", RW, &[]);
    let srv = Server::start(&env, &[]);
    let api = srv.get("/v1/slots?duration=3", &t);
    let asked = SlotsRequest {
        duration: Some(3),
        ..Default::default()
    };
    let Err(direct) = slots::day(&mut store(&env), &asked, now()) else {
        panic!("slots of nobody on no day");
    };
    same(&api, direct);
    let details = &api.json()["error"]["details"];
    assert_eq!(details["doctor"], "doctor (or clinic_wide) is required");
    assert_eq!(details["date"], "date is required");
    assert_eq!(
        details["duration"],
        "duration must be between 5 and 480 minutes"
    );
    // `clinic_wide` stands for the doctor, in both.
    let api = srv.get("/v1/slots?clinic_wide=true&date=2026-06-16", &t);
    assert_eq!(api.status, 200, "{}", api.body);
    let wide = SlotsRequest {
        clinic_wide: true,
        date: "2026-06-16".into(),
        ..Default::default()
    };
    assert!(slots::day(&mut store(&env), &wide, now()).is_ok());
    // The command line asks on a terminal; off one, it names its flags.
    let d = env.fails(&["slots", "-D", "2026-06-16"], "VALIDATION_ERROR", 2);
    assert_eq!(d["doctor"], "--doctor or --clinic-wide is required");
}

#[test]
fn a_booking_without_a_doctor_is_refused_alike_by_the_api_and_import() {
    let env = Env::clinic();
    let t = token(&env, "bot", RW, &[]);
    let srv = Server::start(&env, &[]);
    let asked =
        json!({"date": "2026-06-16", "time": "10:00", "phone": "+50370001111", "name": "Ana"});
    let api = srv.post("/v1/appointments", &t, asked.clone());
    assert_eq!(api.status, 400, "{}", api.body);
    let file = env.dir.path().join("in.jsonl");
    std::fs::write(&file, format!("{asked}\n")).unwrap();
    let out = env
        .cmd()
        .args(["import", file.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    let imported: Value = serde_json::from_slice(&out.stdout).unwrap();
    let line = &imported["errors"][0];
    let error = &api.json()["error"];
    assert_eq!(
        (&line["code"], &line["message"]),
        (&error["code"], &error["message"])
    );
    assert_eq!(
        error["details"]["doctor"],
        "doctor (or clinic_wide) is required"
    );
}

#[test]
fn a_list_of_a_date_and_a_range_is_refused_alike_by_the_api_and_the_use_case() {
    let env = Env::clinic();
    let t = token(&env, "bot", RW, &[]);
    let srv = Server::start(&env, &[]);
    let api = srv.get("/v1/appointments?date=2026-06-16&end=2026-06-30", &t);
    let asked = ListRequest {
        clinic: None,
        zone: appt::core::zone::el_salvador(),
        date: Some("2026-06-16".into()),
        from: None,
        to: Some("2026-06-30".into()),
        status: None,
        doctor: None,
        patient: None,
        source: None,
        series: None,
        visit: Default::default(),
        seen_from: None,
        page: 1,
        limit: 50,
    };
    let Err(direct) = list::list(&mut store(&env), &asked, now()) else {
        panic!("a list of a date and a range");
    };
    same(&api, direct);
    assert_eq!(
        api.json()["error"]["details"]["date"],
        "date cannot be given with start or end"
    );
    // clap refuses it first on the command line.
    env.fails(
        &["list", "-D", "2026-06-16", "--to", "2026-06-30"],
        "USAGE_ERROR",
        2,
    );
}

#[test]
fn a_status_change_without_a_status_is_refused_alike_by_the_api_and_the_use_case() {
    let env = Env::clinic();
    let a = env.book("2026-06-16", "10:00", "+50370001111");
    let id = s(&a["id"]);
    let t = token(&env, "bot", RW, &[]);
    let srv = Server::start(&env, &[]);
    let api = srv.post(
        &format!("/v1/appointments/{id}/status"),
        &t,
        json!({"notes": "x"}),
    );
    let asked = StatusRequest {
        id: id.to_string(),
        notes: Some("x".into()),
        ..Default::default()
    };
    let direct =
        change::set_status(&mut store(&env), &asked, &Actor::Cli("ana".into()), now()).unwrap_err();
    same(&api, direct);
    assert_eq!(
        api.json()["error"]["details"]["status"],
        "status is required"
    );
    assert_eq!(
        env.rows(&format!(
            "SELECT {} FROM appointments",
            status_name("status")
        )),
        [["scheduled"]]
    );
    // The command line asks on a terminal; off one, it names its argument.
    let d = env.fails(&["status", id], "VALIDATION_ERROR", 2);
    assert_eq!(d["status"], "STATUS is required");
}

/// What the command line refuses as conflicting flags, every front end
/// refuses: two fields that name one thing two ways are refused by the
/// request's own check (`VALIDATION_ERROR`, under the second field), through
/// the API and `import` alike, and nothing is written.
#[test]
fn two_fields_that_name_one_thing_two_ways_are_refused_by_every_front_end() {
    let env = Env::clinic();
    let booked = env.ok(&[
        "book",
        "-d",
        "Dr. García",
        "-D",
        "2026-06-16",
        "-t",
        "09:00",
        "-P",
        "+50370001111",
        "--name",
        "Ana",
    ]);
    let id = booked["appointment"]["id"].as_str().unwrap().to_string();
    let t = token(&env, "bot", &format!("{RW},clinical"), &[]);
    let srv = Server::start(&env, &[]);
    // The token's last use is written by every request; nothing else may be.
    let kept = |env: &Env| {
        let all = env.snapshot();
        let from = all.find("## appointments").unwrap();
        all[from..].to_string()
    };
    let before = kept(&env);
    let book = |extra: Value| {
        let mut b = json!({"doctor": "Dr. García", "date": "2026-06-16", "time": "10:00",
                           "phone": "+50370002222"});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    let asked: Vec<(&str, String, Option<Value>, &str)> = vec![
        (
            "POST",
            "/v1/appointments".into(),
            Some(book(json!({"clinic_wide": true}))),
            "clinic_wide",
        ),
        (
            "POST",
            "/v1/appointments".into(),
            Some(book(json!({"patient": id.clone()}))),
            "phone",
        ),
        (
            "POST",
            "/v1/appointments".into(),
            Some(book(json!({"at": "2026-06-16T10:00:00-06:00"}))),
            "date",
        ),
        (
            "GET",
            "/v1/slots?doctor=Dr.%20Garc%C3%ADa&clinic_wide=true&date=2026-06-16".into(),
            None,
            "clinic_wide",
        ),
        (
            "GET",
            "/v1/next?doctor=Dr.%20Garc%C3%ADa&specialty=General".into(),
            None,
            "specialty",
        ),
        (
            "PATCH",
            format!("/v1/appointments/{id}"),
            Some(json!({"follow_up": "+7", "no_follow_up": true})),
            "no_follow_up",
        ),
        (
            "POST",
            "/v1/waitlist".into(),
            Some(
                json!({"doctor": "Dr. García", "date": "2026-06-16", "patient": id.clone(),
                        "name": "Ana"}),
            ),
            "name",
        ),
    ];
    for (method, path, body, field) in asked {
        let r = srv.call(method, &path, Some(&t), body.as_ref());
        assert_eq!(r.status, 400, "{method} {path}: {}", r.body);
        let e = &r.json()["error"];
        assert_eq!(e["code"], "VALIDATION_ERROR", "{method} {path}: {e}");
        assert!(
            s(&e["details"][field]).ends_with(&format!("and {field} cannot both be given")),
            "{method} {path}: {e}"
        );
    }
    // import reads a line as the API reads a body.
    let file = env.dir.path().join("in.jsonl");
    std::fs::write(&file, format!("{}\n", book(json!({"clinic_wide": true})))).unwrap();
    let out = env
        .cmd()
        .args(["import", file.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    let imported: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        imported["errors"][0]["message"], "doctor and clinic_wide cannot both be given",
        "{imported}"
    );
    assert_eq!(kept(&env), before, "nothing written");
}
