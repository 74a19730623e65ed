//! Import specifiers: which are allowed, and where relative ones point on disk.

use std::path::{Path, PathBuf};

use crate::error::ErrorKind;
use crate::source::normalize_relative;

/// What a rejected (or unresolvable) import gets reported as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImportProblem {
    pub(crate) kind: ErrorKind,
    pub(crate) message: String,
    pub(crate) label: String,
    pub(crate) hint: String,
}

impl ImportProblem {
    fn new(kind: ErrorKind, message: String, label: &str, hint: impl Into<String>) -> Self {
        Self {
            kind,
            message,
            label: label.to_owned(),
            hint: hint.into(),
        }
    }
}

/// The language a module is parsed as, from its file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Language {
    TypeScript,
    JavaScript,
}

impl Language {
    /// `None` for extensions the bundler does not load.
    pub(crate) fn of(path: &str) -> Option<Self> {
        let extension = path.rsplit_once('.').map(|(_, e)| e)?;
        match extension {
            "ts" | "mts" => Some(Self::TypeScript),
            "js" | "mjs" => Some(Self::JavaScript),
            _ => None,
        }
    }
}

/// Node's built-in modules, importable without the `node:` prefix.
const NODE_BUILTINS: &[&str] = &[
    "assert",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "domain",
    "events",
    "fs",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "path",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "repl",
    "stream",
    "string_decoder",
    "sys",
    "timers",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

const SANDBOX_IO_HINT: &str = "node code runs in a sandbox with no files, processes or sockets; \
     use ctx.fetch / ctx.dependency(...) for I/O and Web APIs (fetch, URL, TextEncoder, crypto.getRandomValues) for the rest";

/// A module tntc ships in place of a package import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shipped {
    /// The module's key in the bundle (never a workflow path: it has a scheme).
    pub(crate) key: &'static str,
    /// Its JavaScript source.
    pub(crate) source: &'static str,
}

/// `jsr:@db/postgres`, any version: tntc's driver over the host's PostgreSQL capability.
const DB_POSTGRES: Shipped = Shipped {
    key: "tntc:db-postgres.js",
    source: include_str!("../shipped/db-postgres.js"),
};

/// The package imports tntc resolves to modules of its own, for messages.
pub(crate) const SHIPPED_PACKAGES: &str = "jsr:@db/postgres";

/// The shipped module a package import resolves to: `jsr:@db/postgres` and
/// `jsr:@db/postgres@<version>` (the driver's API, whatever version was named).
pub(crate) fn shipped_module(specifier: &str) -> Option<Shipped> {
    let rest = specifier.strip_prefix("jsr:@db/postgres")?;
    let version_ok = rest.is_empty()
        || rest.strip_prefix('@').is_some_and(|v| {
            !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '^' | '~' | '+'))
        });
    version_ok.then_some(DB_POSTGRES)
}

/// The shipped module whose key is `key`.
pub(crate) fn shipped_by_key(key: &str) -> Option<Shipped> {
    (key == DB_POSTGRES.key).then_some(DB_POSTGRES)
}

/// Is `specifier` relative (`./x`, `../x`)? Only those are bundled.
pub(crate) fn is_relative(specifier: &str) -> bool {
    specifier.starts_with("./")
        || specifier.starts_with("../")
        || specifier == "."
        || specifier == ".."
}

/// The problem with a non-relative import, or `None` when it is allowed (only
/// `import type` from `"tentacular"` is).
pub(crate) fn check_non_relative(specifier: &str, type_only: bool) -> Option<ImportProblem> {
    if specifier == "tentacular" {
        return (!type_only).then(|| {
            ImportProblem::new(
                ErrorKind::TentacularValueImport,
                "\"tentacular\" has no runtime exports; import its types with `import type`".into(),
                "value import from \"tentacular\"",
                "write `import type { Context } from \"tentacular\";` (the runtime passes ctx to your node function)",
            )
        });
    }
    if type_only || shipped_module(specifier).is_some() {
        // Type-only imports are erased; nothing is loaded at run time. Shipped modules are
        // bundled like relative ones.
        return None;
    }
    let lower = specifier.to_ascii_lowercase();
    let problem = if lower.starts_with("https://") || lower.starts_with("http://") {
        ImportProblem::new(
            ErrorKind::RemoteImport,
            format!("remote import \"{specifier}\" cannot be loaded in the sandbox"),
            "remote import",
            "code is bundled at build time and the sandbox downloads nothing; copy the module into the \
             workflow directory and import it with a relative path (\"./lib/x.ts\")",
        )
    } else if let Some(registry) = ["jsr:", "npm:"].into_iter().find(|p| lower.starts_with(p)) {
        ImportProblem::new(
            ErrorKind::RegistryImport,
            format!("package import \"{specifier}\" is not supported"),
            &format!("{} package", registry.trim_end_matches(':')),
            format!(
                "packages are not bundled (tntc ships only {SHIPPED_PACKAGES}); vendor the code you \
                 need into the workflow directory (for example lib/) and import it with a relative path"
            ),
        )
    } else if let Some(name) = node_builtin(specifier) {
        ImportProblem::new(
            ErrorKind::NodeBuiltin,
            format!("Node built-in module \"{name}\" is not available in the sandbox"),
            "Node built-in",
            SANDBOX_IO_HINT,
        )
    } else if let Some(scheme) = ["file:", "data:", "/"]
        .into_iter()
        .find(|p| lower.starts_with(p))
    {
        ImportProblem::new(
            ErrorKind::UnsupportedImport,
            format!("import \"{specifier}\" is not supported"),
            if scheme == "/" {
                "absolute path"
            } else {
                "URL import"
            },
            "import modules of the workflow with a path relative to the importing file (\"./x.ts\", \"../lib/x.ts\")",
        )
    } else {
        ImportProblem::new(
            ErrorKind::BareImport,
            format!("bare import \"{specifier}\" cannot be resolved"),
            "bare specifier",
            "only relative imports (\"./x.ts\") and `import type` from \"tentacular\" are allowed; \
             copy the code you need into the workflow directory",
        )
    };
    Some(problem)
}

/// The built-in's name when `specifier` names a Node built-in (`node:x` or a bare `fs`,
/// `fs/promises`, ...).
fn node_builtin(specifier: &str) -> Option<&str> {
    if let Some(name) = specifier.strip_prefix("node:") {
        return Some(name);
    }
    let first = specifier.split('/').next().unwrap_or(specifier);
    NODE_BUILTINS.contains(&first).then_some(specifier)
}

/// Where a relative import landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    /// Workflow-relative path with `/` separators: the module's identity in the bundle.
    pub(crate) key: String,
    /// The file on disk.
    pub(crate) file: PathBuf,
}

/// The directory a resolution happens in: the workflow directory, also canonicalized so a
/// symlink cannot lead outside.
#[derive(Debug, Clone)]
pub(crate) struct Root {
    pub(crate) dir: PathBuf,
    canonical: Option<PathBuf>,
}

impl Root {
    pub(crate) fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            canonical: dir.canonicalize().ok(),
        }
    }

    /// Is the (existing) file inside the workflow directory once symlinks are followed?
    pub(crate) fn contains(&self, file: &Path) -> bool {
        match (&self.canonical, file.canonicalize()) {
            (Some(root), Ok(file)) => file.starts_with(root),
            _ => true,
        }
    }
}

/// Resolves relative `specifier` imported from module `importer` (a key).
///
/// An extensionless specifier tries `.ts`, `.js`, `.mjs`, then `/index.ts`, `/index.js`,
/// `/index.mjs`; a `.js`/`.mjs` specifier that does not exist also tries `.ts`/`.mts`
/// (the TypeScript convention of importing the emitted name).
pub(crate) fn resolve_relative(
    root: &Root,
    importer: &str,
    specifier: &str,
) -> Result<Resolved, ImportProblem> {
    let base = importer.rsplit_once('/').map_or("", |(dir, _)| dir);
    let joined = Path::new(base).join(specifier);
    let outside = || {
        ImportProblem::new(
            ErrorKind::ImportOutsideWorkflow,
            format!("import \"{specifier}\" leaves the workflow directory"),
            "resolves outside the workflow directory",
            "a node can only import files inside its workflow directory; move the shared code into it",
        )
    };
    let Some(target) = normalize_relative(&joined) else {
        return Err(outside());
    };
    let file_name = target.rsplit('/').next().unwrap_or(&target);
    let candidates: Vec<String> = match file_name.rsplit_once('.') {
        Some((_, "ts" | "mts")) => vec![target.clone()],
        Some((_, "js")) => vec![
            target.clone(),
            format!("{}.ts", &target[..target.len() - 3]),
        ],
        Some((_, "mjs")) => vec![
            target.clone(),
            format!("{}.mts", &target[..target.len() - 4]),
        ],
        Some(_) if root.dir.join(&target).is_file() => {
            return Err(ImportProblem::new(
                ErrorKind::UnsupportedImport,
                format!("\"{specifier}\" is not a module the bundler can load"),
                "unsupported file type",
                "only .ts, .mts, .js and .mjs files can be imported; put data in a .ts module \
                 (`export default {...}`)",
            ));
        }
        _ => ["ts", "js", "mjs"]
            .iter()
            .map(|e| format!("{target}.{e}"))
            .chain(
                ["ts", "js", "mjs"]
                    .iter()
                    .map(|e| format!("{target}/index.{e}")),
            )
            .collect(),
    };
    for candidate in &candidates {
        let file = root.dir.join(candidate);
        if file.is_file() {
            if !root.contains(&file) {
                return Err(outside());
            }
            return Ok(Resolved {
                key: candidate.clone(),
                file,
            });
        }
    }
    let tried = candidates.join(", ");
    Err(ImportProblem::new(
        ErrorKind::UnresolvedImport,
        format!("cannot find module \"{specifier}\""),
        "no such file",
        format!("looked for {tried} (relative to the workflow directory)"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_type_imports_from_tentacular_are_allowed() {
        assert_eq!(check_non_relative("tentacular", true), None);
        assert_eq!(
            check_non_relative("tentacular", false).map(|p| p.kind),
            Some(ErrorKind::TentacularValueImport)
        );
    }

    #[test]
    fn forbidden_specifiers_are_classified() {
        let kind = |s| check_non_relative(s, false).map(|p| p.kind);
        assert_eq!(
            kind("https://deno.land/std/x.ts"),
            Some(ErrorKind::RemoteImport)
        );
        assert_eq!(kind("HTTP://x"), Some(ErrorKind::RemoteImport));
        assert_eq!(kind("jsr:@std/path"), Some(ErrorKind::RegistryImport));
        assert_eq!(kind("npm:lodash"), Some(ErrorKind::RegistryImport));
        assert_eq!(kind("node:fs"), Some(ErrorKind::NodeBuiltin));
        assert_eq!(kind("fs/promises"), Some(ErrorKind::NodeBuiltin));
        assert_eq!(kind("child_process"), Some(ErrorKind::NodeBuiltin));
        assert_eq!(kind("lodash"), Some(ErrorKind::BareImport));
        assert_eq!(kind("/abs/x.ts"), Some(ErrorKind::UnsupportedImport));
        assert_eq!(
            kind("npm:lodash").is_some(),
            check_non_relative("npm:lodash", true).is_none()
        );
    }

    #[test]
    fn db_postgres_of_any_version_is_shipped_and_other_packages_are_not() {
        assert!(shipped_module("jsr:@db/postgres@0.19.5").is_some());
        assert!(shipped_module("jsr:@db/postgres").is_some());
        assert_eq!(check_non_relative("jsr:@db/postgres@0.19.5", false), None);
        assert!(shipped_module("jsr:@db/postgresx").is_none());
        assert!(shipped_module("jsr:@db/postgres@").is_none());
        assert!(shipped_module("npm:pg").is_none());
        let problem = check_non_relative("jsr:@std/path", false).unwrap();
        assert!(
            problem.hint.contains("jsr:@db/postgres"),
            "{}",
            problem.hint
        );
    }

    #[test]
    fn relative_specifiers_are_recognized() {
        assert!(is_relative("./x"));
        assert!(is_relative("../x"));
        assert!(!is_relative(".x"));
        assert!(!is_relative("x"));
    }
}
