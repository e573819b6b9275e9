//! The v6 options through the real driver, on a fake transport and a manual clock.
//!
//! Proven here: builder headers go out in `connect` and `Client::set_headers` applies from the next
//! connect without reconnecting; a subscription with a state loader calls it, delivers
//! `StateLoaded` before the recovered publications and subscribes with the reject-unrecovered flag from
//! the loaded position; an invalid tags filter, or one combined with delta, fails `build()`.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ceaseless::{Error, LoadedState, Payload, StreamPosition, SubscriptionEvent, TagsFilter};
use serde_json::json;
use support::*;

#[tokio::test]
async fn headers_go_out_in_connect_and_set_headers_applies_from_the_next_one() {
    let rt = ManualRuntime::new();
    let (client, mut server) = client_with(&rt, |b| {
        b.headers([("Authorization", "Bearer one")])
            .reconnect_delay(Duration::from_secs(1), Duration::from_secs(1))
    });
    client.connect();
    let mut conn = server.accept().await;
    let connect = conn.frame().await.remove(0);
    assert_eq!(connect.body["headers"], json!({ "Authorization": "Bearer one" }));
    conn.send(&[connect.reply(connect_result())]);
    within("ready", client.ready()).await.unwrap();

    client.set_headers(BTreeMap::from([("Authorization".to_owned(), "Bearer two".to_owned())]));
    conn.round_trip().await;
    assert!(!server.has_attempt(), "set_headers keeps the live connection");

    conn.close(Some(3001), "restart");
    settle().await;
    rt.advance(Duration::from_secs(2)).await;
    let mut conn = server.accept().await;
    let connect = conn.frame().await.remove(0);
    assert_eq!(connect.body["headers"], json!({ "Authorization": "Bearer two" }));
    within("close", client.close()).await;
}

#[tokio::test]
async fn a_state_loader_is_called_and_its_state_comes_before_the_recovered_publications() {
    let rt = ManualRuntime::new();
    let (client, mut server) = client_with(&rt, |b| b);
    let calls = Arc::new(Mutex::new(Vec::new()));
    let loader = {
        let calls = calls.clone();
        move |channel: String| {
            calls.lock().unwrap().push(channel);
            futures::future::ready(Ok::<_, std::io::Error>(LoadedState {
                position: StreamPosition { offset: 5, epoch: "e1".into() },
                state: Some(Payload::from_json_str(r#"{"items":3}"#).unwrap()),
            }))
        }
    };
    let sub = client.new_subscription("chat").recoverable(true).state_loader(loader).build().unwrap();
    let mut events = sub.events();
    client.connect();
    sub.subscribe();
    let mut conn = server.accept().await;
    let rest = conn.handshake(connect_result()).await;
    assert!(rest.is_empty(), "no subscribe before the state is loaded: {rest:?}");
    let subscribe = conn.command().await;
    assert_eq!(subscribe.kind, "subscribe");
    assert_eq!(
        (subscribe.body["recover"].clone(), subscribe.body["offset"].clone()),
        (json!(true), json!(5))
    );
    assert_eq!(subscribe.body["flag"], json!(3), "channel compaction and reject unrecovered");
    let result = json!({
        "recoverable": true, "epoch": "e1", "offset": 5, "recovered": true, "was_recovering": true,
        "publications": [publication(6)]
    });
    conn.send(&[subscribe.reply(result)]);
    within("subscribed", sub.ready()).await.unwrap();
    conn.round_trip().await;

    let seen = drain(&mut events);
    let loaded = seen.iter().position(|e| matches!(e, SubscriptionEvent::StateLoaded { .. })).unwrap();
    let first = seen.iter().position(|e| matches!(e, SubscriptionEvent::Publication(_))).unwrap();
    assert!(loaded < first, "{seen:?}");
    assert_eq!(offsets(&seen), [6]);
    assert_eq!(calls.lock().unwrap().as_slice(), ["chat"]);
    within("close", client.close()).await;
}

#[tokio::test]
async fn invalid_tags_filters_fail_build() {
    let rt = ManualRuntime::new();
    let (client, _server) = client_with(&rt, |b| b);
    let bad = TagsFilter { cmp: "eq".into(), key: "k".into(), ..TagsFilter::default() };
    let err = client.new_subscription("a").tags_filter(bad).build().unwrap_err();
    assert!(matches!(err, Error::InvalidTagsFilter(_)), "{err:?}");
    let err =
        client.new_subscription("b").tags_filter(TagsFilter::eq("k", "v")).delta(true).build().unwrap_err();
    assert!(matches!(err, Error::InvalidTagsFilter(_)), "{err:?}");
    client.new_subscription("c").tags_filter(TagsFilter::eq("k", "v")).build().unwrap();
    within("close", client.close()).await;
}
