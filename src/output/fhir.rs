//! The FHIR R4 (4.0.1) export: one `Bundle` of type `collection` holding the
//! Practitioner, Patient and Appointment resources, each entry with a
//! `urn:uuid:` fullUrl that references point to. The Bundle is one JSON
//! document, but it is written an entry at a time (one per line): the opening,
//! each entry as it comes, the closing. Doctors and patients are streamed once
//! each before the appointments, so nothing is remembered from row to row.
//!
//! Small serde views rather than a FHIR model crate: only what appt knows.
//! Without `--include-patient` no patient's name, phone or ID leaves appt: each
//! appointment gets its own Patient resource that carries only an id made from
//! the appointment's ID (and a MASKED security label), so the file does not
//! even tell which appointments are the same person's.

use super::out::{Options, Out};
use crate::app::export::{DoctorParty, PatientParty, Sink};
use crate::app::patient_export::PatientExport;
use crate::core::{time::fmt_utc, Appointment, Status, Urgency, VisitType};
use crate::error::Result;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Write;

/// docs/commands.md#appt-export's mapping onto FHIR's AppointmentStatus.
pub fn status(s: Status) -> &'static str {
    match s {
        Status::Scheduled | Status::Confirmed => "booked",
        Status::CheckedIn => "checked-in",
        Status::InProgress | Status::Completed => "fulfilled",
        Status::Cancelled => "cancelled",
        Status::NoShow => "noshow",
    }
}

fn urn(id: &str) -> String {
    format!("urn:uuid:{id}")
}

/// The id of the anonymous Patient of one appointment: a UUID made from the
/// appointment's ID alone, so the same export gives the same file.
pub fn anonymous_patient_id(appointment_id: &str) -> String {
    let digest = Sha256::digest(format!("appt anonymous patient of {appointment_id}"));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

#[derive(Serialize)]
struct Entry<'a, R: Serialize> {
    #[serde(rename = "fullUrl")]
    full_url: String,
    resource: &'a R,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Coding {
    system: &'static str,
    code: &'static str,
    display: &'static str,
}

#[derive(Serialize)]
struct Meta {
    security: [Coding; 1],
}

#[derive(Serialize)]
struct ContactPoint<'a> {
    system: &'static str,
    value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Practitioner<'a> {
    resource_type: &'static str,
    id: &'a str,
    name: [Text<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Patient<'a> {
    resource_type: &'static str,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<Meta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    identifier: Option<[Identifier<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<[Text<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    telecom: Option<Vec<ContactPoint<'a>>>,
}

/// A national ID: appt does not know which country's system issued it, so
/// its type is said in words.
#[derive(Serialize)]
struct Identifier<'a> {
    #[serde(rename = "type")]
    kind: Text<'static>,
    value: &'a str,
}

#[derive(Serialize)]
struct Reference<'a> {
    reference: String,
    display: &'a str,
}

#[derive(Serialize)]
struct Participant<'a> {
    actor: Reference<'a>,
    required: &'static str,
    status: &'static str,
}

#[derive(Serialize)]
struct Coded {
    coding: [Coding; 1],
}

/// An appt-defined value the Appointment resource has no element for.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Extension<'a> {
    url: &'static str,
    value_string: &'a str,
}

/// HL7 v2 table 0276 (appointment reason codes).
const V2_0276: &str = "http://terminology.hl7.org/CodeSystem/v2-0276";

/// The extensions' own URLs (docs/commands.md#fhir).
pub const PAYER_URL: &str = "urn:appt:fhir:payer";
pub const MODALITY_URL: &str = "urn:appt:fhir:modality";

/// The kind of appointment in HL7's v2-0276 codes: an emergency, a
/// walk-in, a follow-up, else a routine visit.
fn appointment_type(a: &Appointment) -> Coded {
    let (code, display) = if a.urgency == Urgency::Emergency {
        ("EMERGENCY", "Emergency appointment")
    } else if a.source == "walk_in" {
        ("WALKIN", "A previously unscheduled walk-in visit")
    } else if a.visit_type == VisitType::FollowUp {
        ("FOLLOWUP", "A follow up visit from a previous appointment")
    } else {
        ("ROUTINE", "Routine appointment - default if not valued")
    };
    Coded {
        coding: [Coding {
            system: V2_0276,
            code,
            display,
        }],
    }
}

/// The priority as iCalendar counts it (1 highest, 5 medium), which FHIR's
/// Appointment.priority follows.
pub fn priority(u: Urgency) -> u32 {
    match u {
        Urgency::Emergency => 1,
        Urgency::Urgent => 3,
        Urgency::Normal => 5,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AppointmentResource<'a> {
    resource_type: &'static str,
    id: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension<'a>>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cancelation_reason: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_type: Option<[Text<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    specialty: Option<[Text<'a>; 1]>,
    appointment_type: Coded,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason_code: Option<[Text<'a>; 1]>,
    priority: u32,
    start: String,
    end: String,
    minutes_duration: i64,
    created: String,
    participant: Vec<Participant<'a>>,
}

/// What shows that a Patient's details were withheld (HL7 v3 ObservationValue).
fn masked() -> Meta {
    Meta {
        security: [Coding {
            system: "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
            code: "MASKED",
            display: "masked",
        }],
    }
}

/// The display of a patient whose details stay in appt.
pub const ANONYMOUS: &str = "Patient (details not exported)";

fn nonblank(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// A list of one CodeableConcept with only text, when there is text.
fn one(s: Option<&str>) -> Option<[Text<'_>; 1]> {
    nonblank(s).map(|text| [Text { text }])
}

pub struct Bundle<W: Write> {
    out: Out<W>,
    opts: Options,
    /// Whether an entry was written: FHIR JSON has no empty arrays.
    entries: bool,
}

impl<W: Write> Bundle<W> {
    pub fn new(out: Out<W>, opts: Options) -> Self {
        Bundle {
            out,
            opts,
            entries: false,
        }
    }

    fn entry<R: Serialize>(&mut self, id: &str, resource: &R) -> Result<()> {
        let sep: &[u8] = if self.entries {
            b",\n"
        } else {
            b",\"entry\":[\n"
        };
        self.entries = true;
        self.out.put(sep)?;
        let text = serde_json::to_vec(&Entry {
            full_url: urn(id),
            resource,
        })?;
        self.out.put(&text)
    }
}

impl<W: Write> Sink for Bundle<W> {
    fn wants_doctors(&self) -> bool {
        true
    }

    fn wants_patients(&self) -> bool {
        self.opts.include_patient
    }

    fn begin(&mut self) -> Result<()> {
        let head = format!(
            "{{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"timestamp\":\"{}\"",
            fmt_utc(self.opts.now)
        );
        self.out.put(head.as_bytes())
    }

    fn doctor(&mut self, d: &DoctorParty) -> Result<()> {
        self.entry(
            &d.id,
            &Practitioner {
                resource_type: "Practitioner",
                id: &d.id,
                name: [Text { text: &d.full_name }],
            },
        )
    }

    fn patient(&mut self, p: &PatientParty) -> Result<()> {
        self.entry(
            &p.id,
            &Patient {
                resource_type: "Patient",
                id: &p.id,
                meta: None,
                identifier: None,
                name: Some([Text { text: &p.full_name }]),
                // An erased patient has no phone (FHIR has no empty value).
                telecom: (!p.phone.is_empty()).then(|| {
                    vec![ContactPoint {
                        system: "phone",
                        value: &p.phone,
                    }]
                }),
            },
        )
    }

    fn appointment(&mut self, a: &Appointment, _sequence: i64) -> Result<()> {
        let (patient_id, patient_display) = if self.opts.include_patient {
            (a.patient_id.clone(), a.patient_name.as_str())
        } else {
            let id = anonymous_patient_id(&a.id);
            self.entry(
                &id,
                &Patient {
                    resource_type: "Patient",
                    id: &id,
                    meta: Some(masked()),
                    identifier: None,
                    name: None,
                    telecom: None,
                },
            )?;
            (id, ANONYMOUS)
        };
        let mut participant = vec![Participant {
            actor: Reference {
                reference: urn(&patient_id),
                display: patient_display,
            },
            required: "required",
            status: "accepted",
        }];
        if let Some(d) = &a.doctor_id {
            participant.push(Participant {
                actor: Reference {
                    reference: urn(d),
                    display: a.doctor_name.as_deref().unwrap_or(""),
                },
                required: "required",
                status: "accepted",
            });
        }
        let mut extension = vec![Extension {
            url: MODALITY_URL,
            value_string: a.modality.as_str(),
        }];
        if let Some(payer) = nonblank(a.payer.as_deref()) {
            extension.push(Extension {
                url: PAYER_URL,
                value_string: payer,
            });
        }
        let resource = AppointmentResource {
            resource_type: "Appointment",
            id: &a.id,
            extension,
            status: status(a.status),
            cancelation_reason: if a.status == Status::Cancelled {
                nonblank(a.cancellation_reason.as_deref()).map(|text| Text { text })
            } else {
                None
            },
            service_type: one(a.service_name.as_deref()),
            specialty: one(a.doctor_specialty.as_deref()),
            appointment_type: appointment_type(a),
            reason_code: one(a.reason.as_deref()),
            priority: priority(a.urgency),
            start: fmt_utc(a.starts_at),
            end: fmt_utc(a.ends_at),
            minutes_duration: a.duration_minutes,
            created: fmt_utc(a.created_at),
            participant,
        };
        self.entry(&a.id, &resource)
    }

    fn end(&mut self) -> Result<()> {
        let tail: &[u8] = if self.entries { b"\n]}\n" } else { b"}\n" };
        self.out.put(tail)?;
        self.out.finish()
    }
}

/// `patient export --format fhir` (docs/commands.md#appt-patient-export):
/// a Bundle of the patient's doctors, the Patient (with their national ID
/// only when the export includes it, and their e-mail) and their
/// Appointments, in start order.
pub fn patient_bundle(e: &PatientExport) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let opts = Options {
        now: e.exported_at,
        include_patient: true,
    };
    let mut b = Bundle::new(Out::new(&mut bytes, "the export".into()), opts);
    b.begin()?;
    let mut doctors: Vec<DoctorParty> = Vec::new();
    for a in e.visits.iter().map(|v| &v.appointment) {
        if let Some(id) = a
            .doctor_id
            .as_ref()
            .filter(|id| !doctors.iter().any(|d| &d.id == *id))
        {
            doctors.push(DoctorParty {
                id: id.clone(),
                full_name: a.doctor_name.clone().unwrap_or_default(),
            });
        }
    }
    doctors.sort_by(|a, b| a.id.cmp(&b.id));
    for d in &doctors {
        b.doctor(d)?;
    }
    let p = &e.patient;
    let mut telecom = vec![ContactPoint {
        system: "phone",
        value: &p.phone,
    }];
    telecom.extend(p.email.as_deref().map(|value| ContactPoint {
        system: "email",
        value,
    }));
    let identifier = p.national_id.as_deref().filter(|_| e.national_id_included);
    b.entry(
        &p.id,
        &Patient {
            resource_type: "Patient",
            id: &p.id,
            meta: None,
            identifier: identifier.map(|value| {
                [Identifier {
                    kind: Text {
                        text: "National ID",
                    },
                    value,
                }]
            }),
            name: Some([Text { text: &p.full_name }]),
            telecom: Some(telecom),
        },
    )?;
    for v in &e.visits {
        b.appointment(&v.appointment, 0)?;
    }
    b.end()?;
    drop(b);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_maps_as_the_spec_says() {
        let got: Vec<&str> = Status::ALL.iter().map(|s| status(*s)).collect();
        assert_eq!(
            got,
            [
                "booked",
                "booked",
                "checked-in",
                "fulfilled",
                "fulfilled",
                "cancelled",
                "noshow"
            ]
        );
    }

    #[test]
    fn an_anonymous_patient_id_is_a_stable_uuid_of_its_own() {
        let a = anonymous_patient_id("5f0c6a2e-0000-4000-8000-000000000001");
        assert_eq!(
            a,
            anonymous_patient_id("5f0c6a2e-0000-4000-8000-000000000001")
        );
        assert_ne!(
            a,
            anonymous_patient_id("5f0c6a2e-0000-4000-8000-000000000002")
        );
        let u = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(u.get_version_num(), 4);
    }
}
