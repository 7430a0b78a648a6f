//! `appt report`'s human output (docs/reports.md): plain tables fitted to
//! the terminal, in the clinic's language. Charts come later.

use super::clean;
use crate::app::report::Report;
use crate::core::report::{Rate, LEADS};
use crate::output::fit::{col, text, Sheet, Step};
use crate::output::lang::{self, tr};

/// A rate as `3/40 7.5%`, or `0/0 –` when nothing was due.
fn shown(r: &Rate) -> String {
    match r.rate() {
        Some(x) => format!("{}/{} {:.1}%", r.numerator, r.denominator, x * 100.0),
        None => format!("{}/{} –", r.numerator, r.denominator),
    }
}

fn percent(num: i64, den: i64) -> String {
    Rate {
        numerator: num,
        denominator: den,
    }
    .rate()
    .map_or("–".to_string(), |x| format!("{:.1}%", x * 100.0))
}

fn utilisation(r: &Report) -> String {
    let booked: i64 = r.utilisation.iter().map(|d| d.booked).sum();
    let open: i64 = r.utilisation.iter().map(|d| d.open).sum();
    let mut out = tr!(
        "rp-utilisation",
        a = booked,
        b = open,
        c = percent(booked, open)
    );
    if r.utilisation.is_empty() {
        return out;
    }
    let mut t = Sheet::new(vec![
        col("Date"),
        text("Doctor", 10),
        col("Booked"),
        col("Open"),
        col("Use"),
    ]);
    for d in &r.utilisation {
        t.row(vec![
            format!(
                "{} {}",
                lang::weekday_short(crate::core::report::weekday(d.date)),
                d.date
            )
            .into(),
            clean(&d.doctor_name).into(),
            d.booked.to_string().into(),
            d.open.to_string().into(),
            percent(d.booked, d.open).into(),
        ]);
    }
    out.push('\n');
    out.push_str(&t.render());
    out
}

fn rates(r: &Report) -> String {
    let f = &r.figures;
    let mut t = Sheet::new(vec![text("Group", 10), col("No-shows"), col("Late")]);
    let mut row = |label: String, a: Option<&Rate>, b: Option<&Rate>| {
        let none = Rate::default();
        t.row(vec![
            label.into(),
            shown(a.unwrap_or(&none)).into(),
            shown(b.unwrap_or(&none)).into(),
        ]);
    };
    let (ns, lc) = (&f.no_show, &f.late_cancellation);
    row(tr!("rp-overall"), Some(&ns.overall), Some(&lc.overall));
    let doctors: std::collections::BTreeSet<&String> =
        ns.by_doctor.keys().chain(lc.by_doctor.keys()).collect();
    for d in doctors {
        let name = match r.doctor_name(d) {
            "" => tr!("h-clinic_wide_title"),
            n => clean(n),
        };
        row(name, ns.by_doctor.get(d), lc.by_doctor.get(d));
    }
    for i in 0..7 {
        if ns.by_weekday.contains_key(&i) || lc.by_weekday.contains_key(&i) {
            row(
                lang::weekday(i).to_string(),
                ns.by_weekday.get(&i),
                lc.by_weekday.get(&i),
            );
        }
    }
    for h in 0..24 {
        if ns.by_hour.contains_key(&h) || lc.by_hour.contains_key(&h) {
            row(format!("{h:02}:00"), ns.by_hour.get(&h), lc.by_hour.get(&h));
        }
    }
    for (i, l) in LEADS.iter().enumerate() {
        if ns.by_lead.contains_key(&i) || lc.by_lead.contains_key(&i) {
            row(
                lang::t(&format!("lead-{l}")).to_string(),
                ns.by_lead.get(&i),
                lc.by_lead.get(&i),
            );
        }
    }
    t.render()
}

fn busiest(r: &Report) -> String {
    let mut top: Vec<_> = r.figures.busiest.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut t = Sheet::new(vec![col("Day"), col("Hour"), col("Bookings")]);
    for ((d, h), n) in top.into_iter().take(5) {
        t.row(vec![
            lang::weekday(*d).into(),
            format!("{h:02}:00").into(),
            n.to_string().into(),
        ]);
    }
    t.render()
}

fn sources(r: &Report) -> String {
    let mut t = Sheet::new(vec![
        text("Source", 6),
        col("Bookings"),
        col("Done"),
        col("No-shows"),
        col("Cancelled"),
    ])
    .steps(&[Step::Drop("Cancelled")]);
    for (s, by) in &r.figures.sources {
        let n = |k: &str| by.get(k).copied().unwrap_or(0).to_string();
        t.row(vec![
            clean(s).into(),
            by.values().sum::<i64>().to_string().into(),
            n("completed").into(),
            n("no_show").into(),
            n("cancelled").into(),
        ]);
    }
    t.render()
}

/// `appt report`.
pub fn report(r: &Report) -> String {
    let f = &r.figures;
    let mut parts = vec![tr!(
        "rp-title",
        clinic = clean(&r.clinic.name),
        from = r.from.to_string(),
        to = r.to.to_string()
    )];
    if f.sources.is_empty() && r.utilisation.is_empty() {
        parts.push(tr!("rp-nothing"));
        return parts.join("\n\n");
    }
    parts.push(utilisation(r));
    parts.push(format!("{}\n{}", tr!("rp-rates"), rates(r)));
    let lead = &f.lead_time;
    parts.push(tr!(
        "rp-lead_time",
        n = lead.count,
        a = lead.median.map_or("–".to_string(), |x| x.to_string()),
        b = lead.p90.map_or("–".to_string(), |x| x.to_string())
    ));
    if !f.busiest.is_empty() {
        parts.push(format!("{}\n{}", tr!("rp-busiest"), busiest(r)));
    }
    if !f.sources.is_empty() {
        parts.push(format!("{}\n{}", tr!("rp-sources"), sources(r)));
    }
    let m = &r.messages;
    parts.push(tr!(
        "rp-messages",
        a = m.sent,
        b = m.delivered,
        c = m.failed,
        d = m.confirmed_after
    ));
    parts.push(tr!(
        "rp-recalls",
        a = r.recalls.due,
        b = r.recalls.sent,
        c = r.recalls.booked
    ));
    let width = crate::output::fit::message_width();
    parts
        .iter()
        .map(|p| match p.contains('\n') {
            true => p.clone(),
            false => crate::output::fit::wrap_lines(p, width),
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}
