//! The bundle as the files of a ConfigMap: which keys, which paths, how big, what digest.
//!
//! ConfigMap keys cannot contain `/`, so `nodes/<id>.wasm` is stored under the key
//! `nodes__<id>.wasm` and the Deployment's volume `items` map each key back to its path:
//! the pod sees exactly the `dist/` directory `tntc build` wrote.

use std::path::Path;

use sha2::{Digest, Sha256};
use tntc_bundle::{self as bundle, MANIFEST_FILE, Manifest};
use tntc_spec::{WORKFLOW_FILE, Workflow};

use crate::error::ManifestError;
use crate::limit::{BundlePart, CONFIGMAP_LIMIT};

/// A verified bundle, read whole.
pub(crate) struct BundleFiles {
    /// The bundle's checked workflow.
    pub workflow: Workflow,
    /// Every file with its content: workflow.yaml, manifest.json, then the modules by id.
    pub files: Vec<(BundlePart, Vec<u8>)>,
}

impl BundleFiles {
    /// Reads and verifies the bundle at `path` (a bundle directory or its workflow.yaml).
    /// The runtime digest is not checked here: the image's host checks it at start.
    pub fn read(path: &Path) -> Result<BundleFiles, ManifestError> {
        let fail = |source| ManifestError::Bundle {
            dir: path.to_path_buf(),
            source,
        };
        let dir = bundle::locate(path).map_err(fail)?;
        let manifest_path = dir.join(MANIFEST_FILE);
        let manifest_bytes = std::fs::read(&manifest_path).map_err(|source| {
            fail(bundle::BundleError::Io {
                action: "cannot read",
                path: manifest_path.clone(),
                source,
            })
        })?;
        let runtime = serde_json::from_slice::<Manifest>(&manifest_bytes)
            .map(|m| m.runtime.sha256)
            .unwrap_or_default();
        let opened = bundle::open(&dir, &runtime).map_err(fail)?;
        let yaml = opened.source.text().as_bytes().to_vec();
        let mut files = vec![
            (part(WORKFLOW_FILE, yaml.len()), yaml),
            (part(MANIFEST_FILE, manifest_bytes.len()), manifest_bytes),
        ];
        for (id, module) in opened.modules {
            let path = opened.manifest.nodes[&id].module.clone();
            files.push((part(&path, module.len()), module));
        }
        Ok(BundleFiles {
            workflow: opened.checked.workflow,
            files,
        })
    }

    /// The files' total size.
    pub fn total(&self) -> u64 {
        self.files.iter().map(|(p, _)| p.size).sum()
    }

    /// An error when the files do not fit in one ConfigMap.
    pub fn check_size(&self) -> Result<(), ManifestError> {
        let total = self.total();
        if total <= CONFIGMAP_LIMIT {
            return Ok(());
        }
        let mut parts: Vec<BundlePart> = self.files.iter().map(|(p, _)| p.clone()).collect();
        parts.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.path.cmp(&b.path)));
        Err(ManifestError::TooLarge {
            workflow: self.workflow.name.clone(),
            total,
            parts,
        })
    }

    /// sha256 of every file and its key, in key order: the pod template's `checksum/code`.
    pub fn checksum(&self) -> String {
        let mut sorted: Vec<&(BundlePart, Vec<u8>)> = self.files.iter().collect();
        sorted.sort_by(|a, b| a.0.key.cmp(&b.0.key));
        let mut hash = Sha256::new();
        for (part, bytes) in sorted {
            hash.update(part.key.as_bytes());
            hash.update([0]);
            hash.update((bytes.len() as u64).to_be_bytes());
            hash.update(bytes);
        }
        hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn part(path: &str, size: usize) -> BundlePart {
    BundlePart {
        path: path.to_owned(),
        key: key_of(path),
        size: size as u64,
    }
}

/// The ConfigMap key of a bundle path: `/` becomes `__`, as the original named its keys.
/// Keys need not map back by themselves: the volume's `items` give each key its path.
pub(crate) fn key_of(path: &str) -> String {
    path.replace('/', "__")
}
