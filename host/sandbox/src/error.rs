//! Errors. [`NodeFailure`] messages are written to follow `Node "<id>" `, which the
//! executor prepends: `Node "fetch" timed out after 500ms`.

use std::path::PathBuf;
use std::time::Duration;

/// The sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A [`SandboxConfig`](crate::SandboxConfig) field is out of range.
    #[error("invalid sandbox configuration: {0}")]
    Config(String),
    /// wasmtime rejected the engine configuration (for instance, the pooling allocator
    /// could not reserve address space).
    #[error("cannot create the WebAssembly engine: {0}")]
    Engine(String),
    /// The guest runtime could not be pre-initialized, compiled or linked: a build defect.
    #[error("cannot prepare the guest runtime: {0}")]
    Runtime(#[from] RuntimeError),
    /// The epoch ticker thread could not be started.
    #[error("cannot start the sandbox's epoch ticker thread: {0}")]
    Ticker(#[source] std::io::Error),
}

/// Why the guest runtime could not be made ready (each a defect of the build, not of the
/// workflow: the runtime is embedded in the binary).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuntimeError {
    /// wizer could not instrument, run or snapshot `initialize-runtime`.
    #[error("pre-initialization failed: {0}")]
    Preinitialize(String),
    /// The JIT rejected the pre-initialized runtime.
    #[error("cannot compile the pre-initialized runtime: {0}")]
    Compile(String),
    /// The compiled runtime could not be loaded back.
    #[error("cannot load the compiled runtime: {0}")]
    Load(String),
    /// Its imports cannot be linked to the host's functions.
    #[error("cannot link the runtime's imports: {0}")]
    Link(String),
    /// Its exports are not those of `wit/node.wit`.
    #[error("the runtime does not follow wit/node.wit: {0}")]
    Abi(String),
}

/// Why the on-disk cache was not used for an entry (or at all). Never fatal: the artifact
/// is compiled in memory instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CacheError {
    /// The directory or an entry may have been written by someone else: it is native code,
    /// so it is not run.
    #[error(
        "ignored the compiled-code cache {}: {reason}; compiling in memory (the cache must belong to this user or root and not be writable by others)",
        path.display()
    )]
    Untrusted {
        /// The directory or entry.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// An entry could not be read.
    #[error("cannot read the compiled-code cache {}: {reason}", path.display())]
    Read {
        /// The entry.
        path: PathBuf,
        /// The system's error.
        reason: String,
    },
    /// An entry's checksum does not match: it is replaced.
    #[error("the compiled-code cache entry {} is corrupt; rebuilt it", path.display())]
    Corrupt {
        /// The entry.
        path: PathBuf,
    },
    /// An entry is not for this engine (another wasmtime or settings): it is replaced.
    #[error("the compiled-code cache entry {} does not fit this engine ({reason}); rebuilt it", path.display())]
    Incompatible {
        /// The entry.
        path: PathBuf,
        /// wasmtime's reason.
        reason: String,
    },
    /// The directory or an entry could not be written: the next start compiles again.
    #[error("cannot write the compiled-code cache in {}: {reason}", dir.display())]
    Write {
        /// The cache directory.
        dir: PathBuf,
        /// The system's error.
        reason: String,
    },
}

/// `compile_js` failed.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The source is not a valid ES module (QuickJS's parser rejected it). `stack` holds
    /// the position, like `    at nodes/x.js:3:7`.
    #[error("{message}{}", stack.as_deref().map(|s| format!("\n{}", s.trim_end())).unwrap_or_default())]
    Syntax {
        /// QuickJS's message, like `unexpected token in expression: ')'`.
        message: String,
        /// Where, when QuickJS says.
        stack: Option<String>,
    },
    /// The runtime itself failed (out of memory, a trap, a broken ABI).
    #[error("the runtime failed while compiling: {0}")]
    Runtime(String),
}

impl From<tntc_abi::GuestError> for CompileError {
    fn from(error: tntc_abi::GuestError) -> Self {
        CompileError::Syntax {
            message: error.message,
            stack: error.stack,
        }
    }
}

/// `load_node` rejected a node module.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Not a valid WebAssembly module.
    #[error("the node module is not valid WebAssembly: {0}")]
    Invalid(String),
    /// Valid WebAssembly, but not the node-module ABI of `wit/node.wit`.
    #[error("the node module does not follow the tntc node ABI: {0} (rebuild it with this tntc)")]
    Abi(String),
    /// The `tntc-node` custom section is missing or malformed.
    #[error("the node module's `tntc-node` metadata section is unusable: {0}")]
    Metadata(String),
    /// wasmtime could not compile it.
    #[error("cannot compile the node module: {0}")]
    Compile(String),
}

/// Why a node run failed. `Display` reads after `Node "<id>" `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NodeFailure {
    /// The run passed its wall-clock limit (busy, or waiting).
    #[error("timed out after {}ms", limit.as_millis())]
    Timeout {
        /// The run's [`RunLimits::timeout`](crate::RunLimits::timeout).
        limit: Duration,
    },
    /// The run tried to grow its memory past its limit.
    #[error("exceeded its {} memory limit", format_bytes(*limit_bytes))]
    MemoryLimit {
        /// The run's [`RunLimits::memory_bytes`](crate::RunLimits::memory_bytes).
        limit_bytes: usize,
    },
    /// The run used up its CPU budget.
    #[error("exceeded its CPU budget of {fuel} fuel units")]
    FuelExhausted {
        /// The run's [`RunLimits::fuel`](crate::RunLimits::fuel).
        fuel: u64,
    },
    /// The native WebAssembly stack overflowed (unbounded recursion that QuickJS's own
    /// stack check did not catch).
    #[error("overflowed its stack (unbounded recursion?)")]
    StackOverflow,
    /// The runtime trapped (`unreachable`, an out-of-bounds access, ...) or the node broke
    /// a host rule that ends the run (too many pending timers): not a JavaScript exception.
    #[error("crashed: {message}")]
    Trap {
        /// wasmtime's description of the trap.
        message: String,
    },
    /// The node threw, or its promise rejected.
    #[error("failed: {message}")]
    Threw {
        /// The error's `message` (for non-`Error` throws, the value as a string).
        message: String,
        /// QuickJS's stack trace of the emitted JavaScript, when there is one.
        stack: Option<String>,
    },
    /// The node module could not be loaded: its top-level code threw, or its default
    /// export is not a function.
    #[error("failed to load: {message}")]
    LoadFailed {
        /// The error's `message`.
        message: String,
        /// QuickJS's stack trace, when there is one.
        stack: Option<String>,
    },
    /// The node's promise was still pending with no timer or fetch left that could
    /// settle it.
    #[error("never settled: its promise was still pending with no timer or fetch left to wait for")]
    NeverSettled,
    /// The output is not valid JSON (only possible when node code replaced JSON.stringify
    /// or similar).
    #[error("returned output that is not valid JSON: {reason}")]
    OutputNotJson {
        /// The JSON parser's complaint.
        reason: String,
    },
    /// The output is bigger than the run's limit (it is never truncated).
    #[error("returned {} of output, over its {} limit", format_bytes(*size), format_bytes(*limit))]
    OutputTooLarge {
        /// Output size in bytes.
        size: usize,
        /// The run's [`RunLimits::max_output_bytes`](crate::RunLimits::max_output_bytes).
        limit: usize,
    },
    /// The request cannot be honoured by this sandbox (a memory limit above the engine's
    /// maximum, fuel without fuel metering).
    #[error("cannot run: {0}")]
    InvalidRequest(String),
    /// The sandbox itself failed (instantiation, a broken runtime ABI, no Tokio runtime).
    #[error("could not be run: {0}")]
    Internal(String),
}

/// `64 MiB`, `1.5 KiB`, `900 bytes`.
pub(crate) fn format_bytes(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * KIB;
    let (unit, name) = if bytes >= MIB && bytes.is_multiple_of(MIB / 10) || bytes >= 10 * MIB {
        (MIB, "MiB")
    } else if bytes >= KIB {
        (KIB, "KiB")
    } else {
        return format!("{bytes} bytes");
    };
    if bytes.is_multiple_of(unit) {
        format!("{} {name}", bytes / unit)
    } else {
        format!("{:.1} {name}", bytes as f64 / unit as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_limit_reads_in_mebibytes() {
        let failure = NodeFailure::MemoryLimit {
            limit_bytes: 64 * 1024 * 1024,
        };
        assert_eq!(failure.to_string(), "exceeded its 64 MiB memory limit");
    }

    #[test]
    fn timeout_reads_in_milliseconds() {
        let failure = NodeFailure::Timeout {
            limit: Duration::from_millis(500),
        };
        assert_eq!(failure.to_string(), "timed out after 500ms");
    }

    #[test]
    fn byte_sizes_pick_a_readable_unit() {
        assert_eq!(format_bytes(900), "900 bytes");
        assert_eq!(format_bytes(1536), "1.5 KiB");
        assert_eq!(format_bytes(16 * 1024 * 1024), "16 MiB");
    }

    #[test]
    fn syntax_errors_show_the_position_on_the_next_line() {
        let error = CompileError::Syntax {
            message: "unexpected token".into(),
            stack: Some("    at nodes/x.js:3:7\n".into()),
        };
        assert_eq!(error.to_string(), "unexpected token\n    at nodes/x.js:3:7");
    }
}
