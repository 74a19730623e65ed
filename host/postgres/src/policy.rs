//! Which PostgreSQL databases one node may reach, and how a node's `Client` options are
//! matched against them.
//!
//! A policy holds one [`PgTarget`] per `protocol: postgresql` dependency in the node's
//! scope, with the contract's host, port, database, user, secret and `sslmode`. The node's
//! options never add anything: [`PgPolicy::select`] only picks the target they name, and
//! refuses (before any connection) options that name another host, port, database or user,
//! saying what the contract allows.

use std::fmt;
use std::sync::Arc;

use tntc_abi::postgres::PgConnectRequest;

/// How a session's connection is encrypted (libpq's `sslmode` names).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SslMode {
    /// Never TLS.
    Disable,
    /// TLS when the server offers it, without certificate checks (libpq's default).
    #[default]
    Prefer,
    /// TLS or no connection, without certificate checks.
    Require,
    /// TLS or no connection; the certificate chain (system roots plus the host's extra
    /// CAs) and the host name are checked.
    VerifyFull,
}

impl SslMode {
    /// Parses a dependency's `sslmode` (`None`: [`SslMode::Prefer`]).
    pub fn parse(mode: Option<&str>) -> Result<Self, String> {
        match mode {
            None | Some("prefer") => Ok(SslMode::Prefer),
            Some("disable") => Ok(SslMode::Disable),
            Some("require") => Ok(SslMode::Require),
            Some("verify-full") => Ok(SslMode::VerifyFull),
            Some(other) => Err(format!(
                "unknown sslmode \"{other}\" (use disable, prefer, require or verify-full)"
            )),
        }
    }

    /// The libpq name.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// One postgresql dependency a node may reach, as the contract declares it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PgTarget {
    /// The dependency's name in `contract.dependencies`.
    pub dependency: String,
    /// Host name or IP literal.
    pub host: String,
    /// Port (5432 unless declared).
    pub port: u16,
    /// Database.
    pub database: String,
    /// Role.
    pub user: String,
    /// The password from `auth.secret`, when the secret is present.
    pub password: Option<String>,
    /// TLS mode.
    pub sslmode: SslMode,
}

impl fmt::Debug for PgTarget {
    /// Everything but the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgTarget")
            .field("dependency", &self.dependency)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database", &self.database)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("sslmode", &self.sslmode)
            .finish()
    }
}

impl fmt::Display for PgTarget {
    /// `name (host h:5432, database d, user u)`, for messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (host {}:{}, database {}, user {})",
            self.dependency, self.host, self.port, self.database, self.user
        )
    }
}

/// The postgresql dependencies one node may reach.
#[derive(Clone, Debug, Default)]
pub struct PgPolicy {
    node: String,
    targets: Vec<Arc<PgTarget>>,
    /// postgresql dependencies of the contract outside the node's scope (named in errors).
    out_of_scope: Vec<String>,
}

/// Why a connection was refused before any connection was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

impl PgPolicy {
    /// An empty policy (nothing reachable) for the node `node`.
    pub fn new(node: impl Into<String>) -> Self {
        PgPolicy {
            node: node.into(),
            ..PgPolicy::default()
        }
    }

    /// Allows `target`.
    pub fn allow(&mut self, target: PgTarget) -> &mut Self {
        self.targets.push(Arc::new(target));
        self
    }

    /// Records a postgresql dependency of the contract the node may not reach, so that a
    /// refusal can say why.
    pub fn out_of_scope(&mut self, dependency: impl Into<String>) -> &mut Self {
        self.out_of_scope.push(dependency.into());
        self
    }

    /// True when the node may reach no database.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// The targets, in contract order.
    pub fn targets(&self) -> &[Arc<PgTarget>] {
        &self.targets
    }

    /// The target the node's options name: every option given must equal the target's
    /// (host names compare case-insensitively); options naming nothing pick the node's only
    /// postgresql dependency.
    pub fn select(&self, options: &PgConnectRequest) -> Result<Arc<PgTarget>, Refused> {
        let node = &self.node;
        if self.targets.is_empty() {
            let mut message = format!(
                "PostgreSQL connection refused: node \"{node}\" may reach no postgresql dependency."
            );
            if self.out_of_scope.is_empty() {
                message.push_str(
                    " Declare one in contract.dependencies: {protocol: postgresql, host, port, \
                     database, user, auth: {type: password, secret: <service>.<key>}}",
                );
            } else {
                message.push_str(&format!(
                    " The contract declares {}, outside this node's scope: add it to \
                     nodes.{node}.dependencies",
                    self.out_of_scope.join(", ")
                ));
            }
            return Err(Refused(message));
        }
        let matches: Vec<&Arc<PgTarget>> = self
            .targets
            .iter()
            .filter(|t| {
                options
                    .hostname
                    .as_deref()
                    .is_none_or(|h| h.eq_ignore_ascii_case(&t.host))
                    && options.port.is_none_or(|p| p == t.port)
                    && options.database.as_deref().is_none_or(|d| d == t.database)
                    && options.user.as_deref().is_none_or(|u| u == t.user)
            })
            .collect();
        let allowed = || {
            self.targets
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        };
        match matches.as_slice() {
            [one] => Ok(Arc::clone(one)),
            [] => {
                let mut named = Vec::new();
                if let Some(h) = &options.hostname {
                    named.push(format!("host {h}"));
                }
                if let Some(p) = options.port {
                    named.push(format!("port {p}"));
                }
                if let Some(d) = &options.database {
                    named.push(format!("database {d}"));
                }
                if let Some(u) = &options.user {
                    named.push(format!("user {u}"));
                }
                Err(Refused(format!(
                    "PostgreSQL connection refused: the Client options name {}, which no \
                     postgresql dependency of node \"{node}\" declares. The contract allows: {}. \
                     Connect with those values (ctx.dependency(\"<name>\") has them), or declare \
                     the database in contract.dependencies",
                    named.join(", "),
                    allowed()
                )))
            }
            _ => Err(Refused(format!(
                "PostgreSQL connection refused: node \"{node}\" may reach several postgresql \
                 dependencies ({}); name one with the Client's hostname, port, database or user",
                allowed()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(name: &str, host: &str, database: &str) -> PgTarget {
        PgTarget {
            dependency: name.into(),
            host: host.into(),
            port: 5432,
            database: database.into(),
            user: "app".into(),
            password: Some("hunter2".into()),
            sslmode: SslMode::Prefer,
        }
    }

    fn options(host: Option<&str>, database: Option<&str>) -> PgConnectRequest {
        PgConnectRequest {
            hostname: host.map(Into::into),
            database: database.map(Into::into),
            ..PgConnectRequest::default()
        }
    }

    #[test]
    fn options_naming_nothing_pick_the_only_dependency() {
        let mut policy = PgPolicy::new("store");
        policy.allow(target("db", "db.internal", "appdb"));
        let picked = policy.select(&PgConnectRequest::default()).unwrap();
        assert_eq!(picked.dependency, "db");
    }

    #[test]
    fn options_matching_the_contract_pick_it_and_host_case_is_ignored() {
        let mut policy = PgPolicy::new("store");
        policy.allow(target("a", "a.internal", "one"));
        policy.allow(target("b", "b.internal", "two"));
        let picked = policy
            .select(&options(Some("B.internal"), Some("two")))
            .unwrap();
        assert_eq!(picked.dependency, "b");
    }

    #[test]
    fn another_host_or_database_is_refused_with_what_the_contract_allows() {
        let mut policy = PgPolicy::new("store");
        policy.allow(target("db", "db.internal", "appdb"));
        let refused = policy
            .select(&options(Some("evil.example"), Some("appdb")))
            .unwrap_err()
            .0;
        assert!(refused.contains("host evil.example"), "{refused}");
        assert!(
            refused.contains("db (host db.internal:5432, database appdb, user app)"),
            "{refused}"
        );
        assert!(!refused.contains("hunter2"), "{refused}");
        let refused = policy
            .select(&PgConnectRequest {
                user: Some("postgres".into()),
                ..PgConnectRequest::default()
            })
            .unwrap_err()
            .0;
        assert!(refused.contains("user postgres"), "{refused}");
    }

    #[test]
    fn a_node_without_postgresql_dependencies_is_told_how_to_declare_one() {
        let policy = PgPolicy::new("store");
        let refused = policy.select(&PgConnectRequest::default()).unwrap_err().0;
        assert!(refused.contains("contract.dependencies"), "{refused}");
        let mut scoped = PgPolicy::new("store");
        scoped.out_of_scope("db");
        let refused = scoped.select(&PgConnectRequest::default()).unwrap_err().0;
        assert!(refused.contains("nodes.store.dependencies"), "{refused}");
    }

    #[test]
    fn ambiguous_options_are_refused() {
        let mut policy = PgPolicy::new("store");
        policy.allow(target("a", "a.internal", "one"));
        policy.allow(target("b", "b.internal", "two"));
        let refused = policy.select(&PgConnectRequest::default()).unwrap_err().0;
        assert!(refused.contains("several"), "{refused}");
    }

    #[test]
    fn debug_output_hides_the_password() {
        let text = format!("{:?}", target("db", "h", "d"));
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn sslmode_parses_libpq_names_and_defaults_to_prefer() {
        assert_eq!(SslMode::parse(None), Ok(SslMode::Prefer));
        assert_eq!(SslMode::parse(Some("verify-full")), Ok(SslMode::VerifyFull));
        assert!(SslMode::parse(Some("allow")).is_err());
    }
}
