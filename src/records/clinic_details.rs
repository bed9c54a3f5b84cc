//! The clinic's details that its documents print, kept with the clinic settings: its SPRAVATO
//! REMS details (the healthcare setting and its monitoring provider's contact) and the paper size.
//! Data only; the documents that print them read them from here.

use serde::{Deserialize, Serialize};

/// The clinic's details the form asks for, kept with the clinic settings (`rems.*`). A blank
/// value is "not set": the form leaves its field for completion by hand.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields = nullable))]
pub struct RemsSetting {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The healthcare setting's name; when not set, the clinic's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
}

/// One of the clinic's REMS details: its key in [`RemsSetting`] and where it goes on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RemsSettingField {
    pub key: &'static str,
    pub section: &'static str,
    pub label: &'static str,
}

impl RemsSetting {
    /// The clinic's details in the form's order (the settings screen lists them from here).
    pub const FIELDS: [RemsSettingField; 7] = [
        RemsSettingField { key: "phone", section: HCP, label: "Telephone" },
        RemsSettingField { key: "email", section: HCP, label: "Email" },
        RemsSettingField { key: "setting_name", section: SETTING, label: "Name" },
        RemsSettingField { key: "address", section: SETTING, label: "Address" },
        RemsSettingField { key: "city", section: SETTING, label: "City" },
        RemsSettingField { key: "state", section: SETTING, label: "State" },
        RemsSettingField { key: "zip", section: SETTING, label: "ZIP" },
    ];

    /// The value of one of [`RemsSetting::FIELDS`], blank as `None`.
    pub fn value(&self, key: &str) -> Option<String> {
        let v = match key {
            "phone" => &self.phone,
            "email" => &self.email,
            "setting_name" => &self.setting_name,
            "address" => &self.address,
            "city" => &self.city,
            "state" => &self.state,
            "zip" => &self.zip,
            _ => &None,
        };
        v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
    }

    /// The same details with blanks as "not set" and spaces trimmed.
    pub fn normalised(&self) -> RemsSetting {
        RemsSetting {
            phone: self.value("phone"),
            email: self.value("email"),
            setting_name: self.value("setting_name"),
            address: self.value("address"),
            city: self.value("city"),
            state: self.value("state"),
            zip: self.value("zip"),
        }
    }

    /// These details, the clinic's name standing in for the setting's name when that is not set.
    pub fn with_clinic_name(&self, clinic: &str) -> RemsSetting {
        let mut out = self.normalised();
        let clinic = clinic.trim();
        if out.setting_name.is_none() && !clinic.is_empty() {
            out.setting_name = Some(clinic.to_string());
        }
        out
    }
}

/// The form's sections the clinic's details go in.
pub const HCP: &str = "Monitoring healthcare provider";
const SETTING: &str = "Healthcare setting";

/// Paper size for printing and PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    pub fn css(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::Letter => "letter",
        }
    }
}
