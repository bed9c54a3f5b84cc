//! The checklist as a FHIR `Questionnaire`, generated from the rule set's questions so that it never
//! drifts from them.

use serde_json::{json, Value};

use super::*;
use crate::eligibility::question_table::{MEDICATION_FIELDS, TRIAL_FIELDS};
use crate::eligibility::ruleset::{Area, Question, RuleSet};

/// The canonical URL of the checklist questionnaire of a rule set.
pub fn questionnaire_url(rules: &RuleSet) -> String {
    format!("urn:trdcheck:questionnaire:{}", rules.meta.id)
}

fn sub_items(prefix: &str, fields: &[(&str, &str, &str)]) -> Vec<Value> {
    fields
        .iter()
        .map(|(path, text, kind)| json!({ "linkId": format!("{prefix}.{path}"), "text": text, "type": kind }))
        .collect()
}

fn kind_of<T>(f: &crate::eligibility::question_table::Field<T>) -> &'static str {
    match f.kind {
        crate::eligibility::question_table::AnswerKind::Bool => "boolean",
        crate::eligibility::question_table::AnswerKind::Number { .. } => "decimal",
        crate::eligibility::question_table::AnswerKind::Text => "string",
        crate::eligibility::question_table::AnswerKind::Choice { .. } => "choice",
        crate::eligibility::question_table::AnswerKind::Trials
        | crate::eligibility::question_table::AnswerKind::Medications => "group",
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
        "same_drug_as_suggestion" => "The same drug as the catalog drug its name is close to (clinician's answer)",
        "name" => "Medication (generic or brand name)",
        "diazepam_equivalent_mg_per_day" => "Diazepam equivalent given by the clinician (mg/day)",
        _ => "",
    }
}

fn question_item(q: &Question, rules: &RuleSet) -> Value {
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
    if let Some(applies) = &q.applies_when {
        let when = enable_when(applies);
        if when.len() > 1 {
            item.insert("enableBehavior".into(), json!("any"));
        }
        item.insert("enableWhen".into(), json!(when));
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
        let mut sub = sub_items(prefix, &fields);
        if prefix == "medications" {
            sub.push(json!({
                "linkId": "medications.classes",
                "text": "Classes chosen by the clinician for a name the catalog does not know",
                "type": "choice",
                "repeats": true,
                "answerOption": rules
                    .drugs
                    .classes
                    .iter()
                    .map(|(id, name)| json!({ "valueCoding": { "system": CLASS_SYSTEM, "code": id, "display": name } }))
                    .chain(std::iter::once(json!({ "valueCoding": {
                        "system": CLASS_SYSTEM, "code": NO_CLASS, "display": "None of these (reviewed by the clinician)"
                    } })))
                    .collect::<Vec<_>>(),
            }));
        }
        item.insert("item".into(), json!(sub));
    }
    Value::Object(item)
}

/// The FHIR `enableWhen` conditions of a question shown only when others are answered so: one
/// per value a condition names (any of them enables the question when there are several).
fn enable_when(applies: &crate::eligibility::ruleset::AppliesWhen) -> Vec<Value> {
    let conditions = match applies {
        crate::eligibility::ruleset::AppliesWhen::One(c) => std::slice::from_ref(c),
        crate::eligibility::ruleset::AppliesWhen::Any { any } => any.as_slice(),
    };
    let mut when = Vec::new();
    for c in conditions {
        let values: Vec<(&str, &crate::eligibility::ruleset::Value)> = match &c.is_not {
            Some(v) if c.is.is_empty() => vec![("!=", v)],
            _ => c.is.iter().map(|v| ("=", v)).collect(),
        };
        for (operator, value) in values {
            when.push(match value {
                crate::eligibility::ruleset::Value::Bool(b) => {
                    json!({ "question": c.question, "operator": operator, "answerBoolean": b })
                }
                crate::eligibility::ruleset::Value::Text(t) => json!({
                    "question": c.question, "operator": operator,
                    "answerCoding": { "system": ANSWER_SYSTEM, "code": t }
                }),
            });
        }
    }
    when
}

/// The checklist as a FHIR R4 Questionnaire, one group per area.
pub fn questionnaire(rules: &RuleSet) -> Value {
    let groups: Vec<Value> = Area::ALL
        .iter()
        .filter_map(|&area| {
            let items: Vec<Value> =
                rules.questions.iter().filter(|q| q.area == area).map(|q| question_item(q, rules)).collect();
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
