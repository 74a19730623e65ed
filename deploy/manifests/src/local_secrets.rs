//! The Secret's data as the original CLI built it from a workflow directory (deploy.md §1):
//!
//! 1. `.secrets/` wins when it exists: each non-hidden file (symlinks followed,
//!    subdirectories skipped) is one key, its content trimmed. An empty directory gives no
//!    Secret, and `.secrets.yaml` is then *not* read.
//! 2. Otherwise `.secrets.yaml`: each top-level key is one key. A string stays as written;
//!    `$shared.<name>` is replaced by the trimmed content of `.secrets/<name>` at the
//!    repository root (the nearest directory above with `.git` or `go.mod`); anything else
//!    (a mapping, a number, a list) becomes compact JSON. An empty file or `{}` gives no
//!    Secret.
//!
//! Each key becomes one file under `/app/secrets`, which `tntc-host` reads as one service (a
//! JSON object as its keys, anything else as `{"value": ...}`).
//!
//! No error message contains a value: YAML errors give the file and position only.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tntc_spec::SourceFile;
use tntc_spec::yaml::{self, Kind, ScalarValue};

/// The prefix of a value read from the repository's shared secrets.
pub const SHARED_PREFIX: &str = "$shared.";

/// The Secret's data and where it was read.
#[derive(Clone, PartialEq, Eq)]
pub struct LocalSecrets {
    /// `.secrets/` or `.secrets.yaml`.
    pub source: PathBuf,
    /// Key -> value, sorted.
    pub values: BTreeMap<String, String>,
}

impl fmt::Debug for LocalSecrets {
    /// Keys only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSecrets")
            .field("source", &self.source)
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Why the local secrets cannot be read. No message contains a secret value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LocalSecretsError {
    /// A file or directory cannot be read.
    #[error("cannot read secrets from {}: {source}", .path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `.secrets.yaml` is not valid YAML or not a mapping.
    #[error("{}:{line}:{column}: {message}", .path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong (never a value).
        message: String,
    },
    /// A `$shared.<name>` value names a file that does not exist.
    #[error(
        "{}: secret {key:?} is {SHARED_PREFIX}{name}, but {} does not exist; create it or write the value",
        .file.display(),
        .shared.display()
    )]
    SharedMissing {
        /// `.secrets.yaml`.
        file: PathBuf,
        /// The key.
        key: String,
        /// The shared name.
        name: String,
        /// The file looked for.
        shared: PathBuf,
    },
    /// A `$shared.<name>` value, but no repository root above the workflow.
    #[error(
        "{}: secret {key:?} is {SHARED_PREFIX}{name}, but no directory above {} has .git or go.mod to hold .secrets/{name}",
        .file.display(),
        .dir.display()
    )]
    NoRepositoryRoot {
        /// `.secrets.yaml`.
        file: PathBuf,
        /// The key.
        key: String,
        /// The shared name.
        name: String,
        /// The workflow directory.
        dir: PathBuf,
    },
}

/// The Secret data of the workflow in `dir`; `None` when there is none (no Secret is
/// applied then, and one already in the cluster is left alone).
pub fn local_secrets(dir: &Path) -> Result<Option<LocalSecrets>, LocalSecretsError> {
    let secrets_dir = dir.join(".secrets");
    if secrets_dir.is_dir() {
        let values = read_dir(&secrets_dir)?;
        return Ok((!values.is_empty()).then_some(LocalSecrets {
            source: secrets_dir,
            values,
        }));
    }
    let file = dir.join(".secrets.yaml");
    let text = match std::fs::read(&file) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(LocalSecretsError::Read { path: file, source }),
    };
    let values = read_yaml(dir, &file, &text)?;
    Ok((!values.is_empty()).then_some(LocalSecrets {
        source: file,
        values,
    }))
}

fn read_dir(dir: &Path) -> Result<BTreeMap<String, String>, LocalSecretsError> {
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        move |source| LocalSecretsError::Read { path, source }
    };
    let mut values = BTreeMap::new();
    for entry in std::fs::read_dir(dir).map_err(fail(dir))? {
        let entry = entry.map_err(fail(dir))?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let path = entry.path();
        // `metadata` follows symlinks; a subdirectory is skipped, as in the original.
        if name.starts_with('.') || !std::fs::metadata(&path).map_err(fail(&path))?.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(fail(&path))?;
        values.insert(name, String::from_utf8_lossy(&bytes).trim().to_owned());
    }
    Ok(values)
}

fn read_yaml(
    dir: &Path,
    file: &Path,
    text: &str,
) -> Result<BTreeMap<String, String>, LocalSecretsError> {
    let source = SourceFile::new(file, text);
    let at = |offset: usize, message: String| {
        let location = source.location(offset);
        LocalSecretsError::Yaml {
            path: file.to_path_buf(),
            line: location.line,
            column: location.column,
            message,
        }
    };
    let mut diagnostics = Vec::new();
    // The parser's own message can quote the text around the error: give the position only.
    let root = yaml::parse(&source, &mut diagnostics).map_err(|d| {
        at(
            d.span.start,
            "invalid YAML: check the indentation and quoting here".to_owned(),
        )
    })?;
    if let Some(d) = diagnostics.first() {
        return Err(at(d.span.start, d.message.clone()));
    }
    let entries = match &root.kind {
        Kind::Map(entries) => entries,
        _ if root.is_null() => return Ok(BTreeMap::new()),
        _ => {
            return Err(at(
                root.span.start,
                format!(
                    "secrets must be a mapping of names to values, like `github: {{token: ...}}`; found {}",
                    root.describe()
                ),
            ));
        }
    };
    let mut values = BTreeMap::new();
    for entry in entries {
        let value = match &entry.value.kind {
            Kind::Scalar(scalar) => match &scalar.value {
                ScalarValue::String(s) => match s.strip_prefix(SHARED_PREFIX) {
                    Some(name) if is_file_name(name) => shared(dir, file, &entry.key, name)?,
                    Some(_) => {
                        return Err(at(
                            entry.value.span.start,
                            format!(
                                "{SHARED_PREFIX}<name> must name a file of the repository's .secrets/ directory (no '/' or '..')"
                            ),
                        ));
                    }
                    None => s.clone(),
                },
                _ => compact(&entry.value.to_json()),
            },
            _ => compact(&entry.value.to_json()),
        };
        values.insert(entry.key.clone(), value);
    }
    Ok(values)
}

fn is_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\'])
}

fn compact(value: &Value) -> String {
    value.to_string()
}

/// `.secrets/<name>` at the repository root, trimmed.
fn shared(dir: &Path, file: &Path, key: &str, name: &str) -> Result<String, LocalSecretsError> {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let root = absolute
        .ancestors()
        .find(|d| d.join(".git").exists() || d.join("go.mod").exists())
        .ok_or_else(|| LocalSecretsError::NoRepositoryRoot {
            file: file.to_path_buf(),
            key: key.to_owned(),
            name: name.to_owned(),
            dir: dir.to_path_buf(),
        })?;
    let path = root.join(".secrets").join(name);
    match std::fs::read(&path) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).trim().to_owned()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(LocalSecretsError::SharedMissing {
            file: file.to_path_buf(),
            key: key.to_owned(),
            name: name.to_owned(),
            shared: path,
        }),
        Err(source) => Err(LocalSecretsError::Read { path, source }),
    }
}
