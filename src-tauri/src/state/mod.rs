//! What the commands share, and their work: each method of [`AppState`] is the body of the
//! command of the same name (the tests call them directly). Database, file and rendering work is
//! done here, on the blocking pool; no lock is held while a document renders.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use trdcheck::documents::summary::Summary;
use trdcheck::outcomes::scales::Scales;
use trdcheck::records::{AssessmentRecord, ClinicSettings, Store};
use trdcheck::vault::Vault;
use trdcheck::{ErrorCode, Evaluation, RuleSet, SitePolicy};

use crate::access::{locked, Session};
use crate::views::{catalog_of, labels, AppInfo, Catalog, SettingChange};
use crate::{prefs, IpcError};

mod courses;
mod outcomes;
mod patients;

type Result<T> = std::result::Result<T, IpcError>;

/// The state the commands share, as Tauri manages it.
pub type Shared = Arc<AppState>;

/// The clinic's settings and the policy they give, read from the database for each command, and
/// the signed-in clinician who acts.
struct InForce {
    settings: ClinicSettings,
    policy: SitePolicy,
    clinician: String,
}

impl InForce {
    /// Who is acting: the signed-in clinician.
    fn actor(&self) -> String {
        self.clinician.clone()
    }
}

pub struct AppState {
    pub(crate) rules: &'static RuleSet,
    pub(crate) data_dir: PathBuf,
    /// The records' database and its key file.
    pub(crate) vault: Vault,
    /// The signed-in clinician (none: locked).
    pub(crate) session: Mutex<Option<Session>>,
    /// The open database, or why it is not open: locked, or it could not be opened (shown to the
    /// clinician, never replaced).
    pub(crate) store: Mutex<std::result::Result<Store, IpcError>>,
    /// Set when settings of an earlier version could not be read and none are in the database:
    /// the policy is unknown until the clinician saves the settings (never the defaults).
    settings_block: Mutex<Option<IpcError>>,
    /// This workstation's text size in percent (a display preference, not audited).
    text_size: Mutex<u32>,
    /// Why the display preferences could not be read, if they could not.
    preferences_error: Mutex<Option<IpcError>>,
    /// Called between reading a record and rendering its document (tests use it to show that
    /// no lock is held while a document renders).
    render_hook: Mutex<Option<Box<dyn Fn() + Send + Sync>>>,
}

/// The errors that mean the clinic's settings cannot be known until they are saved again.
const SETTINGS_PROBLEMS: [ErrorCode; 3] =
    [ErrorCode::SettingsUnreadable, ErrorCode::Preferences, ErrorCode::InvalidPolicyValue];

fn poisoned(what: &str) -> IpcError {
    IpcError::new(ErrorCode::Internal, format!("{what} lock"))
}

impl AppState {
    /// The app's state over its data folder, locked: the records open when a clinician signs in.
    pub fn new(data_dir: PathBuf) -> Result<AppState> {
        let rules = RuleSet::embedded().map_err(|e| IpcError::new(ErrorCode::Ruleset, e.to_string()))?;
        Ok(AppState {
            rules,
            vault: Vault::new(&data_dir.join(trdcheck::records::DATABASE_FILE)),
            data_dir,
            session: Mutex::new(None),
            store: Mutex::new(Err(locked())),
            settings_block: Mutex::new(None),
            text_size: Mutex::new(prefs::TEXT_SIZES[0]),
            preferences_error: Mutex::new(None),
            render_hook: Mutex::new(None),
        })
    }

    /// Runs `f` on the open records, for the signed-in clinician (locked: refused).
    pub(crate) fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        self.signed_in()?;
        let mut guard = self.store.lock().map_err(|_| poisoned("database"))?;
        match guard.as_mut() {
            Ok(store) => f(store),
            Err(e) => Err(e.clone()),
        }
    }

    /// The settings and policy in force; an unreadable setting is an error, never a default.
    fn in_force(&self, store: &Store) -> Result<InForce> {
        if let Some(e) = self.settings_block.lock().map_err(|_| poisoned("settings"))?.clone() {
            return Err(e);
        }
        // Who is signed in (the lock was checked by with_store; checking it again here, with the
        // records held, could close them from under this very command).
        let clinician = self.session.lock().map_err(|_| poisoned("session"))?.as_ref().map(|s| s.clinician.clone());
        let clinician = clinician.ok_or_else(locked)?;
        let settings = store.clinic_settings()?;
        let policy = SitePolicy::resolve(self.rules, &settings.policy)?;
        Ok(InForce { settings, policy, clinician })
    }

    /// Blocks the settings until they are saved (an earlier version's settings could not be read).
    pub(crate) fn block_settings(&self, why: IpcError) {
        if let Ok(mut b) = self.settings_block.lock() {
            *b = Some(why);
        }
    }

    pub(crate) fn set_preferences_error(&self, why: Option<IpcError>) {
        if let Ok(mut p) = self.preferences_error.lock() {
            *p = why;
        }
    }

    pub(crate) fn settings_blocked(&self) -> Option<IpcError> {
        self.settings_block.lock().ok().and_then(|b| b.clone())
    }

    pub(crate) fn preferences_error(&self) -> Option<IpcError> {
        self.preferences_error.lock().ok().and_then(|p| p.clone())
    }

    /// What the app shows of itself: version, rule set, data folder, settings and policy.
    pub fn app_info(&self) -> Result<AppInfo> {
        let (in_force, database_error) = match self.with_store(|s| self.in_force(s)) {
            Ok(f) => (Ok(f), None),
            // Locked: nothing of the records is shown.
            Err(e) if e.code == ErrorCode::Locked => (Err(e), None),
            Err(e) => {
                let database_error = self.store.lock().ok().and_then(|s| s.as_ref().err().cloned());
                (Err(e), database_error)
            }
        };
        let (settings, policy, settings_error) = match in_force {
            Ok(f) => (Some(f.settings), Some(f.policy), None),
            Err(_) if database_error.is_some() => (None, None, None),
            Err(e) if e.code == ErrorCode::Locked => (None, None, None),
            // What the settings are is not known: shown as the error, no default in their place.
            Err(e) if SETTINGS_PROBLEMS.contains(&e.code) => (None, None, Some(e)),
            // Anything else (the database busy a moment) is an error of this call, not "no settings".
            Err(e) => return Err(e),
        };
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            ruleset: self.rules.reference(),
            data_dir: self.data_dir.display().to_string(),
            database: self.data_dir.join(trdcheck::records::DATABASE_FILE).display().to_string(),
            settings,
            settings_error,
            preferences_error: self.preferences_error(),
            policy,
            text_size_percent: *self.text_size.lock().map_err(|_| poisoned("settings"))?,
            text_sizes: prefs::TEXT_SIZES.to_vec(),
            database_error,
            lock_after_min: *trdcheck::records::settings::LOCK_AFTER_MINUTES_RANGE.start(),
            lock_after_max: *trdcheck::records::settings::LOCK_AFTER_MINUTES_RANGE.end(),
            signed_in: self.session.lock().ok().and_then(|s| s.as_ref().map(|s| s.clinician.clone())),
            labels: labels(),
        })
    }

    pub fn catalog(&self) -> Result<Catalog> {
        let scales = Scales::embedded().map_err(|e| IpcError::new(ErrorCode::Ruleset, e.to_string()))?;
        Ok(catalog_of(self.rules, self.dosing()?, scales))
    }

    /// Sets this workstation's text size (one of [`prefs::TEXT_SIZES`]) for this session.
    pub fn set_text_size(&self, percent: u32) -> Result<()> {
        let percent = prefs::check_text_size(percent)?;
        *self.text_size.lock().map_err(|_| poisoned("settings"))? = percent;
        Ok(())
    }

    /// Saves the clinic's settings in the database (each change audited, by the signed-in
    /// clinician); a changed policy applies to every draft from now on, a changed lock time at
    /// once. Refused when they changed since `expected` was read.
    pub fn save_settings(&self, settings: ClinicSettings, expected: Option<ClinicSettings>) -> Result<AppInfo> {
        let actor = self.signed_in()?;
        let saved =
            self.with_store(|s| Ok(s.save_clinic_settings(&settings, expected.as_ref(), &actor, self.rules)?))?;
        self.set_lock_after(saved.lock_after_minutes);
        if let Ok(mut b) = self.settings_block.lock() {
            *b = None;
        }
        self.app_info()
    }

    /// Every change of the clinic's settings, newest first.
    pub fn settings_history(&self) -> Result<Vec<SettingChange>> {
        let entries = self.with_store(|s| Ok(s.settings_history()?))?;
        Ok(entries.into_iter().rev().map(SettingChange::from).collect())
    }

    pub fn ui_ready(&self) -> Result<()> {
        if std::env::var_os("TRDCHECK_LAUNCH_PROBE").is_some() {
            eprintln!("trdcheck: ui ready");
        }
        Ok(())
    }

    /// Sets the hook called before a document renders (tests only).
    #[doc(hidden)]
    pub fn set_render_hook(&self, hook: impl Fn() + Send + Sync + 'static) {
        if let Ok(mut h) = self.render_hook.lock() {
            *h = Some(Box::new(hook));
        }
    }

    fn before_render(&self) {
        if let Ok(h) = self.render_hook.lock() {
            if let Some(hook) = h.as_ref() {
                hook();
            }
        }
    }
}

/// A record with what its documents show, read from the database.
struct Document {
    actor: String,
    paper: trdcheck::records::clinic_details::Paper,
    record: AssessmentRecord,
    evaluation: Evaluation,
    context: trdcheck::documents::summary::Context,
}

impl Document {
    /// The summary (no database access: built without the lock).
    fn summary(&self, rules: &RuleSet) -> Summary {
        Summary::build(
            &self.record.answers,
            &self.evaluation,
            self.record.rules_for_display(rules),
            self.context.clone(),
        )
    }
}

/// An MRN as part of a file name: letters, digits and '-' kept, anything else '_'.
fn safe_file_part(mrn: &str) -> String {
    mrn.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
}
