//! What a finding is at: its level (contraindication to info) and its area of the checklist.

use serde::{Deserialize, Serialize};

/// How strongly a finding weighs; the order is the order of the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Level {
    Contraindication,
    Unmet,
    Missing,
    /// Treatment must not go ahead today; reassess (not a lasting exclusion).
    Defer,
    Precaution,
    Info,
}

impl Level {
    pub const ALL: [Level; 6] =
        [Level::Contraindication, Level::Unmet, Level::Missing, Level::Defer, Level::Precaution, Level::Info];
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Contraindication => "contraindication",
            Level::Unmet => "unmet",
            Level::Missing => "missing",
            Level::Defer => "defer",
            Level::Precaution => "precaution",
            Level::Info => "info",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Level::Contraindication => "Contraindications",
            Level::Unmet => "Unmet criteria",
            Level::Missing => "Missing answers",
            Level::Defer => "Not today: recheck",
            Level::Precaution => "Precautions",
            Level::Info => "Information",
        }
    }
    /// The level of one finding, as a clinician reads it.
    pub fn label(self) -> &'static str {
        match self {
            Level::Contraindication => "Contraindication",
            Level::Unmet => "Unmet criterion",
            Level::Missing => "Missing answer",
            Level::Defer => "Not today",
            Level::Precaution => "Precaution",
            Level::Info => "Information",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Area {
    Patient,
    TreatmentHistory,
    Cardiovascular,
    Respiratory,
    Pregnancy,
    SubstanceUse,
    Psychiatric,
    Medical,
    Medications,
}

impl Area {
    pub const ALL: [Area; 9] = [
        Area::Patient,
        Area::TreatmentHistory,
        Area::Cardiovascular,
        Area::Respiratory,
        Area::Pregnancy,
        Area::SubstanceUse,
        Area::Psychiatric,
        Area::Medical,
        Area::Medications,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Patient => "patient",
            Area::TreatmentHistory => "treatment_history",
            Area::Cardiovascular => "cardiovascular",
            Area::Respiratory => "respiratory",
            Area::Pregnancy => "pregnancy",
            Area::SubstanceUse => "substance_use",
            Area::Psychiatric => "psychiatric",
            Area::Medical => "medical",
            Area::Medications => "medications",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Area::Patient => "Patient",
            Area::TreatmentHistory => "Treatment history",
            Area::Cardiovascular => "Cardiovascular",
            Area::Respiratory => "Respiratory",
            Area::Pregnancy => "Pregnancy",
            Area::SubstanceUse => "Substance use",
            Area::Psychiatric => "Psychiatric",
            Area::Medical => "Medical",
            Area::Medications => "Medications",
        }
    }
}
