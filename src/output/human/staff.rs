//! The people at the desk, for people (docs/security.md#staff).

use super::clean;
use crate::output::fit::{col, text, Sheet, Step};
use crate::output::lang::tr;
use crate::store::staff::Member;

/// A role in the desk's language.
pub fn role(r: crate::core::staff::Role) -> String {
    use crate::core::staff::Role;
    match r {
        Role::Reception => tr!("role-reception"),
        Role::Doctor => tr!("role-doctor"),
        Role::Manager => tr!("role-manager"),
    }
}

/// `staff list`: name, role, doctor, clinic.
pub fn staff(all: &[Member]) -> String {
    if all.is_empty() {
        return tr!("h-no_staff");
    }
    let mut t = Sheet::new(vec![
        text("Name", 8),
        col("Role"),
        text("Doctor", 8),
        text("Clinic", 8),
    ])
    .steps(&[Step::Drop("Clinic")]);
    for m in all {
        t.row(vec![
            clean(&m.name).into(),
            role(m.role).into(),
            m.doctor.as_deref().map(clean).unwrap_or_default().into(),
            m.clinic
                .as_deref()
                .map(clean)
                .unwrap_or_else(|| tr!("word-all_clinics"))
                .into(),
        ]);
    }
    t.render()
}
