//! trdcheck: the clinical core of an offline eligibility checklist for ketamine or esketamine
//! treatment of treatment-resistant depression.
//!
//! - [`model`]: the assessment (assessment-v2, version 1 upgraded on reading), every answer tri-state;
//! - [`input`]: strict parsing and validation with errors that name the field;
//! - [`ruleset`], [`drugs`], [`policy`]: the rule set as data and the site policy;
//! - [`engine`]: the pure evaluation;
//! - [`dosing`]: the dose calculator over `rules/dosing.toml`;
//! - [`pre_dose`]: the safety gate before each dose of a session;
//! - [`rems`]: the SPRAVATO REMS Patient Monitoring Form of a session;
//! - [`session`]: a treatment session (trdcheck/session/v1) and what it needs before it is final;
//! - [`summary`]: the summary model and its renderers;
//! - [`course_summary`]: the course and session summaries (HTML, PDF); [`course_fhir`]: a course
//!   as FHIR R4;
//! - [`scales`]: the outcome scales (PHQ-9, MADRS) as data, and their scoring;
//! - [`rules_doc`]: the rule set as a document for review.

pub mod bidi;
pub mod checklist;
pub mod course_fhir;
pub mod course_summary;
pub mod digest;
pub mod dosing;
pub mod drugs;
pub mod engine;
pub mod error;
pub mod fhir;
pub mod input;
pub mod model;
pub mod outcome_chart;
mod pdf_fonts;
pub mod policy;
pub mod pre_dose;
pub mod rems;
pub mod rules_doc;
pub mod ruleset;
pub mod scales;
pub mod session;
pub mod session_checks;
pub mod storage;
pub mod strict_json;
pub mod summary;
pub mod summary_html;
pub mod summary_pdf;
pub mod vault;

pub use engine::{evaluate, Determination, Evaluation, Finding};
pub use error::{ErrorCode, InputError, PolicyError, RuleSetError};
pub use input::parse_assessment;
pub use model::Assessment;
pub use policy::{PolicyOverrides, SitePolicy};
pub use ruleset::{Level, RuleSet};
