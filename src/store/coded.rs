//! SQL of the closed sets stored as numbers ([`Coded`]): an event's type, a
//! message's status and kind. A value is written into the statement as its
//! number, so that a partial index holding some values is seen to hold it
//! (and PostgreSQL's generic plan still sees which).

use crate::core::Coded;

/// `column = N`.
pub fn is<T: Coded>(column: &str, value: T) -> String {
    format!("{column} = {}", value.code())
}

/// `column <> N`.
pub fn is_not<T: Coded>(column: &str, value: T) -> String {
    format!("{column} <> {}", value.code())
}

/// `column NOT IN (N, …)`.
pub fn none_of<T: Coded>(column: &str, values: &[T]) -> String {
    format!("NOT {}", one_of(column, values))
}

/// `column IN (N, …)`.
pub fn one_of<T: Coded>(column: &str, values: &[T]) -> String {
    let codes: Vec<String> = values.iter().map(|v| v.code().to_string()).collect();
    format!("{column} IN ({})", codes.join(", "))
}

/// The number of a value stored by its name in `column`, as SQL (NULL for
/// a name appt never wrote): how an upgrade reads the names stored before.
pub fn code_of_name<T: Coded>(column: &str) -> String {
    let whens: String = T::ALL
        .iter()
        .map(|v| format!(" WHEN '{}' THEN {}", v.name(), v.code()))
        .collect();
    format!("CASE {column}{whens} END")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::message::Status;
    use crate::core::EventKind;

    #[test]
    fn a_value_is_written_as_its_number() {
        assert_eq!(is("e.type", EventKind::Booked), "e.type = 1");
        assert_eq!(
            one_of("status", &[Status::Pending, Status::Cancelled]),
            "status IN (1, 4)"
        );
        assert_eq!(
            is_not("a.status", crate::core::Status::Cancelled),
            "a.status <> 6"
        );
        assert_eq!(
            none_of("b.status", &[crate::core::Status::Cancelled]),
            "NOT b.status IN (6)"
        );
        assert_eq!(
            code_of_name::<Status>("status"),
            "CASE status WHEN 'pending' THEN 1 WHEN 'sent' THEN 2 WHEN 'failed' THEN 3 \
             WHEN 'cancelled' THEN 4 WHEN 'expired' THEN 5 END"
        );
    }
}
