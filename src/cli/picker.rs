//! The pickers' list (docs/commands.md#prompts): the items, filtered as the
//! desk types the way names are matched everywhere in appt (case and
//! accents aside: `lopez` finds `Dra. López`, `nunez` `Dr. Núñez`) and
//! ranked by how well they match — a word starting with what was typed
//! first (`ram` is Dra. Rosa Ramírez), then an item containing it, then one
//! holding its letters in order (dR cArlos Méndez) — each rank in the
//! items' own order (a day's slots stay in time order). Enter takes the
//! marked item, the first of the best rank until the arrows move it; on a
//! filter that finds nothing it does nothing, so a picker never chooses
//! what the desk did not. dialoguer's own filtered list (`FuzzySelect`)
//! matches letters as they are written, so a desk typing without accents
//! found nobody.

use dialoguer::console::{Key, Term};

/// How many items are shown at once; the list scrolls past them.
const SHOWN: usize = 10;

/// How well `item` matches `typed`, case and accents aside, best first:
/// every typed word starts a word of the item (0), the item contains what
/// was typed (1), or holds its letters in order, spaces in `typed` ignored
/// (2); None when it does not match. Nothing typed matches everything at 0.
pub fn rank(item: &str, typed: &str) -> Option<u8> {
    let item = crate::core::text::fold(item);
    let typed = crate::core::text::fold(typed);
    let words: Vec<&str> = item
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut wanted = typed.split_whitespace().peekable();
    if wanted.peek().is_none() {
        return Some(0);
    }
    if wanted.all(|t| words.iter().any(|w| w.starts_with(t))) {
        return Some(0);
    }
    if item.contains(typed.trim()) {
        return Some(1);
    }
    let mut letters = item.chars();
    typed
        .chars()
        .filter(|c| !c.is_whitespace())
        .all(|c| letters.any(|n| n == c))
        .then_some(2)
}

/// Whether `typed` matches `item` at all ([`rank`]).
pub fn matches(item: &str, typed: &str) -> bool {
    rank(item, typed).is_some()
}

/// The indices of the items `typed` matches, best rank first, each rank in
/// the items' order.
pub fn found(items: &[String], typed: &str) -> Vec<usize> {
    let mut ranked: Vec<(u8, usize)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| rank(item, typed).map(|r| (r, i)))
        .collect();
    ranked.sort();
    ranked.into_iter().map(|(_, i)| i).collect()
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
        let found = found(items, &typed);
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
    use super::{found, matches, rank};

    fn doctors() -> Vec<String> {
        [
            "Dr. Carlos Méndez — Medicina general",
            "Dr. Jorge Alvarado — Odontología",
            "Dra. Rosa Ramírez — Pediatría",
            "Dra. Valeria Salinas",
        ]
        .map(String::from)
        .to_vec()
    }

    /// What was typed picks what it names: a word starting with it first,
    /// then an item containing it, then letters in order (issue 62).
    #[test]
    fn the_best_match_comes_first() {
        let d = doctors();
        assert_eq!(
            found(&d, "ram")[0],
            2,
            "ram is Ramírez, not dR cArlos Méndez"
        );
        assert_eq!(found(&d, "men")[0], 0);
        assert_eq!(
            found(&d, "alv")[0],
            1,
            "a word starting alv beats Valeria Salinas"
        );
        assert_eq!(rank(&d[0], "ram"), Some(2));
        assert_eq!(rank(&d[2], "ram"), Some(0));
        assert_eq!(rank(&d[3], "ali"), Some(1), "salinas contains ali");
        assert_eq!(rank(&d[2], "rosa ram"), Some(0));
        assert_eq!(rank(&d[2], "RAMIREZ"), Some(0));
        assert_eq!(rank(&d[2], "xyz"), None);
        // Nothing typed keeps the items' order.
        assert_eq!(found(&d, ""), [0, 1, 2, 3]);
        // Each rank keeps the items' order: two words starting `dr`.
        assert_eq!(found(&d, "dra"), [2, 3, 0, 1]);
    }

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
