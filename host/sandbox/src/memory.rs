//! Bounds-checked access to the runtime's linear memory, and the canonical-ABI values
//! the host reads and writes there. A guest that hands the host a bad pointer gets a trap
//! naming the import, never a host panic.

use crate::state::RunState;
use tntc_abi::layout::{RESULT_AREA_LEN, ResultArea};
use wasmtime::{AsContext, AsContextMut, Caller, Memory};

/// The error a host function traps with when the guest passed unusable arguments.
#[derive(Debug)]
pub(crate) struct AbiViolation(pub(crate) String);

impl std::fmt::Display for AbiViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the runtime broke the host ABI: {}", self.0)
    }
}

impl std::error::Error for AbiViolation {}

pub(crate) fn violation(message: impl Into<String>) -> wasmtime::Error {
    wasmtime::Error::new(AbiViolation(message.into()))
}

/// The runtime's memory: the handle cached after instantiation, else its `memory` export
/// (pre-initialization runs before the cache is filled).
pub(crate) fn guest_memory(caller: &mut Caller<'_, RunState>) -> wasmtime::Result<Memory> {
    if let Some(guest) = &caller.data().guest {
        return Ok(guest.memory);
    }
    match caller.get_export("memory") {
        Some(wasmtime::Extern::Memory(memory)) => Ok(memory),
        _ => Err(violation("the runtime exports no memory")),
    }
}

fn range(ptr: u32, len: u32, size: usize, what: &str) -> wasmtime::Result<std::ops::Range<usize>> {
    let start = ptr as usize;
    let end = start
        .checked_add(len as usize)
        .filter(|&end| end <= size)
        .ok_or_else(|| {
            violation(format!(
                "{what}: {len} bytes at {ptr:#x} are outside memory"
            ))
        })?;
    Ok(start..end)
}

/// Copies `len` bytes at `ptr` out of `memory`.
pub(crate) fn read_bytes(
    store: impl AsContext,
    memory: Memory,
    ptr: u32,
    len: u32,
    what: &str,
) -> wasmtime::Result<Vec<u8>> {
    let data = memory.data(&store);
    Ok(data[range(ptr, len, data.len(), what)?].to_vec())
}

/// Reads a string; invalid UTF-8 is replaced rather than trusted.
pub(crate) fn read_string(
    store: impl AsContext,
    memory: Memory,
    ptr: u32,
    len: u32,
    what: &str,
) -> wasmtime::Result<String> {
    let data = memory.data(&store);
    Ok(String::from_utf8_lossy(&data[range(ptr, len, data.len(), what)?]).into_owned())
}

/// Writes `bytes` at `ptr`.
pub(crate) fn write_bytes(
    mut store: impl AsContextMut,
    memory: Memory,
    ptr: u32,
    bytes: &[u8],
    what: &str,
) -> wasmtime::Result<()> {
    let data = memory.data_mut(&mut store);
    let len = u32::try_from(bytes.len()).map_err(|_| violation(format!("{what}: too large")))?;
    let range = range(ptr, len, data.len(), what)?;
    data[range].copy_from_slice(bytes);
    Ok(())
}

/// Reads a little-endian `u32` at `ptr`.
pub(crate) fn read_u32(
    store: impl AsContext,
    memory: Memory,
    ptr: u32,
    what: &str,
) -> wasmtime::Result<u32> {
    let data = memory.data(&store);
    let bytes = &data[range(ptr, 4, data.len(), what)?];
    Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

/// Reads the result return area at `retptr` ([`tntc_abi::layout::ResultArea`]).
pub(crate) fn read_result(
    store: impl AsContext,
    memory: Memory,
    retptr: i32,
    what: &str,
) -> wasmtime::Result<ResultArea> {
    let data = memory.data(&store);
    let area = &data[range(retptr as u32, RESULT_AREA_LEN as u32, data.len(), what)?];
    let area: &[u8; RESULT_AREA_LEN] = area
        .try_into()
        .map_err(|_| violation(format!("{what}: a short return area")))?;
    ResultArea::decode(area).map_err(|e| violation(format!("{what}: {e}")))
}
