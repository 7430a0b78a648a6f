//! Rooms and equipment (docs/rules.md#rooms-and-equipment): what a visit
//! needs besides its doctor, whether a time has room for it, and which
//! resource of each group it gets.

pub use super::resource_kind::{Given, ResourceKind};
use super::slots::Busy;
pub use super::slots::{Group, Held};
use chrono::{DateTime, Utc};

/// A room or a piece of equipment of one clinic.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub id: String,
    pub clinic_id: String,
    pub name: String,
    pub kind: ResourceKind,
    /// Visits it takes at once.
    pub capacity: i64,
    /// An inactive resource keeps its history and is given to no new visit.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The resources `[from, to)` gets: one of each group, the first free in
/// the order listed, those in `prefer` first (the ones a moved visit had);
/// in the group of `chosen` (asked for by ID), that one alone.
/// Else the names of the resources of every group that has none free.
pub fn assign<'g>(
    groups: &'g [Group],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    prefer: &[String],
    chosen: Option<&str>,
) -> Result<Vec<&'g Held>, Vec<&'g str>> {
    let mut got = Vec::with_capacity(groups.len());
    let mut busy = Vec::new();
    for group in groups {
        // The group of the resource asked for gives it or nothing.
        let asked = chosen.filter(|c| group.iter().any(|h| h.id == *c));
        let free = |h: &&Held| h.free(from, to) && asked.is_none_or(|c| h.id == c);
        let kept = group.iter().filter(|h| prefer.contains(&h.id)).find(free);
        match kept.or_else(|| group.iter().find(free)) {
            Some(h) => got.push(h),
            None => busy.extend(
                group
                    .iter()
                    .filter(|h| asked.is_none_or(|c| h.id == c))
                    .map(|h| h.name.as_str()),
            ),
        }
    }
    if busy.is_empty() {
        Ok(got)
    } else {
        Err(busy)
    }
}

/// Whether `[from, to)` has room in every group.
pub fn room_for(groups: &[Group], from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    groups.iter().all(|g| g.iter().any(|h| h.free(from, to)))
}

/// The groups as a time `now` sees them: each resource's holds live then
/// (docs/rules.md#holds) take a place as visits do. None when no resource
/// has a live hold: the groups as they are.
pub fn at(groups: &[Group], now: DateTime<Utc>) -> Option<Vec<Group>> {
    let live = |h: &Held| h.holds.iter().any(|x| x.until > now);
    if !groups.iter().flatten().any(live) {
        return None;
    }
    Some(
        groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|h| {
                        let mut h = h.clone();
                        let held = h.holds.iter().filter(|x| x.until > now);
                        let taken: Vec<Busy> = held
                            .map(|x| Busy::new(x.id.clone(), x.start, x.end, 0, 0))
                            .collect();
                        h.busy.extend(taken);
                        h
                    })
                    .collect()
            })
            .collect(),
    )
}

/// The places a day's grid has offered so far, beside the groups' own
/// visits: each offered time takes a place of one resource of each group,
/// as [`assign`] would give it, so the next time is judged beside those
/// offered already. The groups themselves are not copied.
pub struct Offered<'g> {
    groups: &'g [Group],
    /// Per group, per resource: the times offered on it.
    taken: Vec<Vec<Vec<Busy>>>,
}

impl<'g> Offered<'g> {
    pub fn new(groups: &'g [Group]) -> Self {
        Offered {
            groups,
            taken: groups.iter().map(|g| vec![Vec::new(); g.len()]).collect(),
        }
    }

    fn free(&self, g: usize, r: usize, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        let h = &self.groups[g][r];
        match self.taken[g][r].is_empty() {
            true => h.free(from, to),
            false => h.free_beside(&self.taken[g][r], from, to),
        }
    }

    /// Whether `[from, to)` has room in every group, beside those taken.
    pub fn room_for(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        (0..self.groups.len()).all(|g| (0..self.groups[g].len()).any(|r| self.free(g, r, from, to)))
    }

    /// Takes a place of the first free resource of each group.
    pub fn take(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) {
        for g in 0..self.groups.len() {
            if let Some(r) = (0..self.groups[g].len()).find(|&r| self.free(g, r, from, to)) {
                self.taken[g][r].push(Busy::new(String::new(), from, to, 0, 0));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 15, h, m, 0).unwrap()
    }

    fn held(name: &str, capacity: i64, busy: &[(u32, u32)]) -> Held {
        Held {
            id: name.to_lowercase(),
            name: name.into(),
            kind: ResourceKind::Room,
            capacity,
            busy: busy
                .iter()
                .map(|(h, m)| {
                    let start = at(*h, *m);
                    Busy::new(
                        "x".into(),
                        start,
                        start + chrono::Duration::minutes(30),
                        0,
                        0,
                    )
                })
                .collect(),
            open: None,
            holds: Vec::new(),
        }
    }

    #[test]
    fn the_first_free_of_each_group_in_the_order_listed() {
        let groups = vec![
            vec![held("Sala 1", 1, &[(9, 0)]), held("Sala 2", 1, &[])],
            vec![held("Ecógrafo", 1, &[])],
        ];
        let got = assign(&groups, at(9, 0), at(9, 30), &[], None).unwrap();
        let names: Vec<&str> = got.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["Sala 2", "Ecógrafo"]);
        // Free at 9:30: Sala 1 first again.
        let got = assign(&groups, at(9, 30), at(10, 0), &[], None).unwrap();
        assert_eq!(got[0].name, "Sala 1");
        // A moved visit keeps its room when it is free.
        let got = assign(&groups, at(9, 30), at(10, 0), &["sala 2".into()], None).unwrap();
        assert_eq!(got[0].name, "Sala 2");
        // Asked for by ID: that one, or nothing.
        let got = assign(&groups, at(9, 30), at(10, 0), &[], Some("sala 2")).unwrap();
        assert_eq!(got[0].name, "Sala 2");
        let busy = assign(&groups, at(9, 0), at(9, 30), &[], Some("sala 1")).unwrap_err();
        assert_eq!(busy, ["Sala 1"]);
    }

    #[test]
    fn a_group_with_none_free_names_its_resources() {
        let groups = vec![
            vec![held("Sala 1", 1, &[])],
            vec![held("Ecógrafo", 1, &[(9, 0)])],
        ];
        assert_eq!(
            assign(&groups, at(9, 15), at(9, 45), &[], None).unwrap_err(),
            ["Ecógrafo"]
        );
        assert!(!room_for(&groups, at(9, 15), at(9, 45)));
        assert!(room_for(&groups, at(9, 30), at(10, 0)));
    }

    #[test]
    fn capacity_counts_the_most_at_once_not_every_overlap() {
        // Two visits one after the other leave a place of two all along.
        let gym = vec![vec![held("Gimnasio", 2, &[(9, 0), (9, 30)])]];
        assert!(room_for(&gym, at(9, 0), at(10, 0)));
        let mut offered = Offered::new(&gym);
        assert!(offered.room_for(at(9, 15), at(9, 45)));
        offered.take(at(9, 0), at(10, 0));
        assert!(!offered.room_for(at(9, 15), at(9, 45)));
        assert!(
            room_for(&gym, at(9, 15), at(9, 45)),
            "the groups are as they were"
        );
    }

    #[test]
    fn a_live_hold_takes_a_place_and_an_ended_one_none() {
        use crate::core::slots::Hold;
        let mut room = held("Sala 1", 1, &[]);
        room.holds.push(Hold {
            id: "h".into(),
            start: at(9, 0),
            end: at(9, 30),
            until: at(8, 10),
        });
        let groups = vec![vec![room]];
        let live = at_(&groups, at(8, 0)).expect("a live hold");
        assert!(!room_for(&live, at(9, 0), at(9, 30)));
        assert!(room_for(&live, at(9, 30), at(10, 0)));
        assert!(at_(&groups, at(8, 10)).is_none(), "ended at its until");
    }

    fn at_(groups: &[Group], now: DateTime<Utc>) -> Option<Vec<Group>> {
        super::at(groups, now)
    }

    #[test]
    fn a_resource_with_hours_is_free_only_within_them() {
        let mut machine = held("Rayos", 1, &[]);
        machine.open = Some(vec![(at(8, 0), at(12, 0))]);
        assert!(machine.free(at(11, 0), at(12, 0)));
        assert!(!machine.free(at(11, 30), at(12, 30)), "runs past its hours");
        machine.open = Some(Vec::new());
        assert!(!machine.free(at(9, 0), at(9, 30)), "closed that day");
    }

    #[test]
    fn kinds_read_in_either_language() {
        assert_eq!(ResourceKind::parse("Sala"), Some(ResourceKind::Room));
        assert_eq!(ResourceKind::parse("equipo"), Some(ResourceKind::Equipment));
        assert_eq!(
            ResourceKind::parse("Máquina"),
            Some(ResourceKind::Equipment)
        );
        assert_eq!(ResourceKind::parse("quirófano"), None);
        for k in ResourceKind::ALL {
            assert_eq!(ResourceKind::parse(k.as_str()), Some(k));
        }
    }
}
