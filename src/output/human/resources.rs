//! Rooms and equipment for humans: `resource list` and a service's needs.

use super::{clean, short};
use crate::core::resources::{Resource, ResourceKind};
use crate::output::fit::{col, text, Sheet, Step};
use crate::output::lang::{self, t};

/// A kind in the desk's language.
pub fn kind(k: ResourceKind) -> &'static str {
    t(kind_id(k))
}

/// The message that names a kind.
pub fn kind_id(k: ResourceKind) -> &'static str {
    match k {
        ResourceKind::Room => "word-room",
        ResourceKind::Equipment => "word-equipment",
    }
}

pub fn resources(list: &[Resource]) -> String {
    let mut sheet = Sheet::new(vec![
        text("Name", 12),
        col("Kind"),
        col("Cap"),
        col("Active"),
        col("ID"),
    ])
    .steps(&[Step::Drop("Active"), Step::Drop("Cap")]);
    for r in list {
        sheet.row(vec![
            clean(&r.name).into(),
            kind(r.kind).into(),
            r.capacity.to_string().into(),
            lang::yes_no(r.active).into(),
            short(&r.id).into(),
        ]);
    }
    sheet.render()
}

/// What a service needs, as `--needs` takes it: `Sala 1|Sala 2 + Ecógrafo`.
pub fn needs(groups: &[Vec<Resource>]) -> String {
    groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|r| clean(&r.name))
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// `window list --resource R`: a resource's own hours.
pub fn resource_hours(list: &[crate::app::resource::HoursAdded]) -> String {
    let mut t = Sheet::new(vec![text("Who", 12), col("When"), col("Hours"), col("ID")]);
    for h in list {
        t.row(vec![
            clean(&h.resource.name).into(),
            lang::days(h.weekdays).into(),
            format!(
                "{}–{}",
                crate::core::time::format_hhmm(h.from),
                crate::core::time::format_hhmm(h.to)
            )
            .into(),
            short(&h.id).into(),
        ]);
    }
    t.render()
}

/// `closure list --resource R`: a resource's closures.
pub fn resource_closures(list: &[crate::app::resource::ClosureAdded]) -> String {
    let mut t = Sheet::new(vec![
        text("Who", 12),
        col("From"),
        col("To"),
        text("Reason", 10),
        col("ID"),
    ]);
    for c in list {
        t.row(vec![
            clean(&c.resource.name).into(),
            c.from.to_string().into(),
            c.to.to_string().into(),
            c.reason.as_deref().map_or("—".into(), clean).into(),
            short(&c.id).into(),
        ]);
    }
    t.render()
}
