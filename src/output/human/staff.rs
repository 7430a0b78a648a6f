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

/// `access-log`: who looked at which patient's clinical record, when (in
/// the machine's zone), from which OS account, with which command.
pub fn looks(all: &[crate::store::access_log::Entry], zone: crate::core::zone::Tz) -> String {
    if all.is_empty() {
        return tr!("h-no_looks");
    }
    let mut t = Sheet::new(vec![
        col("When"),
        text("Who", 8),
        text("Patient", 10),
        col("Appointment"),
        text("Command", 8),
        text("Account", 6),
    ])
    .steps(&[Step::Drop("Account"), Step::Drop("Command")]);
    for l in all {
        let (day, hm) = crate::core::time::to_local(zone, l.at);
        t.row(vec![
            format!("{day} {hm}").into(),
            super::appointment::actor_words(&l.actor).into(),
            super::person(&l.patient, l.erased).into(),
            l.look
                .appointment_id
                .chars()
                .take(8)
                .collect::<String>()
                .into(),
            clean(&l.command).into(),
            super::appointment::actor_words(&l.os_user).into(),
        ]);
    }
    t.render()
}
