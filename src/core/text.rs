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

/// Up to three of `names` closest to `typed` (by folded key), closest first:
/// those that contain it or lie within a third of its length in edits.
pub fn closest<'a>(typed: &str, names: &'a [String]) -> Vec<&'a str> {
    let key = fold(typed);
    let mut scored: Vec<(usize, &str)> = names
        .iter()
        .filter_map(|n| {
            let k = fold(n);
            let d = if k.contains(&key) || key.contains(&k) {
                0
            } else {
                distance(&key, &k)
            };
            (d <= key.chars().count().max(3) / 3).then_some((d, n.as_str()))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n).collect()
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
    fn the_closest_names_are_suggested() {
        let names: Vec<String> = ["Dr. García", "Dr. Garza", "Dra. Martínez", "Dr. Ruiz"]
            .map(String::from)
            .to_vec();
        assert_eq!(closest("dr garcia", &names)[0], "Dr. García");
        assert_eq!(closest("garcia", &names), ["Dr. García"]);
        assert_eq!(closest("Dr. Garsa", &names), ["Dr. Garza", "Dr. García"]);
        assert!(closest("Pediatría", &names).is_empty());
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
