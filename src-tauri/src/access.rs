//! Who is signed in: set-up of the first clinician, sign-in, the recovery key, the lock (on idle
//! or by the clinician), and the accounts. The records are open only while a clinician is signed
//! in: locking closes them and drops the key from memory; signing in opens them again.

use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};
use trdcheck::records::{settings::LOCK_AFTER_MINUTES_DEFAULT, DbKey, Store};
use trdcheck::vault::{Status, Unlocked, VaultError};
use trdcheck::ErrorCode;

use crate::views::{Access, AccessState, SetUp};
use crate::{AppState, IpcError};

type Result<T> = std::result::Result<T, IpcError>;

/// A command may come this long after the lock was due (the page reports input at most every 30 s).
const GRACE: Duration = Duration::from_secs(45);

/// The signed-in clinician, the key their passphrase unlocked, and when they were last active.
pub(crate) struct Session {
    pub(crate) clinician: String,
    key: DbKey,
    lock_after: Duration,
    /// Both clocks: the monotonic one stops while the computer sleeps, the wall clock does not
    /// (a laptop closed for an hour must open locked).
    last_activity: (Instant, SystemTime),
}

impl Session {
    fn idle(&self) -> Duration {
        let wall = SystemTime::now().duration_since(self.last_activity.1).unwrap_or_default();
        self.last_activity.0.elapsed().max(wall)
    }
}

/// Why the app locks: the clinician was away, or chose to (both audited).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum LockReason {
    Idle,
    SignOut,
}

impl From<VaultError> for IpcError {
    fn from(e: VaultError) -> IpcError {
        let e = match e {
            VaultError::Storage(s) => return s.into(),
            other => other,
        };
        let field = match &e {
            VaultError::InvalidField { field, .. } => Some(field.clone()),
            VaultError::WeakPassphrase { .. } | VaultError::WrongPassphrase { .. } => Some("passphrase".into()),
            VaultError::WrongRecoveryKey | VaultError::NoRecoveryKey => Some("recovery_key".into()),
            VaultError::UnknownClinician { .. } | VaultError::ClinicianExists { .. } => Some("name".into()),
            _ => None,
        };
        let message = match &e {
            VaultError::InvalidField { message, .. } => message.clone(),
            other => other.to_string(),
        };
        IpcError { code: e.code(), message, field }
    }
}

pub(crate) fn locked() -> IpcError {
    IpcError::new(ErrorCode::Locked, "the app is locked: sign in to continue")
}

fn poisoned() -> IpcError {
    IpcError::new(ErrorCode::Internal, "session lock")
}

impl AppState {
    /// The signed-in clinician, after checking the lock: a session idle past its time is locked
    /// here (audited) and the command refused; otherwise this command counts as activity.
    pub(crate) fn signed_in(&self) -> Result<String> {
        let mut session = self.session.lock().map_err(|_| poisoned())?;
        let Some(s) = session.as_mut() else { return Err(locked()) };
        if s.idle() > s.lock_after + GRACE {
            let clinician = s.clinician.clone();
            *session = None;
            drop(session);
            self.close_records(&clinician, "lock", "idle");
            return Err(locked());
        }
        s.last_activity = (Instant::now(), SystemTime::now());
        Ok(s.clinician.clone())
    }

    fn unlocked(&self) -> Result<Unlocked> {
        self.signed_in()?;
        let session = self.session.lock().map_err(|_| poisoned())?;
        let s = session.as_ref().ok_or_else(locked)?;
        Ok(Unlocked { clinician: s.clinician.clone(), key: s.key.clone() })
    }

    /// What the sign-in screen shows.
    pub fn access_status(&self) -> Result<Access> {
        let signed_in =
            self.session.lock().map_err(|_| poisoned())?.as_ref().map(|s| (s.clinician.clone(), s.lock_after));
        let mut access = Access {
            state: AccessState::SignIn,
            unencrypted_records: false,
            clinicians: Vec::new(),
            recovery_key: false,
            clinician: None,
            lock_after_minutes: None,
            error: None,
        };
        match self.vault.status() {
            Ok(Status::New) => access.state = AccessState::SetUp,
            Ok(Status::Unencrypted) => {
                access.state = AccessState::SetUp;
                access.unencrypted_records = true;
            }
            Ok(Status::Ready { clinicians, recovery_key }) => {
                access.clinicians = clinicians;
                access.recovery_key = recovery_key;
            }
            Err(e) => access.error = Some(e.into()),
        }
        if let Some((clinician, lock_after)) = signed_in {
            access.state = AccessState::SignedIn;
            access.clinician = Some(clinician);
            access.lock_after_minutes = Some((lock_after.as_secs() / 60) as u32);
        }
        Ok(access)
    }

    /// Creates the first clinician (and encrypts an earlier version's records); returns the
    /// recovery key, to be shown this once.
    pub fn set_up(&self, name: String, passphrase: String) -> Result<SetUp> {
        let (unlocked, recovery) = self.vault.set_up(&name, &passphrase)?;
        self.open_records(unlocked, "set_up")?;
        Ok(SetUp { recovery_key: recovery.to_string(), access: self.access_status()? })
    }

    pub fn sign_in(&self, name: String, passphrase: String) -> Result<Access> {
        let unlocked = self.vault.unlock(&name, &passphrase)?;
        self.open_records(unlocked, "sign_in")?;
        self.access_status()
    }

    /// With the recovery key: a new passphrase for `name` (new, or who forgot theirs), signed in.
    pub fn recover(&self, recovery_key: String, name: String, passphrase: String) -> Result<Access> {
        let unlocked = self.vault.recover(&recovery_key, &name, &passphrase)?;
        self.open_records(unlocked, "recovered")?;
        self.access_status()
    }

    /// Locks: the records are closed and the key dropped; the page has removed every patient
    /// detail and saved what was typed before calling this.
    pub fn lock(&self, reason: LockReason) -> Result<Access> {
        let taken = self.session.lock().map_err(|_| poisoned())?.take();
        if let Some(s) = taken {
            let detail = match reason {
                LockReason::Idle => "idle",
                LockReason::SignOut => "signed out",
            };
            self.close_records(&s.clinician, if reason == LockReason::Idle { "lock" } else { "sign_out" }, detail);
        }
        self.access_status()
    }

    /// The clinician is at the keyboard (input on the page; sent at most every 30 s).
    pub fn touch(&self) -> Result<()> {
        self.signed_in().map(|_| ())
    }

    /// Adds a clinician; the one signed in gives their own passphrase again (an unattended,
    /// unlocked desk must not be enough to give someone lasting access).
    pub fn add_clinician(&self, name: String, passphrase: String, your_passphrase: String) -> Result<Access> {
        self.confirm_passphrase(&your_passphrase)?;
        let by = self.unlocked()?;
        let name = self.vault.add_clinician(&by, &name, &passphrase)?;
        self.with_store(|s| Ok(s.record_access(&by.clinician, "clinician_added", Some(&name))?))?;
        self.access_status()
    }

    pub fn remove_clinician(&self, name: String, your_passphrase: String) -> Result<Access> {
        self.confirm_passphrase(&your_passphrase)?;
        let by = self.unlocked()?;
        let name = self.vault.remove_clinician(&by, &name)?;
        self.with_store(|s| Ok(s.record_access(&by.clinician, "clinician_removed", Some(&name))?))?;
        self.access_status()
    }

    pub fn change_passphrase(&self, old_passphrase: String, new_passphrase: String) -> Result<Access> {
        let by = self.unlocked()?;
        self.vault.change_passphrase(&by.clinician, &old_passphrase, &new_passphrase)?;
        self.with_store(|s| Ok(s.record_access(&by.clinician, "passphrase_changed", Some(&by.clinician))?))?;
        self.access_status()
    }

    /// The signed-in clinician's passphrase again, before they sign (finalise or amend).
    pub(crate) fn confirm_passphrase(&self, passphrase: &str) -> Result<String> {
        let clinician = self.signed_in()?;
        self.vault.confirm(&clinician, passphrase)?;
        Ok(clinician)
    }

    /// Opens the records with an unlocked key (another clinician's session is closed first),
    /// records the sign-in, and starts the session with the clinic's lock time.
    fn open_records(&self, unlocked: Unlocked, action: &str) -> Result<()> {
        if let Some(previous) = self.session.lock().map_err(|_| poisoned())?.take() {
            self.close_records(&previous.clinician, "sign_out", "another clinician signed in");
        }
        let path = self.vault.database().to_path_buf();
        // An earlier version's records are encrypted first (after set-up showed the recovery key).
        let opened = self
            .vault
            .finish_encryption(&unlocked.key)
            .map_err(IpcError::from)
            .and_then(|()| Store::open_with_background_check(&path, &unlocked.key).map_err(IpcError::from));
        let lock_after = match &opened {
            Ok(store) => store.clinic_settings().map(|c| c.lock_after_minutes).unwrap_or(LOCK_AFTER_MINUTES_DEFAULT),
            Err(_) => LOCK_AFTER_MINUTES_DEFAULT,
        };
        {
            let mut slot = self.store.lock().map_err(|_| poisoned())?;
            *slot = opened;
            if let Ok(store) = slot.as_mut() {
                store.record_access(&unlocked.clinician, action, Some(&unlocked.clinician))?;
            }
        }
        *self.session.lock().map_err(|_| poisoned())? = Some(Session {
            clinician: unlocked.clinician,
            key: unlocked.key,
            lock_after: Duration::from_secs(u64::from(lock_after) * 60),
            last_activity: (Instant::now(), SystemTime::now()),
        });
        self.adopt_older_settings();
        Ok(())
    }

    /// Closes the records (the key goes with the store), after recording why.
    fn close_records(&self, clinician: &str, action: &str, detail: &str) {
        if let Ok(mut slot) = self.store.lock() {
            if let Ok(store) = slot.as_mut() {
                let _ = store.record_access(clinician, action, Some(detail));
            }
            *slot = Err(locked());
        }
    }

    /// Moves the last activity `ago` into the past, as if the clinician had been away (tests).
    #[doc(hidden)]
    pub fn pretend_idle_for(&self, ago: Duration) {
        if let Ok(mut session) = self.session.lock() {
            if let Some(s) = session.as_mut() {
                let monotonic = Instant::now().checked_sub(ago).unwrap_or(s.last_activity.0);
                s.last_activity = (monotonic, SystemTime::now() - ago);
            }
        }
    }

    /// The clinic's lock time changed: the session follows it at once.
    pub(crate) fn set_lock_after(&self, minutes: u32) {
        if let Ok(mut session) = self.session.lock() {
            if let Some(s) = session.as_mut() {
                s.lock_after = Duration::from_secs(u64::from(minutes) * 60);
            }
        }
    }
}
