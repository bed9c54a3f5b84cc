//! `trd-check db user` and signing in: the clinicians' key slots, passphrases and the recovery
//! key, read from files named by environment variables or from the terminal.

use super::*;

#[derive(Subcommand)]
pub(crate) enum UserCommand {
    /// List the clinicians (no passphrase needed).
    List,
    /// Add a clinician (by --user). Their passphrase: the file named by
    /// TRDCHECK_NEW_PASSPHRASE_FILE, or asked for twice on the terminal.
    Add { name: String },
    /// Remove a clinician (by --user; not the last one, nor yourself).
    Remove { name: String },
    /// Change --user's passphrase (the new one as for `add`).
    Passwd,
    /// With the recovery key (the file named by TRDCHECK_RECOVERY_KEY_FILE, or asked for), give
    /// NAME a new passphrase: a new clinician, or one who forgot theirs.
    Recover { name: String },
}

/// A secret: the file named by `env` (one trailing line break dropped), else asked for on the
/// terminal (twice when `confirm`). Never an argument, never echoed.
pub(crate) fn secret(env: &str, prompt: &str, confirm: bool) -> Result<Zeroizing<String>, Failure> {
    if let Some(file) = std::env::var_os(env) {
        let text = Zeroizing::new(
            std::fs::read_to_string(&file)
                .map_err(|e| Failure(format!("{env}: {}: {e}", PathBuf::from(&file).display()), 2))?,
        );
        let line = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
        return Ok(Zeroizing::new(line.to_string()));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure(format!("{prompt}: not in a terminal; name a file holding it in {env}"), 2));
    }
    let read = |p: &str| {
        rpassword::prompt_password(format!("{p}: ")).map(Zeroizing::new).map_err(|e| Failure(format!("{p}: {e}"), 2))
    };
    let first = read(prompt)?;
    if confirm && *read(&format!("{prompt} (again)"))? != *first {
        return Err(Failure("the two passphrases differ; nothing was changed".into(), 2));
    }
    Ok(first)
}

pub(crate) const PASSPHRASE_FILE: &str = "TRDCHECK_PASSPHRASE_FILE";

pub(crate) const NEW_PASSPHRASE_FILE: &str = "TRDCHECK_NEW_PASSPHRASE_FILE";

pub(crate) const RECOVERY_KEY_FILE: &str = "TRDCHECK_RECOVERY_KEY_FILE";

pub(crate) fn vault_failure(e: VaultError) -> Failure {
    let status = if e.code().is_request_error() { 2 } else { 1 };
    Failure(e.to_string(), status)
}

pub(crate) fn user_needed(user: Option<String>) -> Result<String, Failure> {
    user.ok_or_else(|| Failure("--user NAME is needed: the clinician acting".into(), 2))
}

/// Unlocks the records as `user` (their passphrase as [`secret`] reads it).
pub(crate) fn sign_in(vault: &Vault, user: Option<String>) -> Result<Unlocked, Failure> {
    let user = user_needed(user)?;
    let passphrase = secret(PASSPHRASE_FILE, &format!("passphrase for {user}"), false)?;
    vault.unlock(&user, &passphrase).map_err(vault_failure)
}

pub(crate) fn print_recovery_key(key: &str) -> Result<(), Failure> {
    out!("recovery key (shown this once: print it or write it down, and keep it offline, away from this computer):");
    out!("  {key}");
    out!("With it a clinician can be given a new passphrase when every passphrase is forgotten (trd-check db user recover NAME).");
    Ok(())
}

pub(crate) fn run_user(vault: &Vault, user: Option<String>, command: UserCommand) -> Result<(), Failure> {
    match command {
        UserCommand::List => match vault.status().map_err(vault_failure)? {
            Status::Ready { clinicians, recovery_key } => {
                for name in clinicians {
                    out!("{name}");
                }
                if !recovery_key {
                    out!("(no recovery key)");
                }
            }
            _ => return Err(vault_failure(VaultError::NotSetUp)),
        },
        UserCommand::Add { name } => {
            let by = sign_in(vault, user)?;
            let passphrase = secret(NEW_PASSPHRASE_FILE, &format!("new passphrase for {name}"), true)?;
            let name = vault.add_clinician(&by, &name, &passphrase).map_err(vault_failure)?;
            audit(vault, &by, "clinician_added", &name)?;
            out!("{name} can now unlock the records");
        }
        UserCommand::Remove { name } => {
            let by = sign_in(vault, user)?;
            let name = vault.remove_clinician(&by, &name).map_err(vault_failure)?;
            audit(vault, &by, "clinician_removed", &name)?;
            out!("{name} can no longer unlock the records");
        }
        UserCommand::Passwd => {
            let user = user_needed(user)?;
            let old = secret(PASSPHRASE_FILE, &format!("passphrase for {user}"), false)?;
            let by = vault.unlock(&user, &old).map_err(vault_failure)?;
            let new = secret(NEW_PASSPHRASE_FILE, &format!("new passphrase for {user}"), true)?;
            vault.change_passphrase(&user, &old, &new).map_err(vault_failure)?;
            audit(vault, &by, "passphrase_changed", &by.clinician)?;
            out!("the passphrase of {} was changed", by.clinician);
        }
        UserCommand::Recover { name } => {
            let recovery = secret(RECOVERY_KEY_FILE, "recovery key", false)?;
            let passphrase = secret(NEW_PASSPHRASE_FILE, &format!("new passphrase for {name}"), true)?;
            let by = vault.recover(&recovery, &name, &passphrase).map_err(vault_failure)?;
            audit(vault, &by, "recovered", &by.clinician)?;
            out!("{} can unlock the records with the new passphrase", by.clinician);
        }
    }
    Ok(())
}

/// An audit entry of an account change, in the records.
pub(crate) fn audit(vault: &Vault, by: &Unlocked, action: &str, name: &str) -> Result<(), Failure> {
    let mut store = Store::open(vault.database(), &by.key).map_err(storage_failure)?;
    store.record_access(&by.clinician, action, Some(name)).map_err(storage_failure)
}
