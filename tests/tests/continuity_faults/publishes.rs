//! Publishes across faults: one made during an outage waits and is sent once; one whose reply is
//! lost fails as `OutcomeUnknown` and is never resent.

use std::time::Duration;

use ceaseless::{Client, Error};
use ceaseless_tests::proxy::Direction;
use ceaseless_tests::{Centrifugo, FaultProxy, init_tracing};
use serde_json::json;
use tokio::time::{Instant, sleep};

use crate::common::{STEP, connect, next_matching, unique, within};
use crate::continuity_support::{
    collect_for, events_until_n, history_count, is_connected, is_connecting, ms, ns, payload, server_addr,
    wait_history_count,
};
use crate::ready_subscription;

#[tokio::test]
async fn a_publish_during_an_outage_waits_and_is_sent_once() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let proxy = FaultProxy::start(server_addr(&server)).await.expect("proxy");
    let (user, channel) = (unique("queued"), unique("test:queued"));
    let (client, mut client_events, _) = connect(
        Client::builder(&proxy.ws_url())
            .token(server.token(&user, None))
            .reconnect_delay(Duration::from_millis(200), Duration::from_millis(500))
            .offline_queue(100, Duration::from_secs(10)),
    )
    .await;
    let (_sub, mut events) = ready_subscription(&client, &channel).await;

    proxy.refuse(true);
    proxy.cut(true);
    next_matching(&mut client_events, STEP, is_connecting).await;

    let marker = unique("queued-marker");
    let publishing = {
        let client = client.clone();
        let (channel, data) = (channel.clone(), payload(&json!({ "marker": marker, "n": 1 })));
        tokio::spawn(async move { client.publish(&channel, data).await })
    };
    let issued_at = Instant::now();
    sleep(Duration::from_millis(1500)).await;
    assert!(!publishing.is_finished(), "the publish waits for the connection");
    let api = server.api();
    assert_eq!(history_count(&api, &channel, &marker).await, 0, "nothing was sent during the outage");
    let refused = proxy.connections_refused();
    assert!(refused >= 2, "the client kept trying meanwhile ({refused} refused attempts)");

    proxy.refuse(false);
    let result = within(STEP, "the queued publish", publishing).await.expect("the task ran");
    println!(
        "queued publish: {result:?} after {} ({refused} refused attempts meanwhile)",
        ms(issued_at.elapsed())
    );
    result.expect("the queued publish succeeds once the connection is back");
    assert_eq!(history_count(&api, &channel, &marker).await, 1, "in the history exactly once");

    let seen = events_until_n(&mut events, 1, STEP).await;
    let more = collect_for(&mut events, Duration::from_millis(500)).await;
    let delivered = ns(&seen).len() + ns(&more).len();
    assert_eq!(delivered, 1, "delivered once: {seen:?} {more:?}");
    client.close().await;
}

#[tokio::test]
async fn a_publish_whose_reply_is_lost_fails_as_outcome_unknown_and_is_never_resent() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let proxy = FaultProxy::start(server_addr(&server)).await.expect("proxy");
    let (user, channel) = (unique("unknown"), unique("test:unknown"));
    let (client, mut client_events, _) = connect(
        Client::builder(&proxy.ws_url())
            .token(server.token(&user, None))
            .reconnect_delay(Duration::from_millis(100), Duration::from_millis(300)),
    )
    .await;
    let api = server.api();

    // 1. The command reaches the server, the reply does not: it landed, and must stay landed once.
    proxy.blackhole_direction(Direction::ToClient, true);
    let landed = unique("landed");
    let publishing = {
        let client = client.clone();
        let (channel, data) = (channel.clone(), payload(&json!({ "marker": landed })));
        tokio::spawn(async move { client.publish(&channel, data).await })
    };
    wait_history_count(&api, &channel, &landed, 1, STEP).await;
    proxy.cut(true);
    proxy.blackhole_direction(Direction::ToClient, false);
    let result = within(STEP, "the publish whose reply was lost", publishing).await.expect("task");
    println!("publish that landed, reply lost: {result:?}");
    assert_eq!(result, Err(Error::OutcomeUnknown));

    // 2. The command never reaches the server: still unknown to the client, and not resent either.
    next_matching(&mut client_events, STEP, is_connected).await;
    proxy.blackhole(true);
    let lost = unique("lost");
    let publishing = {
        let client = client.clone();
        let (channel, data) = (channel.clone(), payload(&json!({ "marker": lost })));
        tokio::spawn(async move { client.publish(&channel, data).await })
    };
    sleep(Duration::from_millis(300)).await;
    proxy.cut(true);
    proxy.blackhole(false);
    let result = within(STEP, "the publish that never arrived", publishing).await.expect("task");
    println!("publish that never arrived: {result:?}");
    assert_eq!(result, Err(Error::OutcomeUnknown));

    // The client reconnects; give a resend every chance to happen, then count.
    next_matching(&mut client_events, STEP, is_connected).await;
    sleep(Duration::from_secs(1)).await;
    let (landed_count, lost_count) =
        (history_count(&api, &channel, &landed).await, history_count(&api, &channel, &lost).await);
    println!("in history after reconnecting: landed ×{landed_count}, lost ×{lost_count}");
    assert_eq!(landed_count, 1, "the publish that landed is there once: never resent");
    assert_eq!(lost_count, 0, "the publish that was lost is not resent");
    client.close().await;
}
