//! Outcomes: the outcome scales (PHQ-9, MADRS) as data (`scales`), a scored administration
//! (`score`: total, band, change, response, remission, safety alerts), one administration as
//! given (`administration`) and when a course's benefit review falls (`benefit`).
//!
//! Reads eligibility's answer types; nothing else.

pub mod administration;
pub mod benefit;
pub mod scales;
pub mod score;
