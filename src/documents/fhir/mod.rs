//! FHIR R4 export: the checklist as a `Questionnaire` generated from the rule set's questions (so
//! it never drifts from them), an assessment as a `QuestionnaireResponse`, and a `Bundle` of type
//! collection with the Patient, the response and one `DetectedIssue` per contraindication and
//! precaution. Unknown answers are left out of the response (FHIR's "not answered").

mod questions;

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::documents::summary::{Context, Status};
use crate::eligibility::engine::Evaluation;
use crate::eligibility::model::{Answer, Assessment};
use crate::eligibility::question_table::{MEDICATION_FIELDS, TRIAL_FIELDS};
use crate::eligibility::ruleset::{Area, Level, RuleSet};

pub use questions::{questionnaire, questionnaire_url};

/// Code system of trdcheck's rule ids and answer values (a URN: nothing to fetch).
pub const RULE_SYSTEM: &str = "urn:trdcheck:rule";
pub const ANSWER_SYSTEM: &str = "urn:trdcheck:answer";
/// Code systems of the determination and of finding levels.
pub const DETERMINATION_SYSTEM: &str = "urn:trdcheck:determination";
/// The extension that carries a finding's level on its DetectedIssue.
pub const LEVEL_EXTENSION: &str = "urn:trdcheck:extension:finding-level";
pub const CLASS_SYSTEM: &str = "urn:trdcheck:medication-class";
/// The answer "none of these classes" (reviewed by the clinician).
pub(crate) const NO_CLASS: &str = "none";
pub const OBSERVATION_SYSTEM: &str = "urn:trdcheck:observation";

/// DetectedIssue.severity: what stops treatment is high, what needs action before it moderate.
fn severity(f: &crate::eligibility::engine::Finding) -> &'static str {
    match f.level {
        _ if f.urgent => "high",
        Level::Contraindication | Level::Unmet => "high",
        Level::Missing | Level::Defer | Level::Precaution => "moderate",
        Level::Info => "low",
    }
}

/// The determination as an Observation derived from the response, with its reason, the rule
/// set and the site policy.
fn determination_entry(
    a: &Assessment,
    e: &Evaluation,
    rules: &RuleSet,
    context: &Context,
    patient_ref: &str,
    response_ref: &str,
    final_status: bool,
) -> Value {
    // Unique per assessment content and rule set, so versions of one patient's record differ.
    let answers = serde_json::to_string(a).unwrap_or_default();
    let id = uuid_of(&["Observation", &a.patient.id, &answers, e.determination.as_str(), &e.ruleset.sha256]);
    let reason = crate::documents::summary::reason(e);
    let mut observation = json!({
        "resourceType": "Observation",
        "id": id,
        "status": if final_status { "final" } else { "preliminary" },
        "code": {
            "coding": [{ "system": OBSERVATION_SYSTEM, "code": "eligibility-determination",
                         "display": "Eligibility for ketamine or esketamine in treatment-resistant depression" }],
            "text": "Eligibility determination",
        },
        "subject": { "reference": patient_ref },
        "valueCodeableConcept": {
            "coding": [{ "system": DETERMINATION_SYSTEM, "code": e.determination.as_str(), "display": e.determination.title() }],
            "text": format!("{}: {reason}", e.determination.title()),
        },
        "derivedFrom": [{ "reference": response_ref }],
        "note": [
            { "text": format!("Failed adequate trials: {} of {} required.", e.failed_adequate_trials, e.required_failed_trials) },
            { "text": format!("Rule set {} version {}, sha256 {}.", e.ruleset.id, e.ruleset.version, e.ruleset.sha256) },
            { "text": format!("Site policy: {}.", e.policy.describe(rules)) },
        ],
    });
    if let Some(Status::Final { at, .. }) = &context.status {
        observation["effectiveDateTime"] = json!(at);
    }
    json!({ "fullUrl": format!("urn:uuid:{id}"), "resource": observation })
}

/// A stable UUID-shaped id derived from content, so the same export gives the same ids.
pub(crate) fn uuid_of(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let b = h.finalize();
    let hex: String = b.iter().take(16).map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-5{}-a{}-{}", &hex[0..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..32])
}

fn answer_value(a: Answer) -> Option<Value> {
    match a {
        Answer::Unknown | Answer::List(_) => None,
        Answer::Bool(b) => Some(json!({ "valueBoolean": b })),
        Answer::Number(n) => Some(json!({ "valueDecimal": n })),
        Answer::Choice(c) => Some(json!({ "valueCoding": { "system": ANSWER_SYSTEM, "code": c } })),
        Answer::Text(t) => Some(json!({ "valueString": t })),
    }
}

fn list_items<T>(prefix: &str, fields: &[crate::eligibility::question_table::Field<T>], entries: &[T]) -> Vec<Value> {
    entries
        .iter()
        .map(|entry| {
            let answers: Vec<Value> = fields
                .iter()
                .filter_map(|f| {
                    answer_value((f.get)(entry))
                        .map(|v| json!({ "linkId": format!("{prefix}.{}", f.path), "answer": [v] }))
                })
                .collect();
            json!({ "linkId": prefix, "item": answers })
        })
        .collect()
}

/// An assessment as a QuestionnaireResponse to [`questionnaire`].
pub fn questionnaire_response(a: &Assessment, rules: &RuleSet, context: &Context, patient_ref: &str) -> Value {
    let groups: Vec<Value> = Area::ALL
        .iter()
        .filter_map(|&area| {
            let mut items = Vec::new();
            for q in rules.questions.iter().filter(|q| q.area == area && rules.shown(q, a)) {
                match q.answer.as_str() {
                    "trials" => {
                        items.extend(list_items("trials", TRIAL_FIELDS, a.trials.as_deref().unwrap_or_default()))
                    }
                    "medications" => {
                        let meds = a.medications.as_deref().unwrap_or_default();
                        let mut listed = list_items("medications", MEDICATION_FIELDS, meds);
                        for (item, m) in listed.iter_mut().zip(meds) {
                            let Some(classes) = m.classes.as_ref() else { continue };
                            // [] is the clinician's review: none of the interacting classes.
                            let codes: Vec<&str> = if classes.is_empty() {
                                vec![NO_CLASS]
                            } else {
                                classes.iter().map(String::as_str).collect()
                            };
                            let answers: Vec<Value> = codes
                                .iter()
                                .map(|c| json!({ "valueCoding": { "system": CLASS_SYSTEM, "code": c } }))
                                .collect();
                            if let Some(sub) = item["item"].as_array_mut() {
                                sub.push(json!({ "linkId": "medications.classes", "answer": answers }));
                            }
                        }
                        items.extend(listed)
                    }
                    _ => {
                        if let Some(v) = answer_value(q.answer(a)) {
                            items.push(json!({ "linkId": q.id, "answer": [v] }));
                        }
                    }
                }
            }
            (!items.is_empty()).then(|| json!({ "linkId": area.as_str(), "item": items }))
        })
        .collect();
    let status = match context.status {
        Some(Status::Final { .. }) => "completed",
        _ => "in-progress",
    };
    let mut response = json!({
        "resourceType": "QuestionnaireResponse",
        "id": uuid_of(&["QuestionnaireResponse", &a.patient.id, &serde_json::to_string(a).unwrap_or_default()]),
        "questionnaire": format!("{}|{}", questionnaire_url(rules), rules.meta.version),
        "status": status,
        "subject": { "reference": patient_ref },
        "item": groups,
    });
    if let Some(Status::Final { by, at, .. }) = &context.status {
        response["authored"] = json!(at);
        response["author"] = json!({ "display": by });
    }
    response
}

/// The Bundle (type collection): Patient, QuestionnaireResponse, the determination as an
/// Observation, a DetectedIssue for every finding (with the clinician's acknowledgement as its
/// mitigation), and a Flag for each urgent finding.
pub fn bundle(a: &Assessment, e: &Evaluation, rules: &RuleSet, context: &Context) -> Value {
    let mrn = context.mrn.clone().unwrap_or_else(|| a.patient.id.clone());
    let patient_id = uuid_of(&["Patient", &mrn]);
    let patient_ref = format!("urn:uuid:{patient_id}");
    let mut patient = json!({
        "resourceType": "Patient",
        "id": patient_id,
        "identifier": [{ "system": "urn:trdcheck:mrn", "value": mrn }],
    });
    if let Some(name) = context.patient_name.as_ref().filter(|n| !n.is_empty()) {
        patient["name"] = json!([{ "text": name }]);
    }
    if let Some(dob) = &context.date_of_birth {
        patient["birthDate"] = json!(dob);
    }
    if let Some(sex) = a.patient.sex {
        patient["gender"] = json!(sex.as_str());
    }
    let response = questionnaire_response(a, rules, context, &patient_ref);
    let mut entries = vec![
        json!({ "fullUrl": patient_ref, "resource": patient }),
        json!({ "fullUrl": format!("urn:uuid:{}", response["id"].as_str().unwrap_or_default()), "resource": response }),
    ];
    let final_status = matches!(context.status, Some(Status::Final { .. }));
    let response_ref = format!("urn:uuid:{}", response["id"].as_str().unwrap_or_default());
    entries.push(determination_entry(a, e, rules, context, &patient_ref, &response_ref, final_status));
    // Every finding, at every level (the unmet, missing and deferral findings included).
    for (i, f) in e.findings.iter().enumerate() {
        let id = uuid_of(&["DetectedIssue", &mrn, &f.rule, &i.to_string(), &f.message]);
        let mut issue = json!({
            "resourceType": "DetectedIssue",
            "id": id,
            "status": if final_status { "final" } else { "preliminary" },
            "code": {
                "coding": [{ "system": RULE_SYSTEM, "code": f.rule, "display": format!("{} ({})", f.rule, f.level.as_str()) }],
                "text": f.rule,
            },
            // The level (contraindication … info) is not a synonym of the rule: an extension.
            "extension": [{ "url": LEVEL_EXTENSION, "valueCode": f.level.as_str() }],
            "severity": severity(f),
            "patient": { "reference": patient_ref },
            "detail": format!(
                "{}{} {} Source: {} ({}).",
                if f.urgent { "URGENT. " } else { "" },
                f.level.label(),
                f.message,
                f.source,
                f.strength.label()
            ),
            "evidence": [{ "detail": [{ "reference": response_ref }] }],
        });
        if let Some(note) = context.acknowledgements.get(&*f.rule) {
            issue["mitigation"] = json!([{ "action": { "text": format!("Acknowledged by the clinician: {note}") } }]);
        }
        entries.push(json!({ "fullUrl": format!("urn:uuid:{id}"), "resource": issue }));
        // An urgent finding is also a Flag, the resource a receiving system shows as an alert.
        if f.urgent {
            entries.push(urgent_flag(f, &mrn, &patient_ref));
        }
    }
    json!({
        "resourceType": "Bundle",
        "id": uuid_of(&["Bundle", &mrn, &serde_json::to_string(a).unwrap_or_default(), &e.ruleset.sha256]),
        "type": "collection",
        "entry": entries,
    })
}

/// The Flag entry of an urgent finding: the resource a receiving system shows as an alert.
fn urgent_flag(f: &crate::eligibility::engine::Finding, mrn: &str, patient_ref: &str) -> Value {
    let flag_id = uuid_of(&["Flag", mrn, &f.rule, &f.message]);
    let flag = json!({
        "resourceType": "Flag",
        "id": flag_id,
        "status": "active",
        "category": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/flag-category",
            "code": "safety",
            "display": "Safety"
        }] }],
        "code": {
            "coding": [{ "system": RULE_SYSTEM, "code": f.rule }],
            "text": f.message,
        },
        "subject": { "reference": patient_ref },
    });
    json!({ "fullUrl": format!("urn:uuid:{flag_id}"), "resource": flag })
}
