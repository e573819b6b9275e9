//! The event pump: every event stream of one client, handed to JS in batches.
//!
//! The driver writes events into unbounded streams (one for the client, one per subscription), each
//! read through the shared [`BatchStream`]. The pump is one task that, each time it wakes, takes every
//! event that is ready on any stream (the replies of at least one frame, often many frames when the
//! page was busy), encodes them into one JSON batch and makes one call into JS. Order is kept within
//! each stream; events of different streams in the same batch may interleave differently than the
//! driver produced them. A stream leaves the pump when it ends (the core ends every stream after the
//! client's `Closed` event).

use std::future::poll_fn;
use std::task::Poll;

use ceaseless::{ClientEvent, SubscriptionEvent};
use ceaseless_bridge::BatchStream;
use futures::StreamExt;
use futures::channel::mpsc;
use js_sys::{Function, Uint8Array};
use wasm_bindgen::JsValue;

use crate::encode::Json;

/// An event from one of the streams.
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
    adds: mpsc::UnboundedSender<BatchStream<Tagged>>,
}

impl Pump {
    /// Starts a pump that calls `sink(batch, buffer)` with each JSON batch (and, for `binary` clients,
    /// the buffer its data ranges point into).
    pub fn start(sink: Function, binary: bool) -> Self {
        let (adds, rx) = mpsc::unbounded();
        wasm_bindgen_futures::spawn_local(run(rx, sink, binary));
        Self { adds }
    }

    /// Adds another stream to the pump.
    pub fn add(&self, stream: BatchStream<Tagged>) {
        let _ = self.adds.unbounded_send(stream);
    }
}

async fn run(mut adds: mpsc::UnboundedReceiver<BatchStream<Tagged>>, sink: Function, binary: bool) {
    // A plain list polled in turn: cheaper per event than a `SelectAll` for the handful of streams a
    // page has, and each stream's ready events stay together in the batch.
    let mut streams: Vec<BatchStream<Tagged>> = Vec::new();
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
            let mut json = Json::new(binary);
            json.start_batch();
            let mut count = 0;
            streams.retain(|stream| {
                // `poll_ready` registers this task's waker; `take_ready` then drains without waiting.
                while stream.poll_ready(cx).is_ready() {
                    if count == MAX_BATCH {
                        // The batch is full: this stream has more; wake again to continue.
                        cx.waker().wake_by_ref();
                        return true;
                    }
                    let taken = stream.take_ready(MAX_BATCH - count);
                    count += taken.items.len();
                    for item in &taken.items {
                        match item {
                            Tagged::Client(event) => json.client_event(event),
                            Tagged::Subscription(id, event) => json.subscription_event(*id, event),
                        }
                    }
                    if taken.ended {
                        return false;
                    }
                }
                true
            });
            if count > 0 {
                json.end_batch();
                Poll::Ready(Some(json))
            } else if !adds_open && streams.is_empty() {
                Poll::Ready(None)
            } else {
                Poll::Pending
            }
        })
        .await;
        let Some(batch) = batch else { return };
        let buffer = match &batch.bytes {
            Some(bytes) => Uint8Array::from(bytes.as_slice()).into(),
            None => JsValue::UNDEFINED,
        };
        // A throwing listener is the wrapper's business (it reports and carries on); never ours.
        let _ = sink.call2(&JsValue::UNDEFINED, &JsValue::from_str(&batch.text), &buffer);
    }
}
