//! The clinic's settings (site policy, clinic name, paper size, the screen lock), kept in the database beside the records they govern: one row per setting, every
//! change written with its audit entry (who, when, from → to) in one transaction.
//!
//! A setting that cannot be read is an error naming it, never its default: a clinic's 8-week rule
//! must not silently become the rule set's 6 weeks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::audit::{self, changes, leaves_of, AuditEntry, Event};
use super::sql::{params, Sql};
use super::{Result, StorageError, Store};
use crate::eligibility::policy::{PolicyOverrides, SitePolicy};
use crate::eligibility::ruleset::RuleSet;
use crate::outcomes::administration::ScalesSite;
use crate::outcomes::scales::Scales;
use crate::records::clinic_details::Paper;
use crate::records::clinic_details::RemsSetting;
use crate::treatment::dosing::{DosingRules, DosingSite};

/// The file (in the data folder) and key where desktop versions before 0.2 kept these settings;
/// the app moves them into the database at its first start, and the CLI waits for that.
pub const LEGACY_FILE: &str = "settings.json";
pub const LEGACY_KEY: &str = "settings";

/// The audit action of a settings change.
pub const SETTINGS_ACTION: &str = "settings";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, rename = "Settings"))]
pub struct ClinicSettings {
    pub clinic: String,
    pub paper: Paper,
    /// Minutes without input after which the app locks (patient details removed from the screen).
    pub lock_after_minutes: u32,
    /// The site policy: what is left unset keeps the rule set's default.
    pub policy: PolicyOverrides,
    /// The site's dosing choices: what is left unset keeps the default of `rules/dosing.toml`.
    pub dosing: DosingSite,
    /// The clinic's details on the SPRAVATO REMS Patient Monitoring Form.
    pub rems: RemsSetting,
    /// The site's choices for the outcome scales (MADRS remission at 10 or 12).
    pub scales: ScalesSite,
}

/// The screen lock: 5 minutes unless the clinic chooses otherwise, between 1 and 60.
pub const LOCK_AFTER_MINUTES_DEFAULT: u32 = 5;
pub const LOCK_AFTER_MINUTES_RANGE: std::ops::RangeInclusive<u32> = 1..=60;

impl Default for ClinicSettings {
    fn default() -> ClinicSettings {
        ClinicSettings {
            clinic: String::new(),
            paper: Paper::default(),
            lock_after_minutes: LOCK_AFTER_MINUTES_DEFAULT,
            policy: PolicyOverrides::default(),
            dosing: DosingSite::default(),
            rems: RemsSetting::default(),
            scales: ScalesSite::default(),
        }
    }
}

fn invalid(field: &str, message: String) -> StorageError {
    StorageError::InvalidField { field: field.into(), message }
}

/// A group's error (`dosing`, `scales`) naming its field within the settings (`dosing.mg_per_kg`).
fn within(group: &str, e: crate::InputError) -> StorageError {
    match e {
        crate::InputError::Field { path, message } => invalid(&format!("{group}.{path}"), message),
        other => StorageError::Input(other),
    }
}

impl ClinicSettings {
    /// The settings the clinic may save: the policy within the rule set's limits, the dosing
    /// choices within those of `rules/dosing.toml`, the lock within its range.
    pub fn check(&self, rules: &RuleSet) -> Result<()> {
        // Every text within its documented maximum (docs/assessment-v2.md), named by its key.
        crate::eligibility::model::check_line("clinic", &self.clinic, crate::eligibility::model::SHORT_TEXT_MAX_CHARS)?;
        for f in &RemsSetting::FIELDS {
            let text = self.rems.value(f.key).unwrap_or_default();
            crate::eligibility::model::check_line(
                &format!("rems.{}", f.key),
                &text,
                crate::eligibility::model::SHORT_TEXT_MAX_CHARS,
            )?;
        }
        SitePolicy::resolve(rules, &self.policy)?;
        let dosing = DosingRules::embedded().map_err(|e| invalid("dosing", e.to_string()))?;
        self.dosing.check(dosing).map_err(|e| within("dosing", e))?;
        let scales = Scales::embedded().map_err(|e| invalid("scales", e.to_string()))?;
        self.scales.check(scales).map_err(|e| within("scales", e))?;
        if !LOCK_AFTER_MINUTES_RANGE.contains(&self.lock_after_minutes) {
            return Err(StorageError::InvalidField {
                field: "lock_after_minutes".into(),
                message: format!(
                    "{} minutes: choose {} to {} minutes",
                    self.lock_after_minutes,
                    LOCK_AFTER_MINUTES_RANGE.start(),
                    LOCK_AFTER_MINUTES_RANGE.end()
                ),
            });
        }
        Ok(())
    }
}

impl ClinicSettings {
    /// The clinic's details for the REMS form, the clinic's name standing in for the setting's
    /// name when that is not set.
    pub fn rems_setting(&self) -> RemsSetting {
        self.rems.with_clinic_name(&self.clinic)
    }
}

/// The stored rows: key (`clinic`, `policy.min_weeks_at_dose`) → value as JSON text.
fn rows(db: &(impl Sql + ?Sized)) -> Result<BTreeMap<String, String>> {
    db.rows("SELECT key, value FROM setting ORDER BY key", &[])?.iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect()
}

fn unreadable(key: &str, message: impl std::fmt::Display) -> StorageError {
    StorageError::SettingsUnreadable { key: key.to_string(), message: message.to_string() }
}

/// The settings from their rows; a value that is not what its key holds is an error naming it.
fn from_rows(rows: &BTreeMap<String, String>) -> Result<ClinicSettings> {
    let mut root = Map::new();
    for (key, text) in rows {
        let value: Value = serde_json::from_str(text).map_err(|e| unreadable(key, e))?;
        if value.is_null() {
            return Err(unreadable(key, "it is empty (null)"));
        }
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

/// The `field` of an audit entry about the settings as a whole (defaults confirmed, settings kept
/// across a restore) rather than one of them.
pub const ALL_SETTINGS: &str = "*";

/// Each setting's value as its latest audit entry left it (`None`: removed, the default).
fn audited(db: &(impl Sql + ?Sized)) -> Result<BTreeMap<String, Option<String>>> {
    db.rows(
        "SELECT field, new_value FROM audit WHERE action = $1 AND field IS NOT NULL AND field <> $2 ORDER BY seq",
        params![SETTINGS_ACTION, ALL_SETTINGS],
    )?
    .iter()
    .map(|r| Ok((r.get(0)?, r.get(1)?)))
    .collect()
}

/// The rows, checked against the audit trail: a row changed, added or removed other than through
/// an audited save (a hand-made edit of the file) is an error naming the setting.
fn checked_rows(db: &(impl Sql + ?Sized)) -> Result<BTreeMap<String, String>> {
    let rows = rows(db)?;
    let audited = audited(db)?;
    for (key, expected) in &audited {
        match (rows.get(key), expected) {
            (Some(v), Some(e)) if v == e => {}
            (None, None) => {}
            _ => return Err(unreadable(key, "its value is not the one its last audited change set")),
        }
    }
    if let Some(key) = rows.keys().find(|k| !audited.contains_key(*k)) {
        return Err(unreadable(key, "it was never set through an audited change"));
    }
    Ok(rows)
}

/// The new rows: every setting not at its default ("not set" and "the default" are one state).
fn rows_of(settings: &ClinicSettings) -> BTreeMap<String, String> {
    let defaults = leaves_of(&ClinicSettings::default());
    let mut new = leaves_of(settings);
    new.retain(|key, value| defaults.get(key) != Some(value));
    new
}

/// Writes `new` over the rows, one audit entry per changed setting; when nothing changes and the
/// settings were never saved, one entry records that the defaults were confirmed.
fn write_rows(
    tx: &(impl Sql + ?Sized),
    at: &str,
    actor: &str,
    new: &BTreeMap<String, String>,
    detail: Option<&str>,
) -> Result<()> {
    let old = rows(tx)?;
    let changed = changes(&old, new);
    if changed.is_empty() && !ever_saved(tx)? {
        let detail = detail.unwrap_or("the rule set's defaults, confirmed");
        let event = Event {
            actor,
            action: SETTINGS_ACTION,
            field: Some(ALL_SETTINGS),
            detail: Some(detail.into()),
            ..Default::default()
        };
        audit::append(tx, at, &event)?;
    }
    for (key, from, to) in changed {
        match &to {
            Some(value) => tx.run(
                "INSERT INTO setting (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, \
                 updated_by = excluded.updated_by",
                params![&key, value, at, actor],
            )?,
            None => tx.run("DELETE FROM setting WHERE key = $1", params![&key])?,
        };
        let event = Event {
            actor,
            action: SETTINGS_ACTION,
            field: Some(&key),
            old_value: from,
            new_value: to,
            detail: detail.map(str::to_string),
            ..Default::default()
        };
        audit::append(tx, at, &event)?;
    }
    Ok(())
}

/// Whether the settings were ever saved in this database (entries of versions before it kept
/// them elsewhere carry no field and do not count).
pub fn ever_saved(db: &(impl Sql + ?Sized)) -> Result<bool> {
    let saved =
        db.row("SELECT seq FROM audit WHERE action = $1 AND field IS NOT NULL LIMIT 1", params![SETTINGS_ACTION])?;
    Ok(saved.is_some() || !rows(db)?.is_empty())
}

/// The clinic's settings; those never set are the defaults (the rule set's policy). A row that
/// cannot be read, or that is not what its last audited change set, is an error naming it.
pub fn current(db: &(impl Sql + ?Sized)) -> Result<ClinicSettings> {
    from_rows(&checked_rows(db)?)
}

/// Saves the settings, inside the caller's transaction: the policy is checked against the rule
/// set first; each changed setting is written with an audit entry (field = its key, from → to).
/// `expected` is what the clinician saw when they began (`None` when the settings could not be
/// read): when the stored settings differ from it (changed elsewhere meanwhile), nothing is saved.
pub fn save(
    db: &(impl Sql + ?Sized),
    at: &str,
    settings: &ClinicSettings,
    expected: Option<&ClinicSettings>,
    actor: &str,
    rules: &RuleSet,
) -> Result<()> {
    settings.check(rules)?;
    let settings = ClinicSettings { rems: settings.rems.normalised(), ..settings.clone() };
    if let (Some(expected), Ok(current)) = (expected, current(db)) {
        if current != *expected {
            return Err(StorageError::SettingsChanged);
        }
    }
    write_rows(db, at, actor, &rows_of(&settings), None)
}

/// Every change of the settings, oldest first (entries of older versions carry the whole
/// change in `detail`).
pub fn history(db: &(impl Sql + ?Sized)) -> Result<Vec<AuditEntry>> {
    audit::for_action(db, SETTINGS_ACTION)
}

impl Store {
    /// The clinic's settings; those never set are the defaults (the rule set's policy). A row that
    /// cannot be read, or that is not what its last audited change set, is an error naming it.
    pub fn clinic_settings(&self) -> Result<ClinicSettings> {
        current(self.connection())
    }

    /// Whether the settings were ever saved in this database (the desktop app moves an older
    /// version's settings in when not).
    pub fn has_clinic_settings(&self) -> Result<bool> {
        ever_saved(self.connection())
    }

    /// Saves the settings: the policy is checked against the rule set first; each changed
    /// setting is written with an audit entry (field = its key, from → to). `expected` is what the
    /// clinician saw when they began (`None` when the settings could not be read): when the stored
    /// settings differ from it (changed elsewhere meanwhile), nothing is saved.
    pub fn save_clinic_settings(
        &mut self,
        settings: &ClinicSettings,
        expected: Option<&ClinicSettings>,
        actor: &str,
        rules: &RuleSet,
    ) -> Result<ClinicSettings> {
        settings.check(rules)?;
        self.write(|tx, at| save(tx, at, settings, expected, actor, rules))?;
        self.clinic_settings()
    }

    /// Moves settings kept elsewhere by an older version (the desktop app's settings file) into
    /// the database, once: only when none were ever saved here. The policy is checked first.
    /// Returns whether it moved them.
    pub fn adopt_settings(&mut self, settings: &ClinicSettings, from: &str, rules: &RuleSet) -> Result<bool> {
        if self.has_clinic_settings()? {
            return Ok(false);
        }
        settings.check(rules)?;
        let detail = format!("moved from {from}");
        let new = rows_of(settings);
        self.write(|tx, at| write_rows(tx, at, "trdcheck (settings upgrade)", &new, Some(&detail)))?;
        Ok(true)
    }

    /// The raw rows, to carry over a restore.
    pub(crate) fn settings_rows(&self) -> Result<BTreeMap<String, String>> {
        rows(self.connection())
    }

    /// After a restore: the settings in force before it are kept (a backup from another time, or
    /// from before settings were kept here, must not change the policy silently); each difference
    /// is audited, naming the backup.
    pub(crate) fn keep_settings_across_restore(
        &mut self,
        kept: &BTreeMap<String, String>,
        actor: &str,
        from: &str,
    ) -> Result<()> {
        let detail = format!("kept across the restore of {from}");
        self.write(|tx, at| write_rows(tx, at, actor, kept, Some(&detail)))
    }

    /// Every change of the settings, oldest first (entries of older versions carry the whole
    /// change in `detail`).
    pub fn settings_history(&self) -> Result<Vec<AuditEntry>> {
        history(self.connection())
    }
}
