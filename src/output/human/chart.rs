//! Pictures in the terminal for `appt report` (docs/reports.md#human-output):
//! bars, sparklines and a heatmap's shades, drawn with block characters
//! only. They carry no colour, so they read the same with `NO_COLOR`, in a
//! pipe and on a terminal without colours; every picture stands beside the
//! numbers it draws.

/// The eighths of a block, from one eighth to a whole one.
const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];

/// A horizontal bar of `share` (0 to 1) of `width` columns, in eighths of
/// a column, padded with spaces to `width`. Anything above nothing shows
/// at least one eighth, so a small share is never drawn as none.
pub fn bar(share: f64, width: usize) -> String {
    let eighths = (share.clamp(0.0, 1.0) * (width * 8) as f64).round() as usize;
    let eighths = if share > 0.0 { eighths.max(1) } else { 0 };
    let mut out: String = "█".repeat(eighths / 8);
    if eighths % 8 > 0 {
        out.push(EIGHTHS[eighths % 8 - 1]);
    }
    let drawn = out.chars().count();
    out.push_str(&" ".repeat(width.saturating_sub(drawn)));
    out
}

/// The levels of a sparkline, lowest first.
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One character per value (0 to 1): its level, or `·` where there is
/// none (a day with nothing open).
pub fn sparkline(values: &[Option<f64>]) -> String {
    values
        .iter()
        .map(|v| match v {
            Some(x) => LEVELS[((x.clamp(0.0, 1.0) * 7.0).round()) as usize],
            None => '·',
        })
        .collect()
}

/// The shades of a heatmap's cell, from none to the most.
pub const SHADES: [char; 5] = [' ', '░', '▒', '▓', '█'];

/// The shade of `n` where the most is `max`: blank for none, then four
/// steps, the darkest for the most.
pub fn shade(n: i64, max: i64) -> char {
    if n <= 0 || max <= 0 {
        return SHADES[0];
    }
    let step = ((n as f64 / max as f64) * 4.0).ceil() as usize;
    SHADES[step.clamp(1, 4)]
}

/// The least count each shade from `░` up stands for, where the most is
/// `max`: the legend's numbers.
pub fn shade_floors(max: i64) -> Vec<(char, i64)> {
    (1..=4)
        .filter_map(|step| {
            let floor = (1..=max).find(|n| shade(*n, max) == SHADES[step])?;
            Some((SHADES[step], floor))
        })
        .collect()
}

/// `values` averaged into at most `width` buckets of the same number of
/// values, in order (a long period's days drawn as weeks, say): that
/// number, and the buckets. A bucket with no value is None.
pub fn squeeze(values: &[Option<f64>], width: usize) -> (usize, Vec<Option<f64>>) {
    if values.len() <= width || width == 0 {
        return (1, values.to_vec());
    }
    let per = values.len().div_ceil(width);
    let buckets = values
        .chunks(per)
        .map(|c| {
            let known: Vec<f64> = c.iter().flatten().copied().collect();
            (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64)
        })
        .collect();
    (per, buckets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_drawn_in_eighths_and_padded() {
        assert_eq!(bar(0.0, 4), "    ");
        assert_eq!(bar(1.0, 4), "████");
        assert_eq!(bar(0.5, 4), "██  ");
        assert_eq!(bar(0.5 + 1.0 / 32.0, 4), "██▏ ");
        // A sliver still shows.
        assert_eq!(bar(0.001, 4), "▏   ");
        assert_eq!(bar(2.0, 3), "███");
    }

    #[test]
    fn sparklines_mark_days_without_a_value() {
        assert_eq!(sparkline(&[Some(0.0), Some(1.0), None, Some(0.5)]), "▁█·▅");
    }

    #[test]
    fn shades_step_up_to_the_most() {
        assert_eq!(shade(0, 8), ' ');
        assert_eq!(shade(1, 8), '░');
        assert_eq!(shade(2, 8), '░');
        assert_eq!(shade(3, 8), '▒');
        assert_eq!(shade(8, 8), '█');
        assert_eq!(shade(1, 1), '█');
        assert_eq!(
            shade_floors(8),
            vec![('░', 1), ('▒', 3), ('▓', 5), ('█', 7)]
        );
        assert_eq!(shade_floors(1), vec![('█', 1)]);
    }

    #[test]
    fn squeezing_averages_known_values() {
        let days = [Some(1.0), None, Some(0.0), None, None, Some(0.5)];
        assert_eq!(squeeze(&days, 6), (1, days.to_vec()));
        assert_eq!(
            squeeze(&days, 3),
            (2, vec![Some(1.0), Some(0.0), Some(0.5)])
        );
        assert_eq!(
            squeeze(&days, 4),
            (2, vec![Some(1.0), Some(0.0), Some(0.5)])
        );
        assert_eq!(squeeze(&[None, None], 1), (2, vec![None]));
    }
}
