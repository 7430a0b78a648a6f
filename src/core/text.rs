//! How names are matched: ignoring case and accents, as a front desk types
//! them (`dr. garcia` finds `Dr. García`), and how close two names are, to
//! suggest the name someone meant.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The matching key of a name: accents removed, case folded for all scripts,
/// punctuation read as a space (`dra lopez` finds `Dra. López`), runs of
/// spaces as one.
pub fn fold(name: &str) -> String {
    let bare: String = name
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .to_lowercase();
    bare.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Titles people put before a name and leave out when they say it
/// (folded: `Dra.` is `dra`).
const TITLES: &[&str] = &[
    "dr", "dra", "doctor", "doctora", "lic", "licda", "licdo", "ing", "inga", "sr", "sra", "srta",
    "prof", "profa", "don", "dona", "mr", "mrs", "ms", "mx",
];

/// The words of a name as people say it: folded ([`fold`]), titles left
/// out (all of them only when nothing else is left).
pub fn words(name: &str) -> Vec<String> {
    let all: Vec<String> = fold(name)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect();
    let bare: Vec<String> = all
        .iter()
        .filter(|w| !TITLES.contains(&w.as_str()))
        .cloned()
        .collect();
    if bare.is_empty() {
        all
    } else {
        bare
    }
}

/// How what someone typed matches a name (docs/commands.md#references).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    No,
    /// Each typed word starts a different word of the name, in any order.
    Partial,
    /// The same words, titles, case, accents and punctuation aside.
    Exact,
}

/// Whether `typed` finds `name`: `garcia`, `ana`, `Dr Garcia`, `dra ana
/// garcia` and `garcía ana` all find `Dra. Ana García`.
pub fn matches(typed: &str, name: &str) -> Match {
    let (t, n) = (words(typed), words(name));
    if t.is_empty() {
        return Match::No;
    }
    if t == n {
        return Match::Exact;
    }
    if t.len() <= n.len() && assign(&t, &n, &mut vec![false; n.len()]) {
        Match::Partial
    } else {
        Match::No
    }
}

/// Whether each of `typed` can start a different word of `name` (a small
/// search: names have a handful of words).
fn assign(typed: &[String], name: &[String], used: &mut Vec<bool>) -> bool {
    let Some((first, rest)) = typed.split_first() else {
        return true;
    };
    for (i, w) in name.iter().enumerate() {
        if !used[i] && w.starts_with(first.as_str()) {
            used[i] = true;
            if assign(rest, name, used) {
                return true;
            }
            used[i] = false;
        }
    }
    false
}

/// Edit distance between two strings, by characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut row = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            row.push((prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1));
        }
        prev = row;
    }
    prev[b.len()]
}

/// Up to three of `names` closest to `typed`, closest first: those it
/// finds, else those within a third of its length in edits (by their
/// words, titles aside), else the three nearest of all: some are always
/// named when any exist, so a miss never leaves the desk without a way on.
pub fn closest<'a>(typed: &str, names: &'a [String]) -> Vec<&'a str> {
    let key = words(typed).join(" ");
    let mut scored: Vec<(usize, usize, &str)> = names
        .iter()
        .map(|n| {
            let d = if matches(typed, n) != Match::No {
                0
            } else {
                let k = words(n);
                // The nearest of the whole name and each of its words.
                k.iter()
                    .map(|w| distance(&key, w))
                    .chain([distance(&key, &k.join(" "))])
                    .min()
                    .unwrap_or(usize::MAX)
            };
            (d, n.chars().count(), n.as_str())
        })
        .collect();
    scored.sort();
    // The near ones when there are any, else the nearest of all.
    let near = key.chars().count().max(3) / 3;
    let found = scored.iter().take_while(|(d, ..)| *d == 0).count();
    let close = match found {
        0 => scored.iter().take_while(|(d, ..)| *d <= near).count(),
        n => n,
    };
    let keep = if close > 0 { close.min(3) } else { 3 };
    scored.into_iter().take(keep).map(|(_, _, n)| n).collect()
}

/// Whether `name` is one someone typing `typed` may be after, as the command
/// line completes names (docs/commands.md#appt-completions): each typed word, folded,
/// starts a different word of the folded name, in any order (`ana`, `gar`,
/// `garcia ana` and `Dra. A` all find `Dra. Ana García`). Nothing typed
/// matches every name.
pub fn completes(typed: &str, name: &str) -> bool {
    let typed = fold(typed);
    let name = fold(name);
    let wanted: Vec<&str> = typed.split(' ').filter(|w| !w.is_empty()).collect();
    let words: Vec<&str> = name.split(' ').collect();
    // Each typed word takes a word of its own: a small matching, tried in turn.
    fn place(wanted: &[&str], words: &[&str], taken: &mut Vec<bool>) -> bool {
        let Some((first, rest)) = wanted.split_first() else {
            return true;
        };
        for (i, w) in words.iter().enumerate() {
            if !taken[i] && w.starts_with(first) {
                taken[i] = true;
                if place(rest, words, taken) {
                    return true;
                }
                taken[i] = false;
            }
        }
        false
    }
    wanted.len() <= words.len() && place(&wanted, &words, &mut vec![false; words.len()])
}

/// Whether `name`, folded, begins with what was typed, folded: such names
/// are offered before those that only [`completes`] finds.
pub fn begins_with(typed: &str, name: &str) -> bool {
    fold(name).starts_with(&fold(typed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_without_case_or_accents() {
        assert_eq!(fold("Dr. García"), "dr garcia");
        assert_eq!(fold("Dra.López"), "dra lopez");
        assert_eq!(fold("  LÓPEZ   Ñúñez "), "lopez nunez");
        assert_eq!(fold("Ἀθῆναι"), "αθηναι");
        assert_eq!(fold("dr. garcia"), fold("DR. GARCÍA"));
    }

    #[test]
    fn names_are_found_the_way_people_say_them() {
        let ana = "Dra. Ana García";
        for typed in [
            "garcia",
            "ana",
            "Dr Garcia",
            "dra ana garcia",
            "garcía ana",
            "GAR",
            "a g",
        ] {
            assert_ne!(matches(typed, ana), Match::No, "{typed}");
        }
        assert_eq!(matches("ana garcia", ana), Match::Exact);
        assert_eq!(matches("Dra. Ana García", ana), Match::Exact);
        assert_eq!(matches("nunez", "Dr. José Núñez"), Match::Partial);
        assert_eq!(matches("Dr Nunez", "Dr. José Núñez"), Match::Partial);
        // Each typed word needs a word of its own.
        assert_eq!(matches("ana ana", ana), Match::No);
        assert_eq!(matches("garcia lopez", ana), Match::No);
        assert_eq!(matches("rcia", ana), Match::No);
        // A title alone is no name.
        assert_eq!(matches("dra", ana), Match::No);
        assert_eq!(matches("", ana), Match::No);
        assert_eq!(words("Dr. José Núñez"), ["jose", "nunez"]);
        assert_eq!(words("Dr."), ["dr"]);
    }

    #[test]
    fn the_closest_names_are_suggested() {
        let names: Vec<String> = ["Dr. García", "Dr. Garza", "Dra. Martínez", "Dr. Ruiz"]
            .map(String::from)
            .to_vec();
        assert_eq!(closest("dr garcia", &names)[0], "Dr. García");
        assert_eq!(closest("garcia", &names), ["Dr. García"]);
        assert_eq!(closest("Dr. Garsa", &names)[0], "Dr. Garza");
        // Something is always named when anything exists.
        assert_eq!(closest("Pediatría", &names).len(), 3);
        assert!(closest("x", &[]).is_empty());
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn a_name_completes_from_the_start_of_any_of_its_words() {
        let ana = "Dra. Ana García";
        for typed in [
            "",
            "Dra",
            "dra. a",
            "Ana",
            "gar",
            "garcia ana",
            "GARCÍA",
            "  ana  ",
        ] {
            assert!(completes(typed, ana), "{typed:?}");
        }
        for typed in ["arc", "ana ana", "dr jose", "Dra. Ana García López"] {
            assert!(!completes(typed, ana), "{typed:?}");
        }
        // Two typed words never share one word of the name.
        assert!(!completes("a a", "Ana Pérez"));
        assert!(completes("a a", "Ana Alvarado"));
        assert!(begins_with("dr", ana) && begins_with("Dr", "Dr. José Núñez"));
        assert!(!begins_with("ana", ana));
    }
}
