//! Image references: `[registry/]repository[:tag]`, with Docker's defaults for a reference
//! without a registry (`docker.io`, whose API is `registry-1.docker.io`, and `library/` for
//! a one-part repository) and `latest` for a missing tag.

use crate::PushError;

/// A parsed reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// `host[:port]`, as credentials are keyed in `~/.docker/config.json`.
    pub registry: String,
    /// The repository, e.g. `acme/tntc-host`.
    pub repository: String,
    /// The tag.
    pub tag: String,
}

impl Reference {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Reference, PushError> {
        let fail = |reason: &str| PushError::Reference {
            reference: text.to_owned(),
            reason: reason.to_owned(),
        };
        if text.is_empty() || text.contains(char::is_whitespace) {
            return Err(fail("it is empty or holds whitespace"));
        }
        if text.contains('@') {
            return Err(fail("a digest reference cannot be pushed to; give a tag"));
        }
        let (registry, rest) = match text.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_owned(), rest)
            }
            _ => ("docker.io".to_owned(), text),
        };
        let (repository, tag) = match rest.rsplit_once(':') {
            Some((repo, tag)) if !tag.contains('/') => (repo, tag),
            _ => (rest, "latest"),
        };
        let valid_repo = !repository.is_empty()
            && repository.split('/').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
            });
        if !valid_repo {
            return Err(fail(
                "the repository must be lowercase letters, digits and . _ - separated by /",
            ));
        }
        let valid_tag = !tag.is_empty()
            && tag.len() <= 128
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if !valid_tag {
            return Err(fail("the tag must be 1-128 letters, digits and . _ -"));
        }
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository.to_owned()
        };
        Ok(Reference {
            registry,
            repository,
            tag: tag.to_owned(),
        })
    }

    /// The host the registry's API is served on.
    pub fn api_host(&self) -> &str {
        if self.registry == "docker.io" {
            "registry-1.docker.io"
        } else {
            &self.registry
        }
    }

    /// Whether the registry is on this machine (`localhost`, 127.0.0.0/8, `[::1]`).
    pub fn is_loopback(&self) -> bool {
        let host = match self.registry.rsplit_once(':') {
            Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
            _ => &self.registry,
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_with_dockers_defaults() {
        let r = Reference::parse("127.0.0.1:5000/tntc-host:dev").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_str()),
            ("127.0.0.1:5000", "tntc-host", "dev")
        );
        assert!(r.is_loopback());
        let r = Reference::parse("ghcr.io/acme/tntc-host").unwrap();
        assert_eq!(
            (r.repository.as_str(), r.tag.as_str()),
            ("acme/tntc-host", "latest")
        );
        assert!(!r.is_loopback());
        let r = Reference::parse("tntc-host:0.1.0").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.api_host()),
            ("docker.io", "library/tntc-host", "registry-1.docker.io")
        );
        assert!(
            Reference::parse("localhost:5000/a/b:1")
                .unwrap()
                .is_loopback()
        );
        assert!(Reference::parse("[::1]:5000/a:1").unwrap().is_loopback());
        for bad in ["", "Upper/Case:1", "a:b c", "x@sha256:00", "reg.io/a:"] {
            assert!(Reference::parse(bad).is_err(), "{bad}");
        }
    }
}
