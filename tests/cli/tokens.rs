//! Tests: API tokens for `appt serve` (docs/security.md#api-tokens,
//! docs/commands.md#appt-token): shown once, kept only as their SHA-256 and
//! an 8-character prefix, listed without the token, revoked from the next
//! request, expiring with the clock; and `app::token::authenticate`, which
//! the server calls, on both engines.

use crate::common::{s, Env};
use appt::app::token::{self, authenticate};
use appt::app::{Create, Store};
use appt::core::access::Scope;
use appt::error::Code;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const READ_WRITE: &str = "appointments:read,appointments:write";

fn add(env: &Env, name: &str, more: &[&str]) -> Value {
    let mut args = vec!["token", "add", name];
    args.extend_from_slice(more);
    env.ok(&args)
}

fn listed(env: &Env) -> Vec<Value> {
    env.ok(&["token", "list"])["tokens"]
        .as_array()
        .expect("tokens")
        .clone()
}

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn now(env: &Env) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&env.now)
        .unwrap()
        .with_timezone(&Utc)
}

fn open(env: &Env) -> Store {
    Store::open(&env.db, Create::Never).expect("open")
}

#[test]
fn a_token_is_printed_once_and_the_database_keeps_only_its_hash_and_prefix() {
    let env = Env::clinic();
    let a = add(&env, "whatsapp-bot", &["--scopes", READ_WRITE]);
    let keys: Vec<&str> = a.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "clinic_id",
            "expires_at",
            "name",
            "prefix",
            "scopes",
            "staff",
            "token"
        ],
        "{a}"
    );
    assert_eq!(a["name"], "whatsapp-bot");
    assert_eq!(
        a["scopes"],
        json!(["appointments:read", "appointments:write"])
    );
    assert_eq!(
        (&a["clinic_id"], &a["expires_at"]),
        (&Value::Null, &Value::Null)
    );
    let tok = s(&a["token"]).to_string();
    let rest = tok.strip_prefix("appt_").expect("appt_ prefix");
    assert!(rest.len() >= 43, "{tok}");
    assert!(
        rest.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "base64url without padding: {tok}"
    );
    assert_eq!(s(&a["prefix"]), &tok[..8]);

    // The row: the hash and the prefix, and nowhere the token.
    let rows = env.rows("SELECT hash, prefix, scopes FROM api_tokens");
    assert_eq!(
        rows,
        [[
            hex_sha256(&tok),
            tok[..8].to_string(),
            READ_WRITE.to_string()
        ]]
    );
    let secret = &tok[8..];
    assert!(!env.snapshot().contains(secret), "the token is in a table");
    if env.url().is_none() {
        for file in [env.db.clone(), env.db.with_extension("db-wal")] {
            if let Ok(bytes) = std::fs::read(&file) {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "the token is in {}",
                    file.display()
                );
            }
        }
    }
    // Two tokens are never the same.
    let b = add(&env, "form", &["--scopes", "appointments:write"]);
    assert_ne!(b["token"], a["token"]);

    // Nothing shows it again, nor its hash.
    for args in [
        &["token", "list"][..],
        &["token", "list", "--json"],
        &["events"],
    ] {
        let out = env.cmd().args(args).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains(secret) && !text.contains(&hex_sha256(&tok)),
            "{text}"
        );
    }
}

#[test]
fn the_human_form_names_what_the_token_may_do_and_ends_with_the_token() {
    let env = Env::clinic();
    let out = env
        .cmd()
        .args([
            "token",
            "add",
            "desk",
            "--scopes",
            "clinical,appointments:read",
            "--expires",
            "30d",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let last = text.lines().last().unwrap();
    assert!(last.starts_with("appt_") && last.len() >= 48, "{text}");
    assert!(
        text.contains("appointments:read,clinical") && text.contains("2026-07-15T14:00:00Z"),
        "{text}"
    );
    assert!(text.contains("shown this once"), "{text}");
    let es = env
        .cmd()
        .env("APPT_LANG", "es")
        .args(["token", "list"])
        .output()
        .unwrap();
    let es = String::from_utf8(es.stdout).unwrap();
    assert!(es.contains("Permisos") && es.contains("activo"), "{es}");
    assert!(!es.contains(&last[8..]), "{es}");
}

#[test]
fn list_shows_name_prefix_scopes_clinic_and_times_and_revoke_keeps_a_record() {
    let mut env = Env::clinic();
    env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/El_Salvador",
    ]);
    let central = s(&env.ok(&["clinic", "show", "Central"])["id"]).to_string();
    let a = add(
        &env,
        "bot",
        &["--scopes", "appointments:read", "--clinic", "central"],
    );
    assert_eq!(a["clinic_id"], central.as_str());
    add(
        &env,
        "form",
        &["--scopes", "appointments:write", "--expires", "2027-01-01"],
    );
    assert_eq!(env.ok(&["token", "list"]), env.ok(&["token", "list"]));
    let all = listed(&env);
    assert_eq!(all.len(), 2);
    assert_eq!(
        all[0],
        json!({
            "name": "bot",
            "prefix": &s(&a["token"])[..8],
            "scopes": ["appointments:read"],
            "clinic_id": central,
            "clinic": "Central",
            "status": "active",
            "created_at": "2026-06-15T14:00:00Z",
            "expires_at": null,
            "last_used_at": null,
            "revoked_at": null,
            "staff": null,
        })
    );
    assert_eq!(all[1]["expires_at"], "2027-01-01T00:00:00Z");
    assert_eq!(all[1]["clinic"], Value::Null);

    // Used once: last used shows.
    let mut st = open(&env);
    authenticate(&mut st, s(&a["token"]), "192.0.2.1", now(&env)).expect("valid");
    drop(st);
    assert_eq!(listed(&env)[0]["last_used_at"], "2026-06-15T14:00:00Z");

    env.at("2026-06-15T15:00:00Z");
    let r = env.ok(&["token", "revoke", "bot"]);
    assert_eq!(
        (&r["status"], &r["revoked_at"]),
        (&json!("revoked"), &json!("2026-06-15T15:00:00Z"))
    );
    // Refused from the next request.
    let mut st = open(&env);
    let e = authenticate(&mut st, s(&a["token"]), "192.0.2.1", now(&env)).unwrap_err();
    assert_eq!(e.code, Code::Unauthorized);
    drop(st);
    // Still listed, as revoked; the name may be given again.
    let all = listed(&env);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["status"], "revoked");
    env.refused(&["token", "revoke", "bot"], "NOT_FOUND", 3);
    let again = add(&env, "bot", &["--scopes", "appointments:read"]);
    assert_ne!(again["token"], a["token"]);
    assert_eq!(listed(&env).len(), 3);
    let text =
        String::from_utf8(env.cmd().args(["token", "list"]).output().unwrap().stdout).unwrap();
    for word in ["bot", "form", "revoked", "active", "Central", "Last used"] {
        assert!(text.contains(word), "{word}: {text}");
    }
}

#[test]
fn revoke_takes_the_prefix_list_shows_as_well_as_the_name() {
    let env = Env::clinic();
    let bot = add(&env, "bot", &["--scopes", "appointments:read"]);
    let form = add(&env, "form", &["--scopes", "appointments:read"]);
    let prefix = s(&listed(&env)[0]["prefix"]).to_string();
    assert_eq!(prefix, &s(&bot["token"])[..8]);
    let r = env.ok(&["token", "revoke", &prefix]);
    assert_eq!(
        (&r["name"], &r["status"]),
        (&json!("bot"), &json!("revoked"))
    );
    let mut st = open(&env);
    let e = authenticate(&mut st, s(&bot["token"]), "192.0.2.1", now(&env)).unwrap_err();
    assert_eq!(e.code, Code::Unauthorized);
    authenticate(&mut st, s(&form["token"]), "192.0.2.1", now(&env))
        .expect("the other still works");
    drop(st);
    // Revoked already: nothing answers to the prefix now.
    env.refused(&["token", "revoke", &prefix], "NOT_FOUND", 3);
    // Two tokens that share a prefix: the name is needed.
    let other = add(&env, "other", &["--scopes", "appointments:read"]);
    let shared = &s(&other["token"])[..8];
    env.exec(&format!(
        "UPDATE api_tokens SET prefix = '{shared}' WHERE name = 'form'"
    ));
    let d = env.refused(&["token", "revoke", shared], "AMBIGUOUS_ID", 2);
    let mut names: Vec<&str> = d["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| s(&c["name"]))
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["form", "other"]);
    assert_eq!(env.ok(&["token", "revoke", "other"])["status"], "revoked");
}

#[test]
fn no_tokens_is_an_empty_list() {
    let env = Env::clinic();
    assert_eq!(env.ok(&["token", "list"]), json!({"tokens": []}));
}

#[test]
fn a_token_expires_with_the_clock() {
    let mut env = Env::clinic();
    let a = add(
        &env,
        "brief",
        &["--scopes", "appointments:read", "--expires", "1d"],
    );
    assert_eq!(a["expires_at"], "2026-06-16T14:00:00Z");
    let h = add(
        &env,
        "hours",
        &["--scopes", "appointments:read", "--expires", "12h"],
    );
    assert_eq!(h["expires_at"], "2026-06-16T02:00:00Z");
    let mut st = open(&env);
    assert!(authenticate(&mut st, s(&a["token"]), "192.0.2.1", now(&env)).is_ok());
    drop(st);
    env.at("2026-06-16T13:59:59Z");
    assert_eq!(listed(&env)[0]["status"], "active");
    let mut st = open(&env);
    assert!(authenticate(&mut st, s(&a["token"]), "192.0.2.1", now(&env)).is_ok());
    drop(st);
    env.at("2026-06-16T14:00:00Z");
    assert_eq!(listed(&env)[0]["status"], "expired");
    let mut st = open(&env);
    let e = authenticate(&mut st, s(&a["token"]), "192.0.2.1", now(&env)).unwrap_err();
    assert_eq!(e.code, Code::Unauthorized);
    // An expired token is still revoked by name (it is not revoked yet).
    drop(st);
    env.ok(&["token", "revoke", "brief"]);
}

#[test]
fn bad_requests_are_refused_and_change_nothing() {
    let env = Env::clinic();
    add(&env, "bot", &["--scopes", "appointments:read"]);
    let refusals: &[(&[&str], &str, &str)] = &[
        (
            &["token", "add", "x", "--scopes", "appointments:delete"],
            "VALIDATION_ERROR",
            "scopes",
        ),
        (
            &["token", "add", "x", "--scopes", ""],
            "VALIDATION_ERROR",
            "scopes",
        ),
        (&["token", "add", "x"], "VALIDATION_ERROR", "scopes"),
        (
            &["token", "add", "bot", "--scopes", "clinical"],
            "VALIDATION_ERROR",
            "name",
        ),
        (
            &["token", "add", "two words", "--scopes", "clinical"],
            "VALIDATION_ERROR",
            "name",
        ),
        (
            &[
                "token",
                "add",
                "x",
                "--scopes",
                "clinical",
                "--expires",
                "soon",
            ],
            "VALIDATION_ERROR",
            "expires",
        ),
        (
            &[
                "token",
                "add",
                "x",
                "--scopes",
                "clinical",
                "--expires",
                "2026-06-01",
            ],
            "VALIDATION_ERROR",
            "expires",
        ),
        (
            &[
                "token",
                "add",
                "x",
                "--scopes",
                "clinical",
                "--expires",
                "0d",
            ],
            "VALIDATION_ERROR",
            "expires",
        ),
    ];
    for (args, code, field) in refusals {
        let d = env.refused(args, code, 2);
        assert!(d.get(*field).is_some(), "{args:?}: {d}");
    }
    let d = env.refused(
        &[
            "token",
            "add",
            "x",
            "--scopes",
            "nope",
            "--expires",
            "never",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(
        d.get("scopes").is_some() && d.get("expires").is_some(),
        "{d}"
    );
    env.refused(
        &[
            "token", "add", "x", "--scopes", "clinical", "--clinic", "Nowhere",
        ],
        "NOT_FOUND",
        3,
    );
    env.refused(&["token", "revoke", "nobody"], "NOT_FOUND", 3);
    assert_eq!(listed(&env).len(), 1);
}

#[test]
fn a_token_whose_printing_failed_is_not_saved() {
    let env = Env::clinic();
    for json in [false, true] {
        let mut c = env.raw(&["token", "add", "bot", "--scopes", "appointments:read"]);
        if json {
            c.arg("--json");
        }
        if env.url().is_some() {
            c.env("APPT_KEY", crate::common::PG_KEY);
        }
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let out = c.stdout(full).output().expect("run");
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("appt_"), "{err}");
        assert_eq!(listed(&env), Vec::<Value>::new());
    }
}

/// What the server calls on every request: on both engines.
#[test]
fn authenticate_grants_a_valid_token_and_refuses_the_rest_alike() {
    let env = Env::clinic();
    let central = s(&env.ok(&["clinic", "show", "Central"])["id"]).to_string();
    let a = add(
        &env,
        "bot",
        &[
            "--scopes",
            "clinical,appointments:read",
            "--clinic",
            "Central",
        ],
    );
    let gone = add(&env, "gone", &["--scopes", "appointments:read"]);
    env.ok(&["token", "revoke", "gone"]);
    let brief = add(
        &env,
        "brief",
        &["--scopes", "appointments:read", "--expires", "1h"],
    );
    let t0 = now(&env);
    let mut st = open(&env);
    let g = authenticate(&mut st, s(&a["token"]), "192.0.2.1", t0).expect("valid");
    assert_eq!(g.name, "bot");
    assert_eq!(g.scopes, [Scope::AppointmentsRead, Scope::Clinical]);
    assert!(g.has(Scope::Clinical) && !g.has(Scope::AppointmentsWrite));
    assert_eq!(g.clinic_id.as_deref(), Some(central.as_str()));
    let tok = s(&a["token"]);
    for (what, presented, at) in [
        (
            "unknown",
            "appt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            t0,
        ),
        ("empty", "", t0),
        ("cut short", &tok[..tok.len() - 1], t0),
        ("revoked", s(&gone["token"]), t0),
        ("expired", s(&brief["token"]), t0 + Duration::hours(1)),
    ] {
        let e = authenticate(&mut st, presented, "192.0.2.1", at).unwrap_err();
        assert_eq!(e.code, Code::Unauthorized, "{what}");
        assert_eq!(e.message, token::unauthorized().message, "{what}");
        let said = format!("{} {}", e.message, e.details);
        assert!(
            !said.contains("appt_") && !said.contains(what),
            "{what}: {said}"
        );
    }
}

#[test]
fn last_use_is_recorded_at_most_once_a_minute() {
    let env = Env::clinic();
    let a = add(&env, "bot", &["--scopes", "appointments:read"]);
    let tok = s(&a["token"]);
    let t0 = now(&env);
    let used = || env.rows("SELECT last_used_at FROM api_tokens")[0][0].clone();
    assert_eq!(used(), "NULL");
    let mut st = open(&env);
    authenticate(&mut st, tok, "192.0.2.1", t0).unwrap();
    assert_eq!(used(), t0.timestamp().to_string());
    // Within the minute: a read, not a write (the row is as it was).
    let before = env.snapshot();
    for s in [1, 30, 59] {
        authenticate(&mut st, tok, "192.0.2.1", t0 + Duration::seconds(s)).unwrap();
    }
    assert_eq!(env.snapshot(), before);
    authenticate(&mut st, tok, "192.0.2.1", t0 + Duration::seconds(60)).unwrap();
    assert_eq!(used(), (t0.timestamp() + 60).to_string());
}

#[test]
fn check_lists_a_damaged_token_row() {
    let env = Env::clinic();
    add(&env, "bot", &["--scopes", "appointments:read"]);
    env.ok(&["check"]);
    env.exec("UPDATE api_tokens SET scopes = 'everything'");
    let out = env.cmd().args(["check", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(6), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["violations"].as_array().unwrap().iter().any(|v| {
            v["check"] == "damaged_value"
                && v["rows"][0]["table"] == "api_tokens"
                && v["rows"][0]["column"] == "scopes"
        }),
        "{report}"
    );
    env.fails(&["token", "list"], "DATABASE_ERROR", 6);
}
