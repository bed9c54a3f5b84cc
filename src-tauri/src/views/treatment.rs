//! What the course, session and scale-administration screens receive, and the session's documents.

use serde::{Deserialize, Serialize};
use trdcheck::records::{CourseOverview, CourseRecord, Patient, SessionRecord, SessionState};

/// A course as its screen shows it: the patient, the sessions in order and what is due next.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CourseView {
    pub overview: CourseOverview,
    pub patient: Patient,
}

/// A session as its screen shows it: the record, its course and patient, and its state judged
/// today (gate, what it still needs, the calculator, the schedule).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SessionView {
    pub record: SessionRecord,
    pub course: CourseRecord,
    pub patient: Patient,
    pub state: SessionState,
    pub editable: bool,
    /// Esketamine, treated and finalised: whether its REMS form is marked submitted (else null).
    pub rems_submitted: Option<bool>,
}

/// A scale administration as its screen shows it: the record, its course and patient, what it
/// still needs, the safety alerts of the answers given so far (at once, before the rest is
/// answered), the baseline it is judged against and, once every item is answered, its score.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AdministrationView {
    pub record: trdcheck::records::AdministrationRecord,
    pub course: CourseRecord,
    pub patient: Patient,
    pub still_needed: Vec<String>,
    pub alerts: Vec<trdcheck::outcomes::scales::SafetyAlert>,
    pub baseline: Option<trdcheck::records::Baseline>,
    /// A finalised one: the score it was signed with; a draft with every item answered: its score
    /// as it would be signed now.
    pub score: Option<trdcheck::outcomes::score::Score>,
    pub editable: bool,
}

/// A document of one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum SessionDocument {
    /// The session summary (as in the course summary).
    Summary,
    /// The SPRAVATO REMS Patient Monitoring Form (finalised esketamine sessions).
    RemsForm,
}

impl SessionDocument {
    /// Its name in the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionDocument::Summary => "session_summary",
            SessionDocument::RemsForm => "rems_form",
        }
    }

    /// The file name's part: "session-2" or "session-2-rems".
    pub fn file_part(self, number: u32) -> String {
        match self {
            SessionDocument::Summary => format!("session-{number}"),
            SessionDocument::RemsForm => format!("session-{number}-rems"),
        }
    }
}
