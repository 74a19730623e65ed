//! Runs a future to completion on the current thread, for the synchronous entry points
//! (`Sandbox::new`, `compile_js`). Their wasm never waits on the host, so the futures
//! only return `Pending` when wasmtime yields, and are woken at once.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `future` until it is ready, parking the thread in between.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            Poll::Pending => thread::park(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_future_woken_from_another_thread_completes() {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let mut rx = Some(rx);
        let value = block_on(std::future::poll_fn(move |cx| {
            if let Some(rx) = rx.take() {
                let waker = cx.waker().clone();
                thread::spawn(move || {
                    let _ = rx.recv();
                    waker.wake();
                });
                let _ = tx.send(());
                return Poll::Pending;
            }
            Poll::Ready(7)
        }));
        assert_eq!(value, 7);
    }
}
