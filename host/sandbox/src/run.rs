//! One node run: a fresh store, the runtime instantiated from its `InstancePre`, the
//! node's bytecode handed to `load-node` (by the host for the compiler's glue, see
//! `tntc_abi::glue`; by the node module's own `load` for any other module), the invocation
//! written into linear memory, `run`, the output read back, the store dropped. Nothing
//! survives into the next run.

use crate::abi::RuntimeImport;
use crate::config::RunLimits;
use crate::error::NodeFailure;
use crate::host::NodeHost;
use crate::memory::{AbiViolation, read_bytes, read_result};
use crate::node::NodeModule;
use crate::ops::TooManyPending;
use crate::runtime::{Runtime, RuntimeInstance};
use crate::state::{MemoryLimitExceeded, RunState};
use crate::store::{DeadlineExceeded, new_store};
use crate::wasi::GuestExit;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use wasmtime::{Extern, Instance, Store, Trap};

/// What to run a node with.
#[derive(Clone)]
pub struct RunRequest {
    /// The invocation JSON ([`tntc_abi::Invocation`]; see `wit/node.wit`).
    pub invocation_json: String,
    /// Memory, time, CPU, output and log limits.
    pub limits: RunLimits,
    /// Logging and outbound HTTP for this run.
    pub host: Arc<dyn NodeHost>,
}

/// A successful run.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// The node's output as JSON text (`undefined` became `null`); validated as JSON.
    pub output: String,
    /// Where the time went.
    pub stats: RunStats,
}

/// Timing and resource use of one run (also measured for failed runs, but only returned
/// with successes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Waiting for a free sandbox slot.
    pub queued: Duration,
    /// New store and runtime instance (and the node module's, when it is not the compiler's
    /// glue).
    pub instantiate: Duration,
    /// The node module's `load`: evaluating the node's bytecode.
    pub load: Duration,
    /// Writing the invocation JSON into linear memory.
    pub input: Duration,
    /// The runtime's `run`: the node itself, including time waiting on timers and fetches.
    pub run: Duration,
    /// Reading and validating the output.
    pub output: Duration,
    /// Dropping the store (returning the slot to the pool).
    pub teardown: Duration,
    /// Largest linear memory size reached, in bytes.
    pub memory_peak_bytes: usize,
    /// Fuel consumed, when the engine meters fuel.
    pub fuel_consumed: Option<u64>,
}

/// Why `drive` stopped early, before classification.
enum Stop {
    Wasm(wasmtime::Error),
    Failure(NodeFailure),
    /// The guest returned `err` with this `{"message","stack"}` JSON.
    Guest {
        json: String,
        loading: bool,
    },
}

impl From<wasmtime::Error> for Stop {
    fn from(error: wasmtime::Error) -> Self {
        Stop::Wasm(error)
    }
}

impl NodeModule {
    /// Runs the node once in a fresh sandbox.
    ///
    /// Must be awaited within a Tokio runtime with the time driver enabled (timers and
    /// the deadline use it). Waits for a free slot when `max_concurrent_runs` runs are
    /// in progress; the timeout starts once the slot is taken.
    pub async fn run(&self, request: RunRequest) -> Result<RunOutput, NodeFailure> {
        let sandbox = &self.inner.sandbox;
        let limits = &request.limits;
        if limits.memory_bytes > sandbox.config.max_memory_bytes {
            return Err(NodeFailure::InvalidRequest(format!(
                "a memory limit of {} bytes is above the sandbox's maximum of {} bytes",
                limits.memory_bytes, sandbox.config.max_memory_bytes
            )));
        }
        let runtime_bytes = sandbox.routing.initial_pages as usize * 65536;
        if limits.memory_bytes < runtime_bytes {
            return Err(NodeFailure::InvalidRequest(format!(
                "a memory limit of {} bytes is below the {} bytes the runtime starts with",
                limits.memory_bytes, runtime_bytes
            )));
        }
        if limits.fuel.is_some() && !sandbox.config.cpu_fuel {
            return Err(NodeFailure::InvalidRequest(
                "a CPU budget (fuel) needs a sandbox created with `cpu_fuel: true`".into(),
            ));
        }
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(NodeFailure::Internal(
                "NodeModule::run must be awaited inside a Tokio runtime".into(),
            ));
        }

        let queued_at = Instant::now();
        let _slot = sandbox
            .slots
            .acquire()
            .await
            .map_err(|_| NodeFailure::Internal("the sandbox is shutting down".into()))?;
        let started = Instant::now();
        let deadline = started + limits.timeout;
        let mut stats = RunStats {
            queued: started - queued_at,
            ..RunStats::default()
        };
        let fuel = sandbox
            .config
            .cpu_fuel
            .then(|| limits.fuel.unwrap_or(u64::MAX));
        let state = RunState::for_run(
            request.host.clone(),
            limits.memory_bytes,
            limits.max_log_bytes,
            deadline,
        );
        let grows = self.inner.grows.load(Ordering::Relaxed);
        let runtime = sandbox.routing.for_run(grows);
        let mut store = new_store(&sandbox.engine, state, fuel);

        let driven = within(
            deadline,
            self.drive(
                &mut store,
                &runtime,
                &request.invocation_json,
                limits,
                &mut stats,
            ),
        )
        .await;
        let result = match driven {
            Some(Ok(output)) => Ok(output),
            Some(Err(stop)) => Err(classify(stop, store.data(), limits)),
            None => Err(NodeFailure::Timeout {
                limit: limits.timeout,
            }),
        };

        store.data_mut().log.flush();
        stats.memory_peak_bytes = store.data().limiter.peak;
        if let Some(fuel) = fuel {
            stats.fuel_consumed = store.get_fuel().ok().map(|left| fuel - left);
        }
        let teardown = Instant::now();
        drop(store);
        stats.teardown = teardown.elapsed();
        if !grows && stats.memory_peak_bytes > runtime_bytes {
            // This run left its pages in a slot other nodes' runs reuse (`crate::routing`).
            self.inner.grows.store(true, Ordering::Relaxed);
            // A failure only leaves the slot as it is: slower later runs, nothing wrong.
            let _ = sandbox.routing.retire_light(&runtime);
        }
        result.map(|output| RunOutput { output, stats })
    }

    async fn drive(
        &self,
        store: &mut Store<RunState>,
        runtime: &Runtime,
        invocation: &str,
        limits: &RunLimits,
        stats: &mut RunStats,
    ) -> Result<String, Stop> {
        let node = &self.inner;
        let mut phase = Instant::now();
        let mut lap = |slot: &mut Duration| {
            let now = Instant::now();
            *slot = now - phase;
            phase = now;
        };

        let runtime = runtime.instantiate(store).await?;
        let retptr = match &node.bytecode {
            Some(bytecode) => {
                lap(&mut stats.instantiate);
                // What the glue's `load` would do (see `tntc_abi::glue`).
                let (ptr, len) =
                    write_guest(store, &runtime, bytecode, "the node's bytecode").await?;
                runtime
                    .load_node
                    .call_async(&mut *store, (ptr, len))
                    .await?
            }
            None => {
                let load = self.instantiate_module(store, &runtime).await?;
                lap(&mut stats.instantiate);
                load.call_async(&mut *store, ()).await?
            }
        };
        let loaded = read_result(&*store, runtime.guest.memory, retptr, "load result")?;
        if !loaded.ok {
            let json = read_text(store, &runtime, loaded.ptr, loaded.len)?;
            return Err(Stop::Guest {
                json,
                loading: true,
            });
        }
        lap(&mut stats.load);

        let (ptr, len) = write_guest(
            store,
            &runtime,
            invocation.as_bytes(),
            "the invocation JSON",
        )
        .await?;
        lap(&mut stats.input);

        let retptr = runtime.run.call_async(&mut *store, (ptr, len)).await?;
        lap(&mut stats.run);

        let ran = read_result(&*store, runtime.guest.memory, retptr, "run result")?;
        if ran.ok && ran.len as usize > limits.max_output_bytes {
            return Err(Stop::Failure(NodeFailure::OutputTooLarge {
                size: ran.len as usize,
                limit: limits.max_output_bytes,
            }));
        }
        let text = read_text(store, &runtime, ran.ptr, ran.len)?;
        if !ran.ok {
            return Err(Stop::Guest {
                json: text,
                loading: false,
            });
        }
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&text) {
            return Err(Stop::Failure(NodeFailure::OutputNotJson {
                reason: e.to_string(),
            }));
        }
        lap(&mut stats.output);
        Ok(text)
    }

    /// Instantiates a node module that is not the compiler's glue; returns its `load`.
    async fn instantiate_module(
        &self,
        store: &mut Store<RunState>,
        runtime: &RuntimeInstance,
    ) -> Result<wasmtime::TypedFunc<(), i32>, Stop> {
        let node = &self.inner;
        let imports: Vec<Extern> = node
            .imports
            .iter()
            .map(|import| match import {
                RuntimeImport::Memory => runtime.guest.memory.into(),
                RuntimeImport::Realloc => (*runtime.guest.realloc.func()).into(),
                RuntimeImport::LoadNode => (*runtime.load_node.func()).into(),
            })
            .collect();
        let instance = Instance::new_async(&mut *store, &node.module, &imports).await?;
        let load = instance
            .get_module_export(&mut *store, &node.load)
            .and_then(Extern::into_func)
            .ok_or_else(|| {
                Stop::Failure(NodeFailure::Internal("the node's `load` vanished".into()))
            })?
            .typed::<(), i32>(&*store)?;
        Ok(load)
    }
}

/// `future`'s output, or `None` once `deadline` passes, like `tokio::time::timeout_at`
/// except that the timer is only armed when the future first suspends. Most runs finish
/// within their first poll and never touch the timer wheel; arming a timer there wakes a
/// parked worker thread to re-arm its sleep, which cost every run a context switch on
/// another core (measured with `bench/`: two thread wake-ups per `/run` of a 3-node
/// workflow). Busy code cannot outrun the deadline either way: the epoch callback makes it
/// yield each tick, which is a suspension.
async fn within<F: Future>(deadline: Instant, future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut timer: Option<std::pin::Pin<Box<tokio::time::Sleep>>> = None;
    std::future::poll_fn(|cx| {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(cx) {
            return std::task::Poll::Ready(Some(output));
        }
        let timer =
            timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline.into())));
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
}

/// Copies `bytes` (`what`, for errors) into a fresh `cabi_realloc` allocation; `(ptr, len)`
/// as i32s.
async fn write_guest(
    store: &mut Store<RunState>,
    runtime: &RuntimeInstance,
    bytes: &[u8],
    what: &str,
) -> Result<(i32, i32), Stop> {
    let len = i32::try_from(bytes.len()).map_err(|_| {
        Stop::Failure(NodeFailure::InvalidRequest(format!(
            "{what} is larger than 2 GiB"
        )))
    })?;
    let ptr = runtime
        .guest
        .realloc
        .call_async(&mut *store, (0, 0, 1, len))
        .await?;
    runtime
        .guest
        .memory
        .write(&mut *store, ptr as u32 as usize, bytes)
        .map_err(|_| {
            Stop::Wasm(wasmtime::Error::new(AbiViolation(
                "cabi_realloc returned memory outside the runtime's memory".into(),
            )))
        })?;
    Ok((ptr, len))
}

/// Reads a returned string; invalid UTF-8 (a broken runtime) is an ABI violation.
fn read_text(
    store: &Store<RunState>,
    runtime: &RuntimeInstance,
    ptr: u32,
    len: u32,
) -> Result<String, Stop> {
    let bytes = read_bytes(store, runtime.guest.memory, ptr, len, "returned string")?;
    String::from_utf8(bytes).map_err(|_| {
        Stop::Failure(NodeFailure::OutputNotJson {
            reason: "it is not valid UTF-8".into(),
        })
    })
}

fn classify(stop: Stop, state: &RunState, limits: &RunLimits) -> NodeFailure {
    if state.limiter.exceeded {
        return NodeFailure::MemoryLimit {
            limit_bytes: limits.memory_bytes,
        };
    }
    match stop {
        Stop::Failure(failure) => failure,
        Stop::Guest { .. } if state.waited_on_nothing => NodeFailure::NeverSettled,
        Stop::Guest { json, loading } => {
            // Text that is not the agreed JSON is reported as it is rather than lost.
            let tntc_abi::GuestError { message, stack } = tntc_abi::GuestError::parse(&json);
            if loading {
                NodeFailure::LoadFailed { message, stack }
            } else {
                NodeFailure::Threw { message, stack }
            }
        }
        Stop::Wasm(error) => classify_wasm(error, limits),
    }
}

fn classify_wasm(error: wasmtime::Error, limits: &RunLimits) -> NodeFailure {
    if error.downcast_ref::<MemoryLimitExceeded>().is_some() {
        return NodeFailure::MemoryLimit {
            limit_bytes: limits.memory_bytes,
        };
    }
    if error.downcast_ref::<DeadlineExceeded>().is_some() {
        return NodeFailure::Timeout {
            limit: limits.timeout,
        };
    }
    if let Some(trap) = error.downcast_ref::<Trap>() {
        return match trap {
            Trap::StackOverflow => NodeFailure::StackOverflow,
            Trap::OutOfFuel => NodeFailure::FuelExhausted {
                fuel: limits.fuel.unwrap_or(u64::MAX),
            },
            Trap::Interrupt => NodeFailure::Timeout {
                limit: limits.timeout,
            },
            // The runtime's shadow stack sits at the bottom of memory: overflowing it
            // wraps below address 0, which is the usual way QuickJS goes out of bounds.
            Trap::MemoryOutOfBounds => NodeFailure::Trap {
                message: format!(
                    "{trap} (most likely its shadow stack overflowed: very deep recursion \
                     through functions with many local variables)"
                ),
            },
            other => NodeFailure::Trap {
                message: other.to_string(),
            },
        };
    }
    if let Some(exit) = error.downcast_ref::<GuestExit>() {
        return NodeFailure::Trap {
            message: exit.to_string(),
        };
    }
    if let Some(limit) = error.downcast_ref::<TooManyPending>() {
        return NodeFailure::Trap {
            message: limit.to_string(),
        };
    }
    if let Some(violation) = error.downcast_ref::<AbiViolation>() {
        return NodeFailure::Internal(violation.to_string());
    }
    NodeFailure::Internal(format!("{error:#}"))
}
