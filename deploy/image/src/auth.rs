//! Registry credentials and challenges.
//!
//! Credentials come from Docker's config file (`$DOCKER_CONFIG/config.json`, else
//! `~/.docker/config.json`): the entry of `auths` for the registry (keyed `host[:port]`, or
//! a URL naming it; Docker Hub's as `https://index.docker.io/v1/`), its `auth` being base64
//! of `user:password` (or `username` and `password`). Credential helpers (`credsStore`) are
//! not run. The registry's `WWW-Authenticate` answer says what to do with them: `Basic`,
//! or `Bearer realm=...,service=...,scope=...` (the token flow: ask the realm for a token).

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::Value;

use crate::PushError;

/// A user name and password for one registry, and the file they came from.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user.
    pub username: String,
    /// The password or token.
    pub password: String,
    /// The config file.
    pub source: PathBuf,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// The `Authorization: Basic` value.
    pub fn basic(&self) -> String {
        let raw = format!("{}:{}", self.username, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }
}

/// Docker's config file: `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`.
pub fn docker_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(|home| PathBuf::from(home).join(".docker/config.json"))
}

/// The credentials for `registry` in the config file `path`; `None` when the file or the
/// entry does not exist.
pub fn credentials_for(path: &Path, registry: &str) -> Result<Option<Credentials>, PushError> {
    let fail = |reason: String| PushError::Credentials {
        path: path.to_path_buf(),
        reason,
    };
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(fail(e.to_string())),
    };
    let config: Value = serde_json::from_slice(&text).map_err(|e| fail(e.to_string()))?;
    let Some(auths) = config.get("auths").and_then(Value::as_object) else {
        return Ok(None);
    };
    let wanted = |key: &str| {
        let host = key
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or("");
        host == registry
            || (registry == "docker.io"
                && matches!(host, "index.docker.io" | "registry-1.docker.io"))
    };
    let Some((key, entry)) = auths.iter().find(|(key, _)| wanted(key)) else {
        return Ok(None);
    };
    let (username, password) = if let Some(auth) = entry.get("auth").and_then(Value::as_str) {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .map_err(|e| fail(format!("auths.{key:?}.auth is not base64: {e}")))?;
        let decoded = String::from_utf8(decoded)
            .map_err(|_| fail(format!("auths.{key:?}.auth is not UTF-8")))?;
        let Some((user, password)) = decoded.split_once(':') else {
            return Err(fail(format!(
                "auths.{key:?}.auth should be base64 of user:password"
            )));
        };
        (user.to_owned(), password.to_owned())
    } else {
        let field = |name: &str| entry.get(name).and_then(Value::as_str).map(str::to_owned);
        match (field("username"), field("password")) {
            (Some(u), Some(p)) => (u, p),
            _ => return Ok(None),
        }
    };
    Ok(Some(Credentials {
        username,
        password,
        source: path.to_path_buf(),
    }))
}

/// A `WWW-Authenticate` challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Challenge {
    /// Send the credentials with every request.
    Basic,
    /// Get a token from `realm` (with the credentials, if any) and send it.
    Bearer {
        /// The token endpoint.
        realm: String,
        /// Its `service` parameter.
        service: Option<String>,
        /// Its `scope` parameter, if the registry named one.
        scope: Option<String>,
    },
}

/// Parses a `WWW-Authenticate` header value.
pub fn parse_challenge(value: &str) -> Option<Challenge> {
    let value = value.trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if scheme.eq_ignore_ascii_case("basic") {
        return Some(Challenge::Basic);
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut params = std::collections::BTreeMap::new();
    let mut rest = rest.trim();
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=')?;
        let after = after.trim_start();
        let (val, tail) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"')?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            after.split_once(',').map_or((after, ""), |(v, t)| (v, t))
        };
        params.insert(key.trim().to_ascii_lowercase(), val.to_owned());
        rest = tail.trim_start_matches([',', ' ']);
    }
    Some(Challenge::Bearer {
        realm: params.remove("realm")?,
        service: params.remove("service"),
        scope: params.remove("scope"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_parse() {
        assert_eq!(
            parse_challenge(r#"Basic realm="Registry Realm""#),
            Some(Challenge::Basic)
        );
        assert_eq!(
            parse_challenge(
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/x:pull,push""#
            ),
            Some(Challenge::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
                scope: Some("repository:library/x:pull,push".into()),
            })
        );
        assert_eq!(parse_challenge("Negotiate abc"), None);
    }

    #[test]
    fn credentials_are_found_by_registry_in_auth_or_username_password() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let auth = base64::engine::general_purpose::STANDARD.encode("ci:s3cret:x");
        std::fs::write(
            &path,
            format!(
                r#"{{"auths": {{"127.0.0.1:5000": {{"auth": "{auth}"}},
                    "https://index.docker.io/v1/": {{"username": "hub", "password": "p"}}}}}}"#
            ),
        )
        .unwrap();
        let found = credentials_for(&path, "127.0.0.1:5000").unwrap().unwrap();
        assert_eq!(
            (found.username.as_str(), found.password.as_str()),
            ("ci", "s3cret:x")
        );
        assert!(!format!("{found:?}").contains("s3cret"));
        let hub = credentials_for(&path, "docker.io").unwrap().unwrap();
        assert_eq!(hub.username, "hub");
        assert_eq!(credentials_for(&path, "ghcr.io").unwrap(), None);
        assert_eq!(
            credentials_for(&dir.path().join("none.json"), "x").unwrap(),
            None
        );
        std::fs::write(&path, r#"{"auths": {"r.io": {"auth": "!!"}}}"#).unwrap();
        let err = credentials_for(&path, "r.io").unwrap_err().to_string();
        assert!(
            err.contains("not base64") && err.contains("config.json"),
            "{err}"
        );
    }
}
