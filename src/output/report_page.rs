//! The report as one page (`appt report --html FILE`, `GET /reports`;
//! docs/reports.md#the-page): self-contained HTML in the clinic's language,
//! its style inline, its charts inline SVG ([`super::charts`]), no script
//! and nothing fetched. Every number is taken from `appt report --json`'s
//! document, so the page and the JSON cannot disagree: each figure is a
//! `<figure data-figure="…">` named by its JSON path, its table's rows
//! carrying the key and the numbers as `data-` attributes, and each chart
//! writes the same numbers beside its marks. Rendered from
//! `pages/report.html` with minijinja, which escapes every value; a report
//! names no patient, so neither does the page.

use super::charts::{self, Bar};
use super::lang::{text_in, Lang};
use super::report_compare::{self, percent};
use crate::app::report::Report;
use minijinja::{context, Environment, Value as Ctx};
use serde::Serialize;
use serde_json::Value;
use std::sync::LazyLock;

static PAGE: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.add_template("report.css", include_str!("pages/report.css"))
        .expect("the report's style sheet parses");
    env.add_template("report.html", include_str!("pages/report.html"))
        .expect("the report page's template parses");
    env
});

/// One figure: its JSON path, heading, chart (SVG, already escaped by
/// plotters and [`charts`]) and table.
#[derive(Serialize, Default)]
struct Figure {
    id: String,
    heading: String,
    /// A line under the heading (a total, an overall rate).
    lead: Option<String>,
    svg: Option<String>,
    columns: Vec<String>,
    rows: Vec<Row>,
    /// The table folded under its heading (a long one beside its chart).
    folded: bool,
}

/// A table row: its cells as shown, and `data-<name>="<value>"` pairs
/// holding the JSON's numbers.
#[derive(Serialize)]
struct Row {
    attrs: Vec<(String, String)>,
    cells: Vec<String>,
}

/// A plain figure (lead time, reminders, recalls): a list of named numbers.
#[derive(Serialize)]
struct Facts {
    id: &'static str,
    heading: String,
    items: Vec<Fact>,
}

#[derive(Serialize)]
struct Fact {
    key: &'static str,
    label: String,
    /// The JSON's value as JSON text (`3`, `null`).
    value: String,
    shown: String,
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

/// A value as its JSON text, for a `data-` attribute.
fn raw(v: &Value) -> String {
    v.to_string()
}

fn words(lang: Lang, id: &str) -> String {
    text_in(lang, id).to_string()
}

/// The page of report `r`.
pub fn page(r: &Report) -> String {
    let lang = r.clinic.settings.language;
    let doc = super::json::report(r);
    let t = |id: &str| words(lang, id);
    let title = crate::text::msg!(
        "rp-title",
        clinic = r.clinic.name.clone(),
        from = r.from,
        to = r.to
    )
    .render(lang);
    let nothing = doc["sources"].as_array().is_none_or(|a| a.is_empty())
        && doc["utilisation"]["days"]
            .as_array()
            .is_none_or(|a| a.is_empty());
    let late_counted = r.clinic.settings.cancel_window > 0;
    let mut figures: Vec<Figure> = compared(r, lang, &doc).into_iter().collect();
    figures.extend([utilisation(lang, &doc), utilisation_days(lang, &doc)]);
    if doc["rooms"].as_array().is_some_and(|a| !a.is_empty()) {
        figures.push(rooms(lang, &doc));
    }
    for (rate, heading) in [
        ("no_show_rate", "rp-h_no_show"),
        ("late_cancellation_rate", "rp-h_late"),
    ] {
        // Without a cancellation window no cancellation is late: why, not 0.0%.
        if rate == "late_cancellation_rate" && !late_counted {
            figures.push(Figure {
                id: format!("{rate}.overall"),
                heading: words(lang, heading),
                lead: Some(format!("— {}", words(lang, "rp-no_cancel_window"))),
                ..Figure::default()
            });
            continue;
        }
        figures.extend(rates(lang, &doc, rate, heading));
    }
    figures.push(busiest(lang, &doc));
    figures.push(sources(lang, &doc));
    let facts = facts(lang, &doc);
    let scope = match (&r.doctor, &r.service_id) {
        (None, None) => None,
        _ => Some(
            [
                r.doctor.as_ref().map(|d| d.full_name.clone()),
                r.service_id.as_ref().map(|_| t("rp-one_service")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
        ),
    };
    render(context! {
        lang => match lang { Lang::En => "en", Lang::Es => "es" },
        title => title,
        clinic => &r.clinic.name,
        scope => scope,
        timezone => r.clinic.timezone.name(),
        timezone_label => t("rp-timezone"),
        nothing => nothing.then(|| t("rp-nothing")),
        figures => figures,
        facts => facts,
        no_patient => t("rp-no_patient"),
        show_table => t("rp-show_table"),
    })
}

/// The figures beside the period before's (`previous`): a table whose
/// rows carry both values from the JSON; None without a period before.
fn compared(r: &Report, lang: Lang, doc: &Value) -> Option<Figure> {
    let before = r.previous.as_ref()?;
    let rows = report_compare::rows(doc, lang, r.clinic.settings.cancel_window > 0);
    let heading = crate::text::msg!("rp-compared", from = before.from, to = before.to).render(lang);
    Some(Figure {
        id: "previous".into(),
        heading,
        columns: ["col-Figure", "col-This_period", "col-Before", "col-Change"]
            .map(|c| words(lang, c))
            .to_vec(),
        rows: rows
            .into_iter()
            .map(|c| {
                let [now, then, change] = c.shown;
                Row {
                    attrs: vec![
                        ("key".into(), c.key.to_string()),
                        ("value".into(), raw(&c.now)),
                        ("before".into(), raw(&c.before)),
                    ],
                    cells: vec![c.label, now, then, change],
                }
            })
            .collect(),
        ..Figure::default()
    })
}

/// A rate's row: key, numerator, denominator, rate.
fn rate_row(key: String, label: String, x: &Value) -> Row {
    Row {
        attrs: vec![
            ("key".into(), key),
            ("numerator".into(), raw(&x["numerator"])),
            ("denominator".into(), raw(&x["denominator"])),
            ("value".into(), raw(&x["rate"])),
        ],
        cells: vec![
            label,
            int(&x["numerator"]).to_string(),
            int(&x["denominator"]).to_string(),
            percent(&x["rate"]),
        ],
    }
}

/// A rate as drawn beside its bar: `1/4 25.0%`.
fn rate_bar(label: String, x: &Value) -> Bar {
    Bar {
        label,
        value: x["rate"].as_f64().unwrap_or(0.0),
        shown: format!(
            "{}/{} {}",
            int(&x["numerator"]),
            int(&x["denominator"]),
            percent(&x["rate"])
        ),
    }
}

/// Utilisation by doctor: the JSON's days summed per doctor, drawn as bars.
fn utilisation(lang: Lang, doc: &Value) -> Figure {
    let u = &doc["utilisation"];
    let mut by: Vec<(String, String, i64, i64)> = Vec::new();
    for d in u["days"].as_array().into_iter().flatten() {
        let id = d["doctor"]["id"].as_str().unwrap_or_default();
        let (b, o) = (int(&d["booked_minutes"]), int(&d["open_minutes"]));
        match by.iter_mut().find(|x| x.0 == id) {
            Some(x) => {
                x.2 += b;
                x.3 += o;
            }
            None => by.push((
                id.to_string(),
                d["doctor"]["name"].as_str().unwrap_or_default().to_string(),
                b,
                o,
            )),
        }
    }
    by.sort_by(|a, b| a.1.cmp(&b.1));
    let share = |b: i64, o: i64| (o > 0).then(|| b as f64 / o as f64);
    let heading = words(lang, "rp-h_utilisation");
    let bars: Vec<Bar> = by
        .iter()
        .map(|(_, name, b, o)| Bar {
            label: name.clone(),
            value: share(*b, *o).unwrap_or(0.0).min(1.5),
            shown: format!(
                "{b}/{o} {}",
                percent(&share(*b, *o).map_or(Value::Null, Value::from))
            ),
        })
        .collect();
    Figure {
        id: "utilisation".into(),
        lead: Some(
            crate::text::msg!(
                "rp-utilisation",
                a = int(&u["booked_minutes"]),
                b = int(&u["open_minutes"]),
                c = percent(&u["rate"])
            )
            .render(lang),
        ),
        svg: (!bars.is_empty()).then(|| charts::bars(&heading, &bars, 1.0)),
        columns: ["rp-c_doctor", "rp-c_booked", "rp-c_open", "rp-c_use"]
            .map(|c| words(lang, c))
            .to_vec(),
        rows: by
            .iter()
            .map(|(id, name, b, o)| Row {
                attrs: vec![
                    ("key".into(), id.clone()),
                    ("booked".into(), b.to_string()),
                    ("open".into(), o.to_string()),
                ],
                cells: vec![
                    name.clone(),
                    b.to_string(),
                    o.to_string(),
                    percent(&share(*b, *o).map_or(Value::Null, Value::from)),
                ],
            })
            .collect(),
        heading,
        folded: false,
    }
}

/// Every doctor's day, as in the JSON, folded.
fn utilisation_days(lang: Lang, doc: &Value) -> Figure {
    let days = doc["utilisation"]["days"].as_array();
    Figure {
        id: "utilisation.days".into(),
        heading: words(lang, "rp-days"),
        columns: [
            "rp-c_date",
            "rp-c_doctor",
            "rp-c_booked",
            "rp-c_open",
            "rp-c_use",
        ]
        .map(|c| words(lang, c))
        .to_vec(),
        rows: days
            .into_iter()
            .flatten()
            .map(|d| Row {
                attrs: vec![
                    ("date".into(), d["date"].as_str().unwrap_or_default().into()),
                    (
                        "doctor".into(),
                        d["doctor"]["id"].as_str().unwrap_or_default().into(),
                    ),
                    ("booked".into(), raw(&d["booked_minutes"])),
                    ("open".into(), raw(&d["open_minutes"])),
                    ("value".into(), raw(&d["rate"])),
                ],
                cells: vec![
                    d["date"].as_str().unwrap_or_default().into(),
                    d["doctor"]["name"].as_str().unwrap_or_default().into(),
                    int(&d["booked_minutes"]).to_string(),
                    int(&d["open_minutes"]).to_string(),
                    percent(&d["rate"]),
                ],
            })
            .collect(),
        folded: true,
        ..Figure::default()
    }
}

/// Each room's and machine's use (docs/reports.md#rooms), as in the JSON:
/// bars of minutes held out of its places' minutes open, and their table.
fn rooms(lang: Lang, doc: &Value) -> Figure {
    let rooms: Vec<&Value> = doc["rooms"].as_array().into_iter().flatten().collect();
    let heading = words(lang, "rp-h_rooms");
    let name = |x: &Value| x["name"].as_str().unwrap_or_default().to_string();
    let used = |x: &Value| {
        format!(
            "{}/{} {}",
            int(&x["booked_minutes"]),
            int(&x["open_minutes"]),
            percent(&x["rate"])
        )
    };
    let bars: Vec<Bar> = rooms
        .iter()
        .map(|x| Bar {
            label: name(x),
            value: x["rate"].as_f64().unwrap_or(0.0).min(1.5),
            shown: used(x),
        })
        .collect();
    Figure {
        id: "rooms".into(),
        svg: Some(charts::bars(&heading, &bars, 1.0)),
        columns: ["rp-c_room", "rp-c_booked", "rp-c_open", "rp-c_use"]
            .map(|c| words(lang, c))
            .to_vec(),
        rows: rooms
            .iter()
            .map(|x| Row {
                attrs: vec![
                    ("key".into(), x["id"].as_str().unwrap_or_default().into()),
                    ("booked".into(), raw(&x["booked_minutes"])),
                    ("open".into(), raw(&x["open_minutes"])),
                    ("value".into(), raw(&x["rate"])),
                ],
                cells: vec![
                    name(x),
                    int(&x["booked_minutes"]).to_string(),
                    int(&x["open_minutes"]).to_string(),
                    percent(&x["rate"]),
                ],
            })
            .collect(),
        heading,
        ..Figure::default()
    }
}

/// A rate's label for its key in a breakdown: a weekday's name, an hour,
/// a lead time's words, a doctor's name.
fn key_label(lang: Lang, by: &str, x: &Value) -> (String, String) {
    match by {
        "by_doctor" => {
            let id = x["doctor_id"].as_str().unwrap_or_default().to_string();
            let name = match x["doctor"].as_str().unwrap_or_default() {
                "" => words(lang, "h-clinic_wide_title"),
                n => n.to_string(),
            };
            (id, name)
        }
        "by_weekday" => {
            let key = x["key"].as_str().unwrap_or_default();
            let i = crate::core::report::WEEKDAYS
                .iter()
                .position(|w| *w == key)
                .unwrap_or(0);
            (
                key.to_string(),
                crate::core::message::weekday_name(lang, i).to_string(),
            )
        }
        "by_hour" => {
            let h = int(&x["key"]);
            (h.to_string(), format!("{h:02}:00"))
        }
        _ => {
            let key = x["key"].as_str().unwrap_or_default();
            (key.to_string(), words(lang, &format!("lead-{key}")))
        }
    }
}

/// A rate's figures: by weekday and by lead time drawn, by doctor and by
/// hour as tables; the overall rate above them.
fn rates(lang: Lang, doc: &Value, rate: &str, heading: &str) -> Vec<Figure> {
    let x = &doc[rate];
    let name = words(lang, heading);
    let overall = crate::text::msg!(
        "rp-rate_overall",
        a = int(&x["numerator"]),
        b = int(&x["denominator"]),
        c = percent(&x["rate"])
    )
    .render(lang);
    let mut out = Vec::new();
    for (by, by_id, column, drawn) in [
        ("by_weekday", "rp-by_weekday", "rp-c_weekday", true),
        ("by_lead_time", "rp-by_lead_time", "rp-c_lead", true),
        ("by_doctor", "rp-by_doctor", "rp-c_doctor", false),
        ("by_hour", "rp-by_hour", "rp-c_hour", false),
    ] {
        let items: Vec<(String, String, &Value)> = x[by]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| {
                let (k, l) = key_label(lang, by, i);
                (k, l, i)
            })
            .collect();
        let heading =
            crate::text::msg!("rp-chart", a = name.clone(), b = words(lang, by_id)).render(lang);
        let bars: Vec<Bar> = items
            .iter()
            .map(|(_, l, i)| rate_bar(l.clone(), i))
            .collect();
        out.push(Figure {
            id: format!("{rate}.{by}"),
            lead: (by == "by_weekday").then(|| overall.clone()),
            svg: (drawn && !bars.is_empty()).then(|| charts::bars(&heading, &bars, 1.0)),
            heading,
            columns: [column, "rp-c_count", "rp-c_due", "rp-c_rate"]
                .map(|c| words(lang, c))
                .to_vec(),
            rows: items
                .into_iter()
                .map(|(k, l, i)| rate_row(k, l, i))
                .collect(),
            folded: drawn,
        });
    }
    out
}

/// Bookings by weekday × hour, drawn as a heatmap over the hours with any.
fn busiest(lang: Lang, doc: &Value) -> Figure {
    let cells: Vec<(usize, u32, i64)> = doc["busiest"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|b| {
            let d = crate::core::report::WEEKDAYS
                .iter()
                .position(|w| Some(*w) == b["weekday"].as_str())
                .unwrap_or(0);
            (d, int(&b["hour"]) as u32, int(&b["bookings"]))
        })
        .collect();
    let heading = words(lang, "rp-busiest");
    let first = cells.iter().map(|c| c.1).min();
    let last = cells.iter().map(|c| c.1).max();
    let days: [&str; 7] = std::array::from_fn(|i| {
        let name = crate::core::message::weekday_name(lang, i);
        &name[..name.char_indices().nth(3).map_or(name.len(), |(i, _)| i)]
    });
    let svg = first.zip(last).map(|(a, b)| {
        charts::heatmap(&heading, &days, (a, b), |d, h| {
            cells
                .iter()
                .find(|c| c.0 == d && c.1 == h)
                .map_or(0, |c| c.2)
        })
    });
    Figure {
        id: "busiest".into(),
        svg,
        columns: ["rp-c_weekday", "rp-c_hour", "rp-c_bookings"]
            .map(|c| words(lang, c))
            .to_vec(),
        rows: cells
            .iter()
            .map(|&(d, h, n)| Row {
                attrs: vec![
                    (
                        "key".into(),
                        format!("{}-{h}", crate::core::report::WEEKDAYS[d]),
                    ),
                    ("value".into(), n.to_string()),
                ],
                cells: vec![
                    crate::core::message::weekday_name(lang, d).to_string(),
                    format!("{h:02}:00"),
                    n.to_string(),
                ],
            })
            .collect(),
        heading,
        folded: true,
        ..Figure::default()
    }
}

/// Bookings by source, drawn, and what became of them.
/// A booking source as the page's reader says it (`web`: `página web`);
/// the JSON's code stays in the row's `data-key`.
fn source_word(lang: Lang, s: &Value) -> String {
    words(
        lang,
        &format!("source-{}", s["source"].as_str().unwrap_or_default()),
    )
}

fn sources(lang: Lang, doc: &Value) -> Figure {
    let all: Vec<&Value> = doc["sources"].as_array().into_iter().flatten().collect();
    let heading = words(lang, "rp-sources");
    let most = all.iter().map(|s| int(&s["bookings"])).max().unwrap_or(0);
    let bars: Vec<Bar> = all
        .iter()
        .map(|s| Bar {
            label: source_word(lang, s),
            value: int(&s["bookings"]) as f64,
            shown: int(&s["bookings"]).to_string(),
        })
        .collect();
    let statuses = ["completed", "no_show", "cancelled"];
    let mut columns = vec![words(lang, "rp-c_source"), words(lang, "rp-c_bookings")];
    columns.extend(statuses.map(|s| words(lang, &format!("status-{s}"))));
    Figure {
        id: "sources".into(),
        svg: (!bars.is_empty()).then(|| charts::bars(&heading, &bars, most as f64)),
        columns,
        rows: all
            .iter()
            .map(|s| {
                let mut cells = vec![source_word(lang, s), int(&s["bookings"]).to_string()];
                cells.extend(statuses.map(|k| int(&s["by_status"][k]).to_string()));
                Row {
                    attrs: vec![
                        (
                            "key".into(),
                            s["source"].as_str().unwrap_or_default().into(),
                        ),
                        ("value".into(), raw(&s["bookings"])),
                    ],
                    cells,
                }
            })
            .collect(),
        heading,
        folded: false,
        ..Figure::default()
    }
}

/// The plain figures: each the JSON's key, its heading, and its numbers
/// by their keys with their labels.
type Plain = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const PLAIN: [Plain; 4] = [
    (
        "lead_time",
        "rp-h_lead_time",
        &[
            ("count", "rp-lt_count"),
            ("median_days", "rp-lt_median"),
            ("p90_days", "rp-lt_p90"),
        ],
    ),
    (
        "messages",
        "rp-h_messages",
        &[
            ("sent", "rp-m_sent"),
            ("delivered", "rp-m_delivered"),
            ("failed", "rp-m_failed"),
            ("confirmed_after_reminder", "rp-m_confirmed"),
        ],
    ),
    (
        "waitlist",
        "rp-h_waitlist",
        &[
            ("offers_made", "rp-w_made"),
            ("offers_filled", "rp-w_filled"),
        ],
    ),
    (
        "recalls",
        "rp-h_recalls",
        &[
            ("due", "rp-r_due"),
            ("sent", "rp-r_sent"),
            ("booked", "rp-r_booked"),
        ],
    ),
];

/// Lead time, reminders, the waitlist and recalls: named numbers.
fn facts(lang: Lang, doc: &Value) -> Vec<Facts> {
    PLAIN
        .iter()
        .map(|(id, heading, items)| Facts {
            id,
            heading: words(lang, heading),
            items: items
                .iter()
                .map(|(key, label)| {
                    let v = &doc[*id][*key];
                    Fact {
                        key,
                        label: words(lang, label),
                        value: raw(v),
                        shown: v.as_i64().map_or("–".to_string(), |n| n.to_string()),
                    }
                })
                .collect(),
        })
        .collect()
}

fn render(ctx: Ctx) -> String {
    PAGE.get_template("report.html")
        .and_then(|t| t.render(ctx))
        .unwrap_or_else(|e| format!("<!doctype html><title>appt</title><p>{}</p>", e.kind()))
}
