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
