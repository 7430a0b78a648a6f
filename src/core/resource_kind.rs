//! What a resource is, and a resource as a visit's object shows it
//! (docs/rules.md#rooms-and-equipment): below both the model and the
//! rules of [`super::resources`].

/// What a resource is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    Room,
    Equipment,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 2] = [ResourceKind::Room, ResourceKind::Equipment];

    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Room => "room",
            ResourceKind::Equipment => "equipment",
        }
    }

    /// As typed, in either language (`sala`, `equipo`; a machine is
    /// equipment: `machine`, `máquina`, `aparato`).
    pub fn parse(s: &str) -> Option<ResourceKind> {
        match super::text::fold(s.trim()).as_str() {
            "room" | "sala" | "consultorio" => Some(ResourceKind::Room),
            "equipment" | "equipo" | "machine" | "maquina" | "aparato" => {
                Some(ResourceKind::Equipment)
            }
            _ => None,
        }
    }
}

/// A resource a visit was given, as its appointment object shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    pub id: String,
    pub name: String,
    pub kind: ResourceKind,
}
