//! Treatment: the dose calculator over `rules/dosing.toml`, the safety gate before each dose, and
//! a treatment session (trdcheck/session/v1) with what it needs before it is final.
//!
//! Reads eligibility (the assessment the course rests on); nothing else.

pub mod dosing;
pub mod pre_dose;
pub mod session;
