//! Tests: the report as a page (docs/reports.md#the-page) — `appt report
//! --html FILE` writes one file that fetches nothing and names no patient,
//! each figure's numbers in its markup equal to `report --json`'s, in the
//! clinic's language, whole or not at all; a real browser reads the
//! numbers off the charts at a phone's and a desktop's width, and axe-core
//! finds nothing.

use crate::common::*;
use crate::reports::{history, FROM, TO};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

type Attrs = BTreeMap<String, String>;

/// Where the page of a test goes: under target/, kept for a reviewer.
pub(crate) fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/report-page")
        .join(if on_postgres() { "postgres" } else { "sqlite" })
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `appt report --from --to --html FILE`: the page it wrote.
fn page(env: &Env, file: &Path) -> String {
    page_of(env, file, &["--from", FROM, "--to", TO])
}

/// `appt report ARGS --html FILE`: the page it wrote.
pub(crate) fn page_of(env: &Env, file: &Path, args: &[&str]) -> String {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    all.extend(["--html", file.to_str().unwrap()]);
    let said = env.ok(&all);
    assert_eq!(said["format"], "html", "{said}");
    assert_eq!(said["output"], file.to_str().unwrap(), "{said}");
    std::fs::read_to_string(file).unwrap()
}

/// The `data-` attributes of each marked row of each figure, by the
/// figure's `data-figure` (its JSON path): a table's rows, a list's items.
fn figures(html: &str) -> BTreeMap<String, Vec<Attrs>> {
    let mut out = BTreeMap::new();
    for chunk in html.split("data-figure=\"").skip(1) {
        let id = chunk.split('"').next().unwrap().to_string();
        let body = chunk
            .split("</figure>")
            .next()
            .unwrap()
            .split("</section>")
            .next()
            .unwrap();
        let mut rows = Vec::new();
        for opening in body.split('<').skip(1) {
            let tag = opening.split('>').next().unwrap();
            if !(tag.starts_with("tr data-") || tag.starts_with("div data-")) {
                continue;
            }
            let mut attrs = Attrs::new();
            for pair in tag.split(" data-").skip(1) {
                let (name, value) = pair.split_once("=\"").unwrap();
                attrs.insert(name.to_string(), value.trim_end_matches('"').to_string());
            }
            rows.push(attrs);
        }
        out.insert(id, rows);
    }
    out
}

/// A figure's `<svg>`, as written.
fn svg_of<'a>(html: &'a str, figure: &str) -> &'a str {
    let at = html
        .find(&format!("data-figure=\"{figure}\""))
        .unwrap_or_else(|| panic!("no figure {figure}"));
    let rest = &html[at..];
    let start = rest
        .find("<svg")
        .unwrap_or_else(|| panic!("{figure} has no chart"));
    let end = rest.find("</svg>").unwrap();
    &rest[start..end]
}

fn num(a: &Attrs, k: &str) -> Value {
    serde_json::from_str(&a[k]).unwrap_or_else(|_| panic!("{k} of {a:?} is not JSON"))
}

/// Every figure of the page against `report --json`'s document `r`.
fn check_against(html: &str, r: &Value) {
    let f = figures(html);
    for rate in ["no_show_rate", "late_cancellation_rate"] {
        for by in ["by_weekday", "by_lead_time", "by_doctor", "by_hour"] {
            let id = format!("{rate}.{by}");
            let rows = &f[&id];
            let want = r[rate][by].as_array().unwrap();
            assert_eq!(rows.len(), want.len(), "{id}: {rows:?}");
            for (row, w) in rows.iter().zip(want) {
                let key = match by {
                    "by_doctor" => w["doctor_id"].as_str().unwrap_or_default().to_string(),
                    "by_hour" => w["key"].to_string(),
                    _ => s(&w["key"]).to_string(),
                };
                assert_eq!(row["key"], key, "{id}");
                assert_eq!(num(row, "numerator"), w["numerator"], "{id} {key}");
                assert_eq!(num(row, "denominator"), w["denominator"], "{id} {key}");
                assert_eq!(num(row, "value"), w["rate"], "{id} {key}");
            }
            // The charts write each bar's count and due beside it.
            if by == "by_weekday" || by == "by_lead_time" {
                let svg = svg_of(html, &id);
                for w in want {
                    let shown = format!(" {}/{} ", w["numerator"], w["denominator"]);
                    assert!(svg.contains(&shown), "{id}: {shown} not drawn");
                }
            }
        }
        let overall = format!(
            "{} of {} visits due",
            r[rate]["numerator"], r[rate]["denominator"]
        );
        assert!(html.contains(&overall), "{rate}: {overall}");
    }
    // Utilisation: each day as the JSON has it, each doctor its days' sum.
    let days = r["utilisation"]["days"].as_array().unwrap();
    let rows = &f["utilisation.days"];
    assert_eq!(rows.len(), days.len());
    for (row, d) in rows.iter().zip(days) {
        assert_eq!(row["date"], s(&d["date"]));
        assert_eq!(row["doctor"], s(&d["doctor"]["id"]));
        assert_eq!(num(row, "booked"), d["booked_minutes"]);
        assert_eq!(num(row, "open"), d["open_minutes"]);
        assert_eq!(num(row, "value"), d["rate"]);
    }
    let mut by_doctor: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for d in days {
        let e = by_doctor
            .entry(s(&d["doctor"]["id"]).to_string())
            .or_default();
        e.0 += d["booked_minutes"].as_i64().unwrap();
        e.1 += d["open_minutes"].as_i64().unwrap();
    }
    let drawn: BTreeMap<String, (i64, i64)> = f["utilisation"]
        .iter()
        .map(|a| {
            let n = |k| num(a, k).as_i64().unwrap();
            (a["key"].clone(), (n("booked"), n("open")))
        })
        .collect();
    assert_eq!(drawn, by_doctor);
    let svg = svg_of(html, "utilisation");
    for (booked, open) in by_doctor.values() {
        assert!(
            svg.contains(&format!(" {booked}/{open} ")),
            "{booked}/{open}"
        );
    }
    // Busiest and sources.
    let busiest: Vec<(String, Value)> = r["busiest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                format!("{}-{}", s(&b["weekday"]), b["hour"]),
                b["bookings"].clone(),
            )
        })
        .collect();
    let rows: Vec<(String, Value)> = f["busiest"]
        .iter()
        .map(|a| (a["key"].clone(), num(a, "value")))
        .collect();
    assert_eq!(rows, busiest);
    let sources: Vec<(String, Value)> = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (s(&x["source"]).to_string(), x["bookings"].clone()))
        .collect();
    let rows: Vec<(String, Value)> = f["sources"]
        .iter()
        .map(|a| (a["key"].clone(), num(a, "value")))
        .collect();
    assert_eq!(rows, sources);
    // The plain figures.
    for (id, keys) in [
        ("lead_time", &["count", "median_days", "p90_days"][..]),
        (
            "messages",
            &["sent", "delivered", "failed", "confirmed_after_reminder"][..],
        ),
        ("waitlist", &["offers_made", "offers_filled"][..]),
        ("recalls", &["due", "sent", "booked"][..]),
    ] {
        let got: Vec<(String, Value)> = f[id]
            .iter()
            .map(|a| (a["key"].clone(), num(a, "value")))
            .collect();
        let want: Vec<(String, Value)> = keys
            .iter()
            .map(|k| (k.to_string(), r[id][*k].clone()))
            .collect();
        assert_eq!(got, want, "{id}");
    }
}

/// What a page may not hold: anything fetched or run, and any patient.
fn assert_alone_and_anonymous(env: &Env, html: &str) {
    let lower = html.to_lowercase();
    for banned in [
        "<script", "src=", "href=", "url(", "@import", "<link", "<img", "<iframe", "<object",
        "<embed", "http:", "https:", "//",
    ] {
        assert!(!lower.contains(banned), "the page holds {banned:?}");
    }
    assert!(!html.contains("Paciente"), "a patient's name");
    for phone in ["+5037000", "7000-0", "5037000"] {
        assert!(!html.contains(phone), "a patient's phone");
    }
    for p in env.rows("SELECT id FROM patients") {
        assert!(!html.contains(&p[0]), "a patient's ID");
    }
    // Each chart is an image with a name a screen reader reads.
    let charts = html.matches("<svg").count();
    assert_eq!(
        charts, 7,
        "utilisation, two rates by weekday and lead time, busiest, sources"
    );
    assert_eq!(html.matches("<svg viewBox=").count(), charts);
    assert_eq!(html.matches("role=\"img\" aria-label=\"").count(), charts);
}

#[test]
fn the_page_is_one_file_with_every_figure_and_nothing_fetched_or_named() {
    let env = history();
    let file = out_dir("en").join("report.html");
    let html = page(&env, &file);
    let r = env.ok(&["report", "--from", FROM, "--to", TO]);
    assert!(html.starts_with("<!doctype html>\n<html lang=\"en\">"));
    assert!(html.contains("How many did not come, by weekday"));
    check_against(&html, &r);
    assert_alone_and_anonymous(&env, &html);

    // In the clinic's language, with the same numbers.
    env.ok(&["clinic", "update", "Central", "--language", "es"]);
    let file = out_dir("es").join("informe.html");
    let html = page(&env, &file);
    assert!(html.starts_with("<!doctype html>\n<html lang=\"es\">"));
    assert!(html.contains("Cuántos no vinieron, por día de la semana"));
    assert!(html.contains("miércoles"));
    let spanish = html
        .replace(" de ", " of ")
        .replace("visitas debidas", "visits due");
    check_against(&spanish, &r);
    assert_alone_and_anonymous(&env, &html);
}

#[test]
fn the_page_is_written_whole_or_not_at_all() {
    let env = history();
    let dir = out_dir("whole");
    let file = dir.join("report.html");
    std::fs::write(&file, "old").unwrap();
    let html = page(&env, &file);
    assert!(html.trim_end().ends_with("</html>"));
    // A folder that is not there: refused, nothing left behind.
    let missing = dir.join("no/such/report.html");
    env.fails(
        &["report", "--html", missing.to_str().unwrap()],
        "INTERNAL_ERROR",
        1,
    );
    assert!(!missing.exists());
    env.refused(&["report", "--html", "/dev/null"], "VALIDATION_ERROR", 2);
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["report.html"]);
}

#[test]
fn an_empty_period_is_a_page_saying_so() {
    let mut env = Env::clinic();
    env.at("2026-06-27T14:00:00Z");
    let file = out_dir("empty").join("report.html");
    let weekend = ["--from", "2026-06-20", "--to", "2026-06-21"];
    let html = page_of(&env, &file, &weekend);
    assert!(html.contains("No appointments and no open hours"), "{html}");
    // Every figure is there, with no row and no chart.
    let f = figures(&html);
    assert_eq!(f["no_show_rate.by_weekday"], []);
    assert_eq!(f["utilisation.days"], []);
    assert_eq!(f["sources"], []);
    assert_eq!(f["lead_time"].len(), 3);
    assert!(!html.contains("<svg"));
    assert!(html.contains("0 of 0 visits due (–)"), "{html}");
}

/// Headless Chromium opens the page file at 360 and 1280 pixels: no wider
/// than the screen, the numbers read off the charts' marks and the
/// figures' rows equal to `report --json`'s, axe-core finding nothing;
/// screenshots under target/report-page/. Skipped where the browser or
/// axe-core is missing, but never under CI.
#[test]
fn a_real_browser_reads_the_charts_numbers_at_a_phones_and_a_desktops_width() {
    let Some(crate::booking_page::Browser { python, axe }) = crate::booking_page::browser() else {
        return;
    };
    let env = history();
    let dir = out_dir("browser");
    let file = dir.join("report.html");
    page(&env, &file);
    let json = dir.join("report.json");
    let r = env.ok(&["report", "--from", FROM, "--to", TO]);
    std::fs::write(&json, r.to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/report.py");
    let out = std::process::Command::new(python)
        .arg(&script)
        .arg(&file)
        .arg(&json)
        .arg(&dir)
        .env("APPT_AXE", axe)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for width in [360, 1280] {
        assert!(said.contains(&format!("{width}: ok")), "{said}");
        assert!(dir.join(format!("report-{width}.png")).exists());
    }
}
