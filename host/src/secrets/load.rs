//! Reading secrets from disk: the cascade, directories (Kubernetes volume layout) and
//! YAML files.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::Secrets;
use super::error::SecretsError;
use super::yaml;

/// Where Kubernetes mounts the workflow's Secret.
pub const KUBERNETES_SECRETS_DIR: &str = "/app/secrets";

/// The places secrets are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretSources {
    /// `--secrets <path>`: replaces the workflow-local sources.
    pub explicit: Option<PathBuf>,
    /// The directory holding workflow.yaml (for `.secrets/` and `.secrets.yaml`).
    pub workflow_dir: PathBuf,
    /// The Kubernetes Secret volume, merged last ([`KUBERNETES_SECRETS_DIR`] by default).
    pub mounted: PathBuf,
}

impl SecretSources {
    /// The sources for a workflow directory, with no `--secrets` and the standard mount.
    pub fn new(workflow_dir: impl Into<PathBuf>) -> Self {
        SecretSources {
            explicit: None,
            workflow_dir: workflow_dir.into(),
            mounted: PathBuf::from(KUBERNETES_SECRETS_DIR),
        }
    }

    /// Runs the cascade (see the module docs): the [local layers](Self::local_layers)
    /// merged in order, then the Kubernetes mount on top.
    pub fn load(&self) -> Result<Secrets, SecretsError> {
        let mut secrets = Secrets::new();
        for layer in self.local_layers()? {
            secrets.merge(layer.secrets);
        }
        secrets.merge(load_if_present(&self.mounted)?);
        Ok(secrets)
    }

    /// The sources before the Kubernetes mount, each loaded, in merge order (a later
    /// layer's service replaces an earlier one's): the `--secrets` path alone, or
    /// `.secrets/` then `.secrets.yaml`; absent local sources are left out. This is what a
    /// developer machine has, and what `tntc secrets check` reports file by file.
    pub fn local_layers(&self) -> Result<Vec<SecretLayer>, SecretsError> {
        let paths = match &self.explicit {
            Some(path) => {
                if !exists(path)? {
                    return Err(SecretsError::ExplicitMissing { path: path.clone() });
                }
                vec![path.clone()]
            }
            None => vec![
                self.workflow_dir.join(".secrets"),
                self.workflow_dir.join(".secrets.yaml"),
            ],
        };
        let mut layers = Vec::with_capacity(paths.len());
        for path in paths {
            if !exists(&path)? {
                continue;
            }
            let secrets = load_path(&path)?;
            let is_dir = fs::metadata(&path).is_ok_and(|m| m.is_dir());
            layers.push(SecretLayer {
                path,
                is_dir,
                secrets,
            });
        }
        Ok(layers)
    }
}

/// One source of the cascade, loaded.
#[derive(Debug, Clone)]
pub struct SecretLayer {
    /// The YAML file or the directory.
    pub path: PathBuf,
    /// Whether `path` is a directory (one file per service).
    pub is_dir: bool,
    /// Its services.
    pub secrets: Secrets,
}

impl SecretLayer {
    /// The file a service of this layer is read from: `<dir>/<service>` for a directory,
    /// the YAML file itself otherwise.
    pub fn origin(&self, service: &str) -> PathBuf {
        if self.is_dir {
            self.path.join(service)
        } else {
            self.path.clone()
        }
    }
}

fn exists(path: &Path) -> Result<bool, SecretsError> {
    match fs::metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(SecretsError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn load_if_present(path: &Path) -> Result<Secrets, SecretsError> {
    if exists(path)? {
        load_path(path)
    } else {
        Ok(Secrets::new())
    }
}

/// Loads one source: a directory (one service per entry) or a YAML file.
pub fn load_path(path: &Path) -> Result<Secrets, SecretsError> {
    let read_err = |source| SecretsError::Read {
        path: path.to_path_buf(),
        source,
    };
    if fs::metadata(path).map_err(read_err)?.is_dir() {
        load_dir(path)
    } else {
        let bytes = fs::read(path).map_err(read_err)?;
        let text = String::from_utf8(bytes).map_err(|_| SecretsError::NotUtf8 {
            path: path.to_path_buf(),
        })?;
        yaml::parse(text.strip_prefix('\u{feff}').unwrap_or(&text), path)
    }
}

fn load_dir(dir: &Path) -> Result<Secrets, SecretsError> {
    let read_err = |path: &Path, source| SecretsError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut secrets = Secrets::new();
    for entry in fs::read_dir(dir).map_err(|e| read_err(dir, e))? {
        let entry = entry.map_err(|e| read_err(dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue; // not a usable service name
        };
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        // `metadata` follows symlinks: Kubernetes' `github -> ..data/github`.
        let metadata = match fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(SecretsError::BrokenLink { path });
            }
            Err(e) => return Err(read_err(&path, e)),
        };
        if !metadata.is_file() {
            continue;
        }
        let bytes = fs::read(&path).map_err(|e| read_err(&path, e))?;
        secrets.insert(name, file_service(&bytes));
    }
    Ok(secrets)
}

/// One file's service: a JSON object as-is, anything else `{"value": <trimmed text>}`.
fn file_service(bytes: &[u8]) -> Map<String, Value> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) {
        return map;
    }
    let mut map = Map::new();
    map.insert("value".to_owned(), Value::String(text.trim().to_owned()));
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn file_content_is_a_json_object_or_a_trimmed_value() {
        assert_eq!(
            Value::Object(file_service(b" {\"token\": \"t\", \"n\": 1}\n")),
            json!({"token": "t", "n": 1})
        );
        assert_eq!(
            Value::Object(file_service(b"  plain-token\n")),
            json!({"value": "plain-token"})
        );
        assert_eq!(
            Value::Object(file_service(b"[1, 2]")),
            json!({"value": "[1, 2]"})
        );
        assert_eq!(
            Value::Object(file_service(b"\"quoted\"\n")),
            json!({"value": "\"quoted\""})
        );
        assert_eq!(Value::Object(file_service(b"42")), json!({"value": "42"}));
        assert_eq!(
            Value::Object(file_service("\u{feff}{\"a\":\"b\"}".as_bytes())),
            json!({"a": "b"})
        );
        assert_eq!(Value::Object(file_service(b"")), json!({"value": ""}));
    }
}
