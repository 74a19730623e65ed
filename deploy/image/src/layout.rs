//! The tntc-host image as an OCI image layout directory (image-spec v1.1): `oci-layout`,
//! `index.json` naming one manifest (annotated with its tag as
//! `org.opencontainers.image.ref.name`), and `blobs/sha256/` with the config, the manifest
//! and two layers:
//!
//! 1. **base**: `/usr/local/bin/tntc-host` (static), the CA certificates at
//!    `/etc/ssl/certs/ca-certificates.crt`, `/etc/passwd` and `/etc/group` with `root` and
//!    `nobody` (65534), an empty `/tmp` (1777) and the mount points `/app/workflow` and
//!    `/app/secrets`. No shell, no package manager.
//! 2. **runtime cache**: `/var/lib/tntc/cache/` with what `tntc-host --prepare` compiled
//!    (the runtime), owned by root and read-only, which the host maps at start-up
//!    (`--baked-cache`) instead of compiling for a second.
//!
//! The config runs the host as 65534:65534 with `--workflow /app/workflow/workflow.yaml
//! --port 8080 --baked-cache /var/lib/tntc/cache --cache-dir /tmp/tntc-cache`: the engine is
//! generic, the workflow comes by ConfigMap. Everything is written with fixed times and
//! orders, so building twice from the same inputs gives the same digests.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::ImageError;
use crate::layer::{self, Entry, Layer};

/// Where the host binary is in the image.
pub const HOST_PATH: &str = "/usr/local/bin/tntc-host";
/// Where the compiled runtime cache is baked (read-only).
pub const BAKED_CACHE_DIR: &str = "/var/lib/tntc/cache";
/// Where the host compiles what the baked cache lacks (an emptyDir in the pod).
pub const CACHE_DIR: &str = "/tmp/tntc-cache";
/// The bundle the host serves (the ConfigMap's mount).
pub const WORKFLOW: &str = "/app/workflow/workflow.yaml";
/// The user and group the host runs as (`nobody`).
pub const USER: &str = "65534:65534";
/// The port the host listens on.
pub const PORT: u16 = 8080;
/// Where the CA certificates are in the image.
pub const CA_CERTIFICATES: &str = "/etc/ssl/certs/ca-certificates.crt";

/// Media types of image-spec v1.1.
pub mod media_type {
    /// An image index.
    pub const INDEX: &str = "application/vnd.oci.image.index.v1+json";
    /// An image manifest.
    pub const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    /// An image config.
    pub const CONFIG: &str = "application/vnd.oci.image.config.v1+json";
    /// A gzip-compressed tar layer.
    pub const LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
}

/// What goes into the image.
#[derive(Clone, Debug)]
pub struct ImageInputs {
    /// The static host binary.
    pub host_binary: Vec<u8>,
    /// The CA certificate bundle (PEM).
    pub ca_certificates: Vec<u8>,
    /// The baked cache's files (`tntc-host --prepare` output), by file name.
    pub runtime_cache: Vec<(String, Vec<u8>)>,
    /// The host's version, recorded as `org.opencontainers.image.version`.
    pub version: String,
}

/// One blob of a written image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blob {
    /// `sha256:<hex>`.
    pub digest: String,
    /// Bytes.
    pub size: u64,
    /// What it holds: `config`, `manifest`, `layer: base`, `layer: runtime cache`.
    pub role: String,
}

/// A written image.
#[derive(Clone, Debug)]
pub struct Written {
    /// The layout directory.
    pub dir: PathBuf,
    /// The manifest's digest (the image's digest).
    pub digest: String,
    /// The config's digest (the image id).
    pub config_digest: String,
    /// The ref name in `index.json`.
    pub ref_name: String,
    /// Every blob: config, layers, manifest.
    pub blobs: Vec<Blob>,
}

impl Written {
    /// Bytes of every blob: what a registry stores, compressed layers included.
    pub fn compressed_size(&self) -> u64 {
        self.blobs.iter().map(|b| b.size).sum()
    }
}

/// The image's entrypoint.
pub fn entrypoint() -> Vec<String> {
    [
        HOST_PATH,
        "--workflow",
        WORKFLOW,
        "--port",
        &PORT.to_string(),
        "--baked-cache",
        BAKED_CACHE_DIR,
        "--cache-dir",
        CACHE_DIR,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The image's environment (the only one the host gets).
pub fn env() -> Vec<String> {
    vec![
        "PATH=/usr/local/bin".into(),
        format!("SSL_CERT_FILE={CA_CERTIFICATES}"),
    ]
}

fn rel(path: &str) -> String {
    path.trim_start_matches('/').to_owned()
}

fn dirs(paths: &[&str], mode: u32) -> Vec<Entry> {
    paths
        .iter()
        .map(|p| Entry::Dir { path: rel(p), mode })
        .collect()
}

fn base_layer(inputs: &ImageInputs) -> std::io::Result<Layer> {
    let mut entries = dirs(
        &[
            "/app",
            "/app/secrets",
            "/app/workflow",
            "/etc",
            "/etc/ssl",
            "/etc/ssl/certs",
            "/usr",
            "/usr/local",
            "/usr/local/bin",
        ],
        0o755,
    );
    entries.push(Entry::Dir {
        path: "tmp".into(),
        mode: 0o1777,
    });
    entries.push(Entry::File {
        path: rel(HOST_PATH),
        mode: 0o755,
        data: inputs.host_binary.clone(),
    });
    entries.push(Entry::File {
        path: rel(CA_CERTIFICATES),
        mode: 0o644,
        data: inputs.ca_certificates.clone(),
    });
    entries.push(Entry::File {
        path: "etc/passwd".into(),
        mode: 0o644,
        data: b"root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n".to_vec(),
    });
    entries.push(Entry::File {
        path: "etc/group".into(),
        mode: 0o644,
        data: b"root:x:0:\nnogroup:x:65534:\n".to_vec(),
    });
    layer::build(entries)
}

fn cache_layer(inputs: &ImageInputs) -> std::io::Result<Layer> {
    let mut entries = dirs(
        &["/var", "/var/lib", "/var/lib/tntc", BAKED_CACHE_DIR],
        0o755,
    );
    for (name, data) in &inputs.runtime_cache {
        entries.push(Entry::File {
            path: format!("{}/{name}", rel(BAKED_CACHE_DIR)),
            // Read-only for everyone, writable by nobody: the cache's trust check accepts a
            // root-owned entry that no one else can write.
            mode: 0o444,
            data: data.clone(),
        });
    }
    layer::build(entries)
}

fn config(inputs: &ImageInputs, layers: &[&Layer]) -> Value {
    json!({
        "created": "1970-01-01T00:00:00Z",
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "User": USER,
            "ExposedPorts": { format!("{PORT}/tcp"): {} },
            "Env": env(),
            "Entrypoint": entrypoint(),
            "WorkingDir": "/",
            "Labels": {
                "org.opencontainers.image.title": "tntc-host",
                "org.opencontainers.image.version": inputs.version,
            },
        },
        "rootfs": {
            "type": "layers",
            "diff_ids": layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>(),
        },
        "history": [
            { "created": "1970-01-01T00:00:00Z", "created_by": "tntc image build: tntc-host, CA certificates, /etc/passwd, /tmp" },
            { "created": "1970-01-01T00:00:00Z", "created_by": "tntc image build: tntc-host --prepare (compiled runtime cache)" },
        ],
    })
}

fn descriptor(media_type: &str, digest: &str, size: usize) -> Value {
    json!({ "mediaType": media_type, "digest": digest, "size": size })
}

/// Writes the image for `inputs` to the layout directory `dir` (created; an existing one
/// must be an OCI layout, whose blobs not in the new image are removed), with `ref_name`
/// (the tag) in `index.json`.
pub fn write(dir: &Path, inputs: &ImageInputs, ref_name: &str) -> Result<Written, ImageError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ImageError::Write { path, source }
    };
    let base = base_layer(inputs).map_err(io(dir))?;
    let cache = cache_layer(inputs).map_err(io(dir))?;
    let config = serde_json::to_vec(&config(inputs, &[&base, &cache])).expect("JSON of a Value");
    let config_digest = layer::digest(&config);
    let mut manifest = json!({
        "schemaVersion": 2,
        "mediaType": media_type::MANIFEST,
        "config": descriptor(media_type::CONFIG, &config_digest, config.len()),
        "layers": [
            descriptor(media_type::LAYER, &base.digest, base.blob.len()),
            descriptor(media_type::LAYER, &cache.digest, cache.blob.len()),
        ],
    });
    manifest["annotations"] = json!({ "org.opencontainers.image.version": inputs.version });
    let manifest = serde_json::to_vec(&manifest).expect("JSON of a Value");
    let digest = layer::digest(&manifest);
    let index = json!({
        "schemaVersion": 2,
        "mediaType": media_type::INDEX,
        "manifests": [{
            "mediaType": media_type::MANIFEST,
            "digest": digest,
            "size": manifest.len(),
            "annotations": { "org.opencontainers.image.ref.name": ref_name },
        }],
    });

    prepare_dir(dir)?;
    let blobs_dir = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs_dir).map_err(io(&blobs_dir))?;
    let blobs = [
        (&config_digest, config.as_slice(), "config"),
        (&base.digest, base.blob.as_slice(), "layer: base"),
        (&cache.digest, cache.blob.as_slice(), "layer: runtime cache"),
        (&digest, manifest.as_slice(), "manifest"),
    ];
    for (digest, bytes, _) in &blobs {
        write_file(&blob_path(dir, digest), bytes)?;
    }
    remove_other_blobs(&blobs_dir, &blobs.map(|(d, _, _)| d.as_str()))?;
    write_file(
        &dir.join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )?;
    write_file(
        &dir.join("index.json"),
        &serde_json::to_vec(&index).expect("JSON of a Value"),
    )?;
    Ok(Written {
        dir: dir.to_path_buf(),
        digest: digest.clone(),
        config_digest: config_digest.clone(),
        ref_name: ref_name.to_owned(),
        blobs: blobs
            .iter()
            .map(|(digest, bytes, role)| Blob {
                digest: digest.to_string(),
                size: bytes.len() as u64,
                role: role.to_string(),
            })
            .collect(),
    })
}

/// The path of the blob `digest` (`sha256:<hex>`) in the layout `dir`.
pub fn blob_path(dir: &Path, digest: &str) -> PathBuf {
    dir.join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ImageError> {
    std::fs::write(path, bytes).map_err(|source| ImageError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Creates `dir`, or checks that an existing, non-empty one is an OCI layout.
fn prepare_dir(dir: &Path) -> Result<(), ImageError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() && !dir.join("oci-layout").is_file() {
                return Err(ImageError::NotALayout {
                    path: dir.to_path_buf(),
                });
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|source| ImageError::Write {
                path: dir.to_path_buf(),
                source,
            })
        }
        Err(source) => Err(ImageError::Read {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

fn remove_other_blobs(blobs_dir: &Path, keep: &[&str]) -> Result<(), ImageError> {
    let entries = std::fs::read_dir(blobs_dir).map_err(|source| ImageError::Read {
        path: blobs_dir.to_path_buf(),
        source,
    })?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !keep.iter().any(|d| d.trim_start_matches("sha256:") == name) {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(|source| ImageError::Write { path, source })?;
        }
    }
    Ok(())
}

/// An image read back from a layout, for pushing.
#[derive(Clone, Debug)]
pub struct Image {
    /// The manifest's bytes, exactly as stored (its digest is the image's).
    pub manifest: Vec<u8>,
    /// The manifest's digest.
    pub digest: String,
    /// The config's and every layer's digest and size, config first.
    pub blobs: Vec<(String, u64)>,
}

/// Reads the one image of the layout `dir`.
pub fn read(dir: &Path) -> Result<Image, ImageError> {
    let bad = |reason: String| ImageError::BadLayout {
        path: dir.to_path_buf(),
        reason,
    };
    let read =
        |path: PathBuf| std::fs::read(&path).map_err(|source| ImageError::Read { path, source });
    let index: Value = serde_json::from_slice(&read(dir.join("index.json"))?)
        .map_err(|e| bad(format!("index.json: {e}")))?;
    let [entry] = index["manifests"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
    else {
        return Err(bad("index.json should name exactly one manifest".into()));
    };
    let digest = entry["digest"]
        .as_str()
        .ok_or_else(|| bad("index.json: a manifest without a digest".into()))?
        .to_owned();
    let manifest = read(blob_path(dir, &digest))?;
    if layer::digest(&manifest) != digest {
        return Err(bad(format!("the manifest's bytes do not match {digest}")));
    }
    let parsed: Value =
        serde_json::from_slice(&manifest).map_err(|e| bad(format!("the manifest: {e}")))?;
    let mut blobs = Vec::new();
    let layers = parsed["layers"].as_array().cloned().unwrap_or_default();
    for d in std::iter::once(&parsed["config"]).chain(layers.iter()) {
        let (Some(digest), Some(size)) = (d["digest"].as_str(), d["size"].as_u64()) else {
            return Err(bad(
                "the manifest has a descriptor without digest or size".into()
            ));
        };
        blobs.push((digest.to_owned(), size));
    }
    Ok(Image {
        manifest,
        digest,
        blobs,
    })
}
