//! A future polled only when its own waker has fired.
//!
//! `tokio::select!` polls every branch each time its task wakes. Around a connection that is
//! every request, twice or more, and the guards beside it (the shutdown token, the idle watchdog,
//! probation) were each polled every time: a cancellation-token check or a timer poll per guard
//! per wake-up (~2% of a JSON-RPC call's instructions). Wrapped here, a guard is polled only
//! after something woke it, and costs a flag check otherwise.

use futures_util::task::AtomicWaker;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// `inner`, polled only when it has been woken since its last poll (and on the first poll).
pub struct PollWhenWoken<F> {
    inner: Pin<Box<F>>,
    signal: Arc<Signal>,
    /// The waker `inner` is polled with: it marks `signal` and wakes whoever polls this.
    waker: Waker,
}

struct Signal {
    woken: AtomicBool,
    outer: AtomicWaker,
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.outer.wake();
    }
}

pub fn poll_when_woken<F: Future>(inner: F) -> PollWhenWoken<F> {
    let signal = Arc::new(Signal {
        woken: AtomicBool::new(true),
        outer: AtomicWaker::new(),
    });
    PollWhenWoken {
        inner: Box::pin(inner),
        waker: Waker::from(Arc::clone(&signal)),
        signal,
    }
}

impl<F: Future> Future for PollWhenWoken<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // Registered before the flag is read: a wake-up in between then still reaches the caller.
        self.signal.outer.register(cx.waker());
        if !self.signal.woken.swap(false, Ordering::AcqRel) {
            return Poll::Pending;
        }
        let this = &mut *self;
        this.inner
            .as_mut()
            .poll(&mut Context::from_waker(&this.waker))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_wrapped_timer_and_token_still_fire() {
        tokio::time::timeout(
            Duration::from_secs(5),
            poll_when_woken(tokio::time::sleep(Duration::from_millis(10))),
        )
        .await
        .expect("the wrapped sleep fires");
        let token = tokio_util::sync::CancellationToken::new();
        let waiting = tokio::spawn(poll_when_woken(token.clone().cancelled_owned()));
        tokio::task::yield_now().await;
        token.cancel();
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("the wrapped token fires")
            .expect("the task ends");
    }
}
