//! What the embedding host chooses: engine-wide settings ([`SandboxConfig`]) and per-run
//! limits ([`RunLimits`]).

use crate::error::SandboxError;
use std::path::PathBuf;
use std::time::Duration;

const MIB: usize = 1024 * 1024;

/// Engine-wide settings, fixed for the life of a [`Sandbox`](crate::Sandbox).
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Where the pre-initialized, precompiled runtime is cached (created `0700`). `None`
    /// rebuilds it at every start (about a second of wizer and JIT).
    pub cache_dir: Option<PathBuf>,
    /// A read-only cache consulted before [`cache_dir`](Self::cache_dir) and never written
    /// or swept: one baked into a container image by `tntc-host --prepare`. The same trust
    /// rules hold (its owner is this user or root, nobody else may write it). What it lacks
    /// (a node module, or a runtime compiled by another host build) is compiled and cached
    /// in `cache_dir`.
    pub seed_cache_dir: Option<PathBuf>,
    /// How many node runs may hold a sandbox at once; further runs wait for a free slot.
    /// Sizes the pooling allocator (address space is reserved for each slot up front).
    pub max_concurrent_runs: u32,
    /// The most linear memory any run may be given ([`RunLimits::memory_bytes`]).
    pub max_memory_bytes: usize,
    /// Enables fuel metering so runs can have a CPU budget ([`RunLimits::fuel`]). Costs
    /// 20-40% of CPU-heavy node speed, so it is off unless asked for.
    pub cpu_fuel: bool,
    /// How often running nodes yield to the async executor and check their deadline.
    /// Deadlines are enforced to within about one tick.
    pub epoch_tick: Duration,
    /// Native stack for WebAssembly, in bytes: it bounds JavaScript recursion (about 700
    /// bytes per frame, so the default allows about 5000 frames; QuickJS's own recursion
    /// limit does not exist on WASI). Going beyond the guest's 4 MiB shadow stack would
    /// let deep recursion end in an out-of-bounds trap instead of a clean
    /// [`NodeFailure::StackOverflow`](crate::NodeFailure::StackOverflow).
    pub max_wasm_stack_bytes: usize,
    /// Epoch interruption: running code checks the epoch at loop heads and calls, which
    /// makes busy nodes yield each [`epoch_tick`](Self::epoch_tick) and trap at their
    /// deadline. Always on in a host. **A benchmark knob** (`tntc bench --compare-limits`
    /// turns it off to measure what the checks cost): without it a busy loop runs past its
    /// deadline and holds its executor thread; only time spent waiting on timers and
    /// fetches is bounded.
    pub epoch_interruption: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            cache_dir: None,
            seed_cache_dir: None,
            // Below 128 slots wasmtime keeps its pool in one shard instead of one per CPU: a
            // node run then reuses the most recently used slot whichever worker thread runs
            // it, and a host serving sequential traffic keeps one slot's pages resident instead
            // of one per core (idle RSS 15.2 -> 14.4 MiB on 2 cores, measured with bench/).
            max_concurrent_runs: 100,
            max_memory_bytes: 256 * MIB,
            cpu_fuel: false,
            epoch_tick: Duration::from_millis(10),
            max_wasm_stack_bytes: 4 * MIB,
            epoch_interruption: true,
        }
    }
}

impl SandboxConfig {
    /// The defaults with a cache directory.
    pub fn with_cache_dir(cache_dir: impl Into<PathBuf>) -> Self {
        Self {
            cache_dir: Some(cache_dir.into()),
            ..Self::default()
        }
    }

    pub(crate) fn validate(&self) -> Result<(), SandboxError> {
        let problem = if self.max_concurrent_runs == 0 {
            Some("max_concurrent_runs must be at least 1".to_string())
        } else if self.max_concurrent_runs > 10_000 {
            Some(format!(
                "max_concurrent_runs is {}; at most 10000 (each slot reserves 4 GiB of address space)",
                self.max_concurrent_runs
            ))
        } else if self.max_memory_bytes < 16 * MIB {
            Some(format!(
                "max_memory_bytes is {}; the runtime needs at least 16 MiB",
                self.max_memory_bytes
            ))
        } else if self.max_memory_bytes > 4096 * MIB {
            Some(format!(
                "max_memory_bytes is {}; 32-bit WebAssembly memories stop at 4 GiB",
                self.max_memory_bytes
            ))
        } else if self.epoch_tick < Duration::from_millis(1)
            || self.epoch_tick > Duration::from_secs(1)
        {
            Some(format!(
                "epoch_tick is {:?}; use 1 ms to 1 s",
                self.epoch_tick
            ))
        } else if !(256 * 1024..=64 * MIB).contains(&self.max_wasm_stack_bytes) {
            Some(format!(
                "max_wasm_stack_bytes is {}; use 256 KiB to 64 MiB",
                self.max_wasm_stack_bytes
            ))
        } else {
            None
        };
        match problem {
            Some(problem) => Err(SandboxError::Config(problem)),
            None => Ok(()),
        }
    }
}

/// Limits for one node run. The defaults suit a typical workflow node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunLimits {
    /// Linear memory cap (the whole QuickJS heap and stack); at most
    /// [`SandboxConfig::max_memory_bytes`]. Default 64 MiB.
    pub memory_bytes: usize,
    /// Wall-clock limit from the moment the run gets its sandbox, including time spent
    /// waiting on timers and fetches. Default 30 s (the original engine's default).
    pub timeout: Duration,
    /// CPU budget in wasmtime fuel units (roughly one per WebAssembly instruction); needs
    /// [`SandboxConfig::cpu_fuel`]. `None`: unlimited.
    pub fuel: Option<u64>,
    /// Largest output JSON accepted; a bigger output fails the run (never truncated).
    /// Default 16 MiB.
    pub max_output_bytes: usize,
    /// Bytes of log lines (ctx.log, console, stdout/stderr) passed to the host; the rest
    /// is dropped after one notice. Default 1 MiB.
    pub max_log_bytes: usize,
}

impl Default for RunLimits {
    fn default() -> Self {
        Self {
            memory_bytes: 64 * MIB,
            timeout: Duration::from_secs(30),
            fuel: None,
            max_output_bytes: 16 * MIB,
            max_log_bytes: MIB,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid() {
        assert!(SandboxConfig::default().validate().is_ok());
    }

    #[test]
    fn zero_concurrency_is_rejected_with_the_field_name() {
        let config = SandboxConfig {
            max_concurrent_runs: 0,
            ..SandboxConfig::default()
        };
        let error = config.validate().unwrap_err().to_string();
        assert!(error.contains("max_concurrent_runs"), "{error}");
    }

    #[test]
    fn memory_beyond_32_bit_wasm_is_rejected() {
        let config = SandboxConfig {
            max_memory_bytes: 8192 * MIB,
            ..SandboxConfig::default()
        };
        assert!(config.validate().is_err());
    }
}
