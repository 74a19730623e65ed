//! Deployment defaults — container registry, namespace, RuntimeClass — and where each
//! effective value comes from.
//!
//! # Files
//! Two YAML files hold defaults, in the original Go CLI's format:
//! ```yaml
//! registry: ghcr.io/acme
//! namespace: team-a
//! runtime_class: gvisor
//! ```
//! the *user* file `~/.tentacular/config.yaml` and the *project* file
//! `./.tentacular/config.yaml` (relative to the current directory, as in the original). An
//! empty or null value means "not set". Other keys (the original also kept `environments`,
//! `mcp`, `catalog`, ...) are accepted without a word and survive
//! [`ConfigFile::with_changes`], comments included.
//!
//! # Resolution, highest precedence first
//! - namespace: `-n/--namespace` > the workflow's `deployment.namespace` > project file >
//!   user file > `default`;
//! - registry: `-r/--registry` > project file > user file > none;
//! - runtime class: `--runtime-class` > project file > user file > `gvisor`.
//!
//! [`resolve`] applies it; `tntc configure` shows and edits it, commands that deploy use it.

mod file;

use std::path::{Path, PathBuf};

pub use file::{ConfigError, ConfigFile, write};

/// Namespace when nothing sets one.
pub const DEFAULT_NAMESPACE: &str = "default";

/// RuntimeClass when nothing sets one: the pods run under gVisor.
pub const DEFAULT_RUNTIME_CLASS: &str = "gvisor";

/// One setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// `namespace`.
    Namespace,
    /// `registry`.
    Registry,
    /// `runtime_class`.
    RuntimeClass,
}

impl Key {
    /// Every setting, in display order.
    pub const ALL: [Key; 3] = [Key::Namespace, Key::Registry, Key::RuntimeClass];

    /// Its key in the config files (and in `-o json`).
    pub fn name(self) -> &'static str {
        match self {
            Key::Namespace => "namespace",
            Key::Registry => "registry",
            Key::RuntimeClass => "runtime_class",
        }
    }

    /// The flag that sets it on the command line.
    pub fn flag(self) -> &'static str {
        match self {
            Key::Namespace => "-n/--namespace",
            Key::Registry => "-r/--registry",
            Key::RuntimeClass => "--runtime-class",
        }
    }

    /// The long flag alone, for commands to copy: `--namespace`.
    pub fn long_flag(self) -> &'static str {
        match self {
            Key::Namespace => "--namespace",
            Key::Registry => "--registry",
            Key::RuntimeClass => "--runtime-class",
        }
    }

    /// Why `value` cannot be this setting, if it cannot: what Kubernetes accepts as a
    /// namespace (a DNS label) or RuntimeClass name (a DNS subdomain); a registry is a host
    /// and optional path, without a scheme.
    pub fn check(self, value: &str) -> Result<(), String> {
        match self {
            Key::Namespace if !is_dns_label(value) => Err(format!(
                "{value:?} is not a Kubernetes namespace: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
            )),
            Key::RuntimeClass if value.len() > 253 || !value.split('.').all(is_dns_label) => {
                Err(format!(
                    "{value:?} is not a RuntimeClass name: use lowercase letters, digits, '-' and '.', each part starting and ending with a letter or digit"
                ))
            }
            Key::Registry if value.contains("://") => Err(format!(
                "{value:?}: write the registry without a scheme, like ghcr.io/acme or localhost:5000"
            )),
            Key::Registry if value.chars().any(char::is_whitespace) => Err(format!(
                "{value:?}: a registry has no spaces or line breaks, like ghcr.io/acme"
            )),
            _ => Ok(()),
        }
    }
}

/// An RFC 1123 label: 1-63 lowercase letters, digits and '-', starting and ending with a
/// letter or digit.
fn is_dns_label(text: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    (1..=63).contains(&text.len())
        && text.chars().all(|c| alnum(c) || c == '-')
        && text.starts_with(alnum)
        && text.ends_with(alnum)
}

/// Which config file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `./.tentacular/config.yaml`.
    Project,
    /// `~/.tentacular/config.yaml`.
    User,
}

impl Scope {
    /// `project` or `user`.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Project => "project",
            Scope::User => "user",
        }
    }
}

/// Where an effective value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag.
    Flag,
    /// `deployment.namespace` in this workflow.yaml.
    Workflow(PathBuf),
    /// A config file.
    File(Scope, PathBuf),
    /// The built-in default.
    Default,
}

impl Origin {
    /// `flag`, `workflow`, `project`, `user` or `default`.
    pub fn kind(&self) -> &'static str {
        match self {
            Origin::Flag => "flag",
            Origin::Workflow(_) => "workflow",
            Origin::File(scope, _) => scope.name(),
            Origin::Default => "default",
        }
    }

    /// The file the value was read from.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Origin::Workflow(path) | Origin::File(_, path) => Some(path),
            Origin::Flag | Origin::Default => None,
        }
    }
}

/// An effective value and its origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The value.
    pub value: String,
    /// Where it comes from.
    pub origin: Origin,
}

/// The effective settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Target namespace.
    pub namespace: Resolved,
    /// Image registry, when anything sets one.
    pub registry: Option<Resolved>,
    /// RuntimeClass of the pods.
    pub runtime_class: Resolved,
}

impl Settings {
    /// One setting by key.
    pub fn get(&self, key: Key) -> Option<&Resolved> {
        match key {
            Key::Namespace => Some(&self.namespace),
            Key::Registry => self.registry.as_ref(),
            Key::RuntimeClass => Some(&self.runtime_class),
        }
    }
}

/// Where the two config files are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locations {
    /// The user file; `None` when there is no home directory.
    pub user: Option<PathBuf>,
    /// The project file.
    pub project: PathBuf,
}

impl Locations {
    /// `$HOME/.tentacular/config.yaml` and `.tentacular/config.yaml`.
    pub fn standard() -> Locations {
        let file = |base: &Path| base.join(".tentacular").join("config.yaml");
        Locations {
            user: std::env::home_dir()
                .filter(|home| !home.as_os_str().is_empty())
                .map(|home| file(&home)),
            project: file(Path::new("")),
        }
    }

    /// The file of `scope`.
    pub fn path(&self, scope: Scope) -> Option<&Path> {
        match scope {
            Scope::Project => Some(&self.project),
            Scope::User => self.user.as_deref(),
        }
    }
}

/// Both config files as read; an absent file is `None`.
#[derive(Clone, Debug, Default)]
pub struct Files {
    /// The project file.
    pub project: Option<ConfigFile>,
    /// The user file.
    pub user: Option<ConfigFile>,
}

impl Files {
    /// Reads both files; a malformed one is an error with positions.
    pub fn read(locations: &Locations) -> Result<Files, ConfigError> {
        Ok(Files {
            project: ConfigFile::read(&locations.project)?,
            user: match &locations.user {
                Some(path) => ConfigFile::read(path)?,
                None => None,
            },
        })
    }

    /// The file of `scope`, when it exists.
    pub fn get(&self, scope: Scope) -> Option<&ConfigFile> {
        match scope {
            Scope::Project => self.project.as_ref(),
            Scope::User => self.user.as_ref(),
        }
    }
}

/// Values given on the command line (`None` or empty: not given).
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `-n/--namespace`.
    pub namespace: Option<String>,
    /// `-r/--registry`.
    pub registry: Option<String>,
    /// `--runtime-class`.
    pub runtime_class: Option<String>,
}

impl Overrides {
    fn get(&self, key: Key) -> Option<&str> {
        match key {
            Key::Namespace => self.namespace.as_deref(),
            Key::Registry => self.registry.as_deref(),
            Key::RuntimeClass => self.runtime_class.as_deref(),
        }
        .filter(|v| !v.is_empty())
    }
}

/// The namespace a workflow asks for: `deployment.namespace` and its workflow.yaml.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkflowNamespace {
    /// The namespace.
    pub namespace: String,
    /// The workflow.yaml it is written in.
    pub file: PathBuf,
}

/// Applies the resolution order (see the module docs).
pub fn resolve(
    overrides: &Overrides,
    workflow: Option<&WorkflowNamespace>,
    files: &Files,
) -> Settings {
    let one = |key: Key| -> Option<Resolved> {
        let resolved = |value: &str, origin: Origin| Resolved {
            value: value.to_owned(),
            origin,
        };
        if let Some(value) = overrides.get(key) {
            return Some(resolved(value, Origin::Flag));
        }
        if key == Key::Namespace
            && let Some(w) = workflow
        {
            return Some(resolved(&w.namespace, Origin::Workflow(w.file.clone())));
        }
        for scope in [Scope::Project, Scope::User] {
            if let Some(file) = files.get(scope)
                && let Some(value) = file.get(key)
            {
                return Some(resolved(
                    value,
                    Origin::File(scope, file.path().to_path_buf()),
                ));
            }
        }
        None
    };
    let with_default = |key: Key, default: &str| {
        one(key).unwrap_or_else(|| Resolved {
            value: default.to_owned(),
            origin: Origin::Default,
        })
    };
    Settings {
        namespace: with_default(Key::Namespace, DEFAULT_NAMESPACE),
        registry: one(Key::Registry),
        runtime_class: with_default(Key::RuntimeClass, DEFAULT_RUNTIME_CLASS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> ConfigFile {
        ConfigFile::parse(Path::new(path), text.to_owned()).expect("valid config")
    }

    fn files(project: Option<&str>, user: Option<&str>) -> Files {
        Files {
            project: project.map(|t| file("project.yaml", t)),
            user: user.map(|t| file("user.yaml", t)),
        }
    }

    fn summary(settings: &Settings) -> Vec<(String, &'static str)> {
        Key::ALL
            .iter()
            .filter_map(|k| settings.get(*k))
            .map(|r| (r.value.clone(), r.origin.kind()))
            .collect()
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let settings = resolve(&Overrides::default(), None, &Files::default());
        assert_eq!(
            summary(&settings),
            [("default".into(), "default"), ("gvisor".into(), "default")]
        );
        assert!(settings.registry.is_none());
    }

    #[test]
    fn namespace_precedence_is_flag_workflow_project_user_default() {
        let both = files(
            Some("namespace: from-project\n"),
            Some("namespace: from-user\n"),
        );
        let workflow = WorkflowNamespace {
            namespace: "from-workflow".into(),
            file: PathBuf::from("workflow.yaml"),
        };
        let flag = Overrides {
            namespace: Some("from-flag".into()),
            ..Overrides::default()
        };
        let ns = |o: &Overrides, w: Option<&WorkflowNamespace>, f: &Files| {
            let r = resolve(o, w, f).namespace;
            (r.value, r.origin.kind())
        };
        assert_eq!(
            ns(&flag, Some(&workflow), &both),
            ("from-flag".into(), "flag")
        );
        let none = Overrides::default();
        assert_eq!(
            ns(&none, Some(&workflow), &both),
            ("from-workflow".into(), "workflow")
        );
        assert_eq!(ns(&none, None, &both), ("from-project".into(), "project"));
        let user_only = files(None, Some("namespace: from-user\n"));
        assert_eq!(ns(&none, None, &user_only), ("from-user".into(), "user"));
        let empty_flag = Overrides {
            namespace: Some(String::new()),
            ..Overrides::default()
        };
        assert_eq!(
            ns(&empty_flag, None, &user_only),
            ("from-user".into(), "user")
        );
    }

    #[test]
    fn registry_and_runtime_class_ignore_the_workflow_and_skip_empty_values() {
        let f = files(
            Some("registry: \"\"\nruntime_class: kata\n"),
            Some("registry: ghcr.io/acme\nruntime_class: runc\n"),
        );
        let settings = resolve(&Overrides::default(), None, &f);
        let registry = settings.registry.expect("registry");
        assert_eq!(registry.value, "ghcr.io/acme");
        assert_eq!(
            registry.origin,
            Origin::File(Scope::User, PathBuf::from("user.yaml"))
        );
        assert_eq!(settings.runtime_class.value, "kata");
        assert_eq!(
            settings.runtime_class.origin.file(),
            Some(Path::new("project.yaml"))
        );
    }

    #[test]
    fn values_are_checked_against_kubernetes_naming_rules() {
        assert!(Key::Namespace.check("team-a").is_ok());
        assert!(Key::Namespace.check("Team_A").is_err());
        assert!(Key::Namespace.check("-a").is_err());
        assert!(Key::Namespace.check(&"a".repeat(64)).is_err());
        assert!(Key::RuntimeClass.check("gvisor").is_ok());
        assert!(Key::RuntimeClass.check("kata.fc").is_ok());
        assert!(Key::RuntimeClass.check("kata..fc").is_err());
        assert!(Key::Registry.check("localhost:5000/team").is_ok());
        assert!(Key::Registry.check("https://ghcr.io").is_err());
        assert!(Key::Registry.check("ghcr.io/a b").is_err());
    }
}
