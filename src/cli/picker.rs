//! The pickers' list (docs/commands.md#prompts): the items, filtered as the
//! desk types the way names are matched everywhere in appt (case and
//! accents aside: `lopez` finds `Dra. López`, `nunez` `Dr. Núñez`), kept in
//! their own order (a day's slots stay in time order). Enter takes the
//! marked item; on a filter that finds nothing it does nothing, so a
//! picker never chooses what the desk did not. dialoguer's own filtered
//! list (`FuzzySelect`) matches letters as they are written, so a desk
//! typing without accents found nobody.

use dialoguer::console::{Key, Term};

/// How many items are shown at once; the list scrolls past them.
const SHOWN: usize = 10;

/// Whether `typed`'s letters appear in `item` in order, case and accents
/// aside (spaces in `typed` are ignored).
pub fn matches(item: &str, typed: &str) -> bool {
    let item = crate::core::text::fold(item);
    let mut letters = item.chars();
    crate::core::text::fold(typed)
        .chars()
        .filter(|c| !c.is_whitespace())
        .all(|c| letters.any(|n| n == c))
}

/// Asks on stderr until an item is taken; returns its index in `items`.
/// `default` is marked first (when no filter is typed); `typed` is the
/// filter it starts with.
pub fn pick(label: &str, items: &[String], default: usize, typed: &str) -> std::io::Result<usize> {
    let term = Term::stderr();
    let mut typed = typed.to_string();
    let mut marked = if typed.is_empty() { default } else { 0 };
    let mut drawn = 0;
    term.hide_cursor()?;
    let taken = loop {
        let found: Vec<usize> = (0..items.len())
            .filter(|i| typed.is_empty() || matches(&items[*i], &typed))
            .collect();
        marked = marked.min(found.len().saturating_sub(1));
        term.clear_last_lines(drawn)?;
        drawn = draw(&term, label, &typed, items, &found, marked)?;
        match term.read_key()? {
            Key::Enter if !found.is_empty() => break found[marked],
            Key::ArrowUp | Key::BackTab if !found.is_empty() => {
                marked = (marked + found.len() - 1) % found.len();
            }
            Key::ArrowDown | Key::Tab if !found.is_empty() => {
                marked = (marked + 1) % found.len();
            }
            Key::Backspace => {
                typed.pop();
                marked = 0;
            }
            Key::Char(c) if !c.is_control() => {
                typed.push(c);
                marked = 0;
            }
            _ => {}
        }
    };
    term.clear_last_lines(drawn)?;
    term.write_line(&fit(&term, &format!("{label}: {}", items[taken])))?;
    term.show_cursor()?;
    Ok(taken)
}

/// Draws the question and the items found, the marked one with `>`;
/// returns the lines drawn.
fn draw(
    term: &Term,
    label: &str,
    typed: &str,
    items: &[String],
    found: &[usize],
    marked: usize,
) -> std::io::Result<usize> {
    let first = marked.saturating_sub(SHOWN - 1);
    let mut lines = vec![format!("{label}: {typed}")];
    for (n, i) in found.iter().enumerate().skip(first).take(SHOWN) {
        let mark = if n == marked { '>' } else { ' ' };
        lines.push(format!("{mark} {}", items[*i]));
    }
    for line in &lines {
        term.write_line(&fit(term, line))?;
    }
    term.flush()?;
    Ok(lines.len())
}

/// A line cut to the terminal's width (a wrapped line would be counted
/// as one when the list is drawn again).
fn fit(term: &Term, line: &str) -> String {
    let width = usize::from(term.size().1).max(10) - 1;
    dialoguer::console::truncate_str(line, width, "…").into_owned()
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn a_filter_matches_as_names_are_matched_case_and_accents_aside() {
        assert!(matches("Dra. Ana López — Pediatría", "lopez"));
        assert!(matches("Dr. José Núñez", "nunez"));
        assert!(matches("Dr. José Núñez", "NÚÑEZ"));
        assert!(matches("09:30", "930"));
        assert!(!matches("Dr. José Núñez", "lopez"));
        assert!(matches("anything", ""));
    }
}
