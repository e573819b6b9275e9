//! The shared emulation case table (`ceaseless::proto::emulation::cases`) in headless Chromium, the
//! stream decoding cases through the browser shell's own reader (a real `ReadableStream`), and a live
//! Protobuf-over-HTTP-streaming round trip against Centrifugo.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, missing_docs)]

mod support;

use std::sync::Arc;

use bytes::Bytes;
use ceaseless::proto::emulation::cases;
use ceaseless::transport::{FrameFormat, Transport, TransportKind};
use ceaseless_wasm::emulation::{EmulationTransport, ReadError, read_body};
use ceaseless_wasm::runtime::JsRuntime;
use futures::StreamExt;
use serde_json::json;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{ReadableStream, ReadableStreamDefaultReader};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn request_post_batching_and_url_cases_hold_in_the_browser() {
    let mut failures = Vec::new();
    failures.extend(cases::stream_requests().iter().filter_map(|c| c.run().err()));
    failures.extend(cases::posts().iter().filter_map(|c| c.run().err()));
    failures.extend(cases::batching().iter().filter_map(|c| c.run().err()));
    failures.extend(cases::urls().iter().filter_map(|c| c.run().err()));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A `ReadableStream` that yields `chunks` as they are, then ends.
fn body_stream(chunks: &[&[u8]]) -> ReadableStreamDefaultReader {
    let make = js_sys::Function::new_with_args(
        "chunks",
        "return new ReadableStream({ start(c) { for (const x of chunks) c.enqueue(x); c.close(); } });",
    );
    let array = js_sys::Array::new();
    for chunk in chunks {
        array.push(&js_sys::Uint8Array::from(*chunk));
    }
    let stream: ReadableStream =
        make.call1(&wasm_bindgen::JsValue::NULL, &array).unwrap().dyn_into().unwrap();
    stream.get_reader().dyn_into().unwrap()
}

#[wasm_bindgen_test]
async fn decoding_cases_hold_through_the_fetch_reader() {
    let mut failures = Vec::new();
    for case in cases::decoding() {
        let (frames, error) = match case.decoder() {
            Ok(decoder) => {
                let mut frames: Vec<Bytes> = Vec::new();
                let outcome = read_body(body_stream(case.chunks), decoder, |frame| {
                    frames.push(frame);
                    true
                })
                .await;
                let error = match outcome {
                    Ok(()) => None,
                    Err(ReadError::Protocol(err)) => Some(err),
                    Err(ReadError::Body(reason)) => panic!("{}: the stream failed: {reason}", case.name),
                };
                (frames, error)
            }
            Err(err) => (Vec::new(), Some(err)),
        };
        failures.extend(case.check(&frames, error.as_ref()).err());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[wasm_bindgen_test]
async fn protobuf_over_http_streaming_carries_the_protocol() {
    let server = server().await;
    let ws = server["ws"].as_str().unwrap().to_owned();
    let user = format!("wasm-protobuf-{}", unique());
    let channel = format!("test:protobuf-{}", unique());
    let transport: Arc<dyn Transport> =
        Arc::new(EmulationTransport::new(TransportKind::HttpStream, None, None));
    let client = ceaseless::Client::builder(&ws)
        .token(token(&user, None).await)
        .format(FrameFormat::Protobuf)
        .build_with(JsRuntime, vec![transport])
        .unwrap();
    let sub = client.new_subscription(&channel).build().unwrap();
    let mut publications = sub.publications();
    client.connect();
    sub.subscribe();
    sub.ready().await.unwrap();
    // Several commands queued at once: they leave in order, batched into as few POSTs as allowed.
    let (one, two) = (json!({ "from": "client", "n": 1 }), json!({ "from": "client", "n": 2 }));
    let (a, b) = futures::join!(client.publish_json(&channel, &one), client.publish_json(&channel, &two));
    a.unwrap();
    b.unwrap();
    api("publish", json!({ "channel": channel, "data": { "from": "api", "n": 3 } })).await;
    let mut numbers = Vec::new();
    while numbers.len() < 3 {
        let next = futures::future::select(publications.next(), Box::pin(sleep(5000))).await;
        let futures::future::Either::Left((Some(publication), _)) = next else {
            panic!("timed out waiting for publications; got {numbers:?}");
        };
        let data: serde_json::Value = publication.data.json().unwrap();
        numbers.push(data["n"].as_u64().unwrap());
    }
    assert_eq!(numbers, vec![1, 2, 3]);
    let history = client.history(&channel, Default::default()).await.unwrap();
    assert_eq!(history.offset, 3);
    client.close().await;
}
