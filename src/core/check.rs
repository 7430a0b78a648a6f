//! The capacity invariant of `appt check` (docs/rules.md#windows-and-slots): at no instant may more
//! active appointments of one scope overlap than their window allows.

use chrono::{DateTime, Utc};

/// One active appointment of a scope: its instants (epoch seconds) and the
/// capacity of the window it was booked in.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub start: i64,
    pub end: i64,
    pub capacity: i64,
}

impl Span {
    /// The time an active appointment holds, its buffers (minutes) included
    /// (docs/rules.md#buffers), against its window's capacity: a window
    /// that is gone allowed one at a time.
    pub fn held(
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        buffers: (i64, i64),
        capacity: Option<i64>,
    ) -> Span {
        Span {
            start: start.timestamp() - buffers.0 * 60,
            end: end.timestamp() + buffers.1 * 60,
            capacity: capacity.unwrap_or(1),
        }
    }
}

/// Who shares capacity (docs/rules.md#windows-and-slots): a doctor's
/// appointments count together at every clinic; clinic-wide ones per
/// clinic and service, whichever window row they were booked in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Doctor(String),
    ClinicWide {
        clinic: String,
        service: Option<String>,
    },
}

impl Scope {
    pub fn of(doctor: Option<String>, clinic: String, service: Option<String>) -> Scope {
        match doctor {
            Some(d) => Scope::Doctor(d),
            None => Scope::ClinicWide { clinic, service },
        }
    }
}

/// The scope of token numbers (docs/rules.md#tokens): the doctor, or the
/// clinic-wide window. `store::check` reads the same in SQL.
pub fn token_scope(doctor_id: Option<&str>, window_id: &str) -> String {
    match doctor_id {
        Some(d) => d.to_string(),
        None => format!("window:{window_id}"),
    }
}

/// Appointments of one scope that overlap beyond capacity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excess {
    /// Indices into the spans, in the order they start.
    pub members: Vec<usize>,
    /// The first instant with too many.
    pub at: i64,
    /// The most running at once, and the capacity allowed then.
    pub peak: usize,
    pub capacity: i64,
}

/// Every excess among `spans` (one scope). At an instant, the running spans
/// may number at most the largest capacity among them: a date window that
/// replaced a weekly one keeps the bookings made in the weekly one, and those
/// count against the larger capacity. Instants of excess that share an
/// appointment are one excess.
pub fn over_capacity(spans: &[Span]) -> Vec<Excess> {
    // Ends sort before starts at the same instant: back-to-back is no overlap.
    let mut events: Vec<(i64, bool, usize)> = spans
        .iter()
        .enumerate()
        .flat_map(|(i, s)| [(s.start, true, i), (s.end, false, i)])
        .collect();
    events.sort_unstable();
    let mut running: Vec<usize> = Vec::new();
    let mut found: Vec<Excess> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let t = events[i].0;
        while let Some(&(_, start, idx)) = events.get(i).filter(|e| e.0 == t) {
            if start {
                running.push(idx);
            } else {
                running.retain(|&r| r != idx);
            }
            i += 1;
        }
        let capacity = running
            .iter()
            .map(|&r| spans[r].capacity.max(1))
            .max()
            .unwrap_or(1);
        if running.len() as i64 <= capacity {
            continue;
        }
        match found.last_mut() {
            Some(e) if running.iter().any(|r| e.members.contains(r)) => {
                for &r in &running {
                    if !e.members.contains(&r) {
                        e.members.push(r);
                    }
                }
                if running.len() > e.peak {
                    e.peak = running.len();
                    e.capacity = capacity;
                }
            }
            _ => found.push(Excess {
                members: running.clone(),
                at: t,
                peak: running.len(),
                capacity,
            }),
        }
    }
    for e in &mut found {
        e.members.sort_by_key(|&m| (spans[m].start, m));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: i64, end: i64, capacity: i64) -> Span {
        Span {
            start,
            end,
            capacity,
        }
    }

    #[test]
    fn buffers_widen_the_time_held_and_a_gone_window_holds_one() {
        let t = |s| DateTime::from_timestamp(s, 0).unwrap();
        let held = Span::held(t(3600), t(5400), (10, 5), None);
        assert_eq!((held.start, held.end, held.capacity), (3000, 5700, 1));
        assert_eq!(Span::held(t(0), t(60), (0, 0), Some(3)).capacity, 3);
    }

    #[test]
    fn a_doctor_shares_capacity_across_clinics_and_clinic_wide_per_service() {
        let at = |c: &str, s: Option<&str>| Scope::of(None, c.into(), s.map(String::from));
        assert_eq!(
            Scope::of(Some("d".into()), "c1".into(), Some("s".into())),
            Scope::of(Some("d".into()), "c2".into(), None)
        );
        assert_ne!(at("c1", Some("s")), at("c2", Some("s")));
        assert_ne!(at("c1", Some("s")), at("c1", Some("t")));
        assert_eq!(token_scope(Some("d"), "w"), "d");
        assert_eq!(token_scope(None, "w"), "window:w");
    }

    #[test]
    fn back_to_back_and_within_capacity_are_fine() {
        assert!(over_capacity(&[span(0, 30, 1), span(30, 60, 1)]).is_empty());
        assert!(over_capacity(&[span(0, 30, 2), span(0, 30, 2), span(30, 60, 2)]).is_empty());
        assert!(over_capacity(&[]).is_empty());
    }

    #[test]
    fn an_overlap_past_capacity_names_every_appointment_involved() {
        let found = over_capacity(&[
            span(60, 90, 1),
            span(0, 30, 1),
            span(10, 40, 1),
            span(20, 50, 1),
        ]);
        assert_eq!(
            found,
            [Excess {
                members: vec![1, 2, 3],
                at: 10,
                peak: 3,
                capacity: 1
            }]
        );
        // Two separate clashes are two excesses.
        let found = over_capacity(&[
            span(0, 30, 1),
            span(0, 30, 1),
            span(100, 130, 1),
            span(110, 140, 1),
        ]);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].members, [2, 3]);
        assert_eq!(found[1].at, 110);
    }

    #[test]
    fn the_largest_capacity_among_the_running_counts() {
        // A cap-1 booking kept when a cap-3 date window replaced its window.
        let spans = [span(0, 30, 1), span(0, 30, 3), span(0, 30, 3)];
        assert!(over_capacity(&spans).is_empty());
        // Once the cap-3 bookings end, two cap-1 ones still overlapping are too many.
        let spans = [span(0, 60, 1), span(0, 30, 3), span(0, 60, 1)];
        let found = over_capacity(&spans);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].at, 30);
        assert_eq!((found[0].peak, found[0].capacity), (2, 1));
        // A capacity of 0 or less still admits one.
        assert!(over_capacity(&[span(0, 30, 0)]).is_empty());
    }
}
