//! The per-store state of one run (also used, with no host, to compile and pre-initialize).

use crate::error::format_bytes;
use crate::host::{LogLevel, NodeHost};
use crate::ops::PendingOps;
use std::sync::Arc;
use std::time::Instant;
use wasmtime::{Memory, ResourceLimiter, TypedFunc};

/// `cabi_realloc(old_ptr, old_size, align, new_size) -> ptr`.
pub(crate) type Realloc = TypedFunc<(i32, i32, i32, i32), i32>;

/// Everything a store carries. Host functions reach it through `Caller::data_mut`.
pub(crate) struct RunState {
    pub(crate) limiter: MemoryLimiter,
    /// Past this instant the epoch callback traps. `None`: no deadline.
    pub(crate) deadline: Option<Instant>,
    /// The runtime instance's memory and allocator, once instantiated.
    pub(crate) guest: Option<GuestExports>,
    pub(crate) log: LogSink,
    pub(crate) ops: PendingOps,
    pub(crate) host: Option<Arc<dyn NodeHost>>,
    /// `wait` answered `none`: the node's promise can never settle.
    pub(crate) waited_on_nothing: bool,
    /// The guest called WASI `proc_exit` with this code.
    pub(crate) exit_code: Option<i32>,
    /// `Some(random blocks drawn)`: WASI `random_get` answers from a fixed stream and the
    /// clocks read 0, instead of the system's randomness and time. Only for
    /// pre-initialization and compiling, so that the runtime's snapshot, and an image baking
    /// it, is the same at every build (`tntc image build`). What the guest draws then
    /// (hash-table seeds) is the same for every run of a snapshot anyway; `Math.random` is
    /// seeded at each run's first use from real randomness, and the prelude's time origin
    /// is reset at each run's start.
    pub(crate) reproducible: Option<u64>,
}

/// Handles into the runtime instance that host functions need.
#[derive(Clone)]
pub(crate) struct GuestExports {
    pub(crate) memory: Memory,
    pub(crate) realloc: Realloc,
}

impl RunState {
    /// State for a node run.
    pub(crate) fn for_run(
        host: Arc<dyn NodeHost>,
        memory_limit: usize,
        max_log_bytes: usize,
        deadline: Instant,
    ) -> Self {
        Self {
            limiter: MemoryLimiter::new(memory_limit),
            deadline: Some(deadline),
            guest: None,
            log: LogSink::new(LogTarget::Host(host.clone()), max_log_bytes),
            ops: PendingOps::default(),
            host: Some(host),
            waited_on_nothing: false,
            exit_code: None,
            reproducible: None,
        }
    }

    /// State for compiling or pre-initializing: no host, no deadline, output captured
    /// so that failures can quote it.
    pub(crate) fn for_tooling(memory_limit: usize) -> Self {
        Self {
            limiter: MemoryLimiter::new(memory_limit),
            deadline: None,
            guest: None,
            log: LogSink::new(LogTarget::Capture(String::new()), 64 * 1024),
            ops: PendingOps::default(),
            host: None,
            waited_on_nothing: false,
            exit_code: None,
            reproducible: Some(0),
        }
    }
}

/// Caps a run's linear memory. Growth past the cap traps at once (rather than making
/// `memory.grow` fail, which QuickJS would turn into a catchable "out of memory" that
/// node code could swallow and retry).
pub(crate) struct MemoryLimiter {
    pub(crate) limit: usize,
    pub(crate) exceeded: bool,
    pub(crate) peak: usize,
}

/// The error a denied memory growth traps with.
#[derive(Debug)]
pub(crate) struct MemoryLimitExceeded;

impl std::fmt::Display for MemoryLimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("memory limit exceeded")
    }
}

impl std::error::Error for MemoryLimitExceeded {}

impl MemoryLimiter {
    fn new(limit: usize) -> Self {
        Self {
            limit,
            exceeded: false,
            peak: 0,
        }
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit {
            self.exceeded = true;
            return Err(wasmtime::Error::new(MemoryLimitExceeded));
        }
        self.peak = self.peak.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // The runtime never grows its table; refuse growth beyond the pool's slot size.
        Ok(desired <= 100_000)
    }
}

/// Where log lines go.
pub(crate) enum LogTarget {
    Host(Arc<dyn NodeHost>),
    /// Kept for error messages (compiling, pre-initializing).
    Capture(String),
}

/// Applies the run's log budget and turns the guest's stdout/stderr bytes into lines.
pub(crate) struct LogSink {
    target: LogTarget,
    budget: usize,
    remaining: usize,
    limit_reported: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl LogSink {
    fn new(target: LogTarget, budget: usize) -> Self {
        Self {
            target,
            budget,
            remaining: budget,
            limit_reported: false,
            stdout: Vec::new(),
            stderr: Vec::new(),
        }
    }

    /// One complete log line.
    pub(crate) fn line(&mut self, level: LogLevel, message: &str) {
        if message.len() > self.remaining {
            self.remaining = 0;
            if !self.limit_reported {
                self.limit_reported = true;
                let notice = format!(
                    "log limit of {} reached: further log lines of this run are dropped",
                    format_bytes(self.budget)
                );
                self.emit(LogLevel::Warn, &notice);
            }
            return;
        }
        self.remaining -= message.len();
        self.emit(level, message);
    }

    fn emit(&mut self, level: LogLevel, message: &str) {
        match &mut self.target {
            LogTarget::Host(host) => host.log(level, message),
            LogTarget::Capture(text) => {
                text.push_str(message);
                text.push('\n');
            }
        }
    }

    /// Bytes the guest wrote to stdout (`fd` 1, info) or stderr (`fd` 2, error).
    pub(crate) fn write_stream(&mut self, fd: u32, bytes: &[u8]) {
        let level = if fd == 2 {
            LogLevel::Error
        } else {
            LogLevel::Info
        };
        let mut buffer = std::mem::take(if fd == 2 {
            &mut self.stderr
        } else {
            &mut self.stdout
        });
        buffer.extend_from_slice(bytes);
        let mut start = 0;
        while let Some(end) = buffer[start..].iter().position(|&b| b == b'\n') {
            let line = String::from_utf8_lossy(&buffer[start..start + end]).into_owned();
            self.line(level, &line);
            start += end + 1;
        }
        buffer.drain(..start);
        // A line longer than what may still be logged will never be shown whole.
        if buffer.len() > self.remaining {
            let line = String::from_utf8_lossy(&buffer).into_owned();
            buffer.clear();
            self.line(level, &line);
        }
        *(if fd == 2 {
            &mut self.stderr
        } else {
            &mut self.stdout
        }) = buffer;
    }

    /// Emits unterminated stdout/stderr lines (end of run).
    pub(crate) fn flush(&mut self) {
        for fd in [1, 2] {
            let buffer = std::mem::take(if fd == 2 {
                &mut self.stderr
            } else {
                &mut self.stdout
            });
            if !buffer.is_empty() {
                let level = if fd == 2 {
                    LogLevel::Error
                } else {
                    LogLevel::Info
                };
                self.line(level, &String::from_utf8_lossy(&buffer));
            }
        }
    }

    /// What was captured (tooling stores only).
    pub(crate) fn captured(&mut self) -> String {
        self.flush();
        match &self.target {
            LogTarget::Capture(text) => text.trim_end().to_string(),
            LogTarget::Host(_) => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::{BoxFuture, FetchRequest, FetchResponse};
    use std::sync::Mutex;

    #[derive(Default)]
    struct Lines(Mutex<Vec<(LogLevel, String)>>);

    impl NodeHost for Lines {
        fn log(&self, level: LogLevel, message: &str) {
            self.0.lock().unwrap().push((level, message.to_string()));
        }
        fn fetch(&self, _: FetchRequest) -> BoxFuture<'static, Result<FetchResponse, String>> {
            Box::pin(async { Err("no network in this test".to_string()) })
        }
    }

    #[test]
    fn stdout_bytes_become_lines_and_partial_lines_wait_for_flush() {
        let lines = Arc::new(Lines::default());
        let mut sink = LogSink::new(LogTarget::Host(lines.clone()), 1000);
        sink.write_stream(1, b"hello\nwor");
        sink.write_stream(2, b"oops\n");
        sink.write_stream(1, b"ld");
        sink.flush();
        let got = lines.0.lock().unwrap().clone();
        assert_eq!(
            got,
            vec![
                (LogLevel::Info, "hello".to_string()),
                (LogLevel::Error, "oops".to_string()),
                (LogLevel::Info, "world".to_string()),
            ]
        );
    }

    #[test]
    fn lines_past_the_budget_are_dropped_after_one_notice() {
        let lines = Arc::new(Lines::default());
        let mut sink = LogSink::new(LogTarget::Host(lines.clone()), 10);
        sink.line(LogLevel::Info, "12345");
        sink.line(LogLevel::Info, "123456");
        sink.line(LogLevel::Info, "1");
        let got = lines.0.lock().unwrap().clone();
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].1, "12345");
        assert_eq!(got[1].0, LogLevel::Warn);
        assert!(got[1].1.contains("log limit of 10 bytes"), "{}", got[1].1);
    }

    #[test]
    fn memory_growth_past_the_limit_is_refused_and_remembered() {
        let mut limiter = MemoryLimiter::new(1 << 20);
        assert!(limiter.memory_growing(0, 1 << 19, None).unwrap());
        assert!(limiter.memory_growing(1 << 19, 2 << 20, None).is_err());
        assert!(limiter.exceeded);
        assert_eq!(limiter.peak, 1 << 19);
    }
}
