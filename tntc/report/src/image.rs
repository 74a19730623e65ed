//! `tntc image build -o json`.

use serde::{Deserialize, Serialize};

/// The image built (and pushed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The tag, as saved to `.tentacular/base-image.txt`.
    pub tag: String,
    /// Where the tag came from: `flag`, `registry from <source>`, `default`.
    pub tag_origin: String,
    /// The manifest's digest (`sha256:<hex>`): the image's digest.
    pub digest: String,
    /// The OCI image layout directory written.
    pub layout: String,
    /// Bytes of every blob (config, manifest, compressed layers): what a registry stores.
    pub size: u64,
    /// The config, the layers and the manifest.
    pub blobs: Vec<Blob>,
    /// The host binary put in the image.
    pub host_binary: String,
    /// The file the tag was saved to.
    pub tag_file: String,
    /// What `--push` did; `null` without it.
    pub pushed: Option<Pushed>,
}

/// One blob of the image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Blob {
    /// `config`, `layer: base`, `layer: runtime cache` or `manifest`.
    pub role: String,
    /// `sha256:<hex>`.
    pub digest: String,
    /// Bytes.
    pub size: u64,
}

/// A push.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pushed {
    /// `registry/repository:tag`.
    pub reference: String,
    /// Blobs uploaded.
    pub uploaded: Vec<String>,
    /// Bytes uploaded.
    pub uploaded_bytes: u64,
    /// Blobs the registry already had (not sent again).
    pub present: Vec<String>,
}
