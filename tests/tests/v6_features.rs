//! Centrifugo v6 client features against a real v6 server (each test skips itself on v5, which has
//! none of them, except the server-API disconnect with 3014, which both can send):
//!
//! - headers emulation: the connect `headers` reach the app's connect proxy (only the names the
//!   server lists in `emulated_headers`), and `set_headers` changes them for the next connect;
//! - publication tags filter: only matching publications arrive, live and recovered after a reconnect,
//!   and the gaps this leaves in offsets are not reported as loss; a filter with delta, or one that
//!   breaks the server's rules, is refused before anything is sent;
//! - reject unrecovered (flag bit 2) with a state loader: when history cannot cover an outage, the
//!   app's loader supplies fresh state and a position, and the stream continues from there;
//! - state invalidation: a server disconnect with 3014 makes the client fetch a new token and start
//!   every subscription over: nothing is recovered from the stale position, and the app is told of
//!   the break in its stream (a gap).

mod common;
mod continuity_support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ceaseless::{
    Client, ClientEvent, Error, LoadedState, Payload, StreamPosition, SubscriptionEvent, TagsFilter,
};
use ceaseless_tests::connect_proxy::ConnectProxy;
use ceaseless_tests::{Centrifugo, FaultProxy, ServerOptions, init_tracing};
use common::{STEP, connect, n_of, next_matching, unique, within};
use continuity_support::{collect_for, is_connected, ns, server_addr};
use serde_json::json;

/// Whether `server` has the v6 client features; prints why a test is skipped when not.
fn has_v6(server: &Centrifugo, test: &str) -> bool {
    let v6 = server.major_version() >= 6;
    if !v6 {
        println!("{test}: skipped on Centrifugo v{} (a v6 feature)", server.major_version());
    }
    v6
}

#[tokio::test]
async fn emulated_headers_reach_the_connect_proxy_and_set_headers_changes_the_next_connect() {
    init_tracing();
    let user = unique("headers");
    let proxy = ConnectProxy::start(&user).await.expect("connect proxy");
    let options = ServerOptions::new().config(proxy.config(&["X-Tenant", "Authorization"]));
    let server = Centrifugo::start_with(options).await.expect("server");
    if !has_v6(&server, "headers") {
        return;
    }
    // No token: the server asks the connect proxy, and forwards the listed emulated headers to it.
    let (client, mut events, _) = connect(
        Client::builder(&server.ws_url())
            .headers([("X-Tenant", "blue"), ("Authorization", "Bearer app-secret"), ("X-Unlisted", "no")])
            .reconnect_delay(Duration::from_millis(100), Duration::from_millis(300)),
    )
    .await;
    let first = proxy.requests();
    assert_eq!(first.len(), 1, "one connect, one proxy call: {first:?}");
    assert_eq!(first[0].header("x-tenant"), Some("blue"));
    assert_eq!(first[0].header("authorization"), Some("Bearer app-secret"));
    assert_eq!(first[0].header("x-unlisted"), None, "only names in emulated_headers are forwarded");

    client.set_headers(BTreeMap::from([("X-Tenant".to_owned(), "green".to_owned())]));
    assert_eq!(proxy.requests().len(), 1, "set_headers does not reconnect by itself");
    // A reconnect-range disconnect from the server: the next connect carries the new headers.
    server.api().disconnect(&user, 4000, "test reconnect").await.expect("API disconnect");
    next_matching(&mut events, STEP, is_connected).await;
    let requests = proxy.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[1].header("x-tenant"), Some("green"));
    assert_eq!(requests[1].header("authorization"), None, "the whole set was replaced");
    client.close().await;
}

/// Publishes `{"n": n}` tagged `kind: good` for odd `n` and `kind: bad` for even `n`.
async fn publish_tagged(server: &Centrifugo, channel: &str, range: std::ops::RangeInclusive<u64>) {
    for n in range {
        let kind = if n % 2 == 1 { "good" } else { "bad" };
        let params = json!({ "channel": channel, "data": { "n": n }, "tags": { "kind": kind } });
        server.api().call("publish", params).await.expect("API publish with tags");
    }
}

#[tokio::test]
async fn a_tags_filter_delivers_and_recovers_only_matching_publications() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    if !has_v6(&server, "tags filter") {
        return;
    }
    let proxy = FaultProxy::start(server_addr(&server)).await.expect("fault proxy");
    let (user, channel) = (unique("filter"), unique("tagged:filter"));
    let (client, mut client_events, _) = connect(
        Client::builder(&proxy.ws_url())
            .token(server.token(&user, None))
            .reconnect_delay(Duration::from_millis(100), Duration::from_millis(300)),
    )
    .await;
    let filter = TagsFilter::and(vec![TagsFilter::eq("kind", "good"), TagsFilter::exists("kind")]);
    let sub = client.new_subscription(&channel).tags_filter(filter).build().expect("subscription");
    let mut events = sub.events();
    sub.subscribe();
    within(STEP, "subscribed", sub.ready()).await.expect("subscribed");

    publish_tagged(&server, &channel, 1..=6).await;
    let mut seen = collect_for(&mut events, Duration::from_millis(700)).await;
    assert_eq!(ns(&seen), vec![1, 3, 5], "only kind=good arrives live");

    // Away while 7..=12 are published: recovery replays only the matching ones.
    proxy.refuse(true);
    proxy.cut(true);
    publish_tagged(&server, &channel, 7..=12).await;
    proxy.refuse(false);
    next_matching(&mut client_events, STEP, is_connected).await;
    seen.extend(collect_for(&mut events, Duration::from_millis(1000)).await);
    assert_eq!(ns(&seen), vec![1, 3, 5, 7, 9, 11], "every matching publication once, in order");
    let resubscribed = seen.iter().rev().find_map(|e| match e {
        SubscriptionEvent::Subscribed(info) => Some(info.clone()),
        _ => None,
    });
    assert!(resubscribed.is_some_and(|i| i.was_recovering && i.recovered), "{seen:?}");
    assert!(
        !seen.iter().any(|e| matches!(e, SubscriptionEvent::Gap(_))),
        "filtered offsets are no gap: {seen:?}"
    );
    client.close().await;
}

#[tokio::test]
async fn a_tags_filter_with_delta_or_broken_rules_is_refused_before_sending() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let client =
        Client::builder(&server.ws_url()).token(server.token("refused", None)).build().expect("client");
    let with_delta =
        client.new_subscription("tagged:x").tags_filter(TagsFilter::eq("kind", "good")).delta(true).build();
    assert!(matches!(with_delta, Err(Error::InvalidTagsFilter(_))), "{with_delta:?}");
    let empty_in = client
        .new_subscription("tagged:y")
        .tags_filter(TagsFilter::is_in("kind", Vec::<String>::new()))
        .build();
    assert!(matches!(empty_in, Err(Error::InvalidTagsFilter(_))), "{empty_in:?}");
    let empty_and = client.new_subscription("tagged:z").tags_filter(TagsFilter::and(vec![])).build();
    assert!(matches!(empty_and, Err(Error::InvalidTagsFilter(_))), "{empty_and:?}");
    client.close().await;
}

#[tokio::test]
async fn a_state_loader_fills_in_when_history_cannot_cover_an_outage() {
    init_tracing();
    let server = Arc::new(Centrifugo::start().await.expect("server"));
    if !has_v6(&server, "state loader") {
        return;
    }
    let proxy = FaultProxy::start(server_addr(&server)).await.expect("fault proxy");
    // `small:` keeps 5 publications: an outage with more cannot be recovered.
    let (user, channel) = (unique("loader"), unique("small:loader"));
    let loads = Arc::new(AtomicUsize::new(0));
    let loader = {
        let (server, channel, loads) = (server.clone(), channel.clone(), loads.clone());
        move |_channel: String| {
            let (server, channel, loads) = (server.clone(), channel.clone(), loads.clone());
            async move {
                loads.fetch_add(1, Ordering::SeqCst);
                // The position first, then the state, so the state is at least as new.
                let top = server.api().history(&channel, 0).await.map_err(|e| e.to_string())?;
                let position = StreamPosition {
                    offset: top["offset"].as_u64().unwrap_or(0),
                    epoch: top["epoch"].as_str().unwrap_or_default().to_owned(),
                };
                let state =
                    Payload::to_json(&json!({ "upto": position.offset })).map_err(|e| e.to_string())?;
                Ok::<_, String>(LoadedState { position, state: Some(state) })
            }
        }
    };
    let (client, mut client_events, _) = connect(
        Client::builder(&proxy.ws_url())
            .token(server.token(&user, None))
            .reconnect_delay(Duration::from_millis(100), Duration::from_millis(300)),
    )
    .await;
    let sub = client.new_subscription(&channel).state_loader(loader).build().expect("subscription");
    let mut events = sub.events();
    sub.subscribe();
    within(STEP, "subscribed", sub.ready()).await.expect("subscribed");
    assert_eq!(loads.load(Ordering::SeqCst), 1, "no position yet: the loader is asked first");

    common::api_publish_numbered(&server, &channel, 1..=3).await;
    let mut seen = collect_for(&mut events, Duration::from_millis(500)).await;
    proxy.refuse(true);
    proxy.cut(true);
    common::api_publish_numbered(&server, &channel, 4..=12).await;
    proxy.refuse(false);
    next_matching(&mut client_events, STEP, is_connected).await;
    within(STEP, "resubscribed", sub.ready()).await.expect("resubscribed");
    common::api_publish_numbered(&server, &channel, 13..=13).await;
    seen.extend(collect_for(&mut events, Duration::from_millis(800)).await);

    assert_eq!(loads.load(Ordering::SeqCst), 2, "asked again when the server could not recover: {seen:?}");
    let loaded: Vec<_> = seen
        .iter()
        .filter_map(|e| match e {
            SubscriptionEvent::StateLoaded { position, state } => Some((position.clone(), state.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(loaded.len(), 2, "both loads reach the app: {seen:?}");
    assert_eq!(loaded[1].0.offset, 12, "the second load is at the top of the stream");
    let upto: serde_json::Value = loaded[1].1.as_ref().expect("state").json().expect("JSON state");
    assert_eq!(upto["upto"], 12);
    assert_eq!(ns(&seen), vec![1, 2, 3, 13], "live, then the stream after the loaded state");
    let state_at = seen.iter().rposition(|e| matches!(e, SubscriptionEvent::StateLoaded { .. }));
    let pub_13 = seen.iter().position(|e| matches!(e, SubscriptionEvent::Publication(p) if n_of(p) == 13));
    assert!(state_at < pub_13, "the state comes before the publications after it: {seen:?}");
    assert!(!seen.iter().any(|e| matches!(e, SubscriptionEvent::Gap(_))), "no gap reported: {seen:?}");
    client.close().await;
}

#[tokio::test]
async fn a_server_disconnect_with_3014_fetches_a_new_token_and_starts_over() {
    init_tracing();
    let server = Arc::new(Centrifugo::start().await.expect("server"));
    let (user, channel) = (unique("invalidated"), unique("test:invalidated"));
    let tokens = Arc::new(AtomicUsize::new(0));
    let provider = {
        let (server, user, tokens) = (server.clone(), user.clone(), tokens.clone());
        move || {
            let (server, user, tokens) = (server.clone(), user.clone(), tokens.clone());
            async move {
                tokens.fetch_add(1, Ordering::SeqCst);
                Ok::<_, ceaseless::TokenError>(server.token(&user, None))
            }
        }
    };
    let (client, mut client_events, _) = connect(
        Client::builder(&server.ws_url())
            .token(server.token(&user, None))
            .token_provider(provider)
            .reconnect_delay(Duration::from_millis(100), Duration::from_millis(300)),
    )
    .await;
    let sub = client.new_subscription(&channel).build().expect("subscription");
    let mut events = sub.events();
    sub.subscribe();
    within(STEP, "subscribed", sub.ready()).await.expect("subscribed");
    common::api_publish_numbered(&server, &channel, 1..=2).await;
    let before = collect_for(&mut events, Duration::from_millis(400)).await;
    assert_eq!(ns(&before), vec![1, 2]);
    let tokens_before = tokens.load(Ordering::SeqCst);

    server.api().disconnect(&user, 3014, "state invalidated").await.expect("API disconnect");
    let told = next_matching(&mut client_events, STEP, |e| {
        matches!(e, ClientEvent::Connecting { code: 3014, .. } | ClientEvent::Disconnected { code: 3014, .. })
    })
    .await;
    next_matching(&mut client_events, STEP, is_connected).await;
    within(STEP, "resubscribed", sub.ready()).await.expect("resubscribed");
    let after = collect_for(&mut events, Duration::from_millis(400)).await;
    assert_eq!(
        tokens.load(Ordering::SeqCst),
        tokens_before + 1,
        "a fresh token for the new connection: {told:?}"
    );
    let resubscribed = after.iter().find_map(|e| match e {
        SubscriptionEvent::Subscribed(info) => Some(info.clone()),
        _ => None,
    });
    // The stale position is not trusted: nothing is replayed from it, and the app hears that its
    // stream's continuity broke (a gap), instead of a silent fresh start.
    assert!(resubscribed.is_some_and(|i| !i.recovered), "not recovered from the stale position: {after:?}");
    assert!(after.iter().any(|e| matches!(e, SubscriptionEvent::Gap(_))), "the app is told: {after:?}");
    assert!(ns(&after).is_empty(), "nothing replayed: {after:?}");
    common::api_publish_numbered(&server, &channel, 3..=3).await;
    assert_eq!(ns(&collect_for(&mut events, Duration::from_millis(400)).await), vec![3], "live again");
    client.close().await;
}
