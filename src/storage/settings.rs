//! The clinic's settings (site policy, clinic name, paper size, the clinician at this
//! workstation), kept in the database beside the records they govern: one row per setting, every
//! change written with its audit entry (who, when, from → to) in one transaction.
//!
//! A setting that cannot be read is an error naming it, never its default: a clinic's 8-week rule
//! must not silently become the rule set's 6 weeks.

use std::collections::BTreeMap;

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::audit::{self, changes, leaves_of, AuditEntry, Event};
use super::{Result, StorageError, Store};
use crate::policy::{PolicyOverrides, SitePolicy};
use crate::ruleset::RuleSet;
use crate::summary_html::Paper;

/// The audit action of a settings change.
pub const SETTINGS_ACTION: &str = "settings";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "Settings"))]
pub struct ClinicSettings {
    /// The clinician using this workstation: recorded in the audit trail and on finalised summaries.
    pub clinician: String,
    pub clinic: String,
    pub paper: Paper,
    /// The site policy: what is left unset keeps the rule set's default.
    pub policy: PolicyOverrides,
}

/// The stored rows: key (`clinic`, `policy.min_weeks_at_dose`) → value as JSON text.
fn rows(conn: &Connection) -> Result<BTreeMap<String, String>> {
    let mut stmt = conn.prepare_cached("SELECT key, value FROM setting ORDER BY key")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn unreadable(key: &str, message: impl std::fmt::Display) -> StorageError {
    StorageError::SettingsUnreadable { key: key.to_string(), message: message.to_string() }
}

/// The settings from their rows; a value that is not what its key holds is an error naming it.
fn from_rows(rows: &BTreeMap<String, String>) -> Result<ClinicSettings> {
    let mut root = Map::new();
    for (key, text) in rows {
        let value: Value = serde_json::from_str(text).map_err(|e| unreadable(key, e))?;
        let mut parts: Vec<&str> = key.split('.').collect();
        let last = parts.pop().unwrap_or_default();
        let mut map = &mut root;
        for part in parts {
            let entry = map.entry(part.to_string()).or_insert_with(|| Value::Object(Map::new()));
            map = entry.as_object_mut().ok_or_else(|| unreadable(key, "is inside a setting that is not a group"))?;
        }
        map.insert(last.to_string(), value);
    }
    serde_path_to_error::deserialize(Value::Object(root)).map_err(|e| {
        let path = e.path().to_string();
        unreadable(&path, e.into_inner())
    })
}

impl Store {
    /// The clinic's settings; those never set are the defaults (the rule set's policy).
    pub fn clinic_settings(&self) -> Result<ClinicSettings> {
        from_rows(&rows(self.connection())?)
    }

    /// Whether any setting was ever stored (the desktop app moves older settings in when not).
    pub fn has_clinic_settings(&self) -> Result<bool> {
        Ok(!rows(self.connection())?.is_empty())
    }

    /// Saves the settings: the policy is checked against the rule set first; each changed
    /// setting is written with an audit entry (field = its key, from → to). A setting that could
    /// not be read is replaced only by this explicit save.
    pub fn save_clinic_settings(
        &mut self,
        settings: &ClinicSettings,
        actor: &str,
        rules: &RuleSet,
    ) -> Result<ClinicSettings> {
        SitePolicy::resolve(rules, &settings.policy)?;
        self.save_settings_with(settings, actor, None)
    }

    /// As [`Store::save_clinic_settings`], with a note in every entry (where the values came from).
    pub(crate) fn save_settings_with(
        &mut self,
        settings: &ClinicSettings,
        actor: &str,
        detail: Option<&str>,
    ) -> Result<ClinicSettings> {
        // A setting at its default is not stored: "not set" and "the default" are one state.
        let defaults = leaves_of(&ClinicSettings::default());
        let mut new = leaves_of(settings);
        new.retain(|key, value| defaults.get(key) != Some(value));
        self.write(|tx, at| {
            let old = rows(tx)?;
            for (key, from, to) in changes(&old, &new) {
                match &to {
                    Some(value) => tx.execute(
                        "INSERT INTO setting (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4) \
                         ON CONFLICT (key) DO UPDATE SET value = ?2, updated_at = ?3, updated_by = ?4",
                        params![key, value, at, actor],
                    )?,
                    None => tx.execute("DELETE FROM setting WHERE key = ?1", [&key])?,
                };
                audit::append(
                    tx,
                    at,
                    &Event {
                        actor,
                        action: SETTINGS_ACTION,
                        field: Some(&key),
                        old_value: from,
                        new_value: to,
                        detail: detail.map(str::to_string),
                        ..Default::default()
                    },
                )?;
            }
            Ok(())
        })?;
        self.clinic_settings()
    }

    /// Moves settings kept elsewhere by an older version (the desktop app's settings file) into
    /// the database, once: only when none are stored yet. Returns whether it moved them.
    pub fn adopt_settings(&mut self, settings: &ClinicSettings, actor: &str, from: &str) -> Result<bool> {
        if self.has_clinic_settings()? || *settings == ClinicSettings::default() {
            return Ok(false);
        }
        self.save_settings_with(settings, actor, Some(&format!("moved from {from}")))?;
        Ok(true)
    }

    /// Every change of the settings, oldest first (entries of older versions carry the whole
    /// change in `detail`).
    pub fn settings_history(&self) -> Result<Vec<AuditEntry>> {
        Ok(audit::for_action(self.connection(), SETTINGS_ACTION)?)
    }
}
