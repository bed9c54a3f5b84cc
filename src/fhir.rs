//! FHIR R4 export: the checklist as a `Questionnaire` generated from the rule set's questions (so
//! it never drifts from them), an assessment as a `QuestionnaireResponse`, and a `Bundle` of type
//! collection with the Patient, the response and one `DetectedIssue` per contraindication and
//! precaution. Unknown answers are left out of the response (FHIR's "not answered").

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::engine::Evaluation;
use crate::model::{Answer, Assessment, MEDICATION_FIELDS, TRIAL_FIELDS};
use crate::ruleset::{Area, Level, Question, RuleSet};
use crate::summary::{Context, Status};

/// Code system of trdcheck's rule ids and answer values (a URN: nothing to fetch).
pub const RULE_SYSTEM: &str = "urn:trdcheck:rule";
pub const ANSWER_SYSTEM: &str = "urn:trdcheck:answer";

/// The canonical URL of the checklist questionnaire of a rule set.
pub fn questionnaire_url(rules: &RuleSet) -> String {
    format!("urn:trdcheck:questionnaire:{}", rules.meta.id)
}

/// A stable UUID-shaped id derived from content, so the same export gives the same ids.
fn uuid_of(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let b = h.finalize();
    let hex: String = b.iter().take(16).map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-5{}-a{}-{}", &hex[0..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..32])
}

fn sub_items(prefix: &str, fields: &[(&str, &str, &str)]) -> Vec<Value> {
    fields
        .iter()
        .map(|(path, text, kind)| json!({ "linkId": format!("{prefix}.{path}"), "text": text, "type": kind }))
        .collect()
}

fn kind_of<T>(f: &crate::model::Field<T>) -> &'static str {
    match f.kind {
        crate::model::AnswerKind::Bool => "boolean",
        crate::model::AnswerKind::Number { .. } => "decimal",
        crate::model::AnswerKind::Text => "string",
        crate::model::AnswerKind::Choice { .. } => "choice",
        crate::model::AnswerKind::Trials | crate::model::AnswerKind::Medications => "group",
    }
}

fn trial_text(path: &str) -> &'static str {
    match path {
        "drug" => "Drug (generic or brand name)",
        "dose_mg_per_day" => "Dose (mg/day)",
        "weeks_at_dose" => "Weeks at or above that dose",
        "adherent" => "Taken as prescribed",
        "improvement_percent" => "Improvement during the trial (%)",
        "current_episode" => "In the current episode",
        "stopped_for_intolerance" => "Stopped for intolerance",
        "adequacy_confirmed_by_clinician" => "Adequate dose confirmed by the clinician (drug outside the dose table)",
        "name" => "Medication (generic or brand name)",
        _ => "",
    }
}

fn question_item(q: &Question) -> Value {
    let mut item = Map::new();
    item.insert("linkId".into(), json!(q.id));
    let text = match &q.unit {
        Some(u) => format!("{} ({u})", q.text),
        None => q.text.clone(),
    };
    item.insert("text".into(), json!(text));
    let kind = match q.answer.as_str() {
        "bool" => "boolean",
        "number" => "decimal",
        "choice" => "choice",
        _ => "group",
    };
    item.insert("type".into(), json!(kind));
    if q.gap_rule.is_some() {
        item.insert("required".into(), json!(true));
    }
    if !q.options.is_empty() {
        let options: Vec<Value> = q
            .options
            .iter()
            .map(|o| json!({ "valueCoding": { "system": ANSWER_SYSTEM, "code": o.value, "display": o.label } }))
            .collect();
        item.insert("answerOption".into(), json!(options));
    }
    if let Some(c) = &q.applies_when {
        let answer = match &c.is_not {
            crate::ruleset::Value::Bool(b) => json!({ "question": c.question, "operator": "!=", "answerBoolean": b }),
            crate::ruleset::Value::Text(t) => {
                json!({ "question": c.question, "operator": "!=", "answerCoding": { "system": ANSWER_SYSTEM, "code": t } })
            }
        };
        item.insert("enableWhen".into(), json!([answer]));
    }
    let (fields, prefix): (Vec<(&str, &str, &str)>, &str) = match q.answer.as_str() {
        "trials" => (TRIAL_FIELDS.iter().map(|f| (f.path, trial_text(f.path), kind_of(f))).collect(), "trials"),
        "medications" => {
            (MEDICATION_FIELDS.iter().map(|f| (f.path, trial_text(f.path), kind_of(f))).collect(), "medications")
        }
        _ => (Vec::new(), ""),
    };
    if !fields.is_empty() {
        item.insert("repeats".into(), json!(true));
        item.insert("item".into(), json!(sub_items(prefix, &fields)));
    }
    Value::Object(item)
}

/// The checklist as a FHIR R4 Questionnaire, one group per area.
pub fn questionnaire(rules: &RuleSet) -> Value {
    let groups: Vec<Value> = Area::ALL
        .iter()
        .filter_map(|&area| {
            let items: Vec<Value> = rules.questions.iter().filter(|q| q.area == area).map(question_item).collect();
            (!items.is_empty())
                .then(|| json!({ "linkId": area.as_str(), "text": area.title(), "type": "group", "item": items }))
        })
        .collect();
    json!({
        "resourceType": "Questionnaire",
        "id": rules.meta.id,
        "url": questionnaire_url(rules),
        "version": rules.meta.version,
        "name": "TrdKetamineEligibility",
        "title": rules.meta.title,
        "status": "active",
        "description": format!("{} Rule set sha256 {}.", rules.meta.disclaimer, rules.sha256),
        "item": groups,
    })
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

fn list_items<T>(prefix: &str, fields: &[crate::model::Field<T>], entries: &[T]) -> Vec<Value> {
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
            for q in rules.questions.iter().filter(|q| q.area == area && q.applies(a)) {
                match q.answer.as_str() {
                    "trials" => {
                        items.extend(list_items("trials", TRIAL_FIELDS, a.trials.as_deref().unwrap_or_default()))
                    }
                    "medications" => items.extend(list_items(
                        "medications",
                        MEDICATION_FIELDS,
                        a.medications.as_deref().unwrap_or_default(),
                    )),
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
    if let Some(Status::Final { by, at }) = &context.status {
        response["authored"] = json!(at);
        response["author"] = json!({ "display": by });
    }
    response
}

/// The Bundle (type collection): Patient, QuestionnaireResponse, and a DetectedIssue for each
/// contraindication and precaution, with the clinician's acknowledgement as its mitigation.
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
    for (i, f) in
        e.findings.iter().filter(|f| matches!(f.level, Level::Contraindication | Level::Precaution)).enumerate()
    {
        let id = uuid_of(&["DetectedIssue", &mrn, &f.rule, &i.to_string(), &f.message]);
        let mut issue = json!({
            "resourceType": "DetectedIssue",
            "id": id,
            "status": if final_status { "final" } else { "preliminary" },
            "code": {
                "coding": [{ "system": RULE_SYSTEM, "code": f.rule, "display": format!("{} ({})", f.rule, f.level.as_str()) }],
                "text": f.rule,
            },
            "severity": if f.level == Level::Contraindication { "high" } else { "moderate" },
            "patient": { "reference": patient_ref },
            "detail": format!("{} Source: {} ({}).", f.message, f.source, f.strength.label()),
        });
        if let Some(note) = context.acknowledgements.get(&*f.rule) {
            issue["mitigation"] = json!([{ "action": { "text": format!("Acknowledged by the clinician: {note}") } }]);
        }
        entries.push(json!({ "fullUrl": format!("urn:uuid:{id}"), "resource": issue }));
    }
    json!({
        "resourceType": "Bundle",
        "id": uuid_of(&["Bundle", &mrn, &serde_json::to_string(a).unwrap_or_default(), &e.ruleset.sha256]),
        "type": "collection",
        "entry": entries,
    })
}
