//! The on-disk cache of compiled artifacts (the pre-initialized runtime, node modules).
//!
//! An entry is the artifact wasmtime wrote, followed by a trailer: `artifact length (u64
//! LE) | CRC-32 of the artifact (u32 LE) | "tntc-crc"`. Reading checks the trailer while
//! streaming the file through a small buffer (the page cache holds it, this process does
//! not) and then maps the file ([`Module::deserialize_file`]): only the code and data
//! pages runs touch become resident. CRC-32 is corruption detection on a private,
//! atomically written file; it needs no cryptographic strength (0.6 ms for the 5 MB runtime,
//! where SHA-256 of an in-memory copy took 4 ms of every start). Entries are replaced by
//! renaming a new file over them, never rewritten in place: a mapped file must not change.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};

use wasmtime::{Engine, Module};

const TRAILER_MAGIC: &[u8; 8] = b"tntc-crc";
const TRAILER_LEN: u64 = 8 + 4 + 8;

/// `Ok(None)`: no entry. `Err`: an entry exists but is unusable (it will be replaced).
pub(crate) fn read_cached(engine: &Engine, path: &Path) -> Result<Option<Module>, String> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(format!(
                "cannot read the runtime cache {}: {e}",
                path.display()
            ));
        }
    };
    let corrupt = || {
        format!(
            "the runtime cache {} is corrupt; rebuilt it",
            path.display()
        )
    };
    if !checksum_matches(&file)
        .map_err(|e| format!("cannot read the runtime cache {}: {e}", path.display()))?
    {
        return Err(corrupt());
    }
    map_cached(engine, path).map(Some)
}

/// Whether the file's trailer names its length and the CRC-32 of everything before it.
/// Streams the file through a small buffer: the page cache holds it, this process does not.
fn checksum_matches(file: &std::fs::File) -> std::io::Result<bool> {
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

/// How long an entry may go unused before [`sweep`] deletes it.
pub(crate) const STALE_AFTER: Duration = Duration::from_secs(14 * 24 * 3600);

/// Temporary files older than this are left over from a crashed write.
const ABANDONED_AFTER: Duration = Duration::from_secs(3600);

/// Records that the entry at `path` was used now (its modification time), so that
/// [`sweep`] keeps it. Best effort: a read-only cache still works.
pub(crate) fn mark_used(path: &Path) {
    if let Ok(file) = std::fs::File::options().append(true).open(path) {
        let _ = file.set_modified(SystemTime::now());
    }
}

/// Deletes the entries of `dir` unused for `stale_after` and abandoned temporary files;
/// returns how many files it deleted. Only names this module writes are touched.
pub(crate) fn sweep(dir: &Path, stale_after: Duration) -> usize {
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

/// Maps a cache entry as the runtime module.
pub(crate) fn map_cached(engine: &Engine, path: &Path) -> Result<Module, String> {
    // SAFETY: the entry was written by `write_cached` of a process using the same runtime,
    // wasmtime version and engine settings (the key says so) and its checksum matched (or
    // it was written just now), so it is the compiler's output byte for byte; `deserialize`
    // still checks its header against this engine. Entries are replaced by rename, never
    // modified in place, so the mapped file does not change under the module.
    #[allow(unsafe_code)]
    unsafe { Module::deserialize_file(engine, path) }.map_err(|e| {
        format!(
            "the runtime cache {} does not fit this engine ({e:#}); rebuilt it",
            path.display()
        )
    })
}

/// Writes `artifact` plus its trailer to `path` atomically (temporary file + rename) in
/// `dir`, creating `dir` with mode 0700.
pub(crate) fn write_cached(dir: &Path, path: &Path, artifact: &[u8]) -> Result<(), String> {
    let fail = |what: &str, e: std::io::Error| format!("cannot {what} {}: {e}", dir.display());
    create_private_dir(dir).map_err(|e| fail("create the runtime cache directory", e))?;
    let temporary = dir.join(format!(
        ".runtime-{}-{}.tmp",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    let written = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(artifact)?;
        file.write_all(&(artifact.len() as u64).to_le_bytes())?;
        file.write_all(&crc32fast::hash(artifact).to_le_bytes())?;
        file.write_all(TRAILER_MAGIC)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(fail("write the runtime cache in", e));
    }
    Ok(())
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
        let file = std::fs::File::options().append(true).open(&path).unwrap();
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
        mark_used(&dir.path().join("node-a.cwasm"));
        assert_eq!(sweep(dir.path(), 14 * day), 0);
        assert!(dir.path().join("node-a.cwasm").exists());
    }
}
