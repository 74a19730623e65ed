//! Why a workflow's objects cannot be made.

use std::path::PathBuf;

use tntc_bundle::BundleError;

use crate::limit::{BundlePart, CONFIGMAP_LIMIT};

/// Why [`render`](crate::render) failed. Messages say what is wrong and how to fix it; none
/// contains a secret value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// The bundle cannot be read or does not verify.
    #[error("cannot use the bundle at {}: {source}", .dir.display())]
    Bundle {
        /// The bundle directory given.
        dir: PathBuf,
        /// Why.
        #[source]
        source: BundleError,
    },
    /// The bundle does not fit in one ConfigMap.
    #[error(
        "the bundle of {workflow} is {total} bytes, over the ConfigMap limit of {CONFIGMAP_LIMIT} bytes (900KB):\n{}\n  help: make the largest nodes smaller (fewer or smaller imports), or split the workflow",
        parts_table(.parts)
    )]
    TooLarge {
        /// The workflow.
        workflow: String,
        /// The bundle's size in bytes.
        total: u64,
        /// Every part and its size, largest first.
        parts: Vec<BundlePart>,
    },
    /// A name the objects would get is longer than Kubernetes allows.
    #[error(
        "the {kind} name {name:?} would be {} characters, over Kubernetes' limit of {limit}: shorten the workflow name",
        .name.len()
    )]
    NameTooLong {
        /// The object kind.
        kind: &'static str,
        /// The name it would get.
        name: String,
        /// The limit.
        limit: usize,
    },
    /// A field of the [`Target`](crate::Target) is not a valid value.
    #[error("invalid {field} {value:?}: {reason}")]
    InvalidTarget {
        /// Which field.
        field: &'static str,
        /// The value given.
        value: String,
        /// What a valid one looks like.
        reason: String,
    },
    /// A secret key is not a valid Secret data key.
    #[error(
        "secret {key:?} cannot be a key of a Kubernetes Secret: use letters, digits, '-', '_' and '.' only (rename the file or the .secrets.yaml entry)"
    )]
    InvalidSecretKey {
        /// The key.
        key: String,
    },
}

fn parts_table(parts: &[BundlePart]) -> String {
    let width = parts.iter().map(|p| p.path.len()).max().unwrap_or(0);
    parts
        .iter()
        .map(|p| format!("  {:<width$}  {:>9} bytes", p.path, p.size))
        .collect::<Vec<_>>()
        .join("\n")
}
