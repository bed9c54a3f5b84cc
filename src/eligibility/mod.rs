//! Eligibility: the assessment (assessment-v2, version 1 upgraded on reading) with every answer
//! tri-state, its strict input, the rule set and drug catalog as data, the site policy, and the pure
//! evaluation that reaches the determination.
//!
//! - [`model`]: the assessment and its question table; [`input`]: strict parsing with errors that
//!   name the field; [`checklist`]: which questions are asked, required and shown;
//! - [`ruleset`], [`drugs`], [`policy`]: the rule set, the drug catalog and the site policy;
//! - [`engine`]: the evaluation.
//!
//! Imports nothing from the other rooms.

pub mod checklist;
pub mod drugs;
pub mod engine;
pub mod input;
pub mod model;
pub mod policy;
pub mod policy_keys;
pub mod ruleset;
pub mod source;
