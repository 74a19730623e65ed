//! The WASI preview 1 functions the runtime imports, implemented here rather than with
//! `wasmtime-wasi`: a run gets clocks, random bytes and stdout/stderr (into its log), and
//! nothing else. There are no preopened directories, no environment, no arguments, and
//! stdin is empty, by construction rather than by configuration. It also keeps a fresh
//! store cheap (no WASI context to build per run).
//!
//! `IMPLEMENTED` lists the functions; `tests/all/wit_drift.rs` fails if the built runtime
//! imports anything else.

use crate::memory::{guest_memory, read_u32, write_bytes};
use crate::state::RunState;
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use wasmtime::{Caller, Linker};

const MODULE: &str = "wasi_snapshot_preview1";

/// Every WASI function the sandbox provides.
pub const IMPLEMENTED: &[&str] = &[
    "args_get",
    "args_sizes_get",
    "clock_res_get",
    "clock_time_get",
    "environ_get",
    "environ_sizes_get",
    "fd_close",
    "fd_fdstat_get",
    "fd_prestat_dir_name",
    "fd_prestat_get",
    "fd_read",
    "fd_seek",
    "fd_write",
    "proc_exit",
    "random_get",
    "sched_yield",
];

const SUCCESS: i32 = 0;
const EBADF: i32 = 8;
const EFAULT: i32 = 21;
const EINVAL: i32 = 28;
const ESPIPE: i32 = 70;

const FILETYPE_CHARACTER_DEVICE: u8 = 2;
const RIGHT_FD_READ: u64 = 1 << 1;
const RIGHT_FD_WRITE: u64 = 1 << 6;

/// The guest called `proc_exit`.
#[derive(Debug)]
pub(crate) struct GuestExit(pub(crate) i32);

impl std::fmt::Display for GuestExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the runtime exited with code {}", self.0)
    }
}

impl std::error::Error for GuestExit {}

/// Fills `out` from the fixed stream SHA-256("tntc-fixed-random" | block number), `drawn`
/// being the blocks used so far (see `RunState::reproducible`).
fn fixed_stream(drawn: &mut u64, out: &mut [u8]) {
    use sha2::{Digest, Sha256};
    for chunk in out.chunks_mut(32) {
        let block = Sha256::new()
            .chain_update(b"tntc-fixed-random")
            .chain_update(drawn.to_le_bytes())
            .finalize();
        chunk.copy_from_slice(&block[..chunk.len()]);
        *drawn += 1;
    }
}

fn is_stdio(fd: i32) -> bool {
    (0..=2).contains(&fd)
}

/// Writes `bytes` at `ptr`, mapping a bad pointer to `EFAULT` as WASI does.
fn put(caller: &mut Caller<'_, RunState>, ptr: i32, bytes: &[u8]) -> wasmtime::Result<i32> {
    let memory = guest_memory(caller)?;
    Ok(
        match write_bytes(&mut *caller, memory, ptr as u32, bytes, "wasi") {
            Ok(()) => SUCCESS,
            Err(_) => EFAULT,
        },
    )
}

fn monotonic_nanos() -> u64 {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    let nanos = ORIGIN.get_or_init(Instant::now).elapsed().as_nanos();
    u64::try_from(nanos).unwrap_or(u64::MAX)
}

fn realtime_nanos() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    u64::try_from(nanos).unwrap_or(u64::MAX)
}

/// Defines every function of [`IMPLEMENTED`] in `linker`.
pub(crate) fn add_to_linker(linker: &mut Linker<RunState>) -> wasmtime::Result<()> {
    // Nothing to list: zero arguments and environment variables of zero total size.
    for (list, sizes) in [
        ("args_get", "args_sizes_get"),
        ("environ_get", "environ_sizes_get"),
    ] {
        linker.func_wrap(MODULE, list, |_: Caller<'_, RunState>, _: i32, _: i32| {
            SUCCESS
        })?;
        linker.func_wrap(
            MODULE,
            sizes,
            |mut caller: Caller<'_, RunState>, count: i32, size: i32| -> wasmtime::Result<i32> {
                let status = put(&mut caller, count, &0u32.to_le_bytes())?;
                if status != SUCCESS {
                    return Ok(status);
                }
                put(&mut caller, size, &0u32.to_le_bytes())
            },
        )?;
    }

    linker.func_wrap(
        MODULE,
        "clock_res_get",
        |mut caller: Caller<'_, RunState>, id: i32, out: i32| -> wasmtime::Result<i32> {
            if !(0..=3).contains(&id) {
                return Ok(EINVAL);
            }
            put(&mut caller, out, &1_000u64.to_le_bytes())
        },
    )?;
    linker.func_wrap(
        MODULE,
        "clock_time_get",
        |mut caller: Caller<'_, RunState>, id: i32, _precision: i64, out: i32| {
            let nanos = match id {
                // Pre-initialization: no time in the snapshot (see `RunState::reproducible`).
                0..=3 if caller.data().reproducible.is_some() => 0,
                0 => realtime_nanos(),
                // Monotonic, and the CPU-time clocks approximated by it.
                1..=3 => monotonic_nanos(),
                _ => return Ok(EINVAL),
            };
            put(&mut caller, out, &nanos.to_le_bytes())
        },
    )?;
    linker.func_wrap(
        MODULE,
        "random_get",
        |mut caller: Caller<'_, RunState>, buf: i32, len: i32| -> wasmtime::Result<i32> {
            let mut bytes = vec![0u8; len as u32 as usize];
            if let Some(drawn) = &mut caller.data_mut().reproducible {
                fixed_stream(drawn, &mut bytes);
            } else if getrandom::fill(&mut bytes).is_err() {
                return Ok(EINVAL);
            }
            put(&mut caller, buf, &bytes)
        },
    )?;

    linker.func_wrap(MODULE, "fd_close", |_: Caller<'_, RunState>, fd: i32| {
        if is_stdio(fd) { SUCCESS } else { EBADF }
    })?;
    linker.func_wrap(
        MODULE,
        "fd_fdstat_get",
        |mut caller: Caller<'_, RunState>, fd: i32, out: i32| -> wasmtime::Result<i32> {
            if !is_stdio(fd) {
                return Ok(EBADF);
            }
            // struct fdstat { u8 filetype; u16 flags @2; u64 rights_base @8; u64 inheriting @16 }
            let rights = if fd == 0 {
                RIGHT_FD_READ
            } else {
                RIGHT_FD_WRITE
            };
            let mut stat = [0u8; 24];
            stat[0] = FILETYPE_CHARACTER_DEVICE;
            stat[8..16].copy_from_slice(&rights.to_le_bytes());
            put(&mut caller, out, &stat)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_prestat_get",
        |_: Caller<'_, RunState>, _: i32, _: i32| EBADF,
    )?;
    linker.func_wrap(
        MODULE,
        "fd_prestat_dir_name",
        |_: Caller<'_, RunState>, _: i32, _: i32, _: i32| EBADF,
    )?;
    linker.func_wrap(
        MODULE,
        "fd_seek",
        |_: Caller<'_, RunState>, fd: i32, _: i64, _: i32, _: i32| {
            if is_stdio(fd) { ESPIPE } else { EBADF }
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_read",
        |mut caller: Caller<'_, RunState>, fd: i32, _iovs: i32, _len: i32, nread: i32| {
            if fd != 0 {
                return Ok(EBADF);
            }
            // stdin is empty: end of file at once.
            put(&mut caller, nread, &0u32.to_le_bytes())
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_write",
        |mut caller: Caller<'_, RunState>, fd: i32, iovs: i32, iovs_len: i32, nwritten: i32| {
            if fd != 1 && fd != 2 {
                return Ok(EBADF);
            }
            let memory = guest_memory(&mut caller)?;
            let mut bytes = Vec::new();
            for i in 0..iovs_len as u32 {
                let entry = (iovs as u32).wrapping_add(i.wrapping_mul(8));
                let (Ok(ptr), Ok(len)) = (
                    read_u32(&caller, memory, entry, "fd_write"),
                    read_u32(&caller, memory, entry.wrapping_add(4), "fd_write"),
                ) else {
                    return Ok(EFAULT);
                };
                match crate::memory::read_bytes(&caller, memory, ptr, len, "fd_write") {
                    Ok(chunk) => bytes.extend_from_slice(&chunk),
                    Err(_) => return Ok(EFAULT),
                }
            }
            caller.data_mut().log.write_stream(fd as u32, &bytes);
            let written = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
            put(&mut caller, nwritten, &written.to_le_bytes())
        },
    )?;
    linker.func_wrap(
        MODULE,
        "proc_exit",
        |mut caller: Caller<'_, RunState>, code: i32| -> wasmtime::Result<()> {
            caller.data_mut().exit_code = Some(code);
            Err(wasmtime::Error::new(GuestExit(code)))
        },
    )?;
    linker.func_wrap(MODULE, "sched_yield", |_: Caller<'_, RunState>| SUCCESS)?;
    Ok(())
}
