//! The store every node run, compile and pre-initialization gets: its memory limiter, fuel
//! (when the engine meters it) and the epoch callback that yields each tick and traps once
//! the run is past its deadline.

use crate::state::RunState;
use std::time::Instant;
use wasmtime::{Engine, Store, UpdateDeadline};

/// The error the epoch callback traps with once a run is past its deadline.
#[derive(Debug)]
pub(crate) struct DeadlineExceeded;

impl std::fmt::Display for DeadlineExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the run's deadline passed")
    }
}

impl std::error::Error for DeadlineExceeded {}

/// A store for `state`, with `fuel` when the engine meters it.
pub(crate) fn new_store(engine: &Engine, state: RunState, fuel: Option<u64>) -> Store<RunState> {
    let mut store = Store::new(engine, state);
    store.limiter(|state| &mut state.limiter);
    if let Some(fuel) = fuel {
        // Only called when the engine meters fuel, where this cannot fail.
        let _ = store.set_fuel(fuel);
    }
    store.epoch_deadline_callback(|context| match context.data().deadline {
        None => Ok(UpdateDeadline::Continue(1)),
        Some(deadline) if Instant::now() >= deadline => Err(wasmtime::Error::new(DeadlineExceeded)),
        Some(_) => Ok(UpdateDeadline::Yield(1)),
    });
    store.set_epoch_deadline(1);
    store
}
