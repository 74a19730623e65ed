//! Reproducible image layers: a tar of the given entries, sorted by path, every entry owned
//! by uid/gid 0 with mtime 0 and the mode given, gzip-compressed with fixed settings (level
//! 6, no name, mtime 0). The same entries always give the same bytes, hence the same digests.

use std::io::Write as _;

use flate2::{Compression, GzBuilder};
use sha2::{Digest, Sha256};

/// One entry of a layer. Paths are relative to the image's root, without a leading `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A directory.
    Dir {
        /// Its path, e.g. `tmp`.
        path: String,
        /// Its permission bits, e.g. `0o1777`.
        mode: u32,
    },
    /// A regular file.
    File {
        /// Its path, e.g. `etc/passwd`.
        path: String,
        /// Its permission bits.
        mode: u32,
        /// Its contents.
        data: Vec<u8>,
    },
}

impl Entry {
    fn path(&self) -> &str {
        match self {
            Entry::Dir { path, .. } | Entry::File { path, .. } => path,
        }
    }
}

/// A finished layer: the compressed blob and its two digests.
#[derive(Clone, Debug)]
pub struct Layer {
    /// The gzip-compressed tar (the blob).
    pub blob: Vec<u8>,
    /// `sha256:<hex>` of [`blob`](Self::blob), as the manifest names it.
    pub digest: String,
    /// `sha256:<hex>` of the uncompressed tar, as the config's `rootfs.diff_ids` names it.
    pub diff_id: String,
}

/// `sha256:<hex>` of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// Builds a layer of `entries` (in any order; the parent directories of every entry must be
/// among them, as a tar extracts what it is given).
pub fn build(mut entries: Vec<Entry>) -> std::io::Result<Layer> {
    entries.sort_by(|a, b| a.path().cmp(b.path()));
    entries.dedup_by(|a, b| a.path() == b.path());
    let mut tar = tar::Builder::new(Vec::new());
    for entry in &entries {
        let mut header = tar::Header::new_ustar();
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        match entry {
            Entry::Dir { path, mode } => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(*mode);
                header.set_size(0);
                tar.append_data(&mut header, format!("{path}/"), std::io::empty())?;
            }
            Entry::File { path, mode, data } => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(*mode);
                header.set_size(data.len() as u64);
                tar.append_data(&mut header, path, data.as_slice())?;
            }
        }
    }
    let tar = tar.into_inner()?;
    let mut gz = GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::new(6));
    gz.write_all(&tar)?;
    let blob = gz.finish()?;
    Ok(Layer {
        digest: digest(&blob),
        diff_id: digest(&tar),
        blob,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<Entry> {
        vec![
            Entry::File {
                path: "etc/passwd".into(),
                mode: 0o644,
                data: b"nobody:x:65534:65534::/:/sbin/nologin\n".to_vec(),
            },
            Entry::Dir {
                path: "etc".into(),
                mode: 0o755,
            },
            Entry::Dir {
                path: "tmp".into(),
                mode: 0o1777,
            },
        ]
    }

    #[test]
    fn the_same_entries_in_any_order_give_the_same_digests() {
        let a = build(entries()).unwrap();
        let mut reversed = entries();
        reversed.reverse();
        let b = build(reversed).unwrap();
        assert_eq!(a.digest, b.digest);
        assert_eq!(a.diff_id, b.diff_id);
        assert_ne!(a.digest, a.diff_id);
    }

    #[test]
    fn entries_are_sorted_owned_by_root_with_mtime_zero() {
        let layer = build(entries()).unwrap();
        let tar = flate2::read::GzDecoder::new(layer.blob.as_slice());
        let mut archive = tar::Archive::new(tar);
        let mut seen = Vec::new();
        for entry in archive.entries().unwrap() {
            let entry = entry.unwrap();
            let header = entry.header();
            assert_eq!((header.uid().unwrap(), header.gid().unwrap()), (0, 0));
            assert_eq!(header.mtime().unwrap(), 0);
            seen.push((
                entry.path().unwrap().display().to_string(),
                header.mode().unwrap(),
            ));
        }
        assert_eq!(
            seen,
            [
                ("etc/".to_string(), 0o755),
                ("etc/passwd".to_string(), 0o644),
                ("tmp/".to_string(), 0o1777)
            ]
        );
    }
}
