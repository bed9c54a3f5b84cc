//! The database key: the records are encrypted at rest with SQLCipher (its bundled build), with a
//! random 256-bit key that never changes. Clinicians unlock it through their key slots
//! ([`crate::vault`]); here it only opens files.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use zeroize::Zeroizing;

use super::{shown, Result, StorageError};

/// The first 16 bytes of every unencrypted SQLite file; an encrypted one starts with random bytes.
pub const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// A 256-bit SQLCipher key, used raw (no passphrase derivation by SQLCipher: the clinician's
/// passphrase is derived once, in their key slot). Wiped from memory when dropped.
#[derive(Clone)]
pub struct DbKey(Zeroizing<[u8; 32]>);

impl DbKey {
    /// A new random key (from the operating system's generator).
    pub fn random() -> std::result::Result<DbKey, getrandom::Error> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut())?;
        Ok(DbKey(bytes))
    }

    pub fn from_bytes(bytes: Zeroizing<[u8; 32]>) -> DbKey {
        DbKey(bytes)
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// SQLCipher's raw key literal: `x'…'` (64 hex digits).
    pub fn literal(&self) -> Zeroizing<String> {
        let mut s = Zeroizing::new(String::with_capacity(67));
        s.push_str("x'");
        for b in self.0.iter() {
            s.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
            s.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
        }
        s.push('\'');
        s
    }
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(…)")
    }
}

/// Whether the file at `path` is an unencrypted SQLite database (an earlier version's records).
pub fn is_plain(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let mut file =
        std::fs::File::open(path).map_err(|e| StorageError::Io { path: shown(path), message: e.to_string() })?;
    match file.read_exact(&mut head) {
        Ok(()) => Ok(&head == PLAIN_HEADER),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(StorageError::Io { path: shown(path), message: e.to_string() }),
    }
}

/// Whether the file at `path` is text, not a database: its first 4 KiB are UTF-8 without a NUL
/// byte (a JSON assessment or a note given as the database by mistake). An encrypted database
/// begins with random bytes, and a damaged one is still reported as damaged, not as "not ours".
pub fn is_text(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map_err(|e| StorageError::Io { path: shown(path), message: e.to_string() })?;
    // A cut in the middle of a character at the 4 KiB boundary is still text.
    let valid = match std::str::from_utf8(&head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() == 4096,
    };
    Ok(!head.is_empty() && valid && !head.contains(&0))
}

/// Whether the file at `path` cannot be a database at all: a folder, text (see [`is_text`]), or a
/// length no database has — SQLite writes whole pages of 512 to 65,536 bytes, so a picture or a
/// PDF given by mistake is told apart from an encrypted database whose key file is missing.
pub fn cannot_be_database(path: &Path) -> Result<bool> {
    let meta = std::fs::metadata(path).map_err(|e| StorageError::Io { path: shown(path), message: e.to_string() })?;
    if meta.is_dir() || meta.len() % 512 != 0 {
        return Ok(true);
    }
    // A document's own signature at its start (PDF, PNG, JPEG, GIF, ZIP/Office, gzip): not random
    // bytes, so not an encrypted database, whatever its length.
    use std::io::Read;
    let mut head = [0u8; 8];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| StorageError::Io { path: shown(path), message: e.to_string() })?;
    const SIGNATURES: [&[u8]; 6] = [b"%PDF", b"\x89PNG", b"\xFF\xD8\xFF", b"GIF8", b"PK\x03\x04", b"\x1F\x8B"];
    if SIGNATURES.iter().any(|sig| head[..n].starts_with(sig)) {
        return Ok(true);
    }
    is_text(path)
}

/// Initialises SQLite (with SQLCipher's functions such as `sqlcipher_export`) once, before the
/// first connection: SQLite runs SQLCipher's part of its initialisation outside its own mutex, so
/// two threads opening their first connections at once could get one without those functions.
pub(crate) fn initialise() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Safe: called once, before any connection exists in this process (the Once waits).
        unsafe {
            rusqlite::ffi::sqlite3_initialize();
        }
    });
}

/// A new connection to `path` (SQLite initialised first).
pub(crate) fn connect(path: &Path) -> rusqlite::Result<Connection> {
    initialise();
    Connection::open(path)
}

/// Gives a new connection its key and checks that it opens the file: a wrong key (or a file that
/// is not a database) is refused here, before anything is read or written.
pub(crate) fn unlock(conn: &Connection, key: &DbKey, path: &Path) -> Result<()> {
    // A wrong key is reported as an error here; SQLCipher's own log of it would only repeat it.
    conn.pragma_update(None, "cipher_log_level", "NONE")?;
    conn.pragma_update(None, "key", &*key.literal())?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(()),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
            // A file no database could be is not one (a text file or a picture given by mistake).
            if path.exists() && cannot_be_database(path)? {
                return Err(StorageError::NotTrdcheck { path: shown(path) });
            }
            Err(StorageError::WrongKey { path: shown(path) })
        }
        Err(e) => Err(StorageError::Corrupt { path: shown(path), detail: e.to_string() }),
    }
}

/// Opens an encrypted file with its key.
pub(crate) fn open_with_key(path: &Path, key: &DbKey, flags: OpenFlags) -> Result<Connection> {
    initialise();
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| StorageError::Corrupt { path: shown(path), detail: e.to_string() })?;
    unlock(&conn, key, path)?;
    Ok(conn)
}
