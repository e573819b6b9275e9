//! Helpers shared by the live integration tests: bounded waits on event streams, connected clients
//! and subscriptions, unique names and JSON payloads.
//!
//! Every wait here is bounded and fails the test with what it saw instead of hanging.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ceaseless::{
    Client, ClientBuilder, ClientEvent, EventStream, Payload, Publication, Subscription, SubscriptionEvent,
};
use ceaseless_tests::Centrifugo;
use futures::{Stream, StreamExt};
use tokio::time::{Instant, timeout, timeout_at};

/// How long a step that should happen promptly (connect, subscribe, a reply, a delivery) may take.
pub const STEP: Duration = Duration::from_secs(5);

/// Valid JSON text as a payload.
pub fn json(text: &str) -> Payload {
    Payload::from_json_str(text).expect("test JSON is valid")
}

/// `{"n": n}`, the payload most tests publish.
pub fn numbered(n: u64) -> serde_json::Value {
    serde_json::json!({ "n": n })
}

/// The `n` of a publication made with [`numbered`].
pub fn n_of(publication: &Publication) -> u64 {
    let data: serde_json::Value = publication.data.json().expect("publication data is JSON");
    data["n"].as_u64().unwrap_or_else(|| panic!("no \"n\" in {data}"))
}

/// A name no other test uses: `prefix`, the process id (test binaries that share a Redis run at the
/// same time) and a counter.
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("{prefix}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Awaits `future` for at most `limit`, failing the test with `what` when it takes longer.
pub async fn within<F: std::future::Future>(limit: Duration, what: &str, future: F) -> F::Output {
    timeout(limit, future).await.unwrap_or_else(|_| panic!("timed out after {limit:?} waiting for {what}"))
}

/// The next item of `stream` that satisfies `predicate`, skipping the others; fails the test if none
/// arrives within `limit` (or the stream ends), listing what was skipped.
pub async fn next_matching<S, T>(stream: &mut S, limit: Duration, predicate: impl Fn(&T) -> bool) -> T
where
    S: Stream<Item = T> + Unpin,
    T: Debug,
{
    let deadline = Instant::now() + limit;
    let mut skipped = Vec::new();
    loop {
        match timeout_at(deadline, stream.next()).await {
            Ok(Some(item)) if predicate(&item) => return item,
            Ok(Some(item)) => skipped.push(item),
            Ok(None) => panic!("the stream ended before a matching item; skipped {skipped:#?}"),
            Err(_) => panic!("no matching item within {limit:?}; skipped {skipped:#?}"),
        }
    }
}

/// Reads `stream` for `period` and fails the test if any item satisfies `predicate`. Returns every
/// item seen. A stream that ends is quiet for the rest of the period.
pub async fn assert_none_for<S, T>(stream: &mut S, period: Duration, predicate: impl Fn(&T) -> bool) -> Vec<T>
where
    S: Stream<Item = T> + Unpin,
    T: Debug,
{
    let deadline = Instant::now() + period;
    let mut seen = Vec::new();
    while let Ok(Some(item)) = timeout_at(deadline, stream.next()).await {
        assert!(!predicate(&item), "unexpected {item:?} (after {seen:#?})");
        seen.push(item);
    }
    seen
}

/// Whether a client event is a (re)connection step: `Connecting` or `Connected`.
pub fn is_connection_step(event: &ClientEvent) -> bool {
    matches!(event, ClientEvent::Connecting { .. } | ClientEvent::Connected { .. })
}

/// The client id of a `Connected` event.
pub fn client_id(event: &ClientEvent) -> String {
    match event {
        ClientEvent::Connected { client, .. } => client.clone(),
        other => panic!("expected Connected, got {other:?}"),
    }
}

/// A builder for `server`'s WebSocket endpoint with a non-expiring token for `user`.
pub fn builder_for(server: &Centrifugo, user: &str) -> ClientBuilder {
    Client::builder(&server.ws_url()).token(server.token(user, None))
}

/// Builds with `builder`, connects, and waits for `Connected`. Returns the client, its event stream
/// (opened before connecting) and its client id.
pub async fn connect(builder: ClientBuilder) -> (Client, EventStream<ClientEvent>, String) {
    let client = builder.build().expect("client builds");
    let mut events = client.events();
    client.connect();
    let connected = next_matching(&mut events, STEP, |e| matches!(e, ClientEvent::Connected { .. })).await;
    (client, events, client_id(&connected))
}

/// A connected client for `user` with a non-expiring token.
pub async fn connected(server: &Centrifugo, user: &str) -> (Client, EventStream<ClientEvent>, String) {
    connect(builder_for(server, user)).await
}

/// Subscribes `client` to `channel` and waits for `Subscribed`. The returned stream holds every event
/// after that `Subscribed`.
pub async fn subscribed(client: &Client, channel: &str) -> (Subscription, EventStream<SubscriptionEvent>) {
    let sub = client.new_subscription(channel).build().expect("subscription builds");
    let events = subscribe(&sub).await;
    (sub, events)
}

/// Subscribes an already built `sub` and waits for `Subscribed`; the returned stream holds every
/// event after it.
pub async fn subscribe(sub: &Subscription) -> EventStream<SubscriptionEvent> {
    let mut events = sub.events();
    sub.subscribe();
    let outcome = next_matching(&mut events, STEP, |e| {
        matches!(e, SubscriptionEvent::Subscribed(_) | SubscriptionEvent::Unsubscribed { .. })
    })
    .await;
    assert!(
        matches!(outcome, SubscriptionEvent::Subscribed(_)),
        "subscribing to {} failed: {outcome:?}",
        sub.channel()
    );
    events
}

/// The next `count` publications of `events`, each within [`STEP`] of the previous one.
pub async fn publications(events: &mut EventStream<SubscriptionEvent>, count: usize) -> Vec<Publication> {
    let mut got = Vec::with_capacity(count);
    while got.len() < count {
        let event = next_matching(events, STEP, |e| matches!(e, SubscriptionEvent::Publication(_))).await;
        if let SubscriptionEvent::Publication(p) = event {
            got.push(p);
        }
    }
    got
}

/// Publishes `{"n": n}` for every `n` in `range` through the server API, in order.
pub async fn api_publish_numbered(server: &Centrifugo, channel: &str, range: std::ops::RangeInclusive<u64>) {
    let api = server.api();
    for n in range {
        api.publish(channel, numbered(n))
            .await
            .unwrap_or_else(|e| panic!("API publish {n} into {channel}: {e}"));
    }
}
