//! Pushing an image layout to an OCI distribution registry (distribution-spec v1.1):
//!
//! 1. `GET /v2/`: a 401 names the auth scheme ([`auth::Challenge`]); with `Bearer`, a token
//!    for `repository:<repo>:pull,push` is asked from the realm (with the credentials of
//!    `~/.docker/config.json` as Basic auth, if any); with `Basic`, the credentials go with
//!    every request.
//! 2. Each blob (config, layers): `HEAD /v2/<repo>/blobs/<digest>`, skipped when present;
//!    else `POST /v2/<repo>/blobs/uploads/` and a monolithic `PUT <location>?digest=`.
//! 3. `PUT /v2/<repo>/manifests/<tag>` last, so the tag never names an incomplete image.
//!
//! https by default (system roots); plain http only when asked (`insecure`) and only for
//! a registry on loopback.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode, header};
use http_body_util::{BodyExt as _, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::PushError;
use crate::auth::{self, Challenge, Credentials};
use crate::layout::{self, media_type};
use crate::reference::Reference;

/// How to push.
#[derive(Clone, Debug, Default)]
pub struct PushOptions {
    /// Plain http (loopback registries only).
    pub insecure: bool,
    /// Docker's config file to read credentials from [default: [`auth::docker_config_path`]].
    pub docker_config: Option<PathBuf>,
}

/// What a push did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pushed {
    /// `registry/repository:tag`.
    pub reference: String,
    /// The manifest's digest.
    pub digest: String,
    /// Blobs uploaded (digest, bytes).
    pub uploaded: Vec<(String, u64)>,
    /// Blobs the registry already had.
    pub present: Vec<String>,
}

/// A step of a push, for progress display.
#[derive(Clone, Debug)]
pub enum Progress<'a> {
    /// A blob is being uploaded.
    Uploading {
        /// Its digest.
        digest: &'a str,
        /// Its size.
        size: u64,
    },
    /// A blob was already in the registry.
    Present {
        /// Its digest.
        digest: &'a str,
    },
}

type Https = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

struct Registry {
    http: Https,
    base: String,
    name: String,
    authorization: Option<String>,
    credentials: Option<Credentials>,
}

/// Pushes the image in the layout `dir` to `reference`.
pub async fn push(
    dir: &Path,
    reference: &Reference,
    options: &PushOptions,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Pushed, PushError> {
    let image = layout::read(dir)?;
    if options.insecure && !reference.is_loopback() {
        return Err(PushError::InsecureNotLoopback {
            registry: reference.registry.clone(),
        });
    }
    let credentials = match options
        .docker_config
        .clone()
        .or_else(auth::docker_config_path)
    {
        Some(path) => auth::credentials_for(&path, &reference.registry)?,
        None => None,
    };
    let scheme = if options.insecure { "http" } else { "https" };
    let mut registry = Registry {
        http: client()?,
        base: format!("{scheme}://{}", reference.api_host()),
        name: reference.registry.clone(),
        authorization: None,
        credentials,
    };
    registry.authenticate(&reference.repository).await?;

    let repo = &reference.repository;
    let mut pushed = Pushed {
        reference: format!("{}/{}:{}", reference.registry, repo, reference.tag),
        digest: image.digest.clone(),
        uploaded: Vec::new(),
        present: Vec::new(),
    };
    for (digest, size) in &image.blobs {
        let url = format!("{}/v2/{repo}/blobs/{digest}", registry.base);
        let (status, _, _) = registry
            .send(Method::HEAD, &url, None, Bytes::new())
            .await?;
        if status == StatusCode::OK {
            progress(Progress::Present { digest });
            pushed.present.push(digest.clone());
            continue;
        }
        progress(Progress::Uploading {
            digest,
            size: *size,
        });
        let path = layout::blob_path(dir, digest);
        let bytes = std::fs::read(&path).map_err(|source| crate::ImageError::Read {
            path: path.clone(),
            source,
        })?;
        registry.upload(repo, digest, bytes.into()).await?;
        pushed.uploaded.push((digest.clone(), *size));
    }
    let url = format!("{}/v2/{repo}/manifests/{}", registry.base, reference.tag);
    let (status, _, body) = registry
        .send(
            Method::PUT,
            &url,
            Some(media_type::MANIFEST),
            image.manifest.clone().into(),
        )
        .await?;
    if status != StatusCode::CREATED && status != StatusCode::OK {
        return Err(registry.unexpected("PUT of the manifest", status, &body));
    }
    Ok(pushed)
}

fn client() -> Result<Https, PushError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(provider)
        .map_err(|e| PushError::Unreachable {
            registry: String::new(),
            url: String::new(),
            reason: format!("no TLS roots: {e}"),
        })?
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(TokioExecutor::new()).build(connector))
}

impl Registry {
    /// `GET /v2/` and, on a 401, whatever its challenge asks for.
    async fn authenticate(&mut self, repository: &str) -> Result<(), PushError> {
        let url = format!("{}/v2/", self.base);
        let (status, headers, body) = self.send(Method::GET, &url, None, Bytes::new()).await?;
        if status.is_success() {
            return Ok(());
        }
        if status != StatusCode::UNAUTHORIZED {
            return Err(self.unexpected("GET /v2/", status, &body));
        }
        let challenge = headers
            .get(header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .and_then(auth::parse_challenge);
        match challenge {
            Some(Challenge::Basic) => {
                let Some(credentials) = &self.credentials else {
                    return Err(self.unauthorized());
                };
                self.authorization = Some(credentials.basic());
                // Checked here, so a wrong password is said before any upload.
                let (status, _, body) = self.send(Method::GET, &url, None, Bytes::new()).await?;
                match status {
                    s if s.is_success() => Ok(()),
                    StatusCode::UNAUTHORIZED => Err(self.unauthorized()),
                    s => Err(self.unexpected("GET /v2/", s, &body)),
                }
            }
            Some(Challenge::Bearer { realm, service, .. }) => {
                let scope = format!("repository:{repository}:pull,push");
                self.token(&realm, service.as_deref(), &scope).await
            }
            None => Err(self.unexpected(
                "GET /v2/ (a 401 without a Basic or Bearer challenge)",
                status,
                &body,
            )),
        }
    }

    /// The token flow: `GET <realm>?service=..&scope=..`, Basic auth with the credentials.
    async fn token(
        &mut self,
        realm: &str,
        service: Option<&str>,
        scope: &str,
    ) -> Result<(), PushError> {
        let mut url = format!("{realm}?scope={}", query_escape(scope));
        if let Some(service) = service {
            url.push_str(&format!("&service={}", query_escape(service)));
        }
        let mut request = Request::get(&url);
        if let Some(credentials) = &self.credentials {
            request = request.header(header::AUTHORIZATION, credentials.basic());
        }
        let request = request
            .body(Full::new(Bytes::new()))
            .map_err(|e| self.unreachable(&url, e.to_string()))?;
        let (status, _, body) = self.exchange(&url, request).await?;
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(self.unauthorized());
        }
        if !status.is_success() {
            return Err(self.unexpected("GET of a token from the auth realm", status, &body));
        }
        let answer: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let token = answer["token"]
            .as_str()
            .or_else(|| answer["access_token"].as_str())
            .ok_or_else(|| self.unexpected("GET of a token (no token in it)", status, &body))?;
        self.authorization = Some(format!("Bearer {token}"));
        Ok(())
    }

    async fn upload(&self, repo: &str, digest: &str, blob: Bytes) -> Result<(), PushError> {
        let url = format!("{}/v2/{repo}/blobs/uploads/", self.base);
        let (status, headers, body) = self.send(Method::POST, &url, None, Bytes::new()).await?;
        if status != StatusCode::ACCEPTED {
            return Err(self.unexpected("POST of a blob upload", status, &body));
        }
        let location = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| self.unexpected("POST of a blob upload (no Location)", status, &body))?;
        let location = if location.starts_with('/') {
            format!("{}{location}", self.base)
        } else {
            location.to_owned()
        };
        let separator = if location.contains('?') { '&' } else { '?' };
        let url = format!("{location}{separator}digest={}", query_escape(digest));
        let (status, _, body) = self
            .send(Method::PUT, &url, Some("application/octet-stream"), blob)
            .await?;
        if status != StatusCode::CREATED {
            return Err(self.unexpected(&format!("PUT of blob {digest}"), status, &body));
        }
        Ok(())
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        content_type: Option<&str>,
        body: Bytes,
    ) -> Result<(StatusCode, http::HeaderMap, Bytes), PushError> {
        let mut request = Request::builder()
            .method(method)
            .uri(url)
            .header(header::CONTENT_LENGTH, body.len());
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        if let Some(authorization) = &self.authorization {
            request = request.header(header::AUTHORIZATION, authorization);
        }
        let request = request
            .body(Full::new(body))
            .map_err(|e| self.unreachable(url, e.to_string()))?;
        let (status, headers, body) = self.exchange(url, request).await?;
        if status == StatusCode::UNAUTHORIZED && self.authorization.is_some() {
            return Err(self.unauthorized());
        }
        Ok((status, headers, body))
    }

    async fn exchange(
        &self,
        url: &str,
        request: Request<Full<Bytes>>,
    ) -> Result<(StatusCode, http::HeaderMap, Bytes), PushError> {
        let answer = tokio::time::timeout(Duration::from_secs(300), self.http.request(request))
            .await
            .map_err(|_| self.unreachable(url, "no answer within 300 s".into()))?
            .map_err(|e| self.unreachable(url, error_chain(&e)))?;
        let (parts, body) = answer.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| self.unreachable(url, e.to_string()))?
            .to_bytes();
        Ok((parts.status, parts.headers, body))
    }

    fn unreachable(&self, url: &str, reason: String) -> PushError {
        PushError::Unreachable {
            registry: self.name.clone(),
            url: url.to_owned(),
            reason,
        }
    }

    fn unauthorized(&self) -> PushError {
        match &self.credentials {
            Some(credentials) => PushError::Unauthorized {
                registry: self.name.clone(),
                what: format!(
                    "the credentials of user {:?} from {}",
                    credentials.username,
                    credentials.source.display()
                ),
                help: format!(
                    "check the user and password (`docker login {}` rewrites them), and that the user may push",
                    self.name
                ),
            },
            None => PushError::Unauthorized {
                registry: self.name.clone(),
                what: "an anonymous push".into(),
                help: format!(
                    "log in first (`docker login {}`, or an `auths` entry in ~/.docker/config.json)",
                    self.name
                ),
            },
        }
    }

    fn unexpected(&self, operation: &str, status: StatusCode, body: &[u8]) -> PushError {
        let text = String::from_utf8_lossy(body);
        PushError::Protocol {
            registry: self.name.clone(),
            operation: operation.to_owned(),
            status: status.as_u16(),
            body: text.chars().take(300).collect(),
        }
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn query_escape(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
