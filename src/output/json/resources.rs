//! Rooms and equipment as JSON (docs/commands.md#resource).

use crate::core::resources::Resource;
use crate::core::Service;
use crate::wire::{to_json, ts};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
struct ResourceView<'a> {
    id: &'a str,
    clinic_id: &'a str,
    name: &'a str,
    kind: &'static str,
    capacity: i64,
    active: bool,
    created_at: String,
    updated_at: String,
}

pub fn resource(r: &Resource) -> Value {
    to_json(ResourceView {
        id: &r.id,
        clinic_id: &r.clinic_id,
        name: &r.name,
        kind: r.kind.as_str(),
        capacity: r.capacity,
        active: r.active,
        created_at: ts(r.created_at),
        updated_at: ts(r.updated_at),
    })
}

/// A service with what it needs: `needs` is its groups, each a list of
/// `{id, name, kind}` in the order they are tried.
pub fn service_needing(s: &Service, needs: &[Vec<Resource>]) -> Value {
    let mut v = super::service(s);
    v["needs"] = needs
        .iter()
        .map(|g| {
            g.iter()
                .map(|r| serde_json::json!({"id": r.id, "name": r.name, "kind": r.kind.as_str()}))
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>()
        .into();
    v
}

/// `window add --resource`: the hours added.
pub fn resource_hours(h: &crate::app::resource::HoursAdded) -> Value {
    serde_json::json!({
        "id": h.id,
        "resource_id": h.resource.id,
        "days": crate::core::time::format_days(h.weekdays),
        "from": crate::core::time::format_hhmm(h.from),
        "to": crate::core::time::format_hhmm(h.to),
    })
}

/// `closure add --resource`: the closure added.
pub fn resource_closure(c: &crate::app::resource::ClosureAdded) -> Value {
    serde_json::json!({
        "id": c.id,
        "resource_id": c.resource.id,
        "from": c.from.to_string(),
        "to": c.to.to_string(),
        "reason": c.reason,
    })
}
