//! Which dose calculator a session uses (IV ketamine by weight, esketamine by device) and the
//! doses it allows, and the pre-dose gate on the session's readings.

use serde::Serialize;

use crate::eligibility::model::Route;
use crate::error::InputError;
use crate::treatment::dosing::{self, EsketamineRequest, IvRequest};
use crate::treatment::pre_dose::{self, Gate};

use super::*;

/// The dose calculator's answer for a session, as its screen shows it beside the dose field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Calculator {
    IvKetamine {
        dose: dosing::IvDose,
    },
    Esketamine {
        dose: dosing::EsketamineDose,
    },
    /// Not worked out: what it needs, in words, and the field.
    Unavailable {
        field: String,
        reason: String,
    },
}

/// The IV request of a session: today's weight, else the assessment's, with its height and sex.
fn iv_request(ctx: &Context, session: &Session) -> Option<IvRequest> {
    let weight = session.dose.weight_kg.or(ctx.assessment.patient.weight_kg)?;
    Some(IvRequest {
        weight_kg: weight,
        height_cm: ctx.assessment.patient.height_cm,
        sex: ctx.assessment.patient.sex,
        ..IvRequest::default()
    })
}

/// The esketamine request of a session: the next dose of the course, at the assessment's age.
fn esketamine_request(ctx: &Context) -> Option<EsketamineRequest> {
    let age = ctx.assessment.patient.age_years?;
    Some(EsketamineRequest { session: ctx.treated_before + 1, age_years: age.floor() as u32 })
}

/// What the calculator gives for this session at the site's settings, with its arithmetic.
pub fn calculator(ctx: &Context, session: &Session) -> Calculator {
    let unavailable = |field: &str, reason: String| Calculator::Unavailable { field: field.into(), reason };
    match ctx.course.route {
        Route::IvKetamine => match iv_request(ctx, session) {
            None => unavailable("dose.weight_kg", "today's weight is needed (the assessment has none)".into()),
            Some(req) => match dosing::iv_ketamine(ctx.dosing, ctx.site, &req) {
                Ok(dose) => Calculator::IvKetamine { dose },
                Err(e) => unavailable(&format!("dose.{}", e.path().unwrap_or("weight_kg")), e.to_string()),
            },
        },
        Route::EsketamineNasal => match esketamine_request(ctx) {
            None => unavailable("patient.age_years", "the assessment does not give the patient's age".into()),
            Some(req) => match dosing::esketamine(ctx.dosing, ctx.site, &req) {
                Ok(dose) => Calculator::Esketamine { dose },
                Err(e) => unavailable(&format!("dose.{}", e.path().unwrap_or("session")), e.to_string()),
            },
        },
    }
}

/// What the calculator gives for this session (IV: the dose at the site's settings; esketamine:
/// the doses the label allows at this session), or `None` when it cannot be worked out yet.
pub fn calculated_doses(ctx: &Context, session: &Session) -> Result<Option<Vec<f64>>, InputError> {
    match ctx.course.route {
        Route::IvKetamine => {
            let Some(req) = iv_request(ctx, session) else { return Ok(None) };
            // A site basis the assessment cannot give (ideal or adjusted weight without a height
            // or sex) gives no calculated dose: whatever is given then needs its reason.
            match dosing::iv_ketamine(ctx.dosing, ctx.site, &req) {
                Ok(d) => Ok(Some(vec![d.dose_mg])),
                Err(InputError::Field { ref path, .. }) if path == "height_cm" || path == "sex" => Ok(Some(vec![])),
                Err(e) => Err(prefix("dose", e)),
            }
        }
        Route::EsketamineNasal => {
            let Some(req) = esketamine_request(ctx) else { return Ok(None) };
            let d = dosing::esketamine(ctx.dosing, ctx.site, &req).map_err(|e| prefix("dose", e))?;
            Ok(Some(d.allowed_doses_mg.iter().map(|&m| f64::from(m)).collect()))
        }
    }
}

pub fn gate(ctx: &Context, session: &Session) -> Result<Gate, InputError> {
    pre_dose::pre_dose(ctx.assessment, ctx.rules, ctx.policy, &session.pre_dose.gate)
        .map_err(|e| prefix("pre_dose.gate", e))
}
