//! A scored administration: the total, its band, the change from baseline, response and
//! remission judged by the scale's rules, and the safety alerts.

use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::outcomes::scales::{field, Comparison, SafetyAlert, Scale, ScaleRef};

/// A rule's verdict, with the rule in words and its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Judgement {
    pub met: bool,
    pub rule: String,
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

impl Scale {
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
