//! `appt report`'s human output (docs/reports.md#human-output): pictures
//! beside the numbers they draw — a bar and a sparkline of the days per
//! doctor, bars in the rates' table, a weekday × hour heatmap, bars of the
//! sources — fitted to the terminal's width (80 columns and up), in the
//! clinic's language, in block characters without colour (so they read
//! with `NO_COLOR`).

use super::chart::{bar, shade, shade_floors, sparkline, squeeze};
use super::clean;
use crate::app::report::Report;
use crate::core::report::{Rate, LEADS};
use crate::output::fit::{ellipsis, text, Sheet, Step};
use crate::output::lang::{self, tr};
use crate::output::report_compare;
use std::collections::BTreeMap;
use unicode_width::UnicodeWidthStr;

/// The width the pictures fit: the terminal's (or `--width`, `$COLUMNS`),
/// 80 off a terminal, never under 80 (docs/reports.md#human-output).
fn chart_width() -> usize {
    crate::output::fit::width().unwrap_or(80).max(80)
}

fn percent(num: i64, den: i64) -> String {
    Rate {
        numerator: num,
        denominator: den,
    }
    .rate()
    .map_or("–".to_string(), |x| format!("{:.1}%", x * 100.0))
}

/// `s` cut or padded to exactly `w` columns.
fn pad(s: &str, w: usize) -> String {
    let s = ellipsis(s, w);
    let gap = w.saturating_sub(s.width());
    format!("{s}{}", " ".repeat(gap))
}

/// A doctor's minutes booked and open over the period, and each day's share.
type Doctor = (i64, i64, Vec<Option<f64>>);

/// Per doctor: the period's minutes booked over open as a bar, then a
/// sparkline of each day's share (`·` a day with nothing open).
fn utilisation(r: &Report, width: usize) -> String {
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
    let days = (r.to - r.from).num_days() as usize + 1;
    // name · bar · share · minutes · sparkline
    let mut per: BTreeMap<(&str, &str), Doctor> = BTreeMap::new();
    for d in &r.utilisation {
        let e = per
            .entry((d.doctor_name.as_str(), d.doctor_id.as_str()))
            .or_insert_with(|| (0, 0, vec![None; days]));
        e.0 += d.booked;
        e.1 += d.open;
        let i = (d.date - r.from).num_days() as usize;
        e.2[i] = (d.open > 0).then(|| d.booked as f64 / d.open as f64);
    }
    let name_w = 16;
    let minutes_w = per
        .values()
        .map(|(b, o, _)| format!("{b}/{o}").len())
        .max()
        .unwrap_or(0);
    let bar_w = 12;
    let spark_w = width.saturating_sub(name_w + bar_w + 7 + minutes_w + 4);
    let mut per_mark = 1;
    for ((name, _), (b, o, spark)) in &per {
        let (days_a_mark, squeezed) = squeeze(spark, spark_w);
        per_mark = days_a_mark;
        let share = if *o > 0 { *b as f64 / *o as f64 } else { 0.0 };
        out.push_str(&format!(
            "\n{} {} {:>6} {:>minutes_w$} {}",
            pad(&clean(name), name_w),
            bar(share, bar_w),
            percent(*b, *o),
            format!("{b}/{o}"),
            sparkline(&squeezed)
        ));
    }
    let caption = tr!("rp-spark", n = per_mark, from = r.from, to = r.to);
    out.push('\n');
    out.push_str(&crate::output::fit::wrap_lines(&caption, Some(width)));
    out
}

/// A rate's cell: `count/due share` aligned, then its bar.
struct RateCell {
    num_w: usize,
    den_w: usize,
    bar_w: usize,
}

impl RateCell {
    fn show(&self, r: &Rate) -> String {
        format!(
            "{:>nw$}/{:<dw$} {:>6} {}",
            r.numerator,
            r.denominator,
            percent(r.numerator, r.denominator),
            bar(r.rate().unwrap_or(0.0), self.bar_w),
            nw = self.num_w,
            dw = self.den_w
        )
    }
}

fn rates(r: &Report, width: usize) -> String {
    let f = &r.figures;
    let (ns, lc) = (&f.no_show, &f.late_cancellation);
    let all = [ns, lc];
    let digits = |x: i64| x.to_string().len();
    let num_w = all
        .iter()
        .map(|x| digits(x.overall.numerator))
        .max()
        .unwrap_or(1);
    let den_w = all
        .iter()
        .map(|x| digits(x.overall.denominator))
        .max()
        .unwrap_or(1);
    let mut labels: Vec<(String, Option<&Rate>, Option<&Rate>)> =
        vec![(tr!("rp-overall"), Some(&ns.overall), Some(&lc.overall))];
    let doctors: std::collections::BTreeSet<(&str, &String)> = ns
        .by_doctor
        .keys()
        .chain(lc.by_doctor.keys())
        .map(|d| (r.doctor_name(d), d))
        .collect();
    for (name, d) in doctors {
        let name = match name {
            "" => tr!("h-clinic_wide_title"),
            n => clean(n),
        };
        labels.push((name, ns.by_doctor.get(d), lc.by_doctor.get(d)));
    }
    for i in 0..7 {
        if ns.by_weekday.contains_key(&i) || lc.by_weekday.contains_key(&i) {
            labels.push((
                lang::weekday(i).to_string(),
                ns.by_weekday.get(&i),
                lc.by_weekday.get(&i),
            ));
        }
    }
    for h in 0..24 {
        if ns.by_hour.contains_key(&h) || lc.by_hour.contains_key(&h) {
            labels.push((format!("{h:02}:00"), ns.by_hour.get(&h), lc.by_hour.get(&h)));
        }
    }
    for (i, l) in LEADS.iter().enumerate() {
        if ns.by_lead.contains_key(&i) || lc.by_lead.contains_key(&i) {
            labels.push((
                lang::t(&format!("lead-{l}")).to_string(),
                ns.by_lead.get(&i),
                lc.by_lead.get(&i),
            ));
        }
    }
    // Borders and padding of three columns (10), the labels (up to 30),
    // two cells' numbers: the rest is the two bars'.
    let label_w = labels
        .iter()
        .map(|l| l.0.width())
        .max()
        .unwrap_or(0)
        .min(30);
    let numbers = num_w + den_w + 9;
    let bar_w = (width.saturating_sub(10 + label_w + 2 * numbers) / 2).clamp(4, 20);
    let cell = RateCell {
        num_w,
        den_w,
        bar_w,
    };
    let mut t = Sheet::new(vec![
        text("Group", 10),
        crate::output::fit::col("No-shows"),
        crate::output::fit::col("Late"),
    ]);
    let none = Rate::default();
    // Without a cancellation window no cancellation is late: no rate to
    // show, and the line under the table says why.
    let windowless = r.clinic.settings.cancel_window == 0;
    for (label, a, b) in labels {
        t.row(vec![
            label.into(),
            cell.show(a.unwrap_or(&none)).into(),
            match windowless {
                true => "—".into(),
                false => cell.show(b.unwrap_or(&none)).into(),
            },
        ]);
    }
    let table = t.render_at(Some(width));
    match windowless {
        true => format!(
            "{table}\n{}",
            crate::output::fit::wrap_lines(&tr!("rp-no_cancel_window"), Some(width))
        ),
        false => table,
    }
}
/// Bookings by weekday × hour as shades, each hour a column; the weekdays
/// from Monday to the last with a booking (the weekend only when it had
/// some), the hours from the first to the last with one. Then the legend
/// (what each shade counts) and the busiest three, in numbers.
fn heatmap(r: &Report, width: usize) -> String {
    let busy = &r.figures.busiest;
    let (Some(first), Some(last)) = (
        busy.keys().map(|(_, h)| *h).min(),
        busy.keys().map(|(_, h)| *h).max(),
    ) else {
        return String::new();
    };
    let days = busy.keys().map(|(d, _)| *d).max().unwrap_or(0).max(4);
    let max = busy.values().copied().max().unwrap_or(0);
    let hours = (last - first + 1) as usize;
    let label_w = 4;
    // Three columns an hour where they fit (two shades and a gap), else two, else one.
    let cell = (1..=3)
        .rev()
        .find(|c| label_w + c * hours <= width)
        .unwrap_or(1);
    let mut out = " ".repeat(label_w);
    // An hour's label where it fits: every hour at three columns, every
    // other at two, every third at one.
    let every = match cell {
        3 => 1,
        2 => 2,
        _ => 3,
    };
    let mut head = String::new();
    for (i, h) in (first..=last).enumerate() {
        if i % every == 0 && head.width() <= i * cell {
            head.push_str(&" ".repeat(i * cell - head.width()));
            head.push_str(&format!("{h:02}"));
        }
    }
    out.push_str(&head);
    for d in 0..=days {
        out.push('\n');
        out.push_str(&pad(lang::weekday_short(d), label_w));
        for h in first..=last {
            let n = busy.get(&(d, h)).copied().unwrap_or(0);
            let shaded = shade(n, max).to_string().repeat(cell.min(2));
            out.push_str(&format!("{shaded:<cell$}"));
        }
    }
    let legend: Vec<String> = shade_floors(max)
        .into_iter()
        .map(|(c, n)| format!("{c}{c} ≥{n}"))
        .collect();
    out.push('\n');
    out.push_str(&tr!("rp-legend", shades = legend.join("  "), most = max));
    let mut top: Vec<_> = busy.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let top: Vec<String> = top
        .into_iter()
        .take(3)
        .map(|((d, h), n)| format!("{} {h:02}:00 ({n})", lang::weekday(*d)))
        .collect();
    out.push('\n');
    out.push_str(&crate::output::fit::wrap_lines(
        &tr!("rp-top", list = top.join(", ")),
        Some(width),
    ));
    out
}

/// Bookings by source, each with a bar against the largest, and what
/// became of them.
fn sources(r: &Report, width: usize) -> String {
    let sources = &r.figures.sources;
    let most = sources
        .values()
        .map(|by| by.values().sum::<i64>())
        .max()
        .unwrap_or(0);
    let count_w = most.to_string().len();
    let bar_w = width.saturating_sub(60).clamp(6, 20);
    let mut t = Sheet::new(vec![
        text("Source", 6),
        crate::output::fit::col("Bookings"),
        crate::output::fit::col("Done"),
        crate::output::fit::col("No-shows"),
        crate::output::fit::col("Cancelled"),
    ])
    .steps(&[Step::Drop("Cancelled")]);
    for (s, by) in sources {
        let n = |k: &str| by.get(k).copied().unwrap_or(0).to_string();
        let total: i64 = by.values().sum();
        t.row(vec![
            lang::t(&format!("source-{s}")).to_string().into(),
            format!(
                "{total:>count_w$} {}",
                bar(total as f64 / most.max(1) as f64, bar_w)
            )
            .into(),
            n("completed").into(),
            n("no_show").into(),
            n("cancelled").into(),
        ]);
    }
    t.render_at(Some(width))
}

/// The figures beside the period before's, as a table: figure, this
/// period, the one before, the change (`None` without a period before).
fn compared(r: &Report, width: usize) -> Option<String> {
    let before = r.previous.as_ref()?;
    let doc = crate::output::json::report(r);
    let late_counted = r.clinic.settings.cancel_window > 0;
    let mut t = Sheet::new(vec![
        text("Figure", 12),
        crate::output::fit::col("This period"),
        crate::output::fit::col("Before"),
        crate::output::fit::col("Change"),
    ]);
    for c in report_compare::rows(&doc, lang::current(), late_counted) {
        let [now, then, change] = c.shown;
        t.row(vec![c.label.into(), now.into(), then.into(), change.into()]);
    }
    let heading = tr!("rp-compared", from = before.from, to = before.to);
    Some(format!(
        "{}\n{}",
        crate::output::fit::wrap_lines(&heading, Some(width)),
        t.render_at(Some(width))
    ))
}

/// `appt report`.
pub fn report(r: &Report) -> String {
    let f = &r.figures;
    let mut parts = vec![tr!(
        "rp-title",
        clinic = clean(&r.clinic.name),
        from = r.from,
        to = r.to
    )];
    if f.sources.is_empty() && r.utilisation.is_empty() {
        parts.push(tr!("rp-nothing"));
        return parts.join("\n\n");
    }
    let width = chart_width();
    parts.extend(compared(r, width));
    parts.push(utilisation(r, width));
    if !r.rooms.is_empty() {
        let each: Vec<String> = r
            .rooms
            .iter()
            .map(|u| {
                tr!(
                    "rp-room",
                    name = clean(&u.resource.name),
                    c = percent(u.booked, u.open),
                    a = u.booked,
                    b = u.open
                )
            })
            .collect();
        parts.push(format!("{}\n{}", tr!("rp-rooms"), each.join("\n")));
    }
    parts.push(format!("{}\n{}", tr!("rp-rates"), rates(r, width)));
    let lead = &f.lead_time;
    parts.push(tr!(
        "rp-lead_time",
        n = lead.count,
        a = lead.median.map_or("–".to_string(), |x| x.to_string()),
        b = lead.p90.map_or("–".to_string(), |x| x.to_string())
    ));
    if !f.busiest.is_empty() {
        parts.push(format!("{}\n{}", tr!("rp-busiest"), heatmap(r, width)));
    }
    if !f.sources.is_empty() {
        parts.push(format!("{}\n{}", tr!("rp-sources"), sources(r, width)));
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
        "rp-waitlist",
        a = r.waitlist.made,
        b = r.waitlist.filled
    ));
    parts.push(tr!(
        "rp-recalls",
        a = r.recalls.due,
        b = r.recalls.sent,
        c = r.recalls.booked
    ));
    parts
        .iter()
        .map(|p| match p.contains('\n') {
            true => p.clone(),
            false => crate::output::fit::wrap_lines(p, Some(width)),
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}
