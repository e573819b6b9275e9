//! The event pump: every event stream of one client, merged, handed to JS in batches.
//!
//! The driver writes events into unbounded streams (one for the client, one per subscription). The
//! pump is one task that, each time it wakes, takes every event that is ready on any stream (the
//! replies of at least one frame, often many frames when the page was busy), encodes them into one JSON
//! batch and makes one call into JS. Order is kept within each stream; events of different streams
//! in the same batch may interleave differently than the driver produced them.

use std::future::poll_fn;
use std::task::Poll;

use ceaseless::{ClientEvent, SubscriptionEvent};
use futures::StreamExt;
use futures::channel::mpsc;
use futures::stream::LocalBoxStream;
use js_sys::Function;
use wasm_bindgen::JsValue;

use crate::encode::Json;

/// An event from one of the merged streams.
pub enum Tagged {
    /// A client event.
    Client(ClientEvent),
    /// An event of the subscription with this id.
    Subscription(u32, SubscriptionEvent),
}

/// At most this many events per batch, so one slow listener cannot hold a huge string.
const MAX_BATCH: usize = 4096;

/// Adds streams to a running pump. Dropping it (with every stream ended) ends the pump.
#[derive(Debug, Clone)]
pub struct Pump {
    adds: mpsc::UnboundedSender<LocalBoxStream<'static, Tagged>>,
}

impl Pump {
    /// Starts a pump that calls `sink(batch)` with each JSON batch.
    pub fn start(sink: Function) -> Self {
        let (adds, rx) = mpsc::unbounded();
        wasm_bindgen_futures::spawn_local(run(rx, sink));
        Self { adds }
    }

    /// Merges another stream into the pump.
    pub fn add(&self, stream: LocalBoxStream<'static, Tagged>) {
        let _ = self.adds.unbounded_send(stream);
    }
}

async fn run(mut adds: mpsc::UnboundedReceiver<LocalBoxStream<'static, Tagged>>, sink: Function) {
    // A plain list polled in turn: cheaper per event than a `SelectAll` for the handful of streams a
    // page has, and each stream's ready events stay together in the batch.
    let mut streams: Vec<LocalBoxStream<'static, Tagged>> = Vec::new();
    let mut adds_open = true;
    loop {
        let batch = poll_fn(|cx| {
            while adds_open {
                match adds.poll_next_unpin(cx) {
                    Poll::Ready(Some(stream)) => streams.push(stream),
                    Poll::Ready(None) => adds_open = false,
                    Poll::Pending => break,
                }
            }
            let mut json = Json(String::from("["));
            let mut count = 0;
            streams.retain_mut(|stream| {
                while count < MAX_BATCH {
                    match stream.poll_next_unpin(cx) {
                        Poll::Ready(Some(Tagged::Client(event))) => json.client_event(&event),
                        Poll::Ready(Some(Tagged::Subscription(id, event))) => {
                            json.subscription_event(id, &event)
                        }
                        Poll::Ready(None) => return false,
                        Poll::Pending => return true,
                    }
                    count += 1;
                }
                // The batch is full: this stream may have more; wake again to continue.
                cx.waker().wake_by_ref();
                true
            });
            if count > 0 {
                json.0.push(']');
                Poll::Ready(Some(json.0))
            } else if !adds_open && streams.is_empty() {
                Poll::Ready(None)
            } else {
                Poll::Pending
            }
        })
        .await;
        let Some(batch) = batch else { return };
        // A throwing listener is the wrapper's business (it reports and carries on); never ours.
        let _ = sink.call1(&JsValue::UNDEFINED, &JsValue::from_str(&batch));
    }
}
