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

/// A rule's verdict, with the rule in words and its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Judgement {
    pub met: bool,
    pub rule: String,
    pub source: String,
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

/// A scored administration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Score {
    pub scale: ScaleRef,
    pub items: Vec<u32>,
    pub total: u32,
    pub max_total: u32,
    /// The band's name as clinicians say it ("moderately severe").
    pub band: String,
    pub band_id: String,
    pub band_range: [u32; 2],
    pub band_source: String,
    /// The safety flags raised (`item9`), each explained in `alerts`.
    pub flags: Vec<String>,
    pub alerts: Vec<SafetyAlert>,
    pub baseline: Option<u32>,
    /// total − baseline: negative is better.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub change_points: Option<i64>,
    /// (total − baseline) / baseline, in %, to 0.1; none with a baseline of 0.
    pub change_percent: Option<f64>,
    /// Judged with a baseline above 0.
    pub response: Option<Judgement>,
    pub remission: Judgement,
}

/// The scales, loaded and checked.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Scales {
    pub scales: Vec<Scale>,
}

static EMBEDDED: OnceLock<Result<Scales, RuleSetError>> = OnceLock::new();

fn field(path: impl Into<String>, message: impl Into<String>) -> InputError {
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
            if !crate::eligibility::model::QUESTIONS.iter().any(|q| q.path == path) {
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

    /// Scores one administration: every item answered, each within the answers. `baseline`: the
    /// total to compare with; `remission_threshold`: the site's choice (the scale's default if
    /// none). What is refused names its field (`items`, `items[2]`, `baseline`, `remission`).
    pub fn score(
        &self,
        items: &[u32],
        baseline: Option<u32>,
        remission_threshold: Option<u32>,
    ) -> Result<Score, InputError> {
        let name = &self.scale.name;
        if items.len() != self.items.len() {
            return Err(field("items", format!("{name} has {} items; {} were given", self.items.len(), items.len())));
        }
        let max = self.max_answer();
        for (i, (&answer, item)) in items.iter().zip(&self.items).enumerate() {
            if answer > max {
                return Err(field(
                    format!("items[{i}]"),
                    format!("item {} ({}) is {answer}; {name} items are 0–{max}", item.number, item.label),
                ));
            }
        }
        let max_total = self.max_total();
        if let Some(b) = baseline.filter(|b| *b > max_total) {
            return Err(field("baseline", format!("{b} is not a {name} total (0–{max_total})")));
        }
        let choices = self.remission_choices();
        let threshold = remission_threshold.unwrap_or(self.remission.default);
        if !choices.contains(&threshold) {
            let listed: Vec<String> = choices.iter().map(u32::to_string).collect();
            return Err(field("remission", format!("{name} remission is judged at {}", listed.join(" or "))));
        }
        let total: u32 = items.iter().sum();
        let band = self.bands.iter().find(|b| (b.min..=b.max).contains(&total)).expect("the bands cover every total");
        let alerts = self.alerts(&items.iter().map(|a| Some(*a)).collect::<Vec<_>>());
        let (change_points, change_percent, response) = match baseline {
            None => (None, None, None),
            Some(b) => {
                let points = i64::from(total) - i64::from(b);
                if b == 0 {
                    (Some(points), None, None)
                } else {
                    let percent = (points as f64 * 1000.0 / f64::from(b)).round() / 10.0;
                    let p = self.response.min_reduction_percent;
                    // Exact, in whole numbers: (b − total) × 100 ≥ p × b.
                    let met = (i64::from(b) - i64::from(total)) * 100 >= i64::from(p) * i64::from(b);
                    let needed = self.response_at_most(b);
                    let rule = format!("a fall of at least {p} % from baseline: {b} → {needed} or less");
                    (Some(points), Some(percent), Some(Judgement { met, rule, source: self.response.source.clone() }))
                }
            }
        };
        let remitted = match self.remission.comparison {
            Comparison::Below => total < threshold,
            Comparison::AtMost => total <= threshold,
        };
        Ok(Score {
            scale: self.reference(),
            items: items.to_vec(),
            total,
            max_total,
            band: band.name.clone(),
            band_id: band.id.clone(),
            band_range: [band.min, band.max],
            band_source: self.bands_source.text.clone(),
            flags: alerts.iter().map(|a| a.flag.clone()).collect(),
            alerts,
            baseline,
            change_points,
            change_percent,
            response,
            remission: Judgement {
                met: remitted,
                rule: self.remission_rule(threshold),
                source: self.remission.source.clone(),
            },
        })
    }
}

impl Score {
    /// The score for a terminal: the safety alerts first, then the total, band and change.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for a in &self.alerts {
            out.push_str(&format!(
                "URGENT: {} item {} ({}) answered {} ({}). {}\n  Source: {}\n",
                self.scale.name, a.item, a.label, a.answer_label, a.answer, a.message, a.source
            ));
        }
        out.push_str(&format!(
            "{} total {} of {}: {} ({}–{})\n",
            self.scale.name, self.total, self.max_total, self.band, self.band_range[0], self.band_range[1]
        ));
        let items: Vec<String> = self.items.iter().map(u32::to_string).collect();
        out.push_str(&format!("Items: {}\n", items.join(", ")));
        out.push_str(&format!("Bands: {}\n", self.band_source));
        if let (Some(b), Some(points)) = (self.baseline, self.change_points) {
            match self.change_percent {
                Some(p) => out.push_str(&format!("Change from baseline {b}: {points:+} points ({p:+.1} %)\n")),
                None => {
                    out.push_str(&format!("Change from baseline {b}: {points:+} points (no % from a baseline of 0)\n"))
                }
            }
        }
        let yes_no = |met: bool| if met { "yes" } else { "no" };
        if let Some(r) = &self.response {
            out.push_str(&format!("Response ({}): {}\n  Source: {}\n", r.rule, yes_no(r.met), r.source));
        }
        let r = &self.remission;
        out.push_str(&format!("Remission ({}): {}\n  Source: {}\n", r.rule, yes_no(r.met), r.source));
        out.push_str(&format!("Scale: {} {} (sha256 {})\n", self.scale.id, self.scale.version, self.scale.sha256));
        out
    }
}

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

/// The outcome rules built into this program (`rules/outcomes.toml`).
pub const EMBEDDED_OUTCOMES: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/outcomes.toml"));

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OutcomesMeta {
    pub id: String,
    pub version: String,
}

/// When a course's benefit is judged: after so many treatments or days, whichever is first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct BenefitReviewRule {
    pub after_treatments: u32,
    pub after_days: u32,
    pub no_response: String,
    pub no_follow_up: String,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OutcomeRules {
    pub outcomes: OutcomesMeta,
    pub benefit_review: BenefitReviewRule,
    #[serde(default)]
    pub sha256: String,
}

static EMBEDDED_OUTCOME_RULES: OnceLock<Result<OutcomeRules, RuleSetError>> = OnceLock::new();

impl OutcomeRules {
    pub fn embedded() -> Result<&'static OutcomeRules, RuleSetError> {
        EMBEDDED_OUTCOME_RULES
            .get_or_init(|| {
                let problem = |message: String| RuleSetError { file: "outcomes.toml".into(), message };
                let mut rules: OutcomeRules = toml::from_str(EMBEDDED_OUTCOMES).map_err(|e| problem(e.to_string()))?;
                rules.sha256 = crate::digest::sha256_hex(EMBEDDED_OUTCOMES.as_bytes());
                let r = &rules.benefit_review;
                if r.after_treatments == 0 || r.after_days == 0 {
                    return Err(problem("benefit_review: after_treatments and after_days must be at least 1".into()));
                }
                Ok(rules)
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}
