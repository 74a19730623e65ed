//! A run's pending host operations (timers, fetches and PostgreSQL calls) and the order
//! `wait` delivers them in.
//!
//! A timer's deadline is fixed when the node starts it, and a fetch is spawned on the
//! Tokio runtime at once, so both progress while the node computes. `wait` delivers the
//! operation that became due first: a timer at its deadline, a fetch when its response
//! arrived, a request that failed before starting when it was made; ties go to the lowest
//! handle, so timers with equal deadlines fire in the order they were set. This matters
//! when several are due at once (the node computed past their deadlines): a browser or
//! Deno fires `setTimeout(f, 5)` before `setTimeout(g, 40)` whichever was set first.
//! Cancelling or ending the run drops them.

use crate::host::{FetchRequest, NodeHost, PgCall};
use std::collections::{BTreeSet, HashMap};
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
            "more than {MAX_PENDING} timers, fetches and PostgreSQL calls were pending at once"
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

/// A finished fetch or PostgreSQL call: `(meta, body)`, or the failure's `meta`.
type Outcome = Result<(String, Vec<u8>), String>;

/// A fetch or an early failure (a malformed request); timers are kept apart, ordered by
/// deadline.
enum Op {
    /// In flight; resolves to the outcome and the instant it arrived.
    Fetch(AbortOnDrop),
    /// Finished at `at`, not yet delivered.
    Done { at: Instant, outcome: Outcome },
}

/// A spawned fetch, aborted when the run no longer wants it.
struct AbortOnDrop(JoinHandle<(Outcome, Instant)>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The pending operations of one run.
#[derive(Default)]
pub(crate) struct PendingOps {
    last_handle: u32,
    /// Timers by `(deadline, handle)`: the first is the next to fire.
    timers: BTreeSet<(Instant, u32)>,
    /// Each timer's deadline, for `cancel`.
    deadlines: HashMap<u32, Instant>,
    /// One sleep, re-armed for the earliest timer whenever `wait` has to block.
    sleep: Option<Pin<Box<Sleep>>>,
    /// Fetches and early failures, in handle order.
    ops: Vec<(u32, Op)>,
}

impl PendingOps {
    fn next_handle(&mut self) -> u32 {
        // Handles are never 0 (JavaScript code may treat 0 as "no timer").
        self.last_handle = self.last_handle.checked_add(1).unwrap_or(1);
        self.last_handle
    }

    /// The next handle, unless [`MAX_PENDING`] operations are already pending.
    fn reserve(&mut self) -> Result<u32, TooManyPending> {
        if self.timers.len() + self.ops.len() >= MAX_PENDING {
            return Err(TooManyPending);
        }
        Ok(self.next_handle())
    }

    fn push_failed(&mut self, handle: u32, message: String) {
        let outcome = Err(message);
        self.ops.push((
            handle,
            Op::Done {
                at: Instant::now(),
                outcome,
            },
        ));
    }

    /// Starts a timer of `ms` milliseconds. Needs a Tokio runtime with time enabled
    /// (checked when the run starts).
    pub(crate) fn start_timer(&mut self, ms: u32) -> Result<u32, TooManyPending> {
        let handle = self.reserve()?;
        let deadline = Instant::now() + Duration::from_millis(u64::from(ms));
        self.timers.insert((deadline, handle));
        self.deadlines.insert(handle, deadline);
        Ok(handle)
    }

    /// Starts a fetch through `host`; a malformed request completes at once as failed.
    pub(crate) fn start_fetch(
        &mut self,
        host: Option<&dyn NodeHost>,
        request: Result<FetchRequest, String>,
    ) -> Result<u32, TooManyPending> {
        let handle = self.reserve()?;
        match (host, request) {
            (_, Err(message)) => self.push_failed(handle, message),
            (None, Ok(_)) => self.push_failed(handle, "fetch is not available here".to_string()),
            (Some(host), Ok(request)) => {
                let response = host.fetch(request);
                let task = tokio::spawn(async move {
                    let outcome = response.await.map(|r| (r.meta_json(), r.body));
                    (outcome, Instant::now())
                });
                self.ops.push((handle, Op::Fetch(AbortOnDrop(task))));
            }
        }
        Ok(handle)
    }

    /// Starts a PostgreSQL call through `host` (delivered like a fetch: `meta` is its JSON).
    pub(crate) fn start_pg(
        &mut self,
        host: Option<&dyn NodeHost>,
        call: Result<PgCall, String>,
    ) -> Result<u32, TooManyPending> {
        let handle = self.reserve()?;
        match (host, call) {
            (_, Err(message)) => self.push_failed(handle, message),
            (None, Ok(_)) => self.push_failed(
                handle,
                r#"{"message":"PostgreSQL is not available here"}"#.to_string(),
            ),
            (Some(host), Ok(call)) => {
                let result = host.postgres(call);
                let task = tokio::spawn(async move {
                    let outcome = result.await.map(|meta| (meta, Vec::new()));
                    (outcome, Instant::now())
                });
                self.ops.push((handle, Op::Fetch(AbortOnDrop(task))));
            }
        }
        Ok(handle)
    }

    /// Forgets `handle`: its completion will not be delivered.
    pub(crate) fn cancel(&mut self, handle: u32) {
        if let Some(deadline) = self.deadlines.remove(&handle) {
            self.timers.remove(&(deadline, handle));
        } else {
            self.ops.retain(|(h, _)| *h != handle);
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.timers.is_empty() && self.ops.is_empty()
    }

    /// The operation that became due first, removed from the set. `Pending` until one is
    /// due (the caller checks `is_empty` first: an empty set never finishes).
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Completion> {
        // Fetches that finished since the last poll become `Done`, stamped when they did.
        for (_, op) in &mut self.ops {
            if let Op::Fetch(task) = op
                && let Poll::Ready(joined) = Pin::new(&mut task.0).poll(cx)
            {
                *op = match joined {
                    Ok((outcome, at)) => Op::Done { at, outcome },
                    Err(e) => Op::Done {
                        at: Instant::now(),
                        outcome: Err(if e.is_panic() {
                            "the host's fetch panicked".to_string()
                        } else {
                            "the fetch was cancelled".to_string()
                        }),
                    },
                };
            }
        }
        let first_done = self
            .ops
            .iter()
            .enumerate()
            .filter_map(|(index, (handle, op))| match op {
                Op::Done { at, .. } => Some((*at, *handle, index)),
                Op::Fetch(_) => None,
            })
            .min();
        let due_timer = self.due_timer(cx);
        match (due_timer, first_done) {
            (Some((deadline, handle)), done)
                if done.is_none_or(|(at, h, _)| (deadline, handle) < (at, h)) =>
            {
                self.timers.remove(&(deadline, handle));
                self.deadlines.remove(&handle);
                Poll::Ready(Completion {
                    handle,
                    ok: true,
                    meta: String::new(),
                    body: Vec::new(),
                })
            }
            (_, Some((_, handle, index))) => {
                let (_, op) = self.ops.remove(index);
                let Op::Done { outcome, .. } = op else {
                    unreachable!("only finished operations are picked");
                };
                Poll::Ready(completion(handle, outcome))
            }
            (_, None) => Poll::Pending,
        }
    }

    /// The earliest timer if its deadline has passed; otherwise arms the sleep for it
    /// (registering `cx`'s waker) and returns `None`.
    fn due_timer(&mut self, cx: &mut Context<'_>) -> Option<(Instant, u32)> {
        let &(deadline, handle) = self.timers.first()?;
        // The clock, not the sleep, decides: the timer driver may not have turned since
        // the node computed past the deadline.
        if deadline <= Instant::now() {
            return Some((deadline, handle));
        }
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if sleep.deadline() != deadline {
            sleep.as_mut().reset(deadline);
        }
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Some((deadline, handle)),
            Poll::Pending => None,
        }
    }
}

fn completion(handle: u32, outcome: Outcome) -> Completion {
    match outcome {
        Ok((meta, body)) => Completion {
            handle,
            ok: true,
            meta,
            body,
        },
        Err(message) => Completion {
            handle,
            ok: false,
            meta: message,
            body: Vec::new(),
        },
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
    async fn timers_due_together_fire_in_deadline_order_not_start_order() {
        let mut ops = PendingOps::default();
        let late = ops.start_timer(50).unwrap();
        let early = ops.start_timer(10).unwrap();
        // The node computes past both deadlines before it waits.
        tokio::time::advance(Duration::from_millis(100)).await;
        let mut order = Vec::new();
        while !ops.is_empty() {
            order.push(poll_fn(|cx| ops.poll_next(cx)).await.handle);
        }
        assert_eq!(order, vec![early, late]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_after_a_timer_was_due_is_delivered_after_the_timer() {
        let mut ops = PendingOps::default();
        let timer = ops.start_timer(5).unwrap();
        tokio::time::advance(Duration::from_millis(20)).await;
        let failed = ops
            .start_fetch(None, Err("malformed fetch request: x".into()))
            .unwrap();
        let first = poll_fn(|cx| ops.poll_next(cx)).await.handle;
        let second = poll_fn(|cx| ops.poll_next(cx)).await.handle;
        assert_eq!((first, second), (timer, failed));
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
        assert!(ops.start_fetch(None, Err("x".into())).is_err());
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
