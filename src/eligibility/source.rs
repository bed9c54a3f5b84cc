//! How strong a source is: the tag each source of the clinical reference carries ([V] verified,
//! [S] secondary, [U] unverified), which the rules, the drug catalog and every finding show.

use serde::{Deserialize, Serialize};

/// Strength of a source, as tagged in the clinical reference; ordered from strongest to weakest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Strength {
    /// Verified in a primary source.
    V,
    /// Secondary source only.
    S,
    /// Unverified.
    U,
}

impl Strength {
    pub const ALL: [Strength; 3] = [Strength::V, Strength::S, Strength::U];

    /// The tag as written in the rule files: "V", "S", "U".
    pub fn as_str(self) -> &'static str {
        match self {
            Strength::V => "V",
            Strength::S => "S",
            Strength::U => "U",
        }
    }

    /// The weaker of two strengths (a finding is as strong as the weakest thing it rests on).
    pub fn weakest(self, other: Strength) -> Strength {
        self.max(other)
    }
    pub fn label(self) -> &'static str {
        match self {
            Strength::V => "verified",
            Strength::S => "secondary",
            Strength::U => "unverified",
        }
    }
}
