//! Where the compiled runtime is cached between process starts.

use std::path::PathBuf;

/// `$TNTC_CACHE_DIR`, else `$XDG_CACHE_HOME/tntc`, else `~/.cache/tntc`, else
/// `/tmp/tntc-cache` (a pod's writable emptyDir).
pub fn default_cache_dir() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("TNTC_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("tntc")))
        .or_else(|| env("HOME").map(|d| d.join(".cache/tntc")))
        .unwrap_or_else(|| PathBuf::from("/tmp/tntc-cache"))
}
