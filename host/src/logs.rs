//! Where node log lines go. The original engine printed `[<node>] INFO message`; so does
//! [`StdoutLogs`], which is what the pod runs with. Tools embedding the host (`tntc run`,
//! `tntc test`) capture lines instead.

use std::io::Write;
use std::sync::Mutex;

pub use tntc_sandbox::LogLevel;

/// Receives every log line of every node run (already redacted of secrets).
pub trait LogSink: Send + Sync + 'static {
    /// One line of `node`.
    fn node_log(&self, node: &str, level: LogLevel, message: &str);
}

/// `[<node>] INFO message` on stdout, one write per line so concurrent nodes never interleave
/// within a line.
#[derive(Debug, Default)]
pub struct StdoutLogs;

impl LogSink for StdoutLogs {
    fn node_log(&self, node: &str, level: LogLevel, message: &str) {
        let line = format!("[{node}] {} {message}\n", level.as_str());
        let _ = std::io::stdout().lock().write_all(line.as_bytes());
    }
}

/// `[<node>] INFO message` on stderr: for tools whose stdout carries results (`tntc run`).
#[derive(Debug, Default)]
pub struct StderrLogs;

impl LogSink for StderrLogs {
    fn node_log(&self, node: &str, level: LogLevel, message: &str) {
        let line = format!("[{node}] {} {message}\n", level.as_str());
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

/// Keeps lines in memory, for tools and tests.
#[derive(Debug, Default)]
pub struct CapturedLogs {
    lines: Mutex<Vec<(String, LogLevel, String)>>,
}

impl CapturedLogs {
    /// The lines so far: `(node, level, message)`.
    pub fn lines(&self) -> Vec<(String, LogLevel, String)> {
        self.lines.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// The lines so far, formatted like the original (`[node] INFO message`).
    pub fn formatted(&self) -> Vec<String> {
        self.lines()
            .into_iter()
            .map(|(node, level, message)| format!("[{node}] {} {message}", level.as_str()))
            .collect()
    }
}

impl LogSink for CapturedLogs {
    fn node_log(&self, node: &str, level: LogLevel, message: &str) {
        if let Ok(mut lines) = self.lines.lock() {
            lines.push((node.to_string(), level, message.to_string()));
        }
    }
}
