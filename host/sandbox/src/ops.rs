//! A run's pending host operations (timers and fetches) and the order `wait` delivers
//! them in.
//!
//! A timer's deadline is fixed when the node starts it, and a fetch is spawned on the
//! Tokio runtime at once, so both progress while the node computes; `wait` only collects
//! whichever finished first (lowest handle first among those ready, so timers with equal
//! deadlines fire in the order they were set). Cancelling or ending the run drops them.

use crate::host::{FetchRequest, FetchResponse, NodeHost};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::{Instant, Sleep};

/// More pending operations than this end the run ([`TooManyPending`]): a node that leaks
/// timers in a loop must not grow the host's memory without bound.
pub(crate) const MAX_PENDING: usize = 10_000;

/// The run started more than [`MAX_PENDING`] operations at once.
#[derive(Debug)]
pub(crate) struct TooManyPending;

impl std::fmt::Display for TooManyPending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "more than {MAX_PENDING} timers and fetches were pending at once"
        )
    }
}

impl std::error::Error for TooManyPending {}

/// One finished operation, as `wait` returns it to the guest.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Completion {
    pub(crate) handle: u32,
    pub(crate) ok: bool,
    pub(crate) meta: String,
    pub(crate) body: Vec<u8>,
}

enum Op {
    Timer(Pin<Box<Sleep>>),
    Fetch(AbortOnDrop),
    /// Failed before it started (a malformed request).
    Failed(String),
}

/// A spawned fetch, aborted when the run no longer wants it.
struct AbortOnDrop(JoinHandle<Result<FetchResponse, String>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The pending operations of one run, in handle order.
#[derive(Default)]
pub(crate) struct PendingOps {
    last_handle: u32,
    ops: Vec<(u32, Op)>,
}

impl PendingOps {
    fn next_handle(&mut self) -> u32 {
        // Handles are never 0 (JavaScript code may treat 0 as "no timer").
        self.last_handle = self.last_handle.checked_add(1).unwrap_or(1);
        self.last_handle
    }

    fn push(&mut self, op: Op) -> Result<u32, TooManyPending> {
        if self.ops.len() >= MAX_PENDING {
            return Err(TooManyPending);
        }
        let handle = self.next_handle();
        self.ops.push((handle, op));
        Ok(handle)
    }

    /// Starts a timer of `ms` milliseconds. Needs a Tokio runtime with time enabled
    /// (checked when the run starts).
    pub(crate) fn start_timer(&mut self, ms: u32) -> Result<u32, TooManyPending> {
        let deadline = Instant::now() + Duration::from_millis(u64::from(ms));
        self.push(Op::Timer(Box::pin(tokio::time::sleep_until(deadline))))
    }

    /// Starts a fetch through `host`; a malformed request completes at once as failed.
    pub(crate) fn start_fetch(
        &mut self,
        host: Option<&dyn NodeHost>,
        request: Result<FetchRequest, String>,
    ) -> Result<u32, TooManyPending> {
        let op = match (host, request) {
            (_, Err(message)) => Op::Failed(message),
            (None, Ok(_)) => Op::Failed("fetch is not available here".to_string()),
            (Some(host), Ok(request)) => Op::Fetch(AbortOnDrop(tokio::spawn(host.fetch(request)))),
        };
        self.push(op)
    }

    /// Forgets `handle`: its completion will not be delivered.
    pub(crate) fn cancel(&mut self, handle: u32) {
        self.ops.retain(|(h, _)| *h != handle);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The first operation that has finished, removed from the set. `Pending` until one
    /// finishes (the caller checks `is_empty` first: an empty set never finishes).
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Completion> {
        let mut finished = None;
        for (index, (handle, op)) in self.ops.iter_mut().enumerate() {
            let outcome = match op {
                Op::Timer(sleep) => sleep.as_mut().poll(cx).map(|()| Ok(None)),
                Op::Fetch(task) => Pin::new(&mut task.0).poll(cx).map(|joined| match joined {
                    Ok(Ok(response)) => Ok(Some(response)),
                    Ok(Err(message)) => Err(message),
                    Err(e) if e.is_panic() => Err("the host's fetch panicked".to_string()),
                    Err(_) => Err("the fetch was cancelled".to_string()),
                }),
                Op::Failed(message) => Poll::Ready(Err(std::mem::take(message))),
            };
            if let Poll::Ready(outcome) = outcome {
                finished = Some((index, *handle, outcome));
                break;
            }
        }
        let Some((index, handle, outcome)) = finished else {
            return Poll::Pending;
        };
        self.ops.remove(index);
        Poll::Ready(match outcome {
            Ok(None) => Completion {
                handle,
                ok: true,
                meta: String::new(),
                body: Vec::new(),
            },
            Ok(Some(response)) => Completion {
                handle,
                ok: true,
                meta: response.meta_json(),
                body: response.body,
            },
            Err(message) => Completion {
                handle,
                ok: false,
                meta: message,
                body: Vec::new(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::poll_fn;

    #[tokio::test(start_paused = true)]
    async fn timers_complete_in_deadline_order_with_ties_in_start_order() {
        let mut ops = PendingOps::default();
        let late = ops.start_timer(50).unwrap();
        let first = ops.start_timer(10).unwrap();
        let second = ops.start_timer(10).unwrap();
        let mut order = Vec::new();
        while !ops.is_empty() {
            order.push(poll_fn(|cx| ops.poll_next(cx)).await.handle);
        }
        assert_eq!(order, vec![first, second, late]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_timer_is_never_delivered() {
        let mut ops = PendingOps::default();
        let cancelled = ops.start_timer(5).unwrap();
        let kept = ops.start_timer(10).unwrap();
        ops.cancel(cancelled);
        let completion = poll_fn(|cx| ops.poll_next(cx)).await;
        assert_eq!(completion.handle, kept);
        assert!(ops.is_empty());
    }

    #[tokio::test]
    async fn a_malformed_fetch_completes_at_once_as_failed() {
        let mut ops = PendingOps::default();
        let handle = ops
            .start_fetch(None, Err("malformed fetch request: x".into()))
            .unwrap();
        let completion = poll_fn(|cx| ops.poll_next(cx)).await;
        assert_eq!(completion.handle, handle);
        assert!(!completion.ok);
        assert_eq!(completion.meta, "malformed fetch request: x");
    }

    #[tokio::test]
    async fn more_than_the_pending_limit_is_refused() {
        let mut ops = PendingOps::default();
        for _ in 0..MAX_PENDING {
            ops.start_timer(1000).unwrap();
        }
        assert!(ops.start_timer(1000).is_err());
    }

    #[test]
    fn handles_start_at_one_and_skip_zero_on_wrap() {
        let mut ops = PendingOps {
            last_handle: u32::MAX - 1,
            ..PendingOps::default()
        };
        assert_eq!(ops.next_handle(), u32::MAX);
        assert_eq!(ops.next_handle(), 1);
    }
}
