//! The host imports of `tentacular:node/host` (`wit/node.wit`), lowered by hand with the
//! canonical ABI, and safe wrappers over them.
//!
//! Lowering (checked against `wit-parser` by `host/sandbox/tests/all/wit_drift.rs`):
//! - `log(level: level, message: string)` -> `(i32, i32, i32)`;
//! - `fetch(request: string, body: list<u8>) -> u32` -> `(i32, i32, i32, i32) -> i32`;
//! - `pg-connect(request: string) -> u32`, `pg-query(request: string) -> u32` ->
//!   `(i32, i32) -> i32`; `pg-end(session: u32) -> u32` -> `(i32) -> i32`;
//! - `timer(ms: u32) -> u32` -> `(i32) -> i32`; `cancel(handle: u32)` -> `(i32)`;
//! - `wait() -> option<completion>` -> `(retptr: i32)`: seven flat results exceed the one
//!   allowed, so the host stores the value at `retptr` (layout in [`WaitArea`]) and
//!   allocates `meta` and `body` with this module's `cabi_realloc` (alignment 1); the
//!   guest owns those allocations afterwards.

#[link(wasm_import_module = "tentacular:node/host")]
unsafe extern "C" {
    #[link_name = "log"]
    fn host_log(level: i32, message_ptr: *const u8, message_len: usize);
    #[link_name = "fetch"]
    fn host_fetch(
        request_ptr: *const u8,
        request_len: usize,
        body_ptr: *const u8,
        body_len: usize,
    ) -> u32;
    #[link_name = "pg-connect"]
    fn host_pg_connect(request_ptr: *const u8, request_len: usize) -> u32;
    #[link_name = "pg-query"]
    fn host_pg_query(request_ptr: *const u8, request_len: usize) -> u32;
    #[link_name = "pg-end"]
    fn host_pg_end(session: u32) -> u32;
    #[link_name = "timer"]
    fn host_timer(ms: u32) -> u32;
    #[link_name = "cancel"]
    fn host_cancel(handle: u32);
    #[link_name = "wait"]
    fn host_wait(retptr: *mut WaitArea);
}

#[link(wasm_import_module = "wasi_snapshot_preview1")]
unsafe extern "C" {
    #[link_name = "random_get"]
    fn wasi_random_get(buf: *mut u8, len: usize) -> u16;
}

/// The canonical-ABI layout of `option<completion>`: size 28, alignment 4.
#[repr(C, align(4))]
struct WaitArea {
    /// 0 = none, 1 = some.
    discriminant: u8,
    _pad0: [u8; 3],
    handle: u32,
    ok: u8,
    _pad1: [u8; 3],
    meta_ptr: *mut u8,
    meta_len: usize,
    body_ptr: *mut u8,
    body_len: usize,
}

const _: () = assert!(size_of::<WaitArea>() == 28 && align_of::<WaitArea>() == 4);

/// One finished fetch or timer, as `wait` delivers it.
pub struct Completion {
    /// The handle `fetch` or `timer` returned.
    pub handle: u32,
    /// False when a fetch failed.
    pub ok: bool,
    /// Response metadata JSON, or the error message; empty for a timer.
    pub meta: String,
    /// Response body; empty for a timer.
    pub body: Vec<u8>,
}

/// Severity of a log line, in `level` enum order.
#[derive(Clone, Copy)]
pub enum Level {
    Debug = 0,
    Info = 1,
    Warn = 2,
    Error = 3,
}

impl Level {
    /// Maps the number JavaScript passes; anything unknown logs as `info`.
    pub fn from_js(level: i32) -> Self {
        match level {
            0 => Level::Debug,
            2 => Level::Warn,
            3 => Level::Error,
            _ => Level::Info,
        }
    }
}

pub fn log(level: Level, message: &str) {
    // SAFETY: the pointer and length describe a live, initialized UTF-8 buffer.
    unsafe { host_log(level as i32, message.as_ptr(), message.len()) }
}

pub fn fetch(request: &str, body: &[u8]) -> u32 {
    // SAFETY: both pointers and lengths describe live, initialized buffers.
    unsafe { host_fetch(request.as_ptr(), request.len(), body.as_ptr(), body.len()) }
}

pub fn pg_connect(request: &str) -> u32 {
    // SAFETY: the pointer and length describe a live, initialized UTF-8 buffer.
    unsafe { host_pg_connect(request.as_ptr(), request.len()) }
}

pub fn pg_query(request: &str) -> u32 {
    // SAFETY: the pointer and length describe a live, initialized UTF-8 buffer.
    unsafe { host_pg_query(request.as_ptr(), request.len()) }
}

pub fn pg_end(session: u32) -> u32 {
    // SAFETY: plain integers.
    unsafe { host_pg_end(session) }
}

pub fn timer(ms: u32) -> u32 {
    // SAFETY: plain integers.
    unsafe { host_timer(ms) }
}

pub fn cancel(handle: u32) {
    // SAFETY: plain integers.
    unsafe { host_cancel(handle) }
}

/// Suspends until one pending operation completes; `None` when nothing is pending.
pub fn wait() -> Option<Completion> {
    let mut area = WaitArea {
        discriminant: 0,
        _pad0: [0; 3],
        handle: 0,
        ok: 0,
        _pad1: [0; 3],
        meta_ptr: std::ptr::null_mut(),
        meta_len: 0,
        body_ptr: std::ptr::null_mut(),
        body_len: 0,
    };
    // SAFETY: `area` is a valid, aligned return area for `option<completion>`.
    unsafe { host_wait(&mut area) };
    if area.discriminant == 0 {
        return None;
    }
    // SAFETY: per the canonical ABI the host allocated both buffers with our
    // `cabi_realloc(0, 0, 1, len)` and handed them over; we read and free each once.
    let (meta, body) = unsafe {
        (
            take_allocation(area.meta_ptr, area.meta_len),
            take_allocation(area.body_ptr, area.body_len),
        )
    };
    Some(Completion {
        handle: area.handle,
        ok: area.ok != 0,
        meta: String::from_utf8(meta)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        body,
    })
}

/// Takes ownership of a buffer the host allocated with `cabi_realloc(0, 0, 1, len)`.
///
/// # Safety
/// `ptr` must come from that call (or be anything when `len` is 0) and not be used again.
pub unsafe fn take_allocation(ptr: *mut u8, len: usize) -> Vec<u8> {
    if len == 0 || ptr.is_null() {
        return Vec::new();
    }
    // SAFETY: the caller guarantees `ptr` holds `len` initialized bytes allocated by the
    // global allocator with size `len` and alignment 1: the layout of a `Vec<u8>` with
    // capacity `len`.
    unsafe { Vec::from_raw_parts(ptr, len, len) }
}

/// Fills `buf` from WASI `random_get`; false when the host refused.
pub fn random_fill(buf: &mut [u8]) -> bool {
    // SAFETY: `buf` is a live, writable buffer of `buf.len()` bytes.
    unsafe { wasi_random_get(buf.as_mut_ptr(), buf.len()) == 0 }
}
