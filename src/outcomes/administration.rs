//! One administration of a scale (trdcheck/administration/v1): the answers as given, what is
//! still needed, and the site's choices for the scales.

use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::outcomes::scales::{field, SafetyAlert, Scale, Scales};

/// The document format of one administration of a scale.
pub const ADMINISTRATION_SCHEMA: &str = "trdcheck/administration/v1";

/// One administration of a scale in a course, as typed: answers unknown until given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Administration {
    pub schema: String,
    /// The scale's id (`phq9`, `madrs`).
    pub scale: String,
    /// YYYY-MM-DD.
    pub date: String,
    /// The course's baseline for this scale (one in force per scale); the others are follow-ups
    /// compared with it.
    #[serde(default)]
    pub baseline: bool,
    /// The session of the course it was taken at, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_number: Option<u32>,
    /// Each item's answer in order; null until answered.
    pub items: Vec<Option<u32>>,
    /// PHQ-9's difficulty question (0–3), not scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<u32>,
    /// The clinician's note on a safety alert: needed before an administration that raises one
    /// is finalised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Administration {
    /// A new administration with every item unanswered.
    pub fn new(scale: &Scale, date: &str) -> Administration {
        Administration {
            schema: ADMINISTRATION_SCHEMA.into(),
            scale: scale.scale.id.clone(),
            date: date.into(),
            baseline: false,
            session_number: None,
            items: vec![None; scale.items.len()],
            difficulty: None,
            safety_note: None,
            note: None,
        }
    }

    /// Refuses what cannot be true, naming the field (a draft may leave answers unknown).
    pub fn check(&self, scale: &Scale) -> Result<(), InputError> {
        if self.schema != ADMINISTRATION_SCHEMA {
            return Err(field("schema", format!("must be {ADMINISTRATION_SCHEMA:?}")));
        }
        if self.scale != scale.scale.id {
            return Err(field("scale", format!("{:?} is not {}", self.scale, scale.scale.name)));
        }
        for (path, text) in [("safety_note", &self.safety_note), ("note", &self.note)] {
            crate::eligibility::model::check_length(
                path,
                text.as_deref().unwrap_or_default(),
                crate::eligibility::model::NOTE_MAX_CHARS,
            )?;
        }
        time::Date::parse(&self.date, time::macros::format_description!("[year]-[month]-[day]"))
            .map_err(|_| field("date", format!("{:?} is not a date (YYYY-MM-DD)", self.date)))?;
        if self.items.len() != scale.items.len() {
            return Err(field(
                "items",
                format!("{} has {} items; {} were given", scale.scale.name, scale.items.len(), self.items.len()),
            ));
        }
        let max = scale.max_answer();
        for (i, (answer, item)) in self.items.iter().zip(&scale.items).enumerate() {
            if let Some(a) = answer.filter(|a| *a > max) {
                return Err(field(
                    format!("items[{i}]"),
                    format!("item {} ({}) is {a}; {} items are 0–{max}", item.number, item.label, scale.scale.name),
                ));
            }
        }
        match (&scale.difficulty, self.difficulty) {
            (None, Some(_)) => {
                return Err(field("difficulty", format!("{} asks no difficulty question", scale.scale.name)))
            }
            (Some(d), Some(v)) if v as usize >= d.options.len() => {
                return Err(field("difficulty", format!("{v} is not an answer (0–{})", d.options.len() - 1)))
            }
            _ => {}
        }
        if self.session_number == Some(0) {
            return Err(field("session_number", "sessions are numbered from 1"));
        }
        Ok(())
    }

    /// The safety alerts of the answers given so far: shown at once, before the rest is answered.
    pub fn alerts(&self, scale: &Scale) -> Vec<SafetyAlert> {
        scale.alerts(&self.items)
    }

    /// What it still needs before it is finalised, by field: every item, and a note on each
    /// safety alert.
    pub fn still_needed(&self, scale: &Scale) -> Vec<String> {
        let mut needed: Vec<String> =
            self.items.iter().enumerate().filter(|(_, a)| a.is_none()).map(|(i, _)| format!("items[{i}]")).collect();
        if !self.alerts(scale).is_empty() && self.safety_note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            needed.push("safety_note".into());
        }
        needed
    }

    /// The answers, when every item is answered.
    pub fn answers(&self) -> Option<Vec<u32>> {
        self.items.iter().copied().collect()
    }
}

/// A site's choices for the scales: the remission threshold of each scale that leaves it to the
/// site (MADRS: 10 or 12); a scale not named keeps its default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ScalesSite {
    #[serde(default)]
    pub remission_thresholds: std::collections::BTreeMap<String, u32>,
}

impl ScalesSite {
    pub fn remission_threshold(&self, scale: &str) -> Option<u32> {
        self.remission_thresholds.get(scale).copied()
    }

    /// Refuses a scale that is not one of `scales` or a threshold the scale does not leave to
    /// the site, naming it (`remission_thresholds.madrs`).
    pub fn check(&self, scales: &Scales) -> Result<(), InputError> {
        for (id, threshold) in &self.remission_thresholds {
            let path = format!("remission_thresholds.{id}");
            let scale = scales.get(id).ok_or_else(|| field(&path, format!("{id:?} is not a scale")))?;
            let choices = scale.remission_choices();
            if !choices.contains(threshold) {
                let listed: Vec<String> = choices.iter().map(u32::to_string).collect();
                return Err(field(
                    &path,
                    format!(
                        "{threshold} is not a {} remission threshold (choose {})",
                        scale.scale.name,
                        listed.join(" or ")
                    ),
                ));
            }
        }
        Ok(())
    }
}
