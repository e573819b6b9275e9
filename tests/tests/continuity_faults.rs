//! Continuity under network faults, through a fault-injection proxy in front of a real Centrifugo:
//!
//! - a blackhole (nothing forwarded, nothing closed) is noticed by the heartbeat watchdog within the
//!   server's ping interval plus `max_server_ping_delay`, and the client comes back and recovers;
//! - `network_changed(true)` after an outage reconnects at once instead of waiting out the backoff;
//! - a publish made during an outage waits for the connection and is sent exactly once;
//! - a publish whose reply is lost fails with `OutcomeUnknown` and is never resent;
//! - a long outage turns the client `Suspended` (calls fail fast), and it comes back by itself;
//! - `network_changed(false)` lets go of a live connection at once and makes no attempts;
//! - an attempt abandoned at its open timeout that opens late leaves the live connection alone;
//! - the app in the background lets go after the grace period; the foreground resumes with recovery.
//!
//! Every test prints what it measured.

mod common;
mod continuity_support;
#[path = "continuity_faults/publishes.rs"]
mod publishes;

use std::time::Duration;

use ceaseless::{
    AppState, Client, ClientEvent, ClientState, Error, EventStream, Subscription, SubscriptionEvent, codes,
};
use ceaseless_tests::{Centrifugo, FaultProxy, ServerOptions, init_tracing};
use common::{STEP, connect, next_matching, unique, within};
use continuity_support::{
    api_publish_numbered, collect_for, events_until_n, is_connected, is_connecting, ms, ns, payload,
    server_addr,
};
use serde_json::json;
use tokio::time::{Instant, sleep};

/// The server's ping interval in the heartbeat tests (seconds, as Centrifugo reports it).
const PING_INTERVAL: Duration = Duration::from_secs(2);
/// The client's tolerance on top of the ping interval.
const MAX_PING_DELAY: Duration = Duration::from_secs(1);
/// Scheduling slack allowed on top of the detection window.
const DETECTION_SLACK: Duration = Duration::from_millis(500);

fn short_pings() -> ServerOptions {
    ServerOptions::new().config(json!({ "client": { "ping_interval": "2s", "pong_timeout": "1s" } }))
}

/// Subscribes `client` to `channel` and waits until the subscription is ready. The stream, opened
/// before subscribing, holds every event of the subscription, its first `Subscribed` included.
async fn ready_subscription(
    client: &Client,
    channel: &str,
) -> (Subscription, EventStream<SubscriptionEvent>) {
    let sub = client.new_subscription(channel).build().expect("subscription");
    let events = sub.events();
    sub.subscribe();
    within(STEP, "subscribed", sub.ready()).await.expect("subscribed");
    (sub, events)
}

#[tokio::test]
async fn a_blackhole_is_noticed_by_heartbeats_and_the_stream_resumes() {
    init_tracing();
    let server = Centrifugo::start_with(short_pings()).await.expect("server");
    let proxy = FaultProxy::start(server_addr(&server)).await.expect("proxy");
    let (user, channel) = (unique("blackhole"), unique("test:blackhole"));
    let (client, mut client_events, _) = connect(
        Client::builder(&proxy.ws_url())
            .token(server.token(&user, None))
            .max_server_ping_delay(MAX_PING_DELAY)
            .reconnect_delay(Duration::from_millis(100), Duration::from_millis(500)),
    )
    .await;
    let (_sub, mut events) = ready_subscription(&client, &channel).await;

    let api = server.api();
    api_publish_numbered(&api, &channel, 1..=5).await;
    let mut seen = events_until_n(&mut events, 5, STEP).await;

    // From now on nothing reaches either side, and nothing is closed.
    proxy.blackhole(true);
    let blackholed_at = Instant::now();
    api_publish_numbered(&api, &channel, 6..=10).await;

    let window = PING_INTERVAL + MAX_PING_DELAY;
    let connecting = next_matching(&mut client_events, window + DETECTION_SLACK + STEP, is_connecting).await;
    let detection = blackholed_at.elapsed();
    println!(
        "blackhole detected after {} (window: ping {} + max delay {} = {})",
        ms(detection),
        ms(PING_INTERVAL),
        ms(MAX_PING_DELAY),
        ms(window)
    );
    assert!(
        matches!(connecting, ClientEvent::Connecting { code: codes::connecting::NO_PING, .. }),
        "the heartbeat watchdog noticed, not something else: {connecting:?}"
    );
    assert!(detection <= window + DETECTION_SLACK, "detected after {detection:?}, window {window:?}");
    // The last frame arrived right before the blackhole, so the watchdog cannot fire much earlier.
    assert!(detection + PING_INTERVAL >= window, "detected suspiciously early: {detection:?}");

    // The client is retrying through the blackhole (its new connection is stuck); lift it.
    sleep(Duration::from_millis(500)).await;
    assert_eq!(client.state(), ClientState::Connecting);
    proxy.blackhole(false);
    let lifted_at = Instant::now();
    next_matching(&mut client_events, STEP, is_connected).await;
    println!("reconnected {} after the blackhole was lifted", ms(lifted_at.elapsed()));

    api_publish_numbered(&api, &channel, 11..=12).await;
    seen.extend(events_until_n(&mut events, 12, STEP).await);
    seen.extend(collect_for(&mut events, Duration::from_millis(300)).await);
    assert_eq!(ns(&seen), (1..=12).collect::<Vec<_>>(), "every publication once, in order");
    let resubscribed: Vec<_> = seen
        .iter()
        .filter_map(|e| match e {
            SubscriptionEvent::Subscribed(info) => Some(info.clone()),
            _ => None,
        })
        .collect();
    assert!(
        resubscribed.iter().any(|i| i.was_recovering && i.recovered),
        "the resubscribe recovered: {resubscribed:?}"
    );
    assert!(!seen.iter().any(|e| matches!(e, SubscriptionEvent::Gap(_))), "no gap: {seen:?}");
    client.close().await;
}

#[tokio::test]
async fn network_changed_true_reconnects_at_once_after_an_outage() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let proxy = FaultProxy::start(server_addr(&server)).await.expect("proxy");
    let (user, channel) = (unique("network"), unique("test:network"));
    // A slow backoff: without the network hook the next attempt would be 15–20 s away.
    let (client, mut client_events, _) = connect(
        Client::builder(&proxy.ws_url())
            .token(server.token(&user, None))
            .reconnect_delay(Duration::from_secs(15), Duration::from_secs(20)),
    )
    .await;
    let (sub, _events) = ready_subscription(&client, &channel).await;

    // The outage: the server becomes unreachable and the connection drops.
    proxy.refuse(true);
    proxy.cut(true);
    next_matching(&mut client_events, STEP, is_connecting).await;
    client.network_changed(false);

    // The network "comes back" at the proxy, but the client is not told yet: it makes no attempt.
    let attempts_before = proxy.connections_accepted() + proxy.connections_refused();
    proxy.refuse(false);
    sleep(Duration::from_secs(1)).await;
    assert_eq!(
        proxy.connections_accepted() + proxy.connections_refused(),
        attempts_before,
        "no attempts while the network is down"
    );
    assert_eq!(client.state(), ClientState::Connecting);

    let told_at = Instant::now();
    client.network_changed(true);
    next_matching(&mut client_events, Duration::from_secs(1), is_connected).await;
    let reconnect = told_at.elapsed();
    println!("network_changed(true) → Connected in {} (backoff would have waited ≥ 15 s)", ms(reconnect));
    assert!(reconnect <= Duration::from_secs(1), "{reconnect:?}");
    within(STEP, "resubscribed", sub.ready()).await.expect("resubscribed");
    client.close().await;
}

#[tokio::test]
async fn a_long_outage_suspends_the_client_until_it_is_back() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let proxy = FaultProxy::start(server_addr(&server)).await.expect("proxy");
    let (user, channel) = (unique("suspend"), unique("test:suspend"));
    let suspend_after = Duration::from_secs(2);
    let (client, mut client_events, _) = connect(
        Client::builder(&proxy.ws_url())
            .token(server.token(&user, None))
            .reconnect_delay(Duration::from_millis(100), Duration::from_millis(300))
            .suspend_after(suspend_after, Duration::from_millis(500), Duration::from_secs(1)),
    )
    .await;

    proxy.refuse(true);
    let outage_at = Instant::now();
    proxy.cut(true);
    next_matching(&mut client_events, STEP, is_connecting).await;
    // A call made during the outage waits in the queue...
    let queued = {
        let client = client.clone();
        let (channel, data) = (channel.clone(), payload(&json!({ "queued": true })));
        tokio::spawn(async move { client.publish(&channel, data).await })
    };

    next_matching(&mut client_events, suspend_after + STEP, |e| matches!(e, ClientEvent::Suspended)).await;
    let suspended_after = outage_at.elapsed();
    println!(
        "Suspended {} after the outage began (suspend_after {})",
        ms(suspended_after),
        ms(suspend_after)
    );
    assert!(suspended_after >= suspend_after, "{suspended_after:?}");
    assert!(suspended_after <= suspend_after + Duration::from_secs(1), "{suspended_after:?}");
    // ...and fails when the client turns suspended; new calls fail fast.
    let queued = within(STEP, "the queued call", queued).await.expect("task");
    assert_eq!(queued, Err(Error::Suspended));
    let called_at = Instant::now();
    let fast = client.publish(&channel, payload(&json!({ "late": true }))).await;
    let fail_fast = called_at.elapsed();
    println!("a call while suspended: {fast:?} in {}", ms(fail_fast));
    assert_eq!(fast, Err(Error::Suspended));
    assert!(fail_fast < Duration::from_millis(200), "{fail_fast:?}");

    // Still retrying, at the slower cadence (0.5–1 s).
    let refused_before = proxy.connections_refused();
    sleep(Duration::from_secs(3)).await;
    let retries = proxy.connections_refused() - refused_before;
    println!("{retries} attempts in 3 s while suspended");
    assert!((2..=7).contains(&retries), "suspended retry cadence: {retries} attempts in 3 s");

    proxy.refuse(false);
    let allowed_at = Instant::now();
    next_matching(&mut client_events, Duration::from_secs(1) + STEP, is_connected).await;
    let back = allowed_at.elapsed();
    println!("Connected {} after the server became reachable again", ms(back));
    assert!(back <= Duration::from_secs(2), "{back:?}");
    client.publish(&channel, payload(&json!({ "back": true }))).await.expect("calls work again");
    client.close().await;
}

/// Regression: the driver used to attach every transport that finished opening, even one the engine
/// had given up on (open timeout), which replaced and so closed the writer of the live connection.
#[tokio::test]
async fn an_abandoned_attempt_that_opens_late_leaves_the_live_connection_alone() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let first = FaultProxy::start(server_addr(&server)).await.expect("proxy 1");
    let second = FaultProxy::start(server_addr(&server)).await.expect("proxy 2");
    let (user, channel) = (unique("late-open"), unique("test:late-open"));
    let (client, mut client_events, _) = connect(
        Client::builder(&first.ws_url())
            .endpoint(&second.ws_url())
            .token(server.token(&user, None))
            .timeout(Duration::from_secs(1))
            .reconnect_delay(Duration::from_millis(100), Duration::from_millis(300)),
    )
    .await;
    let (sub, mut events) = ready_subscription(&client, &channel).await;

    // The first path goes silent and its connection drops: the next attempt there hangs in the
    // blackhole until the open timeout (1 s) gives up on it, and the client moves to the second path.
    first.blackhole(true);
    first.cut(true);
    next_matching(&mut client_events, STEP, is_connecting).await;
    next_matching(&mut client_events, STEP, is_connected).await;
    assert_eq!(second.connections_accepted(), 1, "the client moved to the second path");
    within(STEP, "resubscribed", sub.ready()).await.expect("resubscribed");

    // The abandoned attempt completes now; the live connection must not notice.
    first.blackhole(false);
    let quiet = collect_for(&mut client_events, Duration::from_secs(2)).await;
    let drops: Vec<_> = quiet.iter().filter(|e| is_connecting(e)).collect();
    println!("events after the abandoned attempt opened late: {quiet:?}");
    assert!(drops.is_empty(), "the live connection was dropped by a stale attempt: {quiet:?}");
    let api = server.api();
    api_publish_numbered(&api, &channel, 1..=3).await;
    let seen = events_until_n(&mut events, 3, STEP).await;
    assert_eq!(ns(&seen), [1, 2, 3]);
    client.publish(&channel, payload(&json!({ "n": 4 }))).await.expect("the live connection carries calls");
    client.close().await;
}

#[tokio::test]
async fn the_background_lets_go_and_the_foreground_resumes_with_recovery() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let (user, channel) = (unique("background"), unique("test:background"));
    let grace = Duration::from_millis(500);
    let (client, mut client_events, _) = connect(
        Client::builder(&server.ws_url()).token(server.token(&user, None)).background_grace(Some(grace)),
    )
    .await;
    let (_sub, mut events) = ready_subscription(&client, &channel).await;
    let api = server.api();
    api_publish_numbered(&api, &channel, 1..=3).await;
    let mut seen = events_until_n(&mut events, 3, STEP).await;

    let backgrounded_at = Instant::now();
    client.set_app_state(AppState::Background);
    let parked = next_matching(&mut client_events, grace + STEP, |e| {
        matches!(e, ClientEvent::Disconnected { .. } | ClientEvent::Connecting { .. })
    })
    .await;
    let after = backgrounded_at.elapsed();
    println!("background: let go of the connection after {} (grace {}): {parked:?}", ms(after), ms(grace));
    assert!(
        matches!(parked, ClientEvent::Disconnected { code: codes::disconnected::BACKGROUNDED, .. }),
        "{parked:?}"
    );
    assert!(after >= grace && after <= grace + Duration::from_millis(500), "{after:?}");

    // Missed while in the background; recovered on return.
    api_publish_numbered(&api, &channel, 4..=8).await;
    let foreground_at = Instant::now();
    client.set_app_state(AppState::Foreground);
    next_matching(&mut client_events, STEP, is_connected).await;
    println!("foreground: connected again in {}", ms(foreground_at.elapsed()));
    seen.extend(events_until_n(&mut events, 8, STEP).await);
    seen.extend(collect_for(&mut events, Duration::from_millis(300)).await);
    assert_eq!(ns(&seen), (1..=8).collect::<Vec<_>>(), "every publication once, in order");
    let recovered =
        seen.iter().any(|e| matches!(e, SubscriptionEvent::Subscribed(i) if i.was_recovering && i.recovered));
    assert!(recovered, "the foreground resubscribe recovered: {seen:?}");
    client.close().await;
}

#[tokio::test]
async fn network_lost_while_connected_lets_go_at_once_and_recovers_when_back() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let proxy = FaultProxy::start(server_addr(&server)).await.expect("proxy");
    let (user, channel) = (unique("network-lost"), unique("test:network-lost"));
    let (client, mut client_events, _) = connect(
        Client::builder(&proxy.ws_url())
            .token(server.token(&user, None))
            .reconnect_delay(Duration::from_millis(100), Duration::from_millis(300)),
    )
    .await;
    let (_sub, mut events) = ready_subscription(&client, &channel).await;
    let api = server.api();
    api_publish_numbered(&api, &channel, 1..=3).await;
    let mut seen = events_until_n(&mut events, 3, STEP).await;

    let lost_at = Instant::now();
    client.network_changed(false);
    next_matching(&mut client_events, STEP, is_connecting).await;
    println!("network_changed(false) → Connecting in {}", ms(lost_at.elapsed()));
    assert!(lost_at.elapsed() < Duration::from_millis(500), "the connection is let go at once");
    let attempts = proxy.connections_accepted() + proxy.connections_refused();
    api_publish_numbered(&api, &channel, 4..=10).await;
    sleep(Duration::from_secs(1)).await;
    assert_eq!(proxy.connections_accepted() + proxy.connections_refused(), attempts, "no attempts meanwhile");
    assert_eq!(client.state(), ClientState::Connecting);

    let back_at = Instant::now();
    client.network_changed(true);
    next_matching(&mut client_events, Duration::from_secs(1), is_connected).await;
    println!("network_changed(true) → Connected in {}", ms(back_at.elapsed()));
    seen.extend(events_until_n(&mut events, 10, STEP).await);
    seen.extend(collect_for(&mut events, Duration::from_millis(300)).await);
    assert_eq!(ns(&seen), (1..=10).collect::<Vec<_>>(), "every publication once, in order");
    client.close().await;
}
