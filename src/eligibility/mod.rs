//! Eligibility: the assessment (assessment-v2, version 1 upgraded on reading) with every answer
//! tri-state, its strict input, the rule set and drug catalog as data, the site policy, and the pure
//! evaluation that reaches the determination.
//!
//! - [`model`]: the assessment; [`question_table`]: the one table of its questions; [`text`]: what
//!   a text may hold; [`input`]: strict parsing with errors that name the field; [`checklist`]:
//!   which questions are asked, required and shown;
//! - [`ruleset`], [`drugs`], [`policy`] (its keys listed once in [`policy_keys`]), [`source`]: the
//!   rule set, the drug catalog, the site policy and the strength of a source;
//! - [`engine`]: the evaluation.
//!
//! Imports nothing from the other rooms.

pub mod checklist;
pub mod drug_names;
pub mod drugs;
pub mod engine;
pub mod input;
pub mod model;
pub mod policy;
pub mod policy_keys;
pub mod question_table;
pub mod ruleset;
pub mod source;
pub mod text;
