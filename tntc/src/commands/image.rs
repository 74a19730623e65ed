//! `tntc image build`: the tntc-host container image as an OCI image layout, written
//! without any daemon (`tntc-image`), optionally pushed to a registry.
//!
//! Finds the static host binary, runs it with `--prepare` to compile the runtime into a
//! temporary cache, writes the layout (the host, CA certificates, `/etc/passwd`, `/tmp`;
//! then the compiled cache), saves the tag to `./.tentacular/base-image.txt` (which `tntc
//! deploy` reads) and, with `--push`, pushes it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use tntc_image::layout::{self, ImageInputs};
use tntc_image::push::{self, Progress, PushOptions};
use tntc_image::reference::Reference;
use tntc_image::{PushError, elf};
use tntc_report::image as report;

use crate::errors::{CliResult, Remote, Usage};
use crate::output::Printer;
use crate::settings::{self, Files, Locations, Overrides};

/// The repository of the default tag.
const IMAGE_NAME: &str = "tntc-host";

/// Where the tag is saved, relative to the current directory (`tntc deploy` reads it).
pub const BASE_IMAGE_FILE: &str = ".tentacular/base-image.txt";

/// The musl target the image's host is built for.
const MUSL_TARGET: &str = "x86_64-unknown-linux-musl";

/// `tntc image ...`.
#[derive(Debug, Args)]
pub struct ImageCommandArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ImageCommand,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// Build the tntc-host image as an OCI image layout, without Docker or any daemon.
    ///
    /// Two reproducible layers: the static tntc-host, CA certificates, /etc/passwd with
    /// nobody (65534) and an empty /tmp; then the runtime compiled by `tntc-host --prepare`,
    /// so a pod maps it instead of compiling at start. The image runs `tntc-host --workflow
    /// /app/workflow/workflow.yaml --port 8080` as 65534 (the workflow comes by ConfigMap).
    /// Building twice gives the same digest. The tag is saved to ./.tentacular/base-image.txt
    /// for `tntc deploy`. `-o json` prints {tag, digest, layout, size, blobs, pushed}.
    Build(BuildArgs),
}

/// `tntc image build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The OCI image layout directory to write.
    #[arg(long, value_name = "DIR", default_value = ".tentacular/image")]
    pub out: PathBuf,

    /// The image's tag [default: <registry>/tntc-host:<version> with a registry from -r or
    /// the config files, else tntc-host:<version>].
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,

    /// Registry of the default tag [default: the config files' registry].
    #[arg(short = 'r', long, value_name = "REGISTRY")]
    pub registry: Option<String>,

    /// Push the image to the tag's registry (credentials from ~/.docker/config.json).
    #[arg(long)]
    pub push: bool,

    /// Push over plain http (only to a registry on loopback, e.g. 127.0.0.1:5000).
    #[arg(long, requires = "push")]
    pub insecure_registry: bool,

    /// The static tntc-host to put in the image [default: next to tntc, else the
    /// workspace's target/x86_64-unknown-linux-musl/{pod,release}/tntc-host].
    #[arg(long, value_name = "PATH")]
    pub host_binary: Option<PathBuf>,
}

impl ImageCommandArgs {
    /// Runs the subcommand.
    pub fn execute(self, out: &Printer) -> CliResult {
        match self.command {
            ImageCommand::Build(args) => args.execute(out),
        }
    }
}

impl BuildArgs {
    /// Builds (and pushes) the image.
    pub fn execute(self, out: &Printer) -> CliResult {
        let (tag, tag_origin) = self.tag()?;
        let reference =
            Reference::parse(&tag).map_err(|e| anyhow::Error::new(Usage(e.to_string())))?;
        let (host_path, host_binary) = find_host(self.host_binary.as_deref())?;
        out.note(format!("host binary: {}", host_path.display()));
        let ca_certificates = std::fs::read(layout::CA_CERTIFICATES).with_context(|| {
            format!(
                "cannot read the CA certificates to put in the image ({})\n  help: install them (`apt-get install ca-certificates`)",
                layout::CA_CERTIFICATES
            )
        })?;
        out.note("compiling the runtime cache (tntc-host --prepare)...");
        let runtime_cache = prepare_cache(&host_path)?;
        let inputs = ImageInputs {
            host_binary,
            ca_certificates,
            runtime_cache,
            version: env!("CARGO_PKG_VERSION").into(),
        };
        let written = layout::write(&self.out, &inputs, &reference.tag)?;
        for blob in &written.blobs {
            out.note(format!(
                "  {:<22} {}  {}",
                blob.role,
                blob.digest,
                human_bytes(blob.size)
            ));
        }
        let tag_file = PathBuf::from(BASE_IMAGE_FILE);
        super::write_file(&tag_file, &format!("{tag}\n"))?;

        let pushed = if self.push {
            Some(self.push(out, &reference)?)
        } else {
            None
        };
        if out.json() {
            out.report(&report::Report {
                tag: tag.clone(),
                tag_origin,
                digest: written.digest.clone(),
                layout: written.dir.display().to_string(),
                size: written.compressed_size(),
                blobs: written
                    .blobs
                    .iter()
                    .map(|b| report::Blob {
                        role: b.role.clone(),
                        digest: b.digest.clone(),
                        size: b.size,
                    })
                    .collect(),
                host_binary: host_path.display().to_string(),
                tag_file: tag_file.display().to_string(),
                pushed: pushed.map(|p| report::Pushed {
                    reference: p.reference,
                    uploaded_bytes: p.uploaded.iter().map(|(_, size)| size).sum(),
                    uploaded: p.uploaded.into_iter().map(|(d, _)| d).collect(),
                    present: p.present,
                }),
            });
        } else {
            out.line(format!(
                "Built {tag} ({}, {} compressed) in {}",
                written.digest,
                human_bytes(written.compressed_size()),
                written.dir.display()
            ));
            out.line(format!(
                "Saved the tag to {} for `tntc deploy`",
                tag_file.display()
            ));
            if let Some(p) = &pushed {
                out.line(format!(
                    "Pushed {} ({} blob(s) uploaded, {}; {} already there)",
                    p.reference,
                    p.uploaded.len(),
                    human_bytes(p.uploaded.iter().map(|(_, s)| s).sum()),
                    p.present.len()
                ));
            }
        }
        Ok(ExitCode::SUCCESS)
    }

    /// The tag cascade: `--tag`, `<registry>/tntc-host:<version>`, `tntc-host:<version>`.
    fn tag(&self) -> anyhow::Result<(String, String)> {
        if let Some(tag) = self.tag.as_deref().filter(|t| !t.is_empty()) {
            return Ok((tag.to_owned(), "flag".into()));
        }
        let files = Files::read(&Locations::standard())?;
        let overrides = Overrides {
            registry: self.registry.clone(),
            ..Overrides::default()
        };
        let effective = settings::resolve(&overrides, None, &files);
        let version = env!("CARGO_PKG_VERSION");
        Ok(match effective.registry {
            Some(r) => (
                format!("{}/{IMAGE_NAME}:{version}", r.value.trim_end_matches('/')),
                format!(
                    "registry from {}",
                    match r.origin.file() {
                        Some(file) => format!("{} {}", r.origin.kind(), file.display()),
                        None => r.origin.kind().to_owned(),
                    }
                ),
            ),
            None => (format!("{IMAGE_NAME}:{version}"), "default".into()),
        })
    }

    fn push(&self, out: &Printer, reference: &Reference) -> anyhow::Result<push::Pushed> {
        let options = PushOptions {
            insecure: self.insecure_registry,
            docker_config: None,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let mut progress = |step: Progress<'_>| match step {
            Progress::Uploading { digest, size } => {
                out.note(format!("  uploading {digest}  {}", human_bytes(size)))
            }
            Progress::Present { digest } => out.note(format!("  present   {digest}")),
        };
        runtime
            .block_on(push::push(&self.out, reference, &options, &mut progress))
            .map_err(|e| match e {
                PushError::Reference { .. } | PushError::InsecureNotLoopback { .. } => {
                    anyhow::Error::new(Usage(e.to_string()))
                }
                PushError::Credentials { .. } | PushError::Layout(_) => anyhow::Error::new(e),
                _ => anyhow::Error::new(Remote(e.to_string())),
            })
    }
}

/// The host binary: `--host-binary`, else the first static one of: next to `tntc`, the
/// musl target directories of the workspace `tntc` was built in.
fn find_host(explicit: Option<&Path>) -> anyhow::Result<(PathBuf, Vec<u8>)> {
    let check = |path: &Path| -> anyhow::Result<Vec<u8>> {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        elf::check_static_x86_64(path, &bytes)?;
        Ok(bytes)
    };
    if let Some(path) = explicit {
        return Ok((path.to_path_buf(), check(path)?));
    }
    let exe = std::env::current_exe().context("cannot find the tntc binary's directory")?;
    let mut candidates = Vec::new();
    if let Some(dir) = exe.parent() {
        candidates.push(dir.join("tntc-host"));
        // <target>/<profile>/tntc: the workspace's target directory.
        if let Some(target) = dir.parent() {
            for profile in ["pod", "release"] {
                candidates.push(target.join(MUSL_TARGET).join(profile).join("tntc-host"));
            }
        }
    }
    let mut refused = Vec::new();
    for candidate in &candidates {
        if !candidate.is_file() {
            continue;
        }
        match check(candidate) {
            Ok(bytes) => return Ok((candidate.clone(), bytes)),
            Err(err) => refused.push(format!("{err:#}").lines().next().unwrap_or("").to_owned()),
        }
    }
    let looked: Vec<String> = candidates.iter().map(|c| c.display().to_string()).collect();
    let mut message = format!(
        "no static tntc-host for the image (looked in {})",
        looked.join(", ")
    );
    for line in refused {
        message.push_str(&format!("\n  {line}"));
    }
    message.push_str(&format!("\n  help: {}", elf::BUILD_HELP));
    Err(anyhow::anyhow!(message))
}

/// Runs `host --prepare` into a temporary cache and returns its files, by name.
fn prepare_cache(host: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let cache = dir.path().join("cache");
    let output = std::process::Command::new(host)
        .arg("--prepare")
        .arg("--cache-dir")
        .arg(&cache)
        .env("TNTC_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", host.display()))?;
    anyhow::ensure!(
        output.status.success(),
        "{} --prepare failed ({}): {}",
        host.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    let mut files = Vec::new();
    for entry in
        std::fs::read_dir(&cache).with_context(|| format!("cannot read {}", cache.display()))?
    {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".cwasm") {
            files.push((name, std::fs::read(entry.path())?));
        }
    }
    files.sort();
    anyhow::ensure!(
        !files.is_empty(),
        "{} --prepare wrote nothing into {}",
        host.display(),
        cache.display()
    );
    Ok(files)
}

fn human_bytes(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / (1 << 20) as f64)
    } else if n >= 1 << 10 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}
