//! The site policy's keys, listed once. Each key's label, default, range and source are data in
//! the rule set (`[policy.<key>]` in `rules/ruleset.toml`); its name and type are listed here,
//! and everything that goes through the keys is generated from this list: the rule set's
//! `PolicySpec`, the values in force (`SitePolicy`), a site's choices (`PolicyOverrides`), their
//! defaults, resolution and checks, lookup by name, and the rules document's table.

/// Calls `$callback!` with every policy key and its type, in the rule set's order: first the keys
/// every rule set has (version 1), then those added in rule set version 2 (absent from an archived
/// version 1 rule set, so optional in what is stored).
macro_rules! with_policy_keys {
    ($callback:ident) => {
        $callback! {
            since_v1 {
                min_weeks_at_dose: u32,
                failure_threshold_percent: u32,
                bp_stop_systolic_mmhg: u32,
                bp_stop_diastolic_mmhg: u32,
                active_sud_level: Level,
            }
            since_v2 {
                augmentation_counts: bool,
                spo2_low_percent: u32,
                spo2_defer_percent: u32,
                severity_phq9_min: u32,
                severity_madrs_min: u32,
            }
        }
    };
}
pub(crate) use with_policy_keys;

/// What a policy value is: a number, a yes/no or a level.
pub trait PolicyValue: Copy + PartialOrd + std::fmt::Debug + serde::Serialize {
    /// The value as a number a rule may compare an answer with; `None` for a yes/no or a level.
    fn number(self) -> Option<u32> {
        None
    }
    /// The value as the rules document and the errors show it.
    fn shown(&self) -> String;
}

impl PolicyValue for u32 {
    fn number(self) -> Option<u32> {
        Some(self)
    }
    fn shown(&self) -> String {
        self.to_string()
    }
}

impl PolicyValue for bool {
    fn shown(&self) -> String {
        self.to_string()
    }
}
