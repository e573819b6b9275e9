//! Fossil delta compression (PROTOCOL.md section 9), live and scripted:
//!
//! - publications the server API sends with `"delta": true` reach a delta subscriber whole and equal to
//!   what was published, on every transport and codec, also across a reconnect that recovers (the
//!   recovered publications are a delta chain and live deltas continue from it), while the subscriber
//!   really receives deltas (fewer bytes than a subscriber without delta on the same stream);
//! - a corrupt delta from a scripted WebSocket server makes the client unsubscribe and subscribe again
//!   with recovery from the last publication it delivered whole; the app never sees corrupt data;
//! - the wire bytes per publication for JSON, Protobuf and both with delta on the same stream of 200
//!   similar publications, printed as a table.

mod common;
mod common_transport;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ceaseless::proto::delta;
use ceaseless::transport::{FrameFormat, TransportKind};
use ceaseless::{Client, EventStream, Publication, SubscriptionEvent};
use ceaseless_tests::{Centrifugo, init_tracing};
use common::{STEP, is_connection_step, next_matching, publications, subscribe, unique};
use common_transport::tapped_builder;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

/// A payload like a market snapshot: from one publication to the next only the sequence number, the
/// last trade and one book level change.
fn snapshot(n: u64) -> Value {
    let levels: Vec<Value> = (0..8u64)
        .map(|i| {
            let size = 10 * (i + 1) + if i == n % 8 { 1 + n % 5 } else { 0 };
            json!({ "price": 1000 + i * 5, "size": size, "orders": 3 + i })
        })
        .collect();
    json!({
        "symbol": "ACME",
        "venue": "XNAS",
        "seq": n,
        "last": { "price": 1000 + n % 17, "size": 100 + n % 5 },
        "bids": levels,
        "status": "open",
        "note": "the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog",
    })
}

/// Publishes `data` through the server API with the `delta` flag.
async fn publish_delta(server: &Centrifugo, channel: &str, data: &Value) {
    server
        .api()
        .call("publish", json!({ "channel": channel, "data": data, "delta": true }))
        .await
        .unwrap_or_else(|e| panic!("API publish with delta into {channel}: {e}"));
}

fn data_of(publication: &Publication) -> Value {
    publication.data.json().expect("publication data is JSON")
}

/// Reads events up to the next `Subscribed`; returns the publications before it.
async fn until_subscribed(events: &mut EventStream<SubscriptionEvent>) -> Vec<Publication> {
    let mut before = Vec::new();
    loop {
        match next_matching(events, STEP, |e| {
            matches!(e, SubscriptionEvent::Subscribed(_) | SubscriptionEvent::Publication(_))
        })
        .await
        {
            SubscriptionEvent::Subscribed(info) => {
                assert!(info.was_recovering && info.recovered, "the resubscribe recovers: {info:?}");
                return before;
            }
            SubscriptionEvent::Publication(p) => before.push(p),
            _ => unreachable!("filtered above"),
        }
    }
}

/// Delta publications arrive whole on `(kind, format)`, also across a recovering reconnect.
async fn api_deltas_arrive_whole(kind: TransportKind, format: FrameFormat) {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let channel = unique("test:delta");
    let user = unique("delta");
    let (builder, delta_bytes) = tapped_builder(&server, &user, kind, format);
    let builder = builder.reconnect_delay(Duration::from_millis(1500), Duration::from_millis(2000));
    let (client, mut client_events, _) = common::connect(builder).await;
    let (plain_builder, plain_bytes) = tapped_builder(&server, &unique("plain"), kind, format);
    let (plain, _plain_events, _) = common::connect(plain_builder).await;

    let sub = client.new_subscription(&channel).delta(true).build().expect("subscription");
    let mut events = subscribe(&sub).await;
    let (_plain_sub, mut plain_events) = common::subscribed(&plain, &channel).await;
    delta_bytes.reset();
    plain_bytes.reset();

    let mut received = Vec::new();
    for n in 1..=10 {
        publish_delta(&server, &channel, &snapshot(n)).await;
    }
    received.extend(publications(&mut events, 10).await);
    let plain_received = publications(&mut plain_events, 10).await;
    assert_eq!(
        plain_received.iter().map(data_of).collect::<Vec<_>>(),
        (1..=10).map(snapshot).collect::<Vec<_>>()
    );
    let (with_delta, without) = (delta_bytes.bytes(), plain_bytes.bytes());
    assert!(
        with_delta * 2 < without,
        "{} {:?}: the delta subscriber got {with_delta} bytes, the plain one {without}",
        kind.name(),
        format
    );

    // Away while more deltas are published; recovery replays them as a chain, live deltas follow.
    server.api().disconnect(&user, 4000, "come back").await.expect("API disconnect");
    for n in 11..=20 {
        publish_delta(&server, &channel, &snapshot(n)).await;
    }
    let connecting = next_matching(&mut client_events, STEP, is_connection_step).await;
    assert!(matches!(connecting, ceaseless::ClientEvent::Connecting { code: 4000, .. }), "{connecting:?}");
    received.extend(until_subscribed(&mut events).await);
    received.extend(publications(&mut events, 20 - received.len()).await);
    for n in 21..=30 {
        publish_delta(&server, &channel, &snapshot(n)).await;
    }
    received.extend(publications(&mut events, 10).await);

    assert_eq!(received.iter().map(|p| p.offset).collect::<Vec<_>>(), (1..=30).collect::<Vec<_>>());
    for (publication, n) in received.iter().zip(1..) {
        assert_eq!(data_of(publication), snapshot(n), "publication {n} arrives whole and equal");
        assert!(!publication.delta, "the app never sees the delta flag");
    }
    client.close().await;
    plain.close().await;
}

macro_rules! on_every_transport {
    ($($pair:ident => ($kind:expr, $format:expr)),* $(,)?) => {$(
        #[tokio::test]
        async fn $pair() {
            api_deltas_arrive_whole($kind, $format).await;
        }
    )*};
}

on_every_transport! {
    deltas_arrive_whole_websocket_json => (TransportKind::WebSocket, FrameFormat::Json),
    deltas_arrive_whole_websocket_protobuf => (TransportKind::WebSocket, FrameFormat::Protobuf),
    deltas_arrive_whole_http_stream_json => (TransportKind::HttpStream, FrameFormat::Json),
    deltas_arrive_whole_http_stream_protobuf => (TransportKind::HttpStream, FrameFormat::Protobuf),
    deltas_arrive_whole_sse_json => (TransportKind::Sse, FrameFormat::Json),
}

/// Fossil's base-64 digits.
fn fossil_int(mut n: u64) -> String {
    const DIGITS: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 64) as usize]);
        n /= 64;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII")
}

/// A fossil delta from `base` to `target`: copy the common prefix and suffix, insert the middle. With
/// `corrupt`, the checksum is off by one.
fn make_delta(base: &str, target: &str, corrupt: bool) -> String {
    let (b, t) = (base.as_bytes(), target.as_bytes());
    let prefix = b.iter().zip(t).take_while(|(x, y)| x == y).count();
    let max_suffix = b.len().min(t.len()) - prefix;
    let suffix = b.iter().rev().zip(t.iter().rev()).take(max_suffix).take_while(|(x, y)| x == y).count();
    let middle = &target[prefix..t.len() - suffix];
    let mut out = format!("{}\n", fossil_int(t.len() as u64));
    if prefix > 0 {
        out.push_str(&format!("{}@0,", fossil_int(prefix as u64)));
    }
    if !middle.is_empty() {
        out.push_str(&format!("{}:{middle}", fossil_int(middle.len() as u64)));
    }
    if suffix > 0 {
        out.push_str(&format!("{}@{},", fossil_int(suffix as u64), fossil_int((b.len() - suffix) as u64)));
    }
    let checksum = delta::checksum(t).wrapping_add(u32::from(corrupt));
    out.push_str(&format!("{};", fossil_int(u64::from(checksum))));
    let applied = delta::apply(b, out.as_bytes());
    if corrupt {
        assert!(applied.is_err(), "the corrupt delta must not apply");
    } else {
        assert_eq!(applied.expect("the delta applies"), t, "the delta rebuilds the target");
    }
    out
}

/// What the scripted server received: every command, in order.
type Seen = Arc<Mutex<Vec<Value>>>;

/// A scripted Centrifugo for one WebSocket connection (JSON): it grants delta, sends a full
/// publication, a good delta and a corrupt one; on the resubscribe it recovers the third publication
/// whole and then sends a fourth as a delta against it.
async fn scripted_server(listener: TcpListener, channel: String, payloads: Vec<String>, seen: Seen) {
    let (tcp, _) = listener.accept().await.expect("accept");
    let mut ws = tokio_tungstenite::accept_async(tcp).await.expect("WebSocket handshake");
    let mut subscribes = 0;
    let push = |offset: u64, data: String, is_delta: bool| {
        let mut publication = json!({ "data": data, "offset": offset });
        if is_delta {
            publication["delta"] = json!(true);
        }
        Message::text(json!({ "push": { "channel": channel, "pub": publication } }).to_string())
    };
    while let Some(Ok(message)) = ws.next().await {
        let Message::Text(text) = message else { continue };
        for line in text.as_str().split('\n').filter(|l| !l.trim().is_empty()) {
            let command: Value = serde_json::from_str(line).expect("commands are JSON");
            seen.lock().expect("lock").push(command.clone());
            let id = command["id"].clone();
            let mut replies = Vec::new();
            if command.get("connect").is_some() {
                replies.push(Message::text(
                    json!({ "id": id, "connect": { "client": "scripted", "version": "0.0.0" } }).to_string(),
                ));
            } else if command.get("unsubscribe").is_some() {
                replies.push(Message::text(json!({ "id": id, "unsubscribe": {} }).to_string()));
            } else if command.get("subscribe").is_some() {
                subscribes += 1;
                if subscribes == 1 {
                    let result = json!({ "recoverable": true, "positioned": true, "epoch": "E", "offset": 0, "delta": true });
                    replies.push(Message::text(json!({ "id": id, "subscribe": result }).to_string()));
                    replies.push(push(1, payloads[0].clone(), false));
                    replies.push(push(2, make_delta(&payloads[0], &payloads[1], false), true));
                    replies.push(push(3, make_delta(&payloads[1], &payloads[2], true), true));
                } else {
                    let result = json!({
                        "recoverable": true, "positioned": true, "epoch": "E", "offset": 3, "delta": true,
                        "was_recovering": true, "recovered": true,
                        "publications": [{ "data": payloads[2], "offset": 3 }],
                    });
                    replies.push(Message::text(json!({ "id": id, "subscribe": result }).to_string()));
                    replies.push(push(4, make_delta(&payloads[2], &payloads[3], false), true));
                }
            }
            for reply in replies {
                if ws.send(reply).await.is_err() {
                    return;
                }
            }
        }
    }
}

#[tokio::test]
async fn a_corrupt_delta_resubscribes_with_recovery_and_never_reaches_the_app() {
    init_tracing();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let channel = "news".to_owned();
    let payloads: Vec<String> = (1..=4).map(|n| snapshot(n).to_string()).collect();
    let seen: Seen = Arc::default();
    let server = tokio::spawn(scripted_server(listener, channel.clone(), payloads.clone(), seen.clone()));

    let client = Client::builder(&format!("ws://127.0.0.1:{port}/connection/websocket"))
        .token("not-checked")
        .build()
        .expect("client");
    let sub = client.new_subscription(&channel).delta(true).build().expect("subscription");
    let mut events = sub.events();
    client.connect();
    sub.subscribe();

    let mut delivered = Vec::new();
    let mut errors = Vec::new();
    let mut subscribed = 0;
    while delivered.len() < 4 {
        match next_matching(&mut events, STEP, |_| true).await {
            SubscriptionEvent::Publication(p) => delivered.push(p),
            SubscriptionEvent::Error(e) => errors.push(e),
            SubscriptionEvent::Subscribed(_) => subscribed += 1,
            SubscriptionEvent::Unsubscribed { code, reason } => panic!("unsubscribed: {code} {reason}"),
            _ => {}
        }
    }
    for publication in &delivered {
        let expected: Value = serde_json::from_str(&payloads[publication.offset as usize - 1]).expect("JSON");
        assert_eq!(data_of(publication), expected, "publication {} is whole and right", publication.offset);
    }
    assert_eq!(delivered.iter().map(|p| p.offset).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    assert_eq!(subscribed, 2, "subscribed, then resubscribed");
    assert!(
        errors.iter().any(|e| e.to_string().contains("delta")),
        "the bad delta is reported as a subscription error: {errors:?}"
    );

    let commands = seen.lock().expect("lock").clone();
    let kinds: Vec<&str> = commands
        .iter()
        .map(|c| {
            ["connect", "subscribe", "unsubscribe"]
                .into_iter()
                .find(|k| c.get(*k).is_some())
                .unwrap_or("other")
        })
        .collect();
    assert_eq!(kinds, vec!["connect", "subscribe", "unsubscribe", "subscribe"], "{commands:#?}");
    assert_eq!(commands[1]["subscribe"]["delta"], "fossil");
    assert_eq!(commands[2]["unsubscribe"]["channel"], channel);
    let resubscribe = &commands[3]["subscribe"];
    assert_eq!(resubscribe["recover"], true, "{resubscribe}");
    assert_eq!(resubscribe["offset"], 2, "recovers from the last publication delivered whole: {resubscribe}");
    assert_eq!(resubscribe["epoch"], "E");
    client.close().await;
    server.abort();
}

/// Wire bytes per publication on one stream of 200 similar publications, for each codec with and
/// without delta, over WebSocket and HTTP-streaming. Printed as a table (run with `--nocapture`).
#[tokio::test]
async fn wire_bytes_per_publication() {
    const COUNT: u64 = 200;
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let channel = unique("test:bytes");
    let variants = [
        ("websocket", TransportKind::WebSocket, FrameFormat::Json, false),
        ("websocket", TransportKind::WebSocket, FrameFormat::Protobuf, false),
        ("websocket", TransportKind::WebSocket, FrameFormat::Json, true),
        ("websocket", TransportKind::WebSocket, FrameFormat::Protobuf, true),
        ("http_stream", TransportKind::HttpStream, FrameFormat::Json, false),
        ("http_stream", TransportKind::HttpStream, FrameFormat::Protobuf, true),
        ("sse", TransportKind::Sse, FrameFormat::Json, true),
    ];
    let mut readers = Vec::new();
    for (label, kind, format, with_delta) in variants {
        let (builder, stats) = tapped_builder(&server, &unique("bytes"), kind, format);
        let (client, _client_events, _) = common::connect(builder).await;
        let sub = client.new_subscription(&channel).delta(with_delta).build().expect("subscription");
        let events = subscribe(&sub).await;
        readers.push((label, format, with_delta, client, sub, events, stats));
    }
    for reader in &readers {
        reader.6.reset();
    }
    let payload_sizes: Vec<usize> = (1..=COUNT).map(|n| snapshot(n).to_string().len()).collect();
    for n in 1..=COUNT {
        publish_delta(&server, &channel, &snapshot(n)).await;
    }
    println!();
    println!(
        "{COUNT} publications, JSON payload {}..{} bytes (mean {:.0})",
        payload_sizes.iter().min().unwrap_or(&0),
        payload_sizes.iter().max().unwrap_or(&0),
        payload_sizes.iter().sum::<usize>() as f64 / COUNT as f64
    );
    println!("| transport   | codec    | delta | bytes received | bytes/publication |");
    println!("|-------------|----------|-------|----------------|-------------------|");
    for (label, format, with_delta, client, _sub, mut events, stats) in readers {
        let got = publications(&mut events, COUNT as usize).await;
        for (publication, n) in got.iter().zip(1..) {
            assert_eq!(
                data_of(publication),
                snapshot(n),
                "{label} {format:?} delta={with_delta}: publication {n}"
            );
        }
        let bytes = stats.bytes();
        println!(
            "| {label:<11} | {:<8} | {:<5} | {bytes:>14} | {:>17.1} |",
            format!("{format:?}").to_lowercase(),
            if with_delta { "yes" } else { "no" },
            bytes as f64 / COUNT as f64
        );
        client.close().await;
    }
}
