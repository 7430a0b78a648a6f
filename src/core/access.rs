// STUB (lead's local build only; replaced by the token branch)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    AppointmentsRead,
    AppointmentsWrite,
    Clinical,
}
impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::AppointmentsRead => "appointments:read",
            Scope::AppointmentsWrite => "appointments:write",
            Scope::Clinical => "clinical",
        }
    }
}
#[derive(Debug, Clone)]
pub struct Grant {
    pub name: String,
    pub scopes: Vec<Scope>,
    pub clinic_id: Option<String>,
}
impl Grant {
    pub fn has(&self, s: Scope) -> bool {
        self.scopes.contains(&s)
    }
}
