//! Event streams handed to the app.
//!
//! Each stream sees every event from its start on, in order, with nothing dropped: the streams are
//! unbounded, so a consumer that stops reading grows memory instead of losing publications. A client's
//! `events()` starts when it is called (open it before `connect()` to see everything); a subscription's
//! first `events()` or `publications()` starts at the subscription's creation, later ones when called.
//!
//! Every stream ends after the client's `Closed` event (the last client event), once what was queued for
//! it has been read; a stream opened after that ends at once. Streams also end when every handle to the
//! client is dropped.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use futures::channel::mpsc::UnboundedReceiver;

/// A stream of events; ends when the client is closed (at once if opened after) or dropped.
#[derive(Debug)]
pub struct EventStream<T> {
    rx: UnboundedReceiver<T>,
}

impl<T> EventStream<T> {
    pub(crate) fn new(rx: UnboundedReceiver<T>) -> Self {
        Self { rx }
    }
}

impl<T> Stream for EventStream<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        Pin::new(&mut self.rx).poll_next(cx)
    }
}

impl<T> Unpin for EventStream<T> {}
