//! Tests: `appt check --setup` (docs/operations.md#checking-an-installation):
//! each finding with what to do, exit 0 only when all hold; a channel's
//! credentials asked of a fake provider that checks the request and sends
//! nothing; the public URL asked of a real `appt serve`.

use crate::channels::{add_whatsapp, providers, seen, WA_TOKEN};
use crate::common::{s, Env};
use crate::serve::Server;
use serde_json::Value;

/// `check --setup --json` with its backups in `dir`: (exit code, report).
fn setup(env: &Env, dir: &std::path::Path, lang: &str) -> (i32, Value, String) {
    let out = env
        .cmd()
        .args(["check", "--setup", "--json", "--backup-dir"])
        .arg(dir)
        .env("APPT_LANG", lang)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    (
        out.status.code().unwrap_or(-1),
        report,
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// The findings about `check`: (ok, message, fix).
fn about(report: &Value, check: &str) -> Vec<(bool, String, Value)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == check)
        .map(|f| {
            (
                f["ok"].as_bool().unwrap(),
                s(&f["message"]).to_string(),
                f["fix"].clone(),
            )
        })
        .collect()
}

#[test]
fn a_new_installation_says_what_is_missing_and_what_to_do_until_all_holds() {
    let mut env = Env::clinic();
    let backups = tempfile::tempdir().unwrap();
    let (exit, report, err) = setup(&env, backups.path(), "en");
    assert_eq!(exit, 6, "{err}");
    assert_eq!(report["ok"], false);
    let e: Value = serde_json::from_str(&err).unwrap();
    assert_eq!(e["error"]["code"], "DATABASE_ERROR");
    assert_eq!(e["error"]["details"]["failing"], 2, "{report}");
    assert!(about(&report, "database")[0].0);
    assert!(about(&report, "key")[0].0, "nothing sealed, no key needed");
    let (ok, said, fix) = about(&report, "reminders").remove(0);
    assert!(!ok && said.contains("no sweep"), "{said}");
    assert!(s(&fix).contains("appt-remind.timer"), "{fix}");
    let (ok, said, fix) = about(&report, "backup").remove(0);
    assert!(!ok && said.contains("no backup"), "{said}");
    assert!(s(&fix).contains("appt-backup.timer"), "{fix}");
    assert!(
        about(&report, "disk").iter().all(|(ok, ..)| *ok),
        "{report}"
    );
    assert!(about(&report, "channel").is_empty() && about(&report, "public_url").is_empty());

    // The timer sweeps, a backup is made: all holds, exit 0.
    env.cmd().args(["remind", "due"]).assert().success();
    let file = backups.path().join("appt-2026-06-15.db");
    match env.url() {
        None => {
            env.ok(&["backup", file.to_str().unwrap()]);
        }
        Some(_) => std::fs::write(&file, "a pg_dump").unwrap(),
    }
    let made_at = |at: &str| {
        let done = std::process::Command::new("touch")
            .args(["-d", at])
            .arg(&file)
            .status()
            .unwrap();
        assert!(done.success());
    };
    made_at("2026-06-13T13:00:00Z");
    let (_, report, _) = setup(&env, backups.path(), "en");
    let (ok, said, _) = about(&report, "backup").remove(0);
    assert!(!ok && said.contains("49 hours ago"), "{said}");
    made_at("2026-06-15T13:00:00Z");
    let (exit, report, err) = setup(&env, backups.path(), "en");
    assert_eq!(
        (exit, &report["ok"]),
        (0, &Value::Bool(true)),
        "{report} {err}"
    );

    // Twenty minutes on, the timer has not run: said, in Spanish too.
    env.at("2026-06-15T14:20:00Z");
    let later = &env;
    let (exit, report, _) = setup(later, backups.path(), "es");
    assert_eq!(exit, 6);
    let (ok, said, fix) = about(&report, "reminders").remove(0);
    assert!(
        !ok && said.contains("20 minutes ago"),
        "JSON is English: {said}"
    );
    assert!(fix.is_string());
    let human = later
        .cmd()
        .args(["check", "--setup", "--backup-dir"])
        .arg(backups.path())
        .env("APPT_LANG", "es")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("✗ recordatorios: el último barrido empezó"),
        "{text}"
    );
    assert!(text.contains("hace 20 minutos"), "{text}");
    assert!(text.contains("→ active el temporizador"), "{text}");
    assert!(text.contains("1 comprobación falla."), "{text}");
    for line in text.lines() {
        assert!(line.chars().count() <= 160, "{line}");
    }
}

/// The service's environment (/etc/appt/appt.env) sets APPT_BACKUP_DIR for
/// every command: a plain `check` runs as ever beside it.
#[test]
fn a_plain_check_runs_where_the_backup_folder_is_set() {
    let env = Env::clinic();
    let out = env
        .cmd()
        .args(["check", "--json"])
        .env("APPT_BACKUP_DIR", "/var/backups/appt")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report.get("violations").is_some(), "{report}");
}

#[test]
fn a_channels_credentials_are_asked_of_its_provider_and_nothing_is_sent() {
    let env = Env::clinic();
    let backups = tempfile::tempdir().unwrap();
    let (api, rx) = providers(vec![
        (200, "", r#"{"id":"106540352242922"}"#.into()),
        (
            401,
            "",
            r#"{"error":{"message":"Error validating access token: EAAGtokenWHATSAPP0secret has expired","type":"OAuthException","code":190}}"#
                .into(),
        ),
    ]);
    add_whatsapp(&env, &api);
    let (_, report, _) = setup(&env, backups.path(), "en");
    let r = seen(&rx);
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/v21.0/106540352242922?fields=id");
    assert_eq!(r.header("Authorization"), format!("Bearer {WA_TOKEN}"));
    assert!(r.body.is_empty());
    let found = about(&report, "channel");
    assert_eq!(found.len(), 1);
    assert!(found[0].0, "{report}");

    // The token expired: refused, saying why, the token never shown.
    let (exit, report, err) = setup(&env, backups.path(), "en");
    assert_eq!(exit, 6);
    let (ok, said, fix) = about(&report, "channel").remove(0);
    assert!(!ok && said.contains("190"), "{said}");
    assert!(s(&fix).contains("appt channel test whatsapp"), "{fix}");
    assert!(!report.to_string().contains(WA_TOKEN) && !err.contains(WA_TOKEN));
    assert_eq!(
        env.ok(&["remind", "list"])["reminders"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "nothing was queued or sent"
    );
}

#[test]
fn a_public_url_is_asked_for_healthz_and_a_key_file_others_can_read_is_a_finding() {
    let env = Env::clinic();
    let backups = tempfile::tempdir().unwrap();
    let server = Server::start(&env, &[]);
    let url = format!("http://{}", server.addr);
    env.ok(&["clinic", "update", "Central", "--public-url", &url]);
    let (_, report, _) = setup(&env, backups.path(), "en");
    let found = about(&report, "public_url");
    assert!(found[0].0, "{report}");
    assert!(found[0].1.contains(&format!("{url}/healthz")), "{report}");
    drop(server);
    let (_, report, _) = setup(&env, backups.path(), "en");
    let (ok, said, fix) = about(&report, "public_url").remove(0);
    assert!(!ok && said.contains("does not answer"), "{said}");
    assert!(s(&fix).contains("appt-serve"), "{fix}");

    // A sealed national ID, and its key file opened to others.
    if env.url().is_none() {
        env.ok(&[
            "patient",
            "add",
            "--name",
            "Ana",
            "--phone",
            "+50370000009",
            "--national-id",
            "04567890-1",
        ]);
        let key = format!("{}.key", env.db.display());
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let (_, report, _) = setup(&env, backups.path(), "en");
        let (ok, said, fix) = about(&report, "key").remove(0);
        assert!(
            !ok && said.contains("0644") && said.contains("chmod 600"),
            "{said}"
        );
        assert!(fix.is_string(), "{fix}");
    } else {
        let (_, report, _) = setup(&env, backups.path(), "en");
        assert!(about(&report, "key")[0].1.contains("APPT_KEY"), "{report}");
    }
}
