//! A report's figures beside the period before's
//! (docs/reports.md#beside-the-previous-period): one row per figure as a
//! whole, read from `appt report --json`'s document, its top level and its
//! `previous`, so the terminal and the page show the same numbers and the
//! same change.

use super::lang::{text_in, Lang};
use crate::core::report::change_in_points;
use serde_json::Value;

/// How a figure reads, and how its change is said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A count: its change in the same units (`+3`).
    Count,
    /// A rate: a percentage, its change in percentage points.
    Rate,
    /// A number of days that may be missing (a median).
    Days,
}

/// The figures compared, in order: each one's path in the document (and in
/// its `previous`), its label's message ID and its kind.
const FIGURES: [(&str, &str, Kind); 8] = [
    ("bookings", "rp-x_bookings", Kind::Count),
    ("utilisation.rate", "rp-x_utilisation", Kind::Rate),
    ("no_show_rate.rate", "rp-x_no_show", Kind::Rate),
    ("late_cancellation_rate.rate", "rp-x_late", Kind::Rate),
    ("lead_time.median_days", "rp-x_lead", Kind::Days),
    ("messages.sent", "rp-x_sent", Kind::Count),
    ("waitlist.offers_filled", "rp-x_filled", Kind::Count),
    ("recalls.booked", "rp-x_recalled", Kind::Count),
];

/// One figure beside the period before's.
pub struct Compared {
    /// Its path in the JSON document.
    pub key: &'static str,
    pub label: String,
    /// The JSON's values, this period's and the one before's.
    pub now: Value,
    pub before: Value,
    /// This period, the one before and the change, as shown.
    pub shown: [String; 3],
}

/// `0.25` as `25.0%`, `null` as `–`.
pub(crate) fn percent(v: &Value) -> String {
    v.as_f64()
        .map_or("–".to_string(), |x| format!("{:.1}%", x * 100.0))
}

fn at<'a>(doc: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(doc, |v, k| &v[k])
}

fn shown(kind: Kind, v: &Value) -> String {
    match kind {
        Kind::Rate => percent(v),
        Kind::Count | Kind::Days => v.as_i64().map_or("–".to_string(), |n| n.to_string()),
    }
}

fn change(kind: Kind, now: &Value, before: &Value, lang: Lang) -> String {
    // `+3`, `-2`, `0`: no sign on nothing (nor on `-0.0`).
    let signed = |x: String| match x.as_str() {
        "+0" | "+0.0" | "-0.0" => x[1..].to_string(),
        _ => x,
    };
    match kind {
        Kind::Rate => change_in_points(now.as_f64(), before.as_f64())
            .map_or("–".to_string(), |p| {
                crate::text::msg!("rp-points", n = signed(format!("{p:+.1}"))).render(lang)
            }),
        Kind::Count | Kind::Days => match (now.as_i64(), before.as_i64()) {
            (Some(a), Some(b)) => signed(format!("{:+}", a - b)),
            _ => "–".to_string(),
        },
    }
}

/// The figures of report document `doc` beside its `previous`'s, in the
/// language `lang`; empty when it has none. Where no cancellation is
/// counted late (`late_counted` false: the clinic has no cancellation
/// window), that figure shows `—` in each column, as the rest of the
/// report does.
pub fn rows(doc: &Value, lang: Lang, late_counted: bool) -> Vec<Compared> {
    let before = &doc["previous"];
    if !before.is_object() {
        return Vec::new();
    }
    FIGURES
        .iter()
        .map(|&(key, label, kind)| {
            let (a, b) = (at(doc, key).clone(), at(before, key).clone());
            let shown = if key.starts_with("late_") && !late_counted {
                ["—", "—", "—"].map(String::from)
            } else {
                [shown(kind, &a), shown(kind, &b), change(kind, &a, &b, lang)]
            };
            Compared {
                key,
                label: text_in(lang, label).to_string(),
                now: a,
                before: b,
                shown,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_figure_beside_the_one_before_with_its_change() {
        let doc = json!({
            "bookings": 12, "utilisation": {"rate": 0.5}, "no_show_rate": {"rate": 0.1},
            "late_cancellation_rate": {"rate": null}, "lead_time": {"median_days": 3},
            "messages": {"sent": 4}, "waitlist": {"offers_filled": 0}, "recalls": {"booked": 1},
            "previous": {
                "bookings": 15, "utilisation": {"rate": 0.375}, "no_show_rate": {"rate": 0.1},
                "late_cancellation_rate": {"rate": 0.2}, "lead_time": {"median_days": null},
                "messages": {"sent": 1}, "waitlist": {"offers_filled": 0}, "recalls": {"booked": 0}
            }
        });
        let got: Vec<[String; 3]> = rows(&doc, Lang::En, true)
            .into_iter()
            .map(|c| c.shown)
            .collect();
        let want = [
            ["12", "15", "-3"],
            ["50.0%", "37.5%", "+12.5 pt"],
            ["10.0%", "10.0%", "0.0 pt"],
            ["–", "20.0%", "–"],
            ["3", "–", "–"],
            ["4", "1", "+3"],
            ["0", "0", "0"],
            ["1", "0", "+1"],
        ]
        .map(|r| r.map(String::from));
        assert_eq!(got, want);
        let es = rows(&doc, Lang::Es, false);
        assert_eq!(es[1].shown[2], "+12.5 p. p.");
        assert_eq!(es[3].shown, ["—", "—", "—"].map(String::from));
        assert!(rows(&json!({"bookings": 1}), Lang::En, true).is_empty());
    }
}
