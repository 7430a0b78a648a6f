//! The report page's charts (docs/reports.md#the-page), drawn by plotters'
//! SVG backend as inline SVG: bars for a figure by its keys, and a
//! weekday × hour heatmap. Each mark carries its number as text beside it
//! (a rate as `count/due rate`), so the picture reads without the table
//! that follows it; the root `<svg>` is `role="img"` with an aria-label
//! and no fixed size, so the page's style sheet fits it to the screen.
//! Text is measured by plotters' own estimate (no system font is read) and
//! set by the browser from `font-family`.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One bar: its label, its length (a rate from 0 to 1, or a count) and
/// the number written beside it.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub shown: String,
}

/// The drawing's width in SVG units: at a phone's 360 pixels, less the
/// page's margins, it is drawn at about two thirds, its text at 11 pixels.
const WIDTH: u32 = 480;
const ROW: u32 = 34;
/// A bar's row: its label above, the bar and its number below.
const BAR_ROW: u32 = 60;
/// Plotters writes a font's size over 1.24: 17.7 units, 12 pixels at 360.
const FONT: u32 = 22;
const INK: RGBColor = RGBColor(0x11, 0x11, 0x11);
/// The bars' blue, as the pages' main button (4.5:1 and more on white).
const BLUE: RGBColor = RGBColor(0x0b, 0x5c, 0xad);

/// Horizontal bars, first at the top, each under its label (a long one
/// takes the width, not the bars' room), against a scale from 0 to `max`
/// (1 for rates); `label` names the chart for a screen reader.
pub fn bars(label: &str, items: &[Bar], max: f64) -> String {
    let n = items.len().max(1);
    let height = BAR_ROW * n as u32 + 8;
    let mut svg = String::new();
    let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        // Room to the right of the longest bar for its number.
        let top = if max > 0.0 { max } else { 1.0 };
        let rows = n as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(4)
            .build_cartesian_2d(0.0..top * 1.7, 0.0..rows)?;
        // Drawn bottom up: the first item is the top row, whose top is at
        // `rows - i`; its label takes the upper part, its bar the lower.
        let top_of = |i: usize| rows - i as f64;
        chart.draw_series(items.iter().enumerate().map(|(i, b)| {
            Rectangle::new(
                [
                    (0.0, top_of(i) - 0.45),
                    (b.value.max(0.0), top_of(i) - 0.92),
                ],
                BLUE.filled(),
            )
        }))?;
        let font = || ("sans-serif", FONT).into_font().color(&INK);
        chart.draw_series(items.iter().enumerate().map(|(i, b)| {
            Text::new(
                b.label.clone(),
                (0.0, top_of(i) - 0.04),
                font().pos(Pos::new(HPos::Left, VPos::Top)),
            )
        }))?;
        chart.draw_series(items.iter().enumerate().map(|(i, b)| {
            Text::new(
                format!(" {}", b.shown),
                (b.value.max(0.0), top_of(i) - 0.685),
                font().pos(Pos::new(HPos::Left, VPos::Center)),
            )
        }))?;
        root.present()?;
        Ok(())
    })();
    match drawn {
        Ok(()) => labelled(&svg, label),
        Err(_) => String::new(),
    }
}

/// A weekday × hour grid from `hours.0` to `hours.1` (both included), a
/// cell's shade its bookings over the busiest's, its count written in it;
/// `days` are the weekdays' names, Monday first.
pub fn heatmap(
    label: &str,
    days: &[&str; 7],
    hours: (u32, u32),
    count: impl Fn(usize, u32) -> i64,
) -> String {
    let (first, last) = hours;
    let most = (0..7)
        .flat_map(|d| (first..=last).map(move |h| (d, h)))
        .map(|(d, h)| count(d, h))
        .max()
        .unwrap_or(0)
        .max(1);
    let height = ROW * 7 + 40;
    let mut svg = String::new();
    let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size(56)
            .build_cartesian_2d(
                // A segmented range has a segment for each value, its end's too.
                (first..last).into_segmented(),
                (0usize..6).into_segmented(),
            )?;
        let hour = |v: &SegmentValue<u32>| match v {
            SegmentValue::CenterOf(h) if *h <= last => format!("{h}"),
            _ => String::new(),
        };
        let day = |v: &SegmentValue<usize>| match v {
            SegmentValue::CenterOf(d) if *d < 7 => days[6 - d].to_string(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels((last - first + 1) as usize)
            .y_labels(7)
            .x_label_formatter(&hour)
            .y_label_formatter(&day)
            .label_style(("sans-serif", 19).into_font().color(&INK))
            .axis_style(INK)
            .draw()?;
        let cells: Vec<(usize, u32, i64)> = (0..7)
            .flat_map(|d| (first..=last).map(move |h| (d, h)))
            .map(|(d, h)| (d, h, count(d, h)))
            .collect();
        chart.draw_series(cells.iter().map(|&(d, h, n)| {
            // White for none, to the bars' blue for the busiest.
            let shade = n as f64 / most as f64;
            let mix = |full: u8| (255.0 - (255.0 - f64::from(full)) * shade).round() as u8;
            let colour = RGBColor(mix(BLUE.0), mix(BLUE.1), mix(BLUE.2));
            let mut r = Rectangle::new(
                [
                    (SegmentValue::Exact(h), SegmentValue::Exact(6 - d)),
                    (SegmentValue::Exact(h + 1), SegmentValue::Exact(7 - d)),
                ],
                colour.filled(),
            );
            r.set_margin(1, 1, 1, 1);
            r
        }))?;
        chart.draw_series(cells.iter().filter(|c| c.2 > 0).map(|&(d, h, n)| {
            let dark = n as f64 / most as f64 > 0.6;
            let ink = if dark { WHITE } else { INK };
            Text::new(
                n.to_string(),
                (SegmentValue::CenterOf(h), SegmentValue::CenterOf(6 - d)),
                ("sans-serif", 18)
                    .into_font()
                    .color(&ink)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            )
        }))?;
        root.present()?;
        Ok(())
    })();
    match drawn {
        Ok(()) => labelled(&svg, label),
        Err(_) => String::new(),
    }
}

/// The drawing's root `<svg>` as the page needs it: its size a viewBox
/// only (the style sheet gives it the page's width), `role="img"` and an
/// aria-label; the namespace, which HTML does not need, left out.
fn labelled(svg: &str, label: &str) -> String {
    let Some(end) = svg.find('>') else {
        return String::new();
    };
    let root = &svg[..end];
    let view = root
        .split("viewBox=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("0 0 480 300");
    format!(
        "<svg viewBox=\"{view}\" role=\"img\" aria-label=\"{}\" focusable=\"false\">{}",
        escape(label),
        &svg[end + 1..]
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_carry_their_numbers_and_a_label_and_nothing_outside() {
        let svg = bars(
            "No-shows <by> weekday",
            &[
                Bar {
                    label: "Monday".into(),
                    value: 0.25,
                    shown: "1/4 25.0%".into(),
                },
                Bar {
                    label: "Tuesday".into(),
                    value: 0.5,
                    shown: "2/4 50.0%".into(),
                },
            ],
            1.0,
        );
        assert!(svg.starts_with("<svg viewBox=\"0 0 480 128\" role=\"img\" aria-label=\"No-shows &lt;by&gt; weekday\""), "{svg}");
        assert!(
            svg.contains(">\n 1/4 25.0%\n</text>") || svg.contains("1/4 25.0%"),
            "{svg}"
        );
        assert!(svg.contains("Tuesday"), "{svg}");
        assert!(!svg.contains("http"), "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"), "{svg}");
    }

    #[test]
    fn a_heatmap_writes_each_busy_cell_count() {
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let svg = heatmap("Busiest", &days, (8, 10), |d, h| match (d, h) {
            (0, 9) => 7,
            (2, 10) => 3,
            _ => 0,
        });
        assert!(
            svg.contains(">\n7\n</text>") || svg.contains(">7<"),
            "{svg}"
        );
        assert!(svg.contains("Wed"), "{svg}");
        // One hour alone is a grid too.
        let one = heatmap("Busiest", &days, (9, 9), |_, _| 1);
        assert!(one.contains(">\n1\n</text>"), "{one}");
    }
}
