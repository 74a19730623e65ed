//! The on-disk cache of compiled artifacts (the pre-initialized runtime, node modules):
//! keys, paths, who may have written them, and reading and writing entries.
//!
//! **An entry is native code the host maps and runs**, so the cache is trusted code: an
//! entry is used only when the directory and the entry belong to this process's user or to
//! root (a cache baked read-only into a container image) and neither is writable by group
//! or others; an entry is opened once, without following symlinks, and that same file is
//! checked and mapped. A directory that fails the check is not used at all (nothing read,
//! written or swept): the sandbox compiles in memory and says why ([`CacheError`]).
//!
//! An entry is the artifact wasmtime wrote, followed by a trailer: `artifact length (u64
//! LE) | CRC-32 of the artifact (u32 LE) | "tntc-crc"`. The CRC is corruption detection on
//! a private, atomically written file, not a proof of origin (the ownership check is that);
//! it streams the file through a small buffer (the page cache holds it, this process does
//! not): 0.6 ms for the 5 MB runtime, where SHA-256 of an in-memory copy took 4 ms of every
//! start. Entries are replaced by renaming a new file over them, never rewritten in place:
//! a mapped file must not change.
//!
//! Keys cover everything an artifact depends on: its input (the runtime's digest, a node
//! module's bytes), the engine's compilation settings (`precompile_compatibility_hash`,
//! which includes wasmtime's version) and wasmtime's version again for the record.

use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use wasmtime::{Engine, Module};

use crate::error::CacheError;

const TRAILER_MAGIC: &[u8; 8] = b"tntc-crc";
const TRAILER_LEN: u64 = 8 + 4 + 8;
const KEY_FORMAT: &[u8] = b"tntc-runtime-cache-v2\0";
const WASMTIME_VERSION: &str = env!("TNTC_WASMTIME_VERSION");

/// How long an entry may go unused before [`Cache::sweep`] deletes it.
pub(crate) const STALE_AFTER: Duration = Duration::from_secs(14 * 24 * 3600);

/// Temporary files older than this are left over from a crashed write.
const ABANDONED_AFTER: Duration = Duration::from_secs(3600);

/// Where tntc keeps compiled code when nothing else says: `$TNTC_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/tntc`, else `~/.cache/tntc`, else (no `HOME`, as in a container) a
/// directory of this user's in the system's temporary directory, `tntc-cache-<uid>`: never a
/// path shared by all users, where another user could plant code (and if someone else
/// made that directory first, the ownership check refuses it and compiles in memory).
pub fn default_cache_dir() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("TNTC_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("tntc")))
        .or_else(|| env("HOME").map(|d| d.join(".cache/tntc")))
        .unwrap_or_else(|| std::env::temp_dir().join(format!("tntc-cache-{}", effective_uid())))
}

/// Whether `dir` can serve as the compiled-code cache (see the module docs): `Err` says why
/// not. A missing directory can (it is created at the first write).
pub fn check_cache_dir(dir: &Path) -> Result<(), CacheError> {
    Cache::open(dir).map(|_| ())
}

/// A cache directory that passed the ownership check.
#[derive(Clone, Debug)]
pub(crate) struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache in `dir`: usable when `dir` does not exist yet (it is created `0700` at the
    /// first write) or is trusted (see the module docs).
    pub(crate) fn open(dir: &Path) -> Result<Cache, CacheError> {
        match std::fs::metadata(dir) {
            Ok(metadata) if !metadata.is_dir() => Err(CacheError::Untrusted {
                path: dir.to_path_buf(),
                reason: "it is not a directory".into(),
            }),
            Ok(metadata) => match untrusted_because(&metadata) {
                Some(reason) => Err(CacheError::Untrusted {
                    path: dir.to_path_buf(),
                    reason,
                }),
                None => Ok(Cache {
                    dir: dir.to_path_buf(),
                }),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Cache {
                dir: dir.to_path_buf(),
            }),
            Err(e) => Err(CacheError::Read {
                path: dir.to_path_buf(),
                reason: e.to_string(),
            }),
        }
    }

    /// The directory this cache lives in.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the runtime with digest `runtime_sha256`, compiled by `engine`, is cached.
    pub(crate) fn runtime_entry(&self, engine: &Engine, runtime_sha256: &str) -> PathBuf {
        self.dir.join(format!(
            "runtime-{}.cwasm",
            artifact_key(engine, runtime_sha256.as_bytes())
        ))
    }

    /// Where the compilation of the node module `wasm` by `engine` is cached.
    pub(crate) fn node_entry(&self, engine: &Engine, wasm: &[u8]) -> PathBuf {
        self.dir
            .join(format!("node-{}.cwasm", artifact_key(engine, wasm)))
    }

    /// The entry at `path`, mapped: `Ok(None)` when there is none, `Err` when one exists
    /// but is unusable (untrusted, corrupt, for another engine): it will be replaced.
    pub(crate) fn read(&self, engine: &Engine, path: &Path) -> Result<Option<Module>, CacheError> {
        let Some(file) = open_entry(path)? else {
            return Ok(None);
        };
        if !checksum_matches(&file).map_err(|e| CacheError::Read {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })? {
            return Err(CacheError::Corrupt {
                path: path.to_path_buf(),
            });
        }
        map_open(engine, file, path).map(Some)
    }

    /// Maps an entry this process wrote a moment ago (no checks beyond wasmtime's own).
    pub(crate) fn map_written(&self, engine: &Engine, path: &Path) -> Result<Module, CacheError> {
        let file = File::open(path).map_err(|e| CacheError::Read {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        map_open(engine, file, path)
    }

    /// Writes `artifact` plus its trailer to `path` atomically (temporary file + rename),
    /// creating the directory with mode 0700.
    pub(crate) fn write(&self, path: &Path, artifact: &[u8]) -> Result<(), CacheError> {
        let fail = |e: std::io::Error| CacheError::Write {
            dir: self.dir.clone(),
            reason: e.to_string(),
        };
        create_private_dir(&self.dir).map_err(fail)?;
        let temporary = self.dir.join(format!(
            ".runtime-{}-{}.tmp",
            std::process::id(),
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        let written = (|| -> std::io::Result<()> {
            let mut file = File::create(&temporary)?;
            file.write_all(artifact)?;
            file.write_all(&(artifact.len() as u64).to_le_bytes())?;
            file.write_all(&crc32fast::hash(artifact).to_le_bytes())?;
            file.write_all(TRAILER_MAGIC)?;
            file.sync_all()?;
            std::fs::rename(&temporary, path)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temporary);
            return Err(fail(e));
        }
        Ok(())
    }

    /// Records that the entry at `path` was used now (its modification time), so that
    /// [`sweep`](Self::sweep) keeps it. Best effort: a read-only cache still works.
    pub(crate) fn mark_used(&self, path: &Path) {
        if let Ok(file) = File::options().append(true).open(path) {
            let _ = file.set_modified(SystemTime::now());
        }
    }

    /// Deletes entries unused for [`STALE_AFTER`] and abandoned temporary files; returns
    /// how many it deleted. Only names this module writes are touched; a read-only
    /// directory deletes nothing and is no error.
    pub(crate) fn sweep(&self) -> usize {
        sweep(&self.dir, STALE_AFTER)
    }
}

/// Why `metadata` (of the cache directory or an entry) must not be trusted, if it must not.
#[cfg(unix)]
fn untrusted_because(metadata: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let me = effective_uid();
    let owner = metadata.uid();
    if owner != me && owner != 0 {
        return Some(format!(
            "it belongs to user {owner}, not to this process's user {me} or root"
        ));
    }
    let mode = metadata.mode();
    if mode & 0o022 != 0 {
        let who = if mode & 0o002 != 0 {
            "everyone"
        } else {
            "its group"
        };
        return Some(format!(
            "it is writable by {who} (mode {:o})",
            mode & 0o7777
        ));
    }
    None
}

#[cfg(not(unix))]
fn untrusted_because(_: &std::fs::Metadata) -> Option<String> {
    None
}

#[cfg(not(unix))]
fn effective_uid() -> u32 {
    0
}

/// The user this process acts as.
#[cfg(unix)]
fn effective_uid() -> u32 {
    // SAFETY: `geteuid` takes no arguments, cannot fail and touches no memory of ours.
    #[allow(unsafe_code)]
    unsafe {
        libc::geteuid()
    }
}

/// Opens an entry without following a symlink and checks who may have written it.
fn open_entry(path: &Path) -> Result<Option<File>, CacheError> {
    let mut options = File::options();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            // ELOOP: the entry is a symlink, which this module never writes.
            let reason = if e.raw_os_error() == Some(libc_eloop()) {
                "it is a symbolic link".to_string()
            } else {
                return Err(CacheError::Read {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                });
            };
            return Err(CacheError::Untrusted {
                path: path.to_path_buf(),
                reason,
            });
        }
    };
    let metadata = file.metadata().map_err(|e| CacheError::Read {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let reason = if metadata.is_file() {
        untrusted_because(&metadata)
    } else {
        Some("it is not a regular file".into())
    };
    match reason {
        Some(reason) => Err(CacheError::Untrusted {
            path: path.to_path_buf(),
            reason,
        }),
        None => Ok(Some(file)),
    }
}

#[cfg(unix)]
fn libc_eloop() -> i32 {
    libc::ELOOP
}

#[cfg(not(unix))]
fn libc_eloop() -> i32 {
    -1
}

/// Maps the opened entry `file` (at `path`, for errors) as a module of `engine`.
fn map_open(engine: &Engine, file: File, path: &Path) -> Result<Module, CacheError> {
    // SAFETY: the entry was written by `Cache::write` of a process using the same runtime,
    // wasmtime version and engine settings (the key says so), by this user or root (checked
    // on this very file), and its checksum matched (or it was written just now), so it is
    // the compiler's output byte for byte; `deserialize` still checks its header against
    // this engine. Entries are replaced by rename, never modified in place, so the mapped
    // file does not change under the module.
    #[allow(unsafe_code)]
    unsafe { Module::deserialize_open_file(engine, file) }.map_err(|e| CacheError::Incompatible {
        path: path.to_path_buf(),
        reason: format!("{e:#}"),
    })
}

/// Whether the file's trailer names its length and the CRC-32 of everything before it.
fn checksum_matches(file: &File) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = file;
    let len = file.metadata()?.len();
    let Some(artifact_len) = len.checked_sub(TRAILER_LEN) else {
        return Ok(false);
    };
    let mut trailer = [0u8; TRAILER_LEN as usize];
    file.seek(SeekFrom::Start(artifact_len))?;
    file.read_exact(&mut trailer)?;
    let (recorded_len, rest) = trailer.split_at(8);
    let (recorded_crc, magic) = rest.split_at(4);
    if magic != TRAILER_MAGIC || recorded_len != artifact_len.to_le_bytes() {
        return Ok(false);
    }
    file.seek(SeekFrom::Start(0))?;
    let mut hasher = crc32fast::Hasher::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut left = artifact_len;
    while left > 0 {
        let want = buffer.len().min(left as usize);
        file.read_exact(&mut buffer[..want])?;
        hasher.update(&buffer[..want]);
        left -= want as u64;
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(hasher.finalize().to_le_bytes() == recorded_crc)
}

/// Feeds `Hash` output into SHA-256 (`precompile_compatibility_hash` is only `Hash`).
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        // Unused: the digest is read with `finalize`.
        0
    }
}

/// The cache key of what `engine` compiles from an input identified by `input` (a digest,
/// or the bytes themselves).
fn artifact_key(engine: &Engine, input: &[u8]) -> String {
    let mut hasher = Sha256Hasher(Sha256::new());
    hasher.write(KEY_FORMAT);
    input.hash(&mut hasher);
    engine.precompile_compatibility_hash().hash(&mut hasher);
    WASMTIME_VERSION.hash(&mut hasher);
    hasher
        .0
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn sweep(dir: &Path, stale_after: Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut deleted = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let limit = if name.ends_with(".cwasm")
            && (name.starts_with("runtime-") || name.starts_with("node-"))
        {
            stale_after
        } else if name.starts_with(".runtime-") && name.ends_with(".tmp") {
            ABANDONED_AFTER
        } else {
            continue;
        };
        let age = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| now.duration_since(modified).ok());
        if age.is_some_and(|age| age > limit) && std::fs::remove_file(entry.path()).is_ok() {
            deleted += 1;
        }
    }
    deleted
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_aged(dir: &Path, name: &str, age: Duration) {
        let path = dir.join(name);
        std::fs::write(&path, b"x").unwrap();
        let file = File::options().append(true).open(&path).unwrap();
        file.set_modified(SystemTime::now() - age).unwrap();
    }

    #[test]
    fn sweep_deletes_only_stale_entries_and_abandoned_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let day = Duration::from_secs(24 * 3600);
        file_aged(dir.path(), "runtime-old.cwasm", 20 * day);
        file_aged(dir.path(), "node-old.cwasm", 20 * day);
        file_aged(dir.path(), "runtime-fresh.cwasm", day);
        file_aged(
            dir.path(),
            ".runtime-1-2.tmp",
            2 * 3600 * Duration::from_secs(1),
        );
        file_aged(dir.path(), ".runtime-3-4.tmp", Duration::from_secs(60));
        file_aged(dir.path(), "notes.txt", 400 * day);
        file_aged(dir.path(), "other-old.cwasm", 400 * day);

        assert_eq!(sweep(dir.path(), 14 * day), 3);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".runtime-3-4.tmp",
                "notes.txt",
                "other-old.cwasm",
                "runtime-fresh.cwasm"
            ]
        );
    }

    #[test]
    fn mark_used_keeps_an_entry_from_the_sweep() {
        let dir = tempfile::tempdir().unwrap();
        let day = Duration::from_secs(24 * 3600);
        file_aged(dir.path(), "node-a.cwasm", 30 * day);
        let cache = Cache::open(dir.path()).unwrap();
        cache.mark_used(&dir.path().join("node-a.cwasm"));
        assert_eq!(sweep(dir.path(), 14 * day), 0);
        assert!(dir.path().join("node-a.cwasm").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_writable_by_others_is_not_a_cache() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        for (mode, who) in [(0o777, "everyone"), (0o770, "its group")] {
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode)).unwrap();
            let error = Cache::open(dir.path()).unwrap_err();
            assert!(error.to_string().contains(who), "{error}");
        }
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(Cache::open(dir.path()).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn an_entry_that_is_a_symlink_or_writable_by_others_is_refused_before_reading() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, b"not an artifact").unwrap();
        let link = dir.path().join("node-link.cwasm");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let engine = Engine::default();
        let error = cache.read(&engine, &link).unwrap_err();
        assert!(error.to_string().contains("symbolic link"), "{error}");

        let open = dir.path().join("node-open.cwasm");
        std::fs::write(&open, b"not an artifact").unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o666)).unwrap();
        let error = cache.read(&engine, &open).unwrap_err();
        assert!(
            error.to_string().contains("writable by everyone"),
            "{error}"
        );
    }

    #[test]
    fn a_missing_directory_is_a_cache_created_at_the_first_write() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("new")).unwrap();
        let path = dir.path().join("new/node-x.cwasm");
        cache.write(&path, b"artifact").unwrap();
        assert!(checksum_matches(&File::open(&path).unwrap()).unwrap());
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let mode = std::fs::metadata(dir.path().join("new")).unwrap().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[0] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        assert!(!checksum_matches(&File::open(&path).unwrap()).unwrap());
    }
}
