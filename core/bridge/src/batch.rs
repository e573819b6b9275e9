//! The one batch drain every binding reads events through.
//!
//! Crossing a language boundary costs microseconds per call, so a busy channel must not cross it once
//! per publication. A [`BatchStream`] wraps one of the client's event streams and offers:
//!
//! - [`BatchStream::take_ready`]: every item already queued (up to `max`), without waiting; the
//!   binding converts the whole batch in one call.
//! - [`BatchStream::ready`]: waits until an item is queued or the stream ended, and takes nothing, so
//!   cancelling the wait (a Python `asyncio.wait_for`, a Kotlin coroutine cancelled) loses nothing.
//! - [`BatchStream::next_batch`]: both, for callers that simply want the next non-empty batch.
//! - [`BatchStream::cancel`]: ends the stream at once (queued items are dropped).
//!
//! The streams end after the client's `Closed` event (the core's fan-out guarantees it), so no binding
//! needs its own "closed" signal. One reader at a time: a concurrent `take_ready` and `ready` may miss a
//! wake-up.

use std::future::poll_fn;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll};

use ceaseless::maybe_send::{BoxStream, MaybeSend};
use futures::stream::{Peekable, Stream, StreamExt};
use futures::task::AtomicWaker;

/// What one [`BatchStream::take_ready`] got.
#[derive(Debug)]
pub struct Batch<T> {
    /// The items, oldest first (empty when nothing was queued).
    pub items: Vec<T>,
    /// The stream has ended: nothing will follow these items.
    pub ended: bool,
}

struct Source<T> {
    stream: Pin<Box<Peekable<BoxStream<'static, T>>>>,
    ended: bool,
}

/// An event stream read in batches. See the [module docs](self).
pub struct BatchStream<T> {
    source: Mutex<Source<T>>,
    cancelled: AtomicBool,
    waker: AtomicWaker,
}

impl<T> std::fmt::Debug for BatchStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchStream").field("cancelled", &self.cancelled).finish_non_exhaustive()
    }
}

impl<T: 'static> BatchStream<T> {
    /// Wraps `stream`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn new(stream: impl Stream<Item = T> + MaybeSend + 'static) -> Self {
        Self::from_boxed(stream.boxed())
    }

    /// Wraps `stream`.
    #[cfg(target_arch = "wasm32")]
    pub fn new(stream: impl Stream<Item = T> + MaybeSend + 'static) -> Self {
        Self::from_boxed(stream.boxed_local())
    }

    fn from_boxed(stream: BoxStream<'static, T>) -> Self {
        Self {
            source: Mutex::new(Source { stream: Box::pin(stream.peekable()), ended: false }),
            cancelled: AtomicBool::new(false),
            waker: AtomicWaker::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Source<T>> {
        self.source.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every item queued now, up to `max` (0: no limit), without waiting.
    pub fn take_ready(&self, max: usize) -> Batch<T> {
        let max = if max == 0 { usize::MAX } else { max };
        let mut cx = Context::from_waker(futures::task::noop_waker_ref());
        self.take(&mut cx, max)
    }

    fn take(&self, cx: &mut Context<'_>, max: usize) -> Batch<T> {
        if self.cancelled.load(Ordering::Acquire) {
            return Batch { items: Vec::new(), ended: true };
        }
        let mut source = self.lock();
        let mut items = Vec::new();
        while !source.ended && items.len() < max {
            match source.stream.as_mut().poll_next(cx) {
                Poll::Ready(Some(item)) => items.push(item),
                Poll::Ready(None) => source.ended = true,
                Poll::Pending => break,
            }
        }
        Batch { items, ended: source.ended }
    }

    /// Ready once an item is queued, the stream ended, or it was cancelled. Takes nothing.
    pub fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<()> {
        self.waker.register(cx.waker());
        if self.cancelled.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        let mut source = self.lock();
        if source.ended {
            return Poll::Ready(());
        }
        match source.stream.as_mut().poll_peek(cx) {
            Poll::Ready(Some(_)) => Poll::Ready(()),
            Poll::Ready(None) => {
                source.ended = true;
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }

    /// Waits (cancel-safe) until [`BatchStream::take_ready`] has something to return or the stream ended.
    pub async fn ready(&self) {
        poll_fn(|cx| self.poll_ready(cx)).await;
    }

    /// The next non-empty batch (up to `max`, 0: no limit); `None` once the stream ended.
    pub async fn next_batch(&self, max: usize) -> Option<Vec<T>> {
        loop {
            self.ready().await;
            let batch = self.take_ready(max);
            if !batch.items.is_empty() {
                return Some(batch.items);
            }
            if batch.ended {
                return None;
            }
        }
    }

    /// Ends the stream now; a waiting reader wakes and sees the end. Queued items are dropped.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Release);
        self.waker.wake();
    }

    /// Whether the stream has ended (or was cancelled) and nothing is left to take.
    pub fn is_ended(&self) -> bool {
        self.cancelled.load(Ordering::Acquire) || self.lock().ended
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use futures::FutureExt;

    #[test]
    fn takes_everything_queued_in_one_call_and_sees_the_end() {
        let (tx, rx) = futures::channel::mpsc::unbounded();
        let stream = BatchStream::new(rx);
        for i in 0..5 {
            tx.unbounded_send(i).unwrap();
        }
        let batch = stream.take_ready(3);
        assert_eq!((batch.items, batch.ended), (vec![0, 1, 2], false));
        let batch = stream.take_ready(0);
        assert_eq!((batch.items, batch.ended), (vec![3, 4], false));
        assert!(stream.take_ready(0).items.is_empty());
        drop(tx);
        assert!(stream.take_ready(0).ended);
        assert!(stream.next_batch(0).now_or_never().flatten().is_none());
    }

    #[tokio::test]
    async fn a_cancelled_wait_loses_nothing() {
        let (tx, rx) = futures::channel::mpsc::unbounded();
        let stream = BatchStream::new(rx);
        let waited = tokio::time::timeout(std::time::Duration::from_millis(20), stream.ready()).await;
        assert!(waited.is_err(), "nothing queued yet");
        tx.unbounded_send("a").unwrap();
        stream.ready().await;
        stream.ready().await; // waiting again still takes nothing
        assert_eq!(stream.next_batch(0).await, Some(vec!["a"]));
    }

    #[tokio::test]
    async fn cancel_wakes_a_waiting_reader() {
        let (_tx, rx) = futures::channel::mpsc::unbounded::<u8>();
        let stream = std::sync::Arc::new(BatchStream::new(rx));
        let reader = tokio::spawn({
            let stream = stream.clone();
            async move { stream.next_batch(0).await }
        });
        tokio::task::yield_now().await;
        stream.cancel();
        assert_eq!(reader.await.unwrap(), None);
        assert!(stream.is_ended());
    }
}
