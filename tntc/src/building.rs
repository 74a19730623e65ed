//! How the CLI builds: the sandbox its commands compile and run nodes with, and what it
//! prints when a build fails (the build itself is `tntc-build`).

use tntc_build::{BuildError, CompiledNode};
use tntc_sandbox::{CacheError, Sandbox, SandboxConfig, default_cache_dir};
use tntc_spec::Checked;

use crate::errors::{CliError, InvalidWorkflow};
use crate::output::{Printer, count};

/// The sandbox tools compile and run with, its runtime cached like the host's.
pub fn tool_sandbox(max_memory_bytes: usize, cpu_fuel: bool) -> anyhow::Result<Sandbox> {
    let config = SandboxConfig {
        cache_dir: Some(default_cache_dir()),
        max_memory_bytes: max_memory_bytes.max(SandboxConfig::default().max_memory_bytes),
        cpu_fuel,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::new(config)?;
    // The cache holds native code: when it was refused (someone else could have written
    // it), say so; slower compiles are the only other sign.
    if let Some(note @ CacheError::Untrusted { .. }) = &sandbox.runtime_load().cache_note {
        eprintln!("warning: {note}");
    }
    Ok(sandbox)
}

/// The compiled nodes, or every build error printed and the command stopped with
/// `cannot <verb> <workflow>: N errors in its nodes` (exit 3).
pub fn nodes_or_bail(
    out: &Printer,
    verb: &str,
    checked: &Checked,
    compiled: Result<Vec<CompiledNode>, BuildError>,
) -> Result<Vec<CompiledNode>, CliError> {
    compiled.map_err(|error| {
        for line in error.render(out.color()) {
            out.note(line);
        }
        anyhow::Error::new(InvalidWorkflow(format!(
            "cannot {verb} {}: {} in its nodes",
            checked.workflow.name,
            count(error.len(), "error")
        )))
        .into()
    })
}
