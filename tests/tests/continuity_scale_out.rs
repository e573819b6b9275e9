//! Scale-out with a real distributed engine: two Centrifugo nodes share one real Redis (Debian's
//! `redis-server`, started by the harness). A client given both nodes as endpoints moves to the
//! other node when its node dies and recovers its subscription there with zero loss, and moves back
//! when that one dies in turn.

mod common;
mod continuity_support;

use std::time::Duration;

use ceaseless::{Client, SubscriptionEvent};
use ceaseless_tests::{Centrifugo, RedisServer, ServerApi, ServerOptions, init_tracing};
use common::{STEP, next_matching, numbered, unique, within};
use continuity_support::{collect_for, events_until_n, is_connected, ms, ns};
use serde_json::json;
use tokio::time::{Instant, sleep};

/// Two nodes on one Redis with a prefix of their own.
async fn two_nodes(redis: &RedisServer, label: &str) -> (Centrifugo, Centrifugo) {
    let engine = redis.centrifugo_config(&RedisServer::unique_prefix(label));
    let node = |name: &str| {
        ServerOptions::new()
            .config(engine.clone())
            .config(json!({ "node": { "name": format!("{label}-{name}") } }))
    };
    let a = Centrifugo::start_with(node("a")).await.expect("node A");
    let b = Centrifugo::start_with(node("b")).await.expect("node B");
    (a, b)
}

/// Publishes `{"n": n}` for `range` through `api`, `pause` apart.
async fn publish_paced(
    api: &ServerApi,
    channel: &str,
    range: std::ops::RangeInclusive<u64>,
    pause: Duration,
) {
    for n in range {
        api.publish(channel, numbered(n)).await.unwrap_or_else(|e| panic!("API publish {n}: {e}"));
        sleep(pause).await;
    }
}

#[tokio::test]
async fn redis_server_starts_and_two_nodes_share_it() {
    init_tracing();
    let redis = RedisServer::start().await.expect("redis-server");
    assert!(redis.ping().await, "Redis answers PING");
    let (a, b) = two_nodes(&redis, "share").await;
    let channel = unique("test:share");
    let first = a.api().publish(&channel, numbered(1)).await.expect("publish via A");
    let second = b.api().publish(&channel, numbered(2)).await.expect("publish via B");
    assert_eq!(second.epoch, first.epoch, "one stream, kept in Redis");
    assert_eq!(second.offset, first.offset + 1);
    let history = a.api().history(&channel, -1).await.expect("history via A");
    assert_eq!(history["publications"].as_array().map(Vec::len), Some(2), "{history}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_moves_to_the_other_node_and_recovers_with_zero_loss() {
    init_tracing();
    let redis = RedisServer::start().await.expect("redis-server");
    let (mut a, mut b) = two_nodes(&redis, "move").await;
    let (user, channel) = (unique("mover"), unique("test:move"));
    let client = Client::builder(&a.ws_url())
        .endpoint(&b.ws_url())
        .token(a.token(&user, None))
        .reconnect_delay(Duration::from_millis(100), Duration::from_millis(500))
        .build()
        .expect("client");
    let mut client_events = client.events();
    client.connect();
    next_matching(&mut client_events, STEP, is_connected).await;
    let sub = client.new_subscription(&channel).build().expect("subscription");
    let mut events = sub.events();
    sub.subscribe();
    within(STEP, "subscribed", sub.ready()).await.expect("subscribed");

    // Through node B's API to a client on node A: the engine carries it.
    publish_paced(&b.api(), &channel, 1..=10, Duration::ZERO).await;
    let mut seen = events_until_n(&mut events, 10, STEP).await;

    // Node A dies; publishing goes on through node B while the client moves.
    let killed_at = Instant::now();
    a.stop().await.expect("stop node A");
    let publishing = {
        let (api, channel) = (b.api(), channel.clone());
        tokio::spawn(async move { publish_paced(&api, &channel, 11..=40, Duration::from_millis(20)).await })
    };
    next_matching(&mut client_events, STEP, is_connected).await;
    let moved = killed_at.elapsed();
    within(STEP, "resubscribed on node B", sub.ready()).await.expect("resubscribed");
    within(STEP, "publishing 11..=40", publishing).await.expect("publisher");
    seen.extend(events_until_n(&mut events, 40, STEP).await);
    println!("node A killed → connected to node B after {}", ms(moved));

    // Back: node A returns, node B dies, and the client goes back to A.
    a.start_again().await.expect("restart node A");
    let killed_at = Instant::now();
    b.stop().await.expect("stop node B");
    let publishing = {
        let (api, channel) = (a.api(), channel.clone());
        tokio::spawn(async move { publish_paced(&api, &channel, 41..=70, Duration::from_millis(20)).await })
    };
    next_matching(&mut client_events, STEP, is_connected).await;
    let moved_back = killed_at.elapsed();
    within(STEP, "publishing 41..=70", publishing).await.expect("publisher");
    seen.extend(events_until_n(&mut events, 70, STEP).await);
    seen.extend(collect_for(&mut events, Duration::from_millis(500)).await);
    println!("node B killed → connected to node A after {}", ms(moved_back));

    assert_eq!(ns(&seen), (1..=70).collect::<Vec<_>>(), "every publication exactly once, in order");
    let resubscribes: Vec<_> = seen
        .iter()
        .filter_map(|e| match e {
            SubscriptionEvent::Subscribed(info) => Some(info.clone()),
            _ => None,
        })
        .collect();
    println!("subscribes: {}", resubscribes.len());
    assert_eq!(resubscribes.len(), 3, "subscribed on A, on B, on A again: {resubscribes:?}");
    for info in &resubscribes[1..] {
        assert!(info.was_recovering && info.recovered, "recovered on the other node: {info:?}");
    }
    assert!(!seen.iter().any(|e| matches!(e, SubscriptionEvent::Gap(_))), "no gap");
    client.close().await;
}
