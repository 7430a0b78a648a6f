//! Tests: `appt import`, JSON Lines of booking requests through the same
//! booking rules as `book`.

use crate::common::{s, Env};
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Output, Stdio};

fn line(time: &str, phone: &str, extra: Value) -> String {
    let mut v = json!({"doctor": "Dr. García", "date": "2026-06-16", "time": time, "phone": phone, "name": "Paciente"});
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    v.to_string()
}

fn write(env: &Env, lines: &[String]) -> String {
    let path = env.dir.path().join("in.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path.display().to_string()
}

fn import(env: &Env, args: &[&str]) -> (Output, Value) {
    let out = env
        .cmd()
        .arg("import")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out, v)
}

#[test]
fn each_line_is_booked_by_the_booking_rules_and_rejections_are_named_by_line() {
    let env = Env::clinic();
    let file = write(
        &env,
        &[
            line("10:00", "+50370000001", json!({"external_ref": "web-1"})),
            "this is not JSON".into(),
            // The slot the first line took.
            line("10:00", "+50370000002", json!({})),
            line("10:30", "+50370000003", json!({"bogus": true})),
            String::new(),
            line("07:00", "+50370000004", json!({})),
            line(
                "11:00",
                "+503 7000-0005",
                json!({"source": "web", "reason": "Control"}),
            ),
        ],
    );
    let (out, v) = import(&env, &[&file]);
    assert_eq!(v["booked"], 2, "{v}");
    assert_eq!(v["rejected"], 4);
    assert_eq!(v["idempotent"], 0);
    let errors: Vec<(i64, &str)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_i64().unwrap(), s(&e["code"])))
        .collect();
    assert_eq!(
        errors,
        [
            (2, "VALIDATION_ERROR"),
            (3, "APPOINTMENT_CONFLICT"),
            (4, "VALIDATION_ERROR"),
            (6, "OUTSIDE_AVAILABILITY"),
        ]
    );
    // The exit class of the first rejection, its error on stderr.
    assert_eq!(out.status.code(), Some(2));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "VALIDATION_ERROR");
    // What `book` would answer for the same request, line for line.
    let same = env.fails(
        &[
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-16",
            "--time",
            "10:00",
            "--phone",
            "+50370000002",
            "--name",
            "Paciente",
        ],
        "APPOINTMENT_CONFLICT",
        4,
    );
    assert!(same["conflicting_appointment_id"].is_string());
    let list = env.ok(&["list", "--date", "2026-06-16"]);
    let booked: Vec<(&str, &str)> = list["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (s(&a["start_time"]), s(&a["source"])))
        .collect();
    assert_eq!(booked, [("10:00", "import"), ("11:00", "web")]);
    // Each booked line is a whole booking: its event and reminders.
    for a in list["appointments"].as_array().unwrap() {
        let h = env.ok(&["history", s(&a["id"])]);
        assert_eq!(h["events"][0]["type"], "appointment.booked");
    }
}

#[test]
fn a_dry_run_checks_every_line_and_writes_nothing() {
    let env = Env::clinic();
    let file = write(
        &env,
        &[
            line("10:00", "+50370000001", json!({})),
            // Taken by the line above, as a real run would find.
            line("10:00", "+50370000002", json!({})),
            line("10:30", "+50370000003", json!({})),
        ],
    );
    let before = env.snapshot();
    let (out, v) = import(&env, &[&file, "--dry-run"]);
    assert_eq!(
        (v["booked"].as_i64(), v["rejected"].as_i64()),
        (Some(2), Some(1)),
        "{v}"
    );
    assert_eq!(v["errors"][0]["line"], 2);
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(env.snapshot(), before, "a dry run wrote to the database");
}

#[test]
fn a_rerun_of_lines_with_external_refs_books_nothing_twice() {
    let env = Env::clinic();
    let lines: Vec<String> = ["10:00", "10:30", "11:00"]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            line(
                t,
                &format!("+5037000000{i}"),
                json!({"external_ref": format!("web-{i}")}),
            )
        })
        .collect();
    let file = write(&env, &lines);
    let (out, v) = import(&env, &[&file]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(v["booked"], 3);
    let before = env.snapshot();
    let (out, v) = import(&env, &[&file]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        (v["booked"].as_i64(), v["idempotent"].as_i64()),
        (Some(0), Some(3))
    );
    assert_eq!(env.snapshot(), before);
}

/// Lines read ahead are looked up together (their phones' patients, their
/// external references); what a line books changes what the next ones find,
/// as if each line asked for itself.
#[test]
fn lines_read_ahead_see_what_the_lines_before_them_booked() {
    let env = Env::clinic();
    env.ok(&[
        "book",
        "--doctor",
        "Dr. García",
        "--date",
        "2026-06-17",
        "--time",
        "10:00",
        "--phone",
        "+50370000009",
        "--name",
        "Ya Registrada",
    ]);
    let patients = |env: &Env| {
        env.ok(&["patient", "list"])["patients"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = patients(&env);
    let file = write(
        &env,
        &[
            line(
                "10:00",
                "+50370000001",
                json!({"external_ref": "r-1", "name": "Ana Uno"}),
            ),
            // The same phone: the patient the line above made, renamed.
            line(
                "10:30",
                "+50370000001",
                json!({"external_ref": "r-2", "name": "Ana Dos", "date": "2026-06-17"}),
            ),
            // The first line's reference: already booked.
            line("11:00", "+50370000002", json!({"external_ref": "r-1"})),
            // The first line's time: refused, and undone alone.
            line("10:00", "+50370000003", json!({})),
            // A patient from before the import, the phone spelt otherwise.
            line(
                "11:30",
                "+503 7000-0009",
                json!({"external_ref": "r-3", "name": "Ya Registrada"}),
            ),
            line("12:00", "+50370000009", json!({"external_ref": "r-3"})),
        ],
    );
    let (out, v) = import(&env, &[&file]);
    assert_eq!(
        (
            v["booked"].as_i64(),
            v["idempotent"].as_i64(),
            v["rejected"].as_i64()
        ),
        (Some(3), Some(2), Some(1)),
        "{v}"
    );
    assert_eq!(v["errors"][0]["line"], 4);
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(
        patients(&env),
        before + 1,
        "one new patient, for +50370000001"
    );
    let list = env.ok(&["list", "--date", "2026-06-16"]);
    let booked: Vec<(&str, &str)> = list["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (s(&a["start_time"]), s(&a["patient"]["full_name"])))
        .collect();
    assert_eq!(booked, [("10:00", "Ana Dos"), ("11:30", "Ya Registrada")]);
    let next_day = env.ok(&["list", "--date", "2026-06-17"]);
    assert_eq!(next_day["appointments"].as_array().unwrap().len(), 2);
}

/// On PostgreSQL the writes of the lines read ahead go together; when the
/// database refuses them (here a trigger stands in for a rule appt did not
/// see), they are undone and the lines booked again one by one, so that only
/// the refused line is rejected and the tokens go on without a gap.
#[test]
#[cfg_attr(not(appt_test_pg), ignore = "PostgreSQL only: set APPT_TEST_PG")]
fn a_line_the_server_refuses_among_lines_sent_together_is_rejected_alone() {
    let env = Env::clinic();
    env.exec(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
           IF NEW.full_name = 'Refused' THEN \
             RAISE EXCEPTION 'refused' USING ERRCODE = 'exclusion_violation'; \
           END IF; RETURN NEW; END $$; \
         CREATE TRIGGER refuse BEFORE INSERT ON patients FOR EACH ROW EXECUTE FUNCTION refuse();",
    );
    let file = write(
        &env,
        &[
            line("09:00", "+50373000001", json!({"name": "Ana"})),
            line("09:30", "+50373000002", json!({"name": "Refused"})),
            line("10:00", "+50373000003", json!({"name": "Carla"})),
            line("10:30", "+50373000004", json!({"name": "Dora"})),
        ],
    );
    let (out, v) = import(&env, &[&file]);
    assert_eq!(
        (v["booked"].as_i64(), v["rejected"].as_i64()),
        (Some(3), Some(1)),
        "{v}"
    );
    assert_eq!(v["errors"][0]["line"], 2);
    assert_eq!(v["errors"][0]["code"], "APPOINTMENT_CONFLICT");
    assert_eq!(out.status.code(), Some(4));
    let list = env.ok(&["list", "--date", "2026-06-16"]);
    let booked: Vec<(&str, &str, i64)> = list["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                s(&a["start_time"]),
                s(&a["patient"]["full_name"]),
                a["token_number"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        booked,
        [
            ("09:00", "Ana", 1),
            ("10:00", "Carla", 2),
            ("10:30", "Dora", 3)
        ]
    );
    assert_eq!(env.ok(&["check"])["ok"], true);
}

#[test]
fn standard_input_and_quiet_on_a_pipe() {
    let env = Env::clinic();
    let mut child = env
        .raw(&["import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        for (i, t) in ["09:00", "09:30"].iter().enumerate() {
            writeln!(stdin, "{}", line(t, &format!("+5037100000{i}"), json!({}))).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "no progress bar on a pipe: {:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Booked 2, already booked 0, rejected 0"
    );
    assert_eq!(env.ok(&["list"])["total"], 2);
    // A file that cannot be read is refused before anything happens.
    env.refused(&["import", "/no/such/file.jsonl"], "VALIDATION_ERROR", 2);
}

#[test]
fn batches_commit_in_turn_and_a_rejected_line_rolls_back_alone_in_any_of_them() {
    let env = Env::clinic();
    let file = write(
        &env,
        &[
            line("09:00", "+50372000001", json!({})),
            // Rejected within the first batch: that batch's other line stays.
            line("09:00", "+50372000002", json!({})),
            line("09:30", "+50372000003", json!({})),
            // Taken by a line of the batch committed before this one.
            line("09:30", "+50372000004", json!({})),
            line("10:00", "+50372000005", json!({})),
        ],
    );
    let out = env
        .cmd()
        .env("APPT_IMPORT_BATCH", "2")
        .args(["import", &file, "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["booked"], 3, "{v}");
    let lines: Vec<i64> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, [2, 4]);
    let list = env.ok(&["list", "--date", "2026-06-16"]);
    let phones: Vec<&str> = list["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| s(&a["patient"]["phone"]))
        .collect();
    assert_eq!(phones, ["+50372000001", "+50372000003", "+50372000005"]);
    assert_eq!(env.ok(&["check"])["ok"], true);
}

#[test]
fn an_import_killed_midway_keeps_its_committed_batches_and_a_rerun_completes_it() {
    let env = Env::clinic();
    let lines: Vec<String> = ["09:00", "09:30", "10:00", "10:30", "11:00"]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            line(
                t,
                &format!("+5037300000{i}"),
                json!({"external_ref": format!("crm-{i}")}),
            )
        })
        .collect();
    let mut child = env
        .raw(&["import", "-"])
        .env("APPT_IMPORT_BATCH", "2")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Two lines make a batch; the third is read into the next one, which
    // waits for more input when the process is killed.
    for l in &lines[..3] {
        writeln!(stdin, "{l}").unwrap();
    }
    stdin.flush().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while env.ok(&["list", "--date", "2026-06-16"])["total"] != 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the first batch never committed"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    assert_eq!(env.ok(&["list", "--date", "2026-06-16"])["total"], 2);
    assert_eq!(env.ok(&["check"])["ok"], true);
    // The whole file again: the committed lines are recognised, the rest booked.
    let file = write(&env, &lines);
    let (out, v) = import(&env, &[&file]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        (v["booked"].as_i64(), v["idempotent"].as_i64()),
        (Some(3), Some(2)),
        "{v}"
    );
    assert_eq!(env.ok(&["list", "--date", "2026-06-16"])["total"], 5);
}

#[test]
fn a_hostile_file_loses_only_its_bad_lines() {
    let env = Env::clinic();
    let path = env.dir.path().join("hostile.jsonl");
    let mut bytes = b"\xEF\xBB\xBF".to_vec(); // a byte-order mark before line 1
    bytes.extend(line("09:00", "+50370000001", json!({})).as_bytes());
    bytes.extend(b"\r\n"); // a Windows line ending
    bytes.extend(b"{\"doctor\": \"Dr. Garc\xEDa\"}\n"); // Latin-1, not UTF-8
    bytes.extend(
        line(
            "09:30",
            "+50370000002",
            json!({"notes": "x".repeat(70_000)}),
        )
        .as_bytes(),
    );
    bytes.extend(b"\n");
    bytes.extend(line("10:00", "+50370000003", json!({})).as_bytes());
    bytes.extend(b"\n\xFF\xFE\x00garbage"); // a last line with no line break
    std::fs::write(&path, &bytes).unwrap();
    let (out, v) = import(&env, &[path.to_str().unwrap()]);
    assert_eq!(v["booked"], 2, "{v}");
    assert_eq!(v["rejected"], 3, "{v}");
    let errors: Vec<(i64, &str)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_i64().unwrap(), s(&e["code"])))
        .collect();
    assert_eq!(
        errors,
        [
            (2, "VALIDATION_ERROR"),
            (3, "VALIDATION_ERROR"),
            (5, "VALIDATION_ERROR")
        ]
    );
    assert!(
        s(&v["errors"][0]["message"]).contains("UTF-8"),
        "{}",
        v["errors"][0]
    );
    assert!(
        s(&v["errors"][1]["message"]).contains("longer than"),
        "{}",
        v["errors"][1]
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let times: Vec<String> = env
        .rows("SELECT starts_at FROM appointments ORDER BY starts_at")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(times.len(), 2, "lines 1 and 4 are booked: {times:?}");
}

#[test]
fn a_flood_of_rejected_lines_keeps_memory_and_the_summary_bounded() {
    let env = Env::clinic();
    let path = env.dir.path().join("flood.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let n = 300_000;
    for i in 0..n {
        writeln!(f, "not a booking {i} {}", "y".repeat(60)).unwrap();
    }
    writeln!(f, "{}", line("10:00", "+50370000001", json!({}))).unwrap();
    f.flush().unwrap();
    drop(f);
    // At most 512 MiB of address space for this import: keeping an error
    // per line would need far more, and it would abort instead of finishing.
    let mut cmd = env.raw(&["import", path.to_str().unwrap(), "--json"]);
    cmd.env("APPT_KEY", crate::common::PG_KEY);
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 512 << 20,
                rlim_max: 512 << 20,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["booked"], 1, "the good line after the flood is booked");
    assert_eq!(v["rejected"], n, "every rejection is counted");
    let kept = v["errors"].as_array().unwrap().len();
    assert_eq!(kept, 1_000, "the first thousand are listed, not all");
}

#[test]
fn the_rejected_lines_fit_the_width_their_words_carried_on_under_them() {
    let env = Env::clinic();
    let file = write(
        &env,
        &[line(
            "10:30",
            "+50370000003",
            json!({"bogus": true, "other": 1}),
        )],
    );
    let out = env
        .cmd()
        .args(["--width", "50", "import", &file])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 2, "the rejection is one line:\n{text}");
    assert!(lines[1].starts_with("  line 1: VALIDATION_ERROR"), "{text}");
    for l in &lines[1..] {
        assert!(l.chars().count() <= 50, "{l:?} is wider than 50:\n{text}");
        assert!(l.starts_with("  ") && !l.starts_with("   "), "{text}");
    }
}
