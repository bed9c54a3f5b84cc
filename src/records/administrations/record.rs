//! An administration as stored, and where a course's baseline of a scale comes from.

use serde::{Deserialize, Serialize};

use crate::outcomes::administration::{Administration, ScalesSite};
use crate::outcomes::score::Score;
use crate::records::RecordStatus;

/// An administration as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct AdministrationRecord {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub course_id: i64,
    pub status: RecordStatus,
    pub administration: Administration,
    pub created_at: String,
    pub updated_at: String,
    pub finalised_at: Option<String>,
    pub finalised_by: Option<String>,
    /// At finalisation: the score as the clinician saw it, and what it was judged with.
    pub score: Option<Score>,
    pub scales_site: Option<ScalesSite>,
    pub signed_sha256: Option<String>,
    pub version: u32,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub amends: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub amended_by: Option<i64>,
}

/// Where a course's baseline of a scale comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum BaselineOrigin {
    /// A finalised administration marked as the baseline.
    Administration,
    /// The total recorded in the assessment the course started from.
    Assessment,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct Baseline {
    pub total: u32,
    pub origin: BaselineOrigin,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub administration_id: Option<i64>,
    pub date: Option<String>,
}
