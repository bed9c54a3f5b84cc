//! Outcome scales as data (`rules/scales/*.toml`): items and answers, the total and its severity
//! bands, response and remission (the remission threshold a site choice where the scale allows
//! one) and the safety items that raise an urgent alert whatever the total. Each rule carries its
//! source. Scoring here is the only scoring: the CLI, the app and the documents show its result.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::{InputError, RuleSetError};

/// The scales built into this program: (file name, text).
pub const EMBEDDED_SCALES: [(&str, &str); 2] = [
    ("phq9.toml", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/scales/phq9.toml"))),
    ("madrs.toml", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/scales/madrs.toml"))),
];

/// Who answers the scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Rater {
    Patient,
    Clinician,
}

/// What the scale is, its source and licence, and its codes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct ScaleMeta {
    pub id: String,
    pub version: String,
    /// The short name clinicians use (PHQ-9).
    pub name: String,
    pub title: String,
    pub rater: Rater,
    pub recall: String,
    /// The instruction before the items.
    pub stem: String,
    pub source: String,
    pub licence: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loinc_panel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loinc_total: Option<String>,
    /// Where no LOINC code is known: the local code system and the total's code in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_code_system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_code_total: Option<String>,
    /// The assessment's question (`episode.phq9_total`) whose total is a course's baseline until
    /// the course has a baseline administration of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment_total: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ScaleAnswer {
    pub value: u32,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct ScaleItem {
    /// From 1, in the order asked.
    pub number: u32,
    /// A short label (the project's own words).
    pub label: String,
    /// The item as printed on the form, where it may be reproduced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loinc: Option<String>,
    /// Descriptions of every second value from 0 (0, 2, 4, 6), for a clinician-rated scale.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anchors: Vec<String>,
}

/// A question asked after the items and not scored (PHQ-9's functional difficulty).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct ScaleDifficulty {
    pub text: String,
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loinc: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ScaleBand {
    pub id: String,
    pub name: String,
    pub min: u32,
    pub max: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ScaleBandsSource {
    pub text: String,
}

/// Response: the total fell by at least this share of the baseline.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ResponseRule {
    pub min_reduction_percent: u32,
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "ScaleComparison"))]
pub enum Comparison {
    /// total < threshold
    Below,
    /// total ≤ threshold
    AtMost,
}

/// Remission: the total below (or at most) a threshold; where `site_choices` lists more than
/// one, the site chooses among them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RemissionRule {
    pub comparison: Comparison,
    pub default: u32,
    #[serde(default)]
    pub site_choices: Vec<u32>,
    pub source: String,
}

/// An item whose answer at or above `at_least` raises an urgent alert, whatever the total.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SafetyRule {
    pub item: u32,
    pub at_least: u32,
    pub message: String,
    pub source: String,
}

/// One scale, as its file gives it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Scale {
    pub scale: ScaleMeta,
    /// The answers every item takes, lowest first.
    pub options: Vec<ScaleAnswer>,
    pub items: Vec<ScaleItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<ScaleDifficulty>,
    pub bands: Vec<ScaleBand>,
    pub bands_source: ScaleBandsSource,
    pub response: ResponseRule,
    pub remission: RemissionRule,
    #[serde(default)]
    pub safety: Vec<SafetyRule>,
    /// SHA-256 of the file, recorded with every score.
    #[serde(default)]
    pub sha256: String,
}

/// Which scale and which version of it a score was made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ScaleRef {
    pub id: String,
    pub name: String,
    pub version: String,
    pub sha256: String,
}

/// An urgent alert from a safety item: the item, its answer, what to do and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SafetyAlert {
    /// `item9`: the flag's name.
    pub flag: String,
    pub item: u32,
    pub label: String,
    pub answer: u32,
    pub answer_label: String,
    pub at_least: u32,
    pub message: String,
    pub source: String,
}

/// The scales, loaded and checked.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Scales {
    pub scales: Vec<Scale>,
}

static EMBEDDED: OnceLock<Result<Scales, RuleSetError>> = OnceLock::new();

pub(crate) fn field(path: impl Into<String>, message: impl Into<String>) -> InputError {
    InputError::Field { path: path.into(), message: message.into() }
}

impl Scales {
    /// The scales built into this program, loaded and checked once.
    pub fn embedded() -> Result<&'static Scales, RuleSetError> {
        EMBEDDED
            .get_or_init(|| {
                let scales = EMBEDDED_SCALES
                    .iter()
                    .map(|(file, text)| {
                        Scale::from_toml(text)
                            .map_err(|message| RuleSetError { file: format!("scales/{file}"), message })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Scales { scales })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    pub fn get(&self, id: &str) -> Option<&Scale> {
        self.scales.iter().find(|s| s.scale.id == id)
    }

    /// A built-in scale by id; one that is not known (or scales that do not load) is an error
    /// naming `scale`, listing the scales there are.
    pub fn scale(id: &str) -> Result<&'static Scale, InputError> {
        let scales = Scales::embedded().map_err(|e| field("scale", e.to_string()))?;
        scales.get(id).ok_or_else(|| {
            let known: Vec<&str> = scales.scales.iter().map(|s| s.scale.id.as_str()).collect();
            field("scale", format!("{id:?} is not a scale here ({})", known.join(", ")))
        })
    }
}

impl Scale {
    pub fn from_toml(text: &str) -> Result<Scale, String> {
        let mut scale: Scale = toml::from_str(text).map_err(|e| e.to_string())?;
        scale.sha256 = crate::digest::sha256_hex(text.as_bytes());
        scale.check()?;
        Ok(scale)
    }

    pub fn reference(&self) -> ScaleRef {
        ScaleRef {
            id: self.scale.id.clone(),
            name: self.scale.name.clone(),
            version: self.scale.version.clone(),
            sha256: self.sha256.clone(),
        }
    }

    /// The highest answer of an item.
    pub fn max_answer(&self) -> u32 {
        self.options.last().map_or(0, |o| o.value)
    }

    pub fn max_total(&self) -> u32 {
        self.max_answer() * self.items.len() as u32
    }

    /// The figures hold together: answers run 0, 1, 2 … without gaps; items are numbered from 1
    /// in order; the bands cover every total once, lowest first; anchors describe 0, 2, 4 …
    /// up to the highest answer; the remission default is one of the site's choices; every
    /// safety item exists and its threshold is an answer.
    fn check(&self) -> Result<(), String> {
        if let Some(path) = &self.scale.assessment_total {
            if !crate::eligibility::question_table::QUESTIONS.iter().any(|q| q.path == path) {
                return Err(format!("scale.assessment_total: {path:?} is not a question of the assessment"));
            }
        }
        if self.options.is_empty() || self.options.iter().enumerate().any(|(i, o)| o.value != i as u32) {
            return Err("options: the answers must be 0, 1, 2 … in order".into());
        }
        if self.items.is_empty() || self.items.iter().enumerate().any(|(i, item)| item.number != i as u32 + 1) {
            return Err("items: numbered 1, 2, 3 … in order".into());
        }
        let max = self.max_answer();
        for item in &self.items {
            if !item.anchors.is_empty() && (item.anchors.len() as u32 - 1) * 2 != max {
                return Err(format!("items[{}].anchors: one for each of 0, 2 … {max}", item.number - 1));
            }
        }
        let mut next = 0;
        for band in &self.bands {
            if band.min != next || band.max < band.min {
                return Err(format!("bands: {} must start at {next} and not end before it starts", band.id));
            }
            next = band.max + 1;
        }
        if next != self.max_total() + 1 {
            return Err(format!("bands: they must end at the highest total, {}", self.max_total()));
        }
        let r = &self.remission;
        if r.default > self.max_total() || (!r.site_choices.is_empty() && !r.site_choices.contains(&r.default)) {
            return Err("remission: the default must be a total and one of the site's choices".into());
        }
        if !(1..=100).contains(&self.response.min_reduction_percent) {
            return Err("response.min_reduction_percent: 1–100".into());
        }
        for s in &self.safety {
            if s.item == 0 || s.item as usize > self.items.len() || s.at_least == 0 || s.at_least > max {
                return Err(format!("safety: item {} at least {} is not an item and an answer", s.item, s.at_least));
            }
        }
        Ok(())
    }

    /// The remission thresholds a site may choose (the default alone when the scale gives none).
    pub fn remission_choices(&self) -> Vec<u32> {
        if self.remission.site_choices.is_empty() {
            vec![self.remission.default]
        } else {
            self.remission.site_choices.clone()
        }
    }

    /// The safety alerts of answers (unanswered items raise none).
    pub fn alerts(&self, items: &[Option<u32>]) -> Vec<SafetyAlert> {
        self.safety
            .iter()
            .filter_map(|s| {
                let answer = items.get(s.item as usize - 1).copied().flatten()?;
                (answer >= s.at_least).then(|| SafetyAlert {
                    flag: format!("item{}", s.item),
                    item: s.item,
                    label: self.items[s.item as usize - 1].label.clone(),
                    answer,
                    answer_label: self
                        .options
                        .get(answer as usize)
                        .map_or_else(|| answer.to_string(), |o| o.label.clone()),
                    at_least: s.at_least,
                    message: s.message.clone(),
                    source: s.source.clone(),
                })
            })
            .collect()
    }

    /// The highest total that is a response against `baseline`: a fall of at least the rule's
    /// share, in whole numbers.
    pub fn response_at_most(&self, baseline: u32) -> u32 {
        let (p, b) = (u64::from(self.response.min_reduction_percent), u64::from(baseline));
        (b - (p * b).div_ceil(100)) as u32
    }

    /// The highest total that is a remission at `threshold`.
    pub fn remission_at_most(&self, threshold: u32) -> u32 {
        match self.remission.comparison {
            Comparison::Below => threshold.saturating_sub(1),
            Comparison::AtMost => threshold,
        }
    }

    /// The remission rule in words at a threshold ("total below 5").
    pub fn remission_rule(&self, threshold: u32) -> String {
        match self.remission.comparison {
            Comparison::Below => format!("total below {threshold}"),
            Comparison::AtMost => format!("total of {threshold} or less"),
        }
    }
}
