//! Reading an assessment: strict JSON parsing, then the range and consistency checks of
//! assessment-v2 (a version 1 document is upgraded on reading). Every error names the field's
//! path, the value and what is allowed.

use crate::eligibility::model::{Answer, Assessment, NAME_MAX_CHARS, PATIENT_ID_MAX_CHARS, SCHEMA, SCHEMA_V1};
use crate::eligibility::question_table::{AnswerKind, Field, MEDICATION_FIELDS, QUESTIONS, TRIAL_FIELDS};
use crate::eligibility::ruleset::RuleSet;
use crate::error::InputError;

/// Parses and validates an assessment-v2 document, or a version 1 document, which is upgraded
/// (every new answer unknown). Nothing is evaluated from a rejected document.
pub fn parse_assessment(text: &str) -> Result<Assessment, InputError> {
    // Syntax first, so that every later error is about a field and can name its path. A
    // byte-order mark is accepted, a key given twice refused naming it (strict_json).
    let mut assessment: Assessment = crate::strict_json::from_str(text)?;
    if assessment.schema == SCHEMA_V1 {
        check_version_1(&assessment)?;
        assessment.upgrade();
    }
    validate(&assessment)?;
    Ok(assessment)
}

/// A version 1 document has only the answers version 1 asked (the archived rule set's
/// questions): one of version 2 in it is an error naming its path, not a silent upgrade.
fn check_version_1(a: &Assessment) -> Result<(), InputError> {
    let Some(v1) = RuleSet::archived_versions().iter().find(|r| r.meta.version == "1") else { return Ok(()) };
    let not_v1 = |path: &str| {
        field_error(path, "a value", &format!("is not part of {SCHEMA_V1}; write the document as {SCHEMA}"))
    };
    for field in QUESTIONS.iter().filter(|f| v1.question(f.path).is_none()) {
        if !(field.get)(a).is_unknown() {
            return Err(not_v1(field.path));
        }
    }
    for (i, m) in a.medications.iter().flatten().enumerate() {
        if m.classes.is_some() {
            return Err(not_v1(&format!("medications[{i}].classes")));
        }
        if m.diazepam_equivalent_mg_per_day.is_some() {
            return Err(not_v1(&format!("medications[{i}].diazepam_equivalent_mg_per_day")));
        }
    }
    Ok(())
}

/// Checks an assessment built in memory (by the app) the same way a file is checked.
pub fn validate(a: &Assessment) -> Result<(), InputError> {
    validate_all(a).into_iter().next().map_or(Ok(()), Err)
}

/// Every problem of an assessment, in checklist order (the app shows each next to its field).
pub fn validate_all(a: &Assessment) -> Vec<InputError> {
    let mut errors = Vec::new();
    if a.schema != SCHEMA {
        errors.push(field_error(
            "schema",
            &format!("{:?}", a.schema),
            &format!("must be \"{SCHEMA}\" (or \"{SCHEMA_V1}\", which is upgraded)"),
        ));
    }
    if a.patient.id.trim().is_empty() {
        errors.push(field_error("patient.id", &format!("{:?}", a.patient.id), "must be a non-empty string"));
    } else if let Err(e) = crate::eligibility::model::check_line("patient.id", &a.patient.id, PATIENT_ID_MAX_CHARS) {
        errors.push(e);
    }
    check_fields(QUESTIONS, a, "", &mut errors);
    if let (Some(s), Some(d)) = (a.cardiovascular.systolic_mmhg, a.cardiovascular.diastolic_mmhg) {
        if d >= s {
            errors.push(field_error(
                "cardiovascular.diastolic_mmhg",
                &fmt_num(d),
                &format!("must be below the systolic pressure ({} mmHg)", fmt_num(s)),
            ));
        }
    }
    check_pairs(a, &mut errors);
    for (i, trial) in a.trials.iter().flatten().enumerate() {
        check_fields(TRIAL_FIELDS, trial, &format!("trials[{i}]."), &mut errors);
    }
    for (i, med) in a.medications.iter().flatten().enumerate() {
        check_fields(MEDICATION_FIELDS, med, &format!("medications[{i}]."), &mut errors);
        check_classes(med.classes.as_deref().unwrap_or_default(), i, &mut errors);
    }
    errors
}

/// Questions the rule set pairs (a repeat blood pressure: systolic with diastolic) are answered
/// both or neither; the repeat diastolic must be below the repeat systolic.
fn check_pairs(a: &Assessment, errors: &mut Vec<InputError>) {
    let Ok(rules) = RuleSet::embedded() else { return };
    for q in rules.questions.iter().filter(|q| q.paired_with.is_some()) {
        let other = q.paired_with.as_deref().unwrap_or_default();
        let number = |path: &str| match a.answer(path) {
            Some(Answer::Number(n)) => Some(n),
            _ => None,
        };
        let text = |path: &str| rules.question(path).map_or(path.to_string(), |q| q.text.to_lowercase());
        match (number(&q.id), number(other)) {
            (Some(first), None) => errors.push(field_error(
                other,
                "null",
                &format!("is missing: {} needs both values ({} is {})", text(other), text(&q.id), fmt_num(first)),
            )),
            (None, Some(second)) => errors.push(field_error(
                &q.id,
                "null",
                &format!("is missing: {} needs both values ({} is {})", text(&q.id), text(other), fmt_num(second)),
            )),
            _ => {}
        }
    }
    if let (Some(s), Some(d)) = (a.cardiovascular.repeat_systolic_mmhg, a.cardiovascular.repeat_diastolic_mmhg) {
        if d >= s {
            errors.push(field_error(
                "cardiovascular.repeat_diastolic_mmhg",
                &fmt_num(d),
                &format!("must be below the repeat systolic pressure ({} mmHg)", fmt_num(s)),
            ));
        }
    }
}

/// Clinician-chosen classes must be the catalog's class ids, each once.
fn check_classes(classes: &[String], index: usize, errors: &mut Vec<InputError>) {
    let Ok(rules) = RuleSet::embedded() else { return };
    let known = &rules.drugs.classes;
    for (j, class) in classes.iter().enumerate() {
        let path = format!("medications[{index}].classes[{j}]");
        if !known.contains_key(class) {
            let allowed = known.keys().map(String::as_str).collect::<Vec<_>>().join(", ");
            errors.push(field_error(&path, &format!("{class:?}"), &format!("is not a class id; allowed: {allowed}")));
        } else if classes[..j].contains(class) {
            errors.push(field_error(&path, &format!("{class:?}"), "is listed twice"));
        }
    }
}

fn check_fields<T>(fields: &[Field<T>], value: &T, prefix: &str, errors: &mut Vec<InputError>) {
    for field in fields {
        let path = || format!("{prefix}{}", field.path);
        match ((field.get)(value), field.kind) {
            (Answer::Number(n), AnswerKind::Number { min, max, unit, whole }) => {
                let above = max.is_some_and(|m| n > m);
                if whole && n.is_finite() && n.fract() != 0.0 {
                    errors.push(field_error(&path(), &fmt_num(n), "must be a whole number"));
                } else if !n.is_finite() || n < min || above {
                    let allowed = match max {
                        Some(max) => format!("allowed {}–{} {unit}", fmt_num(min), fmt_num(max)),
                        None => format!("allowed {} {unit} or more", fmt_num(min)),
                    };
                    errors.push(field_error(&path(), &fmt_num(n), &format!("is out of range; {allowed}")));
                }
            }
            (Answer::Text(t), _) if t.trim().is_empty() => {
                errors.push(field_error(&path(), &format!("{t:?}"), "must be a non-empty name, or null when unknown"));
            }
            (Answer::Text(t), _) => {
                if let Err(e) = crate::eligibility::model::check_line(&path(), t, NAME_MAX_CHARS) {
                    errors.push(e);
                }
            }
            _ => {}
        }
    }
}

fn field_error(path: &str, value: &str, rule: &str) -> InputError {
    InputError::Field { path: path.to_string(), message: format!("{value} {rule}") }
}

/// A number as a clinician writes it: no trailing ".0".
pub fn fmt_num(n: f64) -> String {
    FmtNum(n).to_string()
}

/// [`fmt_num`] for `write!` and `format!`, without a string of its own.
pub struct FmtNum(pub f64);

impl std::fmt::Display for FmtNum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0;
        if n.fract() == 0.0 && n.abs() < 1e15 {
            write!(f, "{}", n as i64)
        } else {
            write!(f, "{n}")
        }
    }
}
