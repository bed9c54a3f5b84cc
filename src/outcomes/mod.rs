//! Outcomes: the outcome scales (PHQ-9, MADRS) as data, their scoring and response/remission.
//!
//! Reads eligibility's answer types; nothing else.

pub mod scales;
