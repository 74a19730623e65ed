//! The process's one wasmtime [`Engine`] (how it is configured, and why) and its epoch
//! ticker.
//!
//! Configuration, each choice measured (see `examples/run_bench.rs` and the crate docs):
//! - pooling allocator: instance, memory and stack slots are reserved once and reused.
//!   With `pagemap_scan` (Linux >= 6.7) the pages a run dirtied are found with one ioctl
//!   and restored in place (up to `KEEP_RESIDENT` bytes of them; beyond that they are
//!   decommitted), so a fresh sandbox costs no page faults: 27 us per trivial run here
//!   (see `bench/README.md`), 215 us without it when last measured. Without the scan
//!   keep-resident would mean resetting whole regions, so it stays 0. The teardown is then
//!   about 11 us of a trivial run: the scan visits every page the run (or an earlier run
//!   in the slot) mapped, about 20 ns each, and every written page is copied back from the
//!   image; the guest runtime lays its heap out to keep both sets small
//!   (`guest-runtime/src/prelude.rs`).
//! - epoch interruption: a ticker thread bumps the epoch every `epoch_tick`; each running
//!   store then yields to the executor (a busy loop never starves other runs) and traps
//!   once past its deadline.
//! - fuel only on request (`cpu_fuel`): it slows CPU-heavy code by 20-40%.
//! - async: `wait` and `fetch` suspend the run's fiber, not a thread.

use crate::config::SandboxConfig;
use crate::error::SandboxError;
use std::sync::mpsc;
use std::time::Duration;
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How many bytes of dirtied linear memory (and table) are restored in place after a run
/// rather than decommitted (with `pagemap_scan`). A trivial run dirties far less; 2 MiB
/// and 8 MiB gave the same median.
const KEEP_RESIDENT: usize = 2 * 1024 * 1024;

/// Native stack of a run's fiber beyond the wasm stack limit, for host calls.
const HOST_STACK_HEADROOM: usize = 512 * 1024;

/// Creates the engine described by `config`.
pub(crate) fn create(config: &SandboxConfig) -> Result<Engine, SandboxError> {
    let slots = config.max_concurrent_runs;
    let mut pool = PoolingAllocationConfig::new();
    // Each run holds one memory and one or two instances (the runtime, and the node module
    // when it is not the compiler's glue); compiling borrows a slot like a run. A run's
    // `wait` may call back into the guest (`cabi_realloc`) on a second fiber, hence two
    // stacks per slot.
    pool.total_core_instances(slots * 2)
        .total_memories(slots)
        .total_tables(slots)
        .total_stacks(slots * 2)
        .max_memory_size(config.max_memory_bytes)
        .table_elements(100_000);
    if PoolingAllocationConfig::is_pagemap_scan_available() {
        pool.pagemap_scan(Enabled::Yes)
            .linear_memory_keep_resident(KEEP_RESIDENT)
            .table_keep_resident(KEEP_RESIDENT);
    }

    let mut wasm = Config::new();
    wasm.epoch_interruption(config.epoch_interruption)
        .consume_fuel(config.cpu_fuel)
        .max_wasm_stack(config.max_wasm_stack_bytes)
        .async_stack_size(config.max_wasm_stack_bytes + HOST_STACK_HEADROOM)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Engine::new(&wasm).map_err(|e| SandboxError::Engine(format!("{e:#}")))
}

/// Bumps the engine's epoch every `tick` until dropped (not started when the engine has no
/// epoch interruption).
pub(crate) struct EpochTicker {
    // Dropping the sender wakes and ends the thread.
    _stop: mpsc::Sender<()>,
}

impl EpochTicker {
    pub(crate) fn start(engine: &Engine, tick: Duration) -> Result<Self, SandboxError> {
        let (stop, stopped) = mpsc::channel::<()>();
        let engine = engine.clone();
        std::thread::Builder::new()
            .name("tntc-epoch".into())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(tick) {
                    engine.increment_epoch();
                }
            })
            .map_err(SandboxError::Ticker)?;
        Ok(Self { _stop: stop })
    }
}
