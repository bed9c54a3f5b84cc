//! A treatment course as a FHIR R4 Bundle: the patient; per session a MedicationAdministration
//! (completed with the dose, or not-done with the gate's reason when the session was deferred),
//! an Observation per vital sign with its LOINC code (blood pressure panel 85354-9 with systolic
//! 8480-6 and diastolic 8462-4, heart rate 8867-4, SpO₂ 2708-6), the sedation score, and an
//! AdverseEvent per adverse effect recorded; per outcome-scale administration an Observation
//! (PHQ-9: the panel 44249-1 with its items and the total 44261-6; MADRS: a local code system,
//! no LOINC code being known), part of the session's MedicationAdministration when taken at one.

use serde_json::{json, Value};

use crate::documents::fhir::uuid_of;
use crate::eligibility::model::Route;
use crate::outcomes::scales::Scales;
use crate::records::{AdministrationRecord, CourseRecord, Patient, RecordStatus, SessionOutcome, SessionRecord};
use crate::treatment::session::{BloodPressure, Session};

pub const MEDICATION_SYSTEM: &str = "urn:trdcheck:medication";
const LOINC: &str = "http://loinc.org";
const UCUM: &str = "http://unitsofmeasure.org";
const VITAL_SIGNS: &str = "http://terminology.hl7.org/CodeSystem/observation-category";

fn medication(route: Route) -> Value {
    match route {
        Route::IvKetamine => json!({
            "coding": [{ "system": MEDICATION_SYSTEM, "code": "ketamine-racemic-iv", "display": "Ketamine (racemic), intravenous infusion" }],
            "text": "Ketamine (racemic) IV",
        }),
        // NDC 50458-028: SPRAVATO 28 mg/0.2 mL nasal device (reference.md §7.2, openFDA).
        Route::EsketamineNasal => json!({
            "coding": [
                { "system": "http://hl7.org/fhir/sid/ndc", "code": "50458-028", "display": "SPRAVATO (esketamine) 28 mg nasal spray device" },
                { "system": MEDICATION_SYSTEM, "code": "esketamine-nasal", "display": "Esketamine, intranasal" },
            ],
            "text": "Esketamine nasal spray",
        }),
    }
}

struct Ctx<'a> {
    patient_ref: &'a str,
    mrn: &'a str,
    entries: Vec<Value>,
}

impl Ctx<'_> {
    fn push(&mut self, id: String, resource: Value) {
        self.entries.push(json!({ "fullUrl": format!("urn:uuid:{id}"), "resource": resource }));
    }

    fn quantity(value: f64, unit: &str, code: &str) -> Value {
        json!({ "value": value, "unit": unit, "system": UCUM, "code": code })
    }

    fn observation(&mut self, s: &Session, status: &str, key: &str, code: Value, when: &str) -> Value {
        let id = uuid_of(&["Observation", self.mrn, &s.number.to_string(), &s.date, key]);
        json!({
            "resourceType": "Observation",
            "id": id,
            "status": status,
            "category": [{ "coding": [{ "system": VITAL_SIGNS, "code": "vital-signs", "display": "Vital Signs" }] }],
            "code": code,
            "subject": { "reference": self.patient_ref },
            "effectiveDateTime": s.date,
            "note": [{ "text": format!("Session {}, {when}.", s.number) }],
        })
    }

    fn blood_pressure(&mut self, s: &Session, status: &str, key: &str, bp: &BloodPressure, when: &str) {
        let components: Vec<Value> = [
            (bp.systolic_mmhg, "8480-6", "Systolic blood pressure"),
            (bp.diastolic_mmhg, "8462-4", "Diastolic blood pressure"),
        ]
        .into_iter()
        .filter_map(|(v, code, display)| {
            v.map(|v| {
                json!({
                    "code": { "coding": [{ "system": LOINC, "code": code, "display": display }] },
                    "valueQuantity": Self::quantity(v, "mmHg", "mm[Hg]"),
                })
            })
        })
        .collect();
        if components.is_empty() {
            return;
        }
        let code = json!({ "coding": [{ "system": LOINC, "code": "85354-9", "display": "Blood pressure panel with all children optional" }], "text": format!("Blood pressure {when}") });
        let mut o = self.observation(s, status, key, code, when);
        o["component"] = json!(components);
        let id = o["id"].as_str().unwrap_or_default().to_string();
        self.push(id, o);
    }

    fn single(
        &mut self,
        s: &Session,
        status: &str,
        key: &str,
        value: Option<f64>,
        (code, display, unit, ucum): (&str, &str, &str, &str),
        when: &str,
    ) {
        let Some(v) = value else { return };
        let code = json!({ "coding": [{ "system": LOINC, "code": code, "display": display }], "text": format!("{display} {when}") });
        let mut o = self.observation(s, status, key, code, when);
        o["valueQuantity"] = Self::quantity(v, unit, ucum);
        let id = o["id"].as_str().unwrap_or_default().to_string();
        self.push(id, o);
    }
}

const HEART_RATE: (&str, &str, &str, &str) = ("8867-4", "Heart rate", "beats/minute", "/min");
const SPO2: (&str, &str, &str, &str) = ("2708-6", "Oxygen saturation in Arterial blood", "%", "%");

/// The adverse effects a session records: (key, text).
fn adverse_effects(s: &Session) -> Vec<(&'static str, String)> {
    let m = &s.monitoring;
    let mut out = Vec::new();
    if let Some(score) = m.moaas_lowest.filter(|&v| v < 5) {
        out.push(("sedation", format!("Sedation (deepest MOAA/S {score})")));
    }
    if m.dissociation == Some(true) {
        out.push(("dissociation", "Dissociation".to_string()));
    }
    if m.respiratory_depression == Some(true) {
        out.push(("respiratory-depression", "Respiratory depression".to_string()));
    }
    if let crate::treatment::session::OtherEvents::Some(t) = m.other_events() {
        out.push(("other", t.to_string()));
    }
    out
}

/// The course as a FHIR R4 `collection` Bundle.
pub fn course_bundle(
    course: &CourseRecord,
    sessions: &[SessionRecord],
    administrations: &[AdministrationRecord],
    patient: &Patient,
) -> Value {
    let patient_id = uuid_of(&["Patient", &patient.mrn]);
    let patient_ref = format!("urn:uuid:{patient_id}");
    let p = patient_resource(patient, &patient_id);
    let mut c = Ctx { patient_ref: &patient_ref, mrn: &patient.mrn, entries: Vec::new() };
    c.push(patient_id.clone(), p);
    let mut given = std::collections::BTreeMap::new();
    // A draft session is no record of a dose (nothing is signed yet): it is left out, never
    // exported as if given (issue 24).
    for rec in sessions.iter().filter(|r| r.status == RecordStatus::Final) {
        let s = &rec.session;
        let (id, admin) = medication_administration(course, rec, patient, &patient_ref);
        let admin_ref = format!("urn:uuid:{id}");
        given.insert(s.number, admin_ref.clone());
        c.push(id, admin);
        session_observations(&mut c, s, (&patient.mrn, &patient_ref), &admin_ref);
    }
    for rec in administrations {
        if let Some(observation) = scale_observation(rec, &patient.mrn, &patient_ref, &given) {
            let id = observation["id"].as_str().unwrap_or_default().to_string();
            c.push(id, observation);
        }
    }
    json!({
        "resourceType": "Bundle",
        "id": uuid_of(&[
            "Bundle",
            "course",
            &patient.mrn,
            &course.id.to_string(),
            &sessions.len().to_string(),
            &administrations.len().to_string(),
        ]),
        "type": "collection",
        "entry": c.entries,
    })
}

/// The patient as a FHIR Patient: the MRN, and the name, birth date and sex where recorded.
fn patient_resource(patient: &Patient, patient_id: &str) -> Value {
    let mut p = json!({
        "resourceType": "Patient",
        "id": patient_id,
        "identifier": [{ "system": "urn:trdcheck:mrn", "value": patient.mrn }],
    });
    if !patient.name.trim().is_empty() {
        p["name"] = json!([{ "text": patient.name }]);
    }
    if let Some(dob) = &patient.date_of_birth {
        p["birthDate"] = json!(dob);
    }
    if let Some(sex) = patient.sex {
        p["gender"] = json!(sex.as_str());
    }
    p
}

/// A finalised session's dose as a MedicationAdministration: given (with dose, lot, start and a
/// reason for a dose outside the calculator), or not done and why.
fn medication_administration(
    course: &CourseRecord,
    rec: &SessionRecord,
    patient: &Patient,
    patient_ref: &str,
) -> (String, Value) {
    let s = &rec.session;
    let n = s.number.to_string();
    let route_text = match course.route {
        Route::IvKetamine => "Intravenous infusion",
        Route::EsketamineNasal => "Nasal",
    };
    // The dose: given, not given (deferred or to reassess), or still a draft.
    let id = uuid_of(&["MedicationAdministration", &patient.mrn, &course.id.to_string(), &n, &s.date]);
    let mut admin = json!({
        "resourceType": "MedicationAdministration",
        "id": id,
        "medicationCodeableConcept": medication(course.route),
        "subject": { "reference": patient_ref },
        "effectiveDateTime": s.date,
        "note": [{ "text": format!("Course {}, session {n}.", course.id) }],
    });
    match rec.outcome {
        Some(SessionOutcome::Treated) | None => {
            admin["status"] = json!("completed");
            let mut dosage = json!({ "route": { "text": route_text } });
            if let Some(mg) = s.dose.dose_mg {
                dosage["dose"] = Ctx::quantity(mg, "mg", "mg");
            }
            admin["dosage"] = dosage;
            let mut notes = vec![json!({ "text": format!("Course {}, session {n}.", course.id) })];
            if let Some(lot) = s.dose.lot_number.as_deref().filter(|l| !l.trim().is_empty()) {
                notes.push(json!({ "text": format!("Lot number {lot}.") }));
            }
            if let Some(t) = s.dose.start_time.as_deref().filter(|l| !l.trim().is_empty()) {
                notes.push(json!({ "text": format!("Started at {t}.") }));
            }
            if let Some(r) = s.dose.reason_outside_calculator.as_deref().filter(|l| !l.trim().is_empty()) {
                notes.push(json!({ "text": format!("Dose outside the calculator: {r}") }));
            }
            admin["note"] = json!(notes);
        }
        Some(outcome) => {
            admin["status"] = json!("not-done");
            let why = rec.gate.as_ref().map_or(outcome.title().to_string(), |g| g.decision.title().to_string());
            admin["statusReason"] = json!([{ "text": why }]);
        }
    }
    (id, admin)
}

/// A session's readings before and after the dose, its deepest sedation and its adverse
/// effects (each suspected of the dose given).
fn session_observations(c: &mut Ctx, s: &Session, (mrn, patient_ref): (&str, &str), admin_ref: &str) {
    let status = "final";
    let n = s.number.to_string();
    let pre =
        BloodPressure { systolic_mmhg: s.pre_dose.gate.systolic_mmhg, diastolic_mmhg: s.pre_dose.gate.diastolic_mmhg };
    let repeat = BloodPressure {
        systolic_mmhg: s.pre_dose.gate.repeat_systolic_mmhg,
        diastolic_mmhg: s.pre_dose.gate.repeat_diastolic_mmhg,
    };
    c.blood_pressure(s, status, "bp-pre", &pre, "before the dose");
    c.blood_pressure(s, status, "bp-repeat", &repeat, "before the dose, repeated after rest");
    c.single(s, status, "hr-pre", s.pre_dose.heart_rate_bpm, HEART_RATE, "before the dose");
    c.single(s, status, "spo2-pre", s.pre_dose.gate.spo2_percent, SPO2, "before the dose");
    let m = &s.monitoring;
    c.blood_pressure(s, status, "bp-40", &m.bp_40_min, "about 40 minutes after the dose");
    c.blood_pressure(s, status, "bp-discharge", &m.bp_before_discharge, "before discharge");
    c.single(s, status, "spo2-lowest", m.spo2_lowest_percent, SPO2, "lowest during monitoring");
    if let Some(score) = m.moaas_lowest {
        let id = uuid_of(&["Observation", mrn, &n, &s.date, "moaas"]);
        c.push(
            id.clone(),
            json!({
                "resourceType": "Observation",
                "id": id,
                "status": status,
                "code": { "coding": [{ "system": crate::documents::fhir::OBSERVATION_SYSTEM, "code": "moaas-lowest",
                                       "display": "Deepest sedation, MOAA/S (0-5)" }], "text": "Deepest sedation, MOAA/S" },
                "subject": { "reference": patient_ref },
                "effectiveDateTime": s.date,
                "valueInteger": score,
            }),
        );
    }
    for (key, text) in adverse_effects(s) {
        let id = uuid_of(&["AdverseEvent", mrn, &n, &s.date, key]);
        c.push(
            id.clone(),
            json!({
                "resourceType": "AdverseEvent",
                "id": id,
                "actuality": "actual",
                "event": { "text": text },
                "subject": { "reference": patient_ref },
                "date": s.date,
                "suspectEntity": [{ "instance": { "reference": admin_ref } }],
            }),
        );
    }
}

/// An outcome-scale administration as an Observation: the scale's panel code, one component per
/// answered item and, once finalised, the total, its band and any safety alert with the
/// clinician's note.
fn scale_observation(
    rec: &AdministrationRecord,
    mrn: &str,
    patient_ref: &str,
    given: &std::collections::BTreeMap<u32, String>,
) -> Option<Value> {
    let a = &rec.administration;
    let scale = Scales::embedded().ok()?.get(&a.scale)?;
    let meta = &scale.scale;
    let local = meta.local_code_system.as_deref().unwrap_or(crate::documents::fhir::OBSERVATION_SYSTEM);
    let coding = |loinc: Option<&str>, local_code: String, display: &str| match loinc {
        Some(code) => json!({ "coding": [{ "system": LOINC, "code": code, "display": display }], "text": display }),
        None => json!({ "coding": [{ "system": local, "code": local_code, "display": display }], "text": display }),
    };
    let mut components: Vec<Value> = scale
        .items
        .iter()
        .zip(&a.items)
        .filter_map(|(item, answer)| {
            let answer = (*answer)?;
            let code = coding(item.loinc.as_deref(), format!("{}-item-{}", meta.id, item.number), &item.label);
            Some(json!({ "code": code, "valueInteger": answer }))
        })
        .collect();
    let mut notes = Vec::new();
    if a.baseline {
        notes.push(json!({ "text": format!("Baseline {} of the course.", meta.name) }));
    }
    let mut observation = json!({
        "resourceType": "Observation",
        "id": uuid_of(&["Observation", mrn, "scale", &rec.id.to_string()]),
        "status": match (rec.status, rec.version) {
            (RecordStatus::Draft, _) => "preliminary",
            (RecordStatus::Final, 1) => "final",
            (RecordStatus::Final, _) => "amended",
        },
        "category": [{ "coding": [{ "system": VITAL_SIGNS, "code": "survey", "display": "Survey" }] }],
        "code": coding(meta.loinc_panel.as_deref(), meta.id.clone(), &meta.title),
        "subject": { "reference": patient_ref },
        "effectiveDateTime": a.date,
    });
    if let Some(score) = &rec.score {
        let total = coding(
            meta.loinc_total.as_deref(),
            meta.local_code_total.clone().unwrap_or_else(|| format!("{}-total", meta.id)),
            &format!("{} total score", meta.name),
        );
        components.push(json!({ "code": total, "valueInteger": score.total }));
        observation["interpretation"] =
            json!([{ "text": format!("{} ({}–{})", score.band, score.band_range[0], score.band_range[1]) }]);
        for alert in &score.alerts {
            notes.push(json!({ "text": format!(
                "URGENT: item {} ({}) answered {} ({}). {} Clinician's note: {}",
                alert.item,
                alert.label,
                alert.answer_label,
                alert.answer,
                alert.message,
                a.safety_note.as_deref().unwrap_or("none")
            ) }));
        }
    }
    observation["component"] = json!(components);
    if !notes.is_empty() {
        observation["note"] = json!(notes);
    }
    if let Some(admin) = a.session_number.and_then(|n| given.get(&n)) {
        observation["partOf"] = json!([{ "reference": admin }]);
    }
    Some(observation)
}
