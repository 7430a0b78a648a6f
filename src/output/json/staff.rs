//! The people at the desk as JSON (docs/security.md#staff): never a PIN's hash.

use crate::store::staff::Member;
use crate::wire::{to_json, ts};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
struct MemberView<'a> {
    id: &'a str,
    name: &'a str,
    role: &'static str,
    doctor_id: Option<&'a str>,
    doctor: Option<&'a str>,
    clinic_id: Option<&'a str>,
    clinic: Option<&'a str>,
    created_at: String,
    updated_at: String,
}

/// A member of staff: `{"id","name","role","doctor_id","doctor","clinic_id","clinic","created_at","updated_at"}`.
pub fn staff_member(m: &Member) -> Value {
    to_json(MemberView {
        id: &m.id,
        name: &m.name,
        role: m.role.as_str(),
        doctor_id: m.doctor_id.as_deref(),
        doctor: m.doctor.as_deref(),
        clinic_id: m.clinic_id.as_deref(),
        clinic: m.clinic.as_deref(),
        created_at: ts(m.created_at),
        updated_at: ts(m.updated_at),
    })
}

/// `login`: the member signed in and when their session ends.
pub fn signed_in(m: &Member, expires_at: chrono::DateTime<chrono::Utc>) -> Value {
    let mut v = staff_member(m);
    v["expires_at"] = Value::String(ts(expires_at));
    v
}

/// `logout`: whether a session was closed, and this terminal's session file.
pub fn signed_out(closed: bool, file: &std::path::Path) -> Value {
    serde_json::json!({"signed_out": closed, "session_file": file})
}

/// `whoami` where there is no staff: who the commands run as.
pub fn nobody_signs_in(actor: &str) -> Value {
    serde_json::json!({"staff": null, "actor": actor})
}

#[derive(Serialize)]
struct LookView<'a> {
    at: String,
    actor: &'a str,
    os_user: &'a str,
    clinic_id: &'a str,
    patient_id: &'a str,
    appointment_id: &'a str,
    command: &'a str,
}

/// `access-log --json`: `{"looks":[{"at","actor","os_user","clinic_id",
/// "patient_id","appointment_id","command"}]}`, latest first: the patient
/// by ID alone.
pub fn looks(all: &[crate::store::access_log::Entry]) -> Value {
    let looks: Vec<Value> = all
        .iter()
        .map(|l| {
            to_json(LookView {
                at: ts(l.at),
                actor: &l.actor,
                os_user: &l.os_user,
                clinic_id: &l.look.clinic_id,
                patient_id: &l.look.patient_id,
                appointment_id: &l.look.appointment_id,
                command: &l.command,
            })
        })
        .collect();
    serde_json::json!({ "looks": looks })
}
