//! `tntc deploy [dir]`: put a workflow on a cluster, or (`--dry-run`) print its objects.
//!
//! Resolves where the workflow goes (namespace, image, runtime class), builds the bundle
//! when `dist/` is missing or stale, reads the local secrets, and renders the objects with
//! `tntc-manifests`; then prints them (`--dry-run`) or applies them with `tntc-cluster`
//! ([`apply`]).

mod apply;
mod stale;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use tntc_manifests::{Manifests, Target};

use super::{invalid, load};
use crate::errors::{CliResult, Usage, usage};
use crate::output::{OutputFormat, Printer};
use crate::settings::{self, ConfigError, Files, Locations, Origin, Overrides, WorkflowNamespace};

/// The image when nothing names one: the host image `tntc image build` tags by default.
const DEFAULT_IMAGE_NAME: &str = "tntc-host";

/// Where `tntc image build` records the tag it built, relative to a directory.
use super::image::BASE_IMAGE_FILE;

/// The runtime-class value that means "no RuntimeClass".
const NO_RUNTIME_CLASS: &str = "none";

/// `tntc deploy`.
#[derive(Debug, Args)]
pub struct DeployArgs {
    /// Workflow directory, or its workflow.yaml.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Print the objects instead of applying them, touching nothing. With `-o yaml`, every
    /// object as one YAML stream; with `-o json`, a JSON list; otherwise a summary. Secret
    /// values are always redacted.
    #[arg(long)]
    pub dry_run: bool,

    /// The tntc-host image [default: <DIR>/.tentacular/base-image.txt, then
    /// ./.tentacular/base-image.txt, then <registry>/tntc-host:<version> with a registry
    /// from -r or the config files, then tntc-host:<version>].
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,

    /// RuntimeClass of the pods, or `none` for clusters without gVisor [default: the config
    /// files' runtime_class, then gvisor].
    #[arg(long, value_name = "NAME")]
    pub runtime_class: Option<String>,

    /// imagePullPolicy of the workflow's container [default: Always].
    #[arg(long, value_name = "POLICY", value_parser = ["Always", "IfNotPresent", "Never"])]
    pub image_pull_policy: Option<String>,

    /// Registry of the default image, `<REGISTRY>/tntc-host:<version>` [default: the
    /// config files' registry].
    #[arg(short = 'r', long, value_name = "REGISTRY")]
    pub registry: Option<String>,

    #[command(flatten)]
    pub apply: apply::ApplyArgs,
}

impl DeployArgs {
    /// Runs `tntc deploy`.
    pub fn execute(self, out: &Printer) -> CliResult {
        run(out, &self)
    }
}

/// Help shown after the options.
pub const HELP: &str = "Namespace: -n, then the workflow's deployment.namespace, then the config files, then `default`.

Applying: server-side apply (field manager tntc) of every object in order, then the workflow's
objects the new set no longer has are deleted (a removed cron trigger's CronJob; never the
Secret). Prints created|configured|unchanged|pruned Kind/name per object; -o json prints
{version, command, status, summary, hints, timing, objects, rollout}.

Examples:
  tntc deploy examples/word-count -n team-a             # apply, then wait on a terminal
  tntc deploy . --no-wait -o json                       # for scripts and CI
  tntc deploy examples/word-count --dry-run -o yaml     # every object, as kubectl reads them
  tntc deploy . --dry-run -o yaml | kubectl apply --dry-run=server -f -
  tntc deploy . --dry-run -n team-a --runtime-class none   # a cluster without gVisor";

/// Where a setting came from, for the summary and `-o json`.
#[derive(Debug)]
struct Chosen {
    value: String,
    origin: String,
}

fn run(out: &Printer, args: &DeployArgs) -> CliResult {
    if !args.dry_run && out.format() == OutputFormat::Yaml {
        return usage(
            "-o yaml prints the objects without applying them: add --dry-run (or use -o json, which prints what was applied)",
        );
    }
    let (loaded, checked) = match load(out, &args.dir)? {
        Ok(ok) => ok,
        Err(loaded) => return Err(invalid(&loaded).into()),
    };
    let wf = &checked.workflow;

    let files = read_config(out)?;
    let overrides = Overrides {
        namespace: args.apply.cluster.namespace.clone(),
        registry: args.registry.clone(),
        runtime_class: args.runtime_class.clone(),
    };
    let workflow_ns = wf.deployment.namespace.clone().map(|ns| WorkflowNamespace {
        namespace: ns,
        file: loaded.source.name().to_path_buf(),
    });
    let effective = settings::resolve(&overrides, workflow_ns.as_ref(), &files);
    let namespace = chosen(&effective.namespace);
    check(settings::Key::Namespace, &namespace)?;
    let runtime_class = chosen(&effective.runtime_class);
    let runtime = (runtime_class.value != NO_RUNTIME_CLASS).then(|| runtime_class.value.clone());
    if runtime.is_some() {
        check(settings::Key::RuntimeClass, &runtime_class)?;
    } else {
        out.note(
            "warning: --runtime-class none: the pods run without gVisor, with the node's default container runtime\n  = help: the WebAssembly sandbox still isolates every node; gVisor adds a second wall around the host",
        );
    }
    let image = image(
        &loaded.dir,
        args.image.as_deref(),
        effective.registry.as_ref(),
    )?;

    let bundle_dir = loaded.dir.join("dist");
    if let Some(reason) = stale::reason(&loaded, &bundle_dir) {
        out.note(format!("building {} ({reason})", bundle_dir.display()));
        super::build::write_bundle(out, &loaded, &checked, &bundle_dir)?;
    }

    let secrets = tntc_manifests::local_secrets(&loaded.dir)?;
    let target = Target {
        namespace: namespace.value.clone(),
        image: image.value.clone(),
        runtime_class: runtime,
        image_pull_policy: args.image_pull_policy.clone(),
    };
    let manifests =
        tntc_manifests::render(&bundle_dir, &target, secrets.as_ref().map(|s| &s.values))?;
    if !args.dry_run {
        return apply::apply(out, &manifests, &args.apply);
    }
    let manifests = manifests.redacted();

    match out.format() {
        OutputFormat::Yaml => out.text(&manifests.to_yaml()),
        OutputFormat::Json => out.report(&manifests.to_json()),
        OutputFormat::Text => print_summary(
            out,
            &manifests,
            &[
                ("namespace", &namespace),
                ("image", &image),
                ("runtime class", &runtime_class),
            ],
            secrets.as_ref().map(|s| s.source.as_path()),
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// An error when `chosen` is no valid `key`: a usage error when it came from a flag.
fn check(key: settings::Key, chosen: &Chosen) -> Result<(), crate::errors::CliError> {
    let Err(why) = key.check(&chosen.value) else {
        return Ok(());
    };
    let message = format!("{} {why} (from {})", key.name(), chosen.origin);
    Err(if chosen.origin == "flag" {
        anyhow::Error::new(Usage(message)).into()
    } else {
        anyhow::anyhow!(message).into()
    })
}

fn chosen(resolved: &settings::Resolved) -> Chosen {
    Chosen {
        value: resolved.value.clone(),
        origin: origin(&resolved.origin),
    }
}

fn origin(origin: &Origin) -> String {
    match origin.file() {
        Some(file) => format!("{} {}", origin.kind(), file.display()),
        None => origin.kind().to_owned(),
    }
}

fn read_config(out: &Printer) -> anyhow::Result<Files> {
    match Files::read(&Locations::standard()) {
        Ok(files) => Ok(files),
        Err(err) => {
            if let ConfigError::Invalid { file, diagnostics } = &err {
                out.diagnostics(file, diagnostics);
            }
            Err(err.into())
        }
    }
}

/// The image cascade: `--image`, `<dir>/.tentacular/base-image.txt`,
/// `./.tentacular/base-image.txt`, `<registry>/tntc-host:<version>`, `tntc-host:<version>`.
fn image(
    dir: &Path,
    flag: Option<&str>,
    registry: Option<&settings::Resolved>,
) -> anyhow::Result<Chosen> {
    if let Some(image) = flag.filter(|i| !i.is_empty()) {
        return Ok(Chosen {
            value: image.to_owned(),
            origin: "flag".into(),
        });
    }
    for base in [dir, Path::new(".")] {
        let file = base.join(BASE_IMAGE_FILE);
        match std::fs::read_to_string(&file) {
            Ok(text) => {
                let image = text.trim();
                anyhow::ensure!(
                    !image.is_empty() && !image.contains(char::is_whitespace),
                    "{} should hold one image reference, like ghcr.io/acme/tntc-host:0.1.0\n  help: rebuild it with `tntc image build`, or pass --image",
                    file.display()
                );
                return Ok(Chosen {
                    value: image.to_owned(),
                    origin: format!("file {}", file.display()),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", file.display())),
        }
    }
    let version = env!("CARGO_PKG_VERSION");
    Ok(match registry {
        Some(r) => Chosen {
            value: format!(
                "{}/{DEFAULT_IMAGE_NAME}:{version}",
                r.value.trim_end_matches('/')
            ),
            origin: format!("registry from {}", origin(&r.origin)),
        },
        None => Chosen {
            value: format!("{DEFAULT_IMAGE_NAME}:{version}"),
            origin: "default".into(),
        },
    })
}

fn print_summary(
    out: &Printer,
    manifests: &Manifests,
    settings: &[(&str, &Chosen)],
    secrets: Option<&Path>,
) {
    out.line(format!(
        "Dry run: {} {} would be applied as {} objects (nothing was sent to a cluster)",
        manifests.workflow,
        manifests.version,
        manifests.objects.len()
    ));
    for (name, chosen) in settings {
        out.line(format!(
            "  {name:<14} {}  ({})",
            chosen.value, chosen.origin
        ));
    }
    let secrets = match secrets {
        Some(path) => format!("from {}", path.display()),
        None => "none (an existing Secret is left alone)".into(),
    };
    out.line(format!("  {:<14} {secrets}", "secrets"));
    out.line("");
    for m in &manifests.objects {
        out.line(format!("  {}", m.display_name()));
    }
    out.line(format!(
        "\nThe bundle is {} of the ConfigMap's {} limit. `-o yaml` prints every object.",
        super::build::human_bytes(manifests.bundle_size()),
        super::build::human_bytes(tntc_manifests::CONFIGMAP_LIMIT)
    ));
}
