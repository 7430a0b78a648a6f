//! Column lists. Each table's columns are named once, in the module that
//! reads and writes it, as the comma-separated string SQL takes; its queries
//! and `transfer` use that one list. [`place!`] finds a column's place in a list
//! while compiling, so a row is read by the column's name, never by a number
//! kept by hand, and a name missing from the list fails the build.

/// The place of `name` in `cols` (`"id, name, …"`), counting from 0.
pub const fn at(cols: &str, name: &str) -> usize {
    let (c, n) = (cols.as_bytes(), name.as_bytes());
    let (mut i, mut place) = (0, 0);
    loop {
        while i < c.len() && c[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < c.len() && c[i] != b',' {
            i += 1;
        }
        let mut end = i;
        while end > start && c[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        if same(c, start, end, n) {
            return place;
        }
        if i >= c.len() {
            panic!("a column that is not in the list");
        }
        i += 1;
        place += 1;
    }
}

const fn same(c: &[u8], start: usize, end: usize, n: &[u8]) -> bool {
    if end - start != n.len() {
        return false;
    }
    let mut k = 0;
    while k < n.len() {
        if c[start + k] != n[k] {
            return false;
        }
        k += 1;
    }
    true
}

/// How many columns `cols` names.
pub const fn count(cols: &str) -> usize {
    let c = cols.as_bytes();
    let (mut i, mut n) = (0, 1);
    while i < c.len() {
        if c[i] == b',' {
            n += 1;
        }
        i += 1;
    }
    n
}

/// `cols` with each column under a table's alias: `a.id, a.clinic_id, …`.
pub fn under(alias: &str, cols: &str) -> String {
    cols.split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `cols` as assignments of parameters numbered from `first`:
/// `status = ?2, updated_at = ?3`, for an `UPDATE` whose values are bound
/// in the list's order.
pub fn assignments(cols: &str, first: usize) -> String {
    cols.split(',')
        .enumerate()
        .map(|(i, c)| format!("{} = ?{}", c.trim(), first + i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The bytes of the SQL list `('a','b',…)` of `names`, and how many of
/// them it takes: a list made while compiling from the values it lists
/// ([`sql_list!`]), never written out by hand beside them.
pub const fn quoted_list<const N: usize>(names: &[&str]) -> ([u8; N], usize) {
    let mut out = [0u8; N];
    let mut n = 0;
    out[n] = b'(';
    n += 1;
    let mut i = 0;
    while i < names.len() {
        if i > 0 {
            out[n] = b',';
            n += 1;
        }
        out[n] = b'\'';
        n += 1;
        let b = names[i].as_bytes();
        let mut j = 0;
        while j < b.len() {
            out[n] = b[j];
            n += 1;
            j += 1;
        }
        out[n] = b'\'';
        n += 1;
        i += 1;
    }
    out[n] = b')';
    (out, n + 1)
}

/// `sql_list!(NAMES)`: the SQL list `('a','b',…)` of a constant array of
/// names, as a `&'static str` made while compiling.
macro_rules! sql_list {
    ($names:expr) => {{
        const LIST: ([u8; 256], usize) = $crate::store::columns::quoted_list(&$names);
        match std::str::from_utf8(LIST.0.split_at(LIST.1).0) {
            Ok(s) => s,
            Err(_) => panic!("a list of names that is not UTF-8"),
        }
    }};
}
pub(crate) use sql_list;

/// The bytes of the SQL list `(1, 2, …)` of `codes` (each 1–99), and how
/// many of them it takes: [`code_list!`].
pub const fn numbered_list<const N: usize>(codes: &[i64]) -> ([u8; N], usize) {
    let mut out = [0u8; N];
    let mut n = 0;
    out[n] = b'(';
    n += 1;
    let mut i = 0;
    while i < codes.len() {
        if i > 0 {
            out[n] = b',';
            out[n + 1] = b' ';
            n += 2;
        }
        let c = codes[i];
        assert!(c > 0 && c < 100, "a code of one or two digits");
        if c >= 10 {
            out[n] = b'0' + (c / 10) as u8;
            n += 1;
        }
        out[n] = b'0' + (c % 10) as u8;
        n += 1;
        i += 1;
    }
    out[n] = b')';
    (out, n + 1)
}

/// `code_list!(CODES)`: the SQL list `(1, 2, …)` of a constant array of
/// stored numbers, as a `&'static str` made while compiling.
macro_rules! code_list {
    ($codes:expr) => {{
        const LIST: ([u8; 128], usize) = $crate::store::columns::numbered_list(&$codes);
        match std::str::from_utf8(LIST.0.split_at(LIST.1).0) {
            Ok(s) => s,
            Err(_) => panic!("a list of numbers that is not UTF-8"),
        }
    }};
}
pub(crate) use code_list;

/// `cols` and `more` as one list.
pub fn and(cols: &str, more: &str) -> String {
    if more.is_empty() {
        cols.to_string()
    } else {
        format!("{cols}, {more}")
    }
}

/// The place of a column in a list, as a constant: `place!(COLS, "status")`.
macro_rules! place {
    ($cols:expr, $name:literal) => {
        const { $crate::store::columns::at($cols, $name) }
    };
}
pub(crate) use place;

#[cfg(test)]
mod tests {

    #[test]
    fn the_sql_lists_are_made_from_the_values_they_list() {
        use crate::core::Status;
        const NAMES: [&str; 2] = ["a", "b_c"];
        assert_eq!(sql_list!(NAMES), "('a','b_c')");
        assert_eq!(
            crate::store::ACTIVE_NAMES,
            "('scheduled','confirmed','checked_in','in_progress')"
        );
        assert_eq!(crate::store::ACTIVE, "(1, 2, 3, 4)");
        assert_eq!(code_list!([7, 12]), "(7, 12)");
        // Every status is active or finished, never both.
        for s in Status::ALL {
            assert_ne!(s.is_active(), Status::FINISHED.contains(&s), "{s:?}");
        }
    }

    use super::*;

    #[test]
    fn a_column_is_found_by_its_name_across_spaces_and_lines() {
        const COLS: &str = "id, name,\n    timezone ,slot_minutes";
        assert_eq!(at(COLS, "id"), 0);
        assert_eq!(at(COLS, "name"), 1);
        assert_eq!(at(COLS, "timezone"), 2);
        assert_eq!(at(COLS, "slot_minutes"), 3);
        assert_eq!(count(COLS), 4);
        assert_eq!(place!(COLS, "timezone"), 2);
    }

    #[test]
    #[should_panic]
    fn a_name_that_is_not_in_the_list_is_refused() {
        at("id, name", "nam");
    }

    #[test]
    fn a_list_goes_under_an_alias() {
        assert_eq!(under("a", "id,  name"), "a.id, a.name");
        assert_eq!(and("id", "solo"), "id, solo");
        assert_eq!(and("id", ""), "id");
    }
}
