//! trdcheck: the clinical core of an offline eligibility checklist for ketamine or esketamine
//! treatment of treatment-resistant depression, and of the treatment that follows.
//!
//! One room per domain; the arrows between rooms run one way (checked by `tests/architecture.rs`,
//! explained in ARCHITECTURE.md):
//!
//! - [`eligibility`]: the assessment and its questions, the rule set, drug catalog, site policy and
//!   the pure evaluation;
//! - [`treatment`]: dosing, the pre-dose gate, sessions and what they need before they are final;
//! - [`outcomes`]: the outcome scales (PHQ-9, MADRS) as data, and their scoring;
//! - [`records`]: the encrypted, audited, signed records, by aggregate;
//! - [`vault`]: the keys that open the records;
//! - [`documents`]: every renderer (summaries, PDF/HTML, FHIR, REMS form, charts, rules document);
//!   documents read records, records never render;
//! - [`error`], [`digest`], [`strict_json`]: the foundations every room may use.

pub mod digest;
pub mod documents;
pub mod eligibility;
pub mod error;
pub mod outcomes;
pub mod records;
pub mod strict_json;
pub mod treatment;
pub mod vault;

pub use eligibility::engine::{evaluate, Determination, Evaluation, Finding};
pub use eligibility::input::parse_assessment;
pub use eligibility::model::Assessment;
pub use eligibility::policy::{PolicyOverrides, SitePolicy};
pub use eligibility::ruleset::{Level, RuleSet};
pub use error::{ErrorCode, InputError, PolicyError, RuleSetError};
