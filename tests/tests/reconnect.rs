//! Reconnecting by itself against a real Centrifugo: after a server disconnect with a reconnect code
//! the client comes back and its subscription recovers every publication missed meanwhile, exactly
//! once and in order; when more was missed than the history keeps, it says so (a `Gap`) instead of
//! pretending; after the server is stopped and started again the client and its subscription come
//! back without help and report that continuity was lost (the restarted server's history is new).

mod common;

use std::time::Duration;

use ceaseless::{
    ClientEvent, ClientState, EventStream, SubscribedInfo, SubscriptionEvent, SubscriptionState,
};
use ceaseless_tests::{Centrifugo, init_tracing};
use common::{
    STEP, api_publish_numbered, assert_none_for, builder_for, client_id, connect, is_connection_step, n_of,
    next_matching, numbered, publications, subscribed, unique,
};

/// Reads `events` up to the next `Subscribed`; returns the `n` of every publication before it, and
/// its details.
async fn until_subscribed(events: &mut EventStream<SubscriptionEvent>) -> (Vec<u64>, SubscribedInfo) {
    let mut before = Vec::new();
    loop {
        let event = next_matching(events, STEP, |e| {
            matches!(e, SubscriptionEvent::Subscribed(_) | SubscriptionEvent::Publication(_))
        })
        .await;
        match event {
            SubscriptionEvent::Subscribed(info) => return (before, info),
            SubscriptionEvent::Publication(p) => before.push(n_of(&p)),
            _ => unreachable!("filtered above"),
        }
    }
}

/// Waits for the client to go `Connecting` with `code` and come back; returns the new client id.
async fn reconnected(events: &mut EventStream<ClientEvent>, code: u32) -> String {
    let connecting = next_matching(events, STEP, is_connection_step).await;
    assert!(
        matches!(connecting, ClientEvent::Connecting { code: c, .. } if c == code),
        "expected Connecting {code}, got {connecting:?}"
    );
    client_id(&next_matching(events, STEP, is_connection_step).await)
}

fn is_publication_or_gap(event: &SubscriptionEvent) -> bool {
    matches!(event, SubscriptionEvent::Publication(_) | SubscriptionEvent::Gap(_))
}

#[tokio::test]
async fn a_reconnect_code_reconnects_and_recovers_every_missed_publication() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let (user, channel) = (unique("recovering"), unique("test:recovery"));
    let builder =
        builder_for(&server, &user).reconnect_delay(Duration::from_millis(1500), Duration::from_millis(2000));
    let (client, mut client_events, first_id) = connect(builder).await;
    let (_sub, mut events) = subscribed(&client, &channel).await;

    api_publish_numbered(&server, &channel, 1..=5).await;
    let mut received: Vec<u64> = publications(&mut events, 5).await.iter().map(n_of).collect();

    server.api().disconnect(&user, 4000, "come back").await.expect("API disconnect");
    // The client waits at least 1.5 s before reconnecting, so these happen while it is away.
    api_publish_numbered(&server, &channel, 6..=25).await;

    assert_ne!(reconnected(&mut client_events, 4000).await, first_id, "a new connection");
    let (live, info) = until_subscribed(&mut events).await;
    received.extend(live);
    assert!(info.was_recovering && info.recovered, "the resubscribe recovers: {info:?}");
    let replayed: Vec<u64> = publications(&mut events, 25 - received.len()).await.iter().map(n_of).collect();
    assert!(!replayed.is_empty(), "some publications were missed and replayed");
    received.extend(replayed);

    api_publish_numbered(&server, &channel, 26..=30).await;
    received.extend(publications(&mut events, 5).await.iter().map(n_of));
    assert_eq!(received, (1..=30).collect::<Vec<_>>(), "every publication once, in order");
    assert_none_for(&mut events, Duration::from_millis(300), is_publication_or_gap).await;
    client.close().await;
}

#[tokio::test]
async fn missing_more_than_the_history_keeps_is_reported_as_a_gap() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    // The `small` namespace keeps the last five publications.
    let (user, channel) = (unique("gap"), unique("small:gap"));
    let builder =
        builder_for(&server, &user).reconnect_delay(Duration::from_millis(1500), Duration::from_millis(2000));
    let (client, mut client_events, _) = connect(builder).await;
    let (_sub, mut events) = subscribed(&client, &channel).await;
    api_publish_numbered(&server, &channel, 1..=2).await;
    publications(&mut events, 2).await;

    server.api().disconnect(&user, 4000, "come back").await.expect("API disconnect");
    api_publish_numbered(&server, &channel, 3..=12).await;
    reconnected(&mut client_events, 4000).await;

    let (live, info) = until_subscribed(&mut events).await;
    assert!(info.was_recovering && !info.recovered, "3..=7 are gone from history: {info:?}");
    let gap = next_matching(&mut events, STEP, is_publication_or_gap).await;
    let SubscriptionEvent::Gap(gap) = gap else {
        panic!("expected a Gap right after Subscribed, got {gap:?}")
    };
    let last = gap.last_delivered.expect("two publications were delivered");
    assert_eq!(last.offset, 2 + live.len() as u64);
    assert_eq!(gap.resumed_from.expect("the stream top").offset, 12);

    server.api().publish(&channel, numbered(13)).await.expect("API publish");
    let next = next_matching(&mut events, STEP, is_publication_or_gap).await;
    let SubscriptionEvent::Publication(next) = next else { panic!("expected publication 13, got {next:?}") };
    assert_eq!((n_of(&next), next.offset), (13, 13), "nothing is replayed past a gap; live delivery resumes");
    client.close().await;
}

#[tokio::test]
async fn a_restarted_server_gets_the_client_and_subscription_back() {
    init_tracing();
    let mut server = Centrifugo::start().await.expect("server");
    let (user, channel) = (unique("restart"), unique("test:restart"));
    let builder =
        builder_for(&server, &user).reconnect_delay(Duration::from_millis(200), Duration::from_millis(1000));
    let (client, mut client_events, first_id) = connect(builder).await;
    let (sub, mut events) = subscribed(&client, &channel).await;
    let before = server.api().publish(&channel, numbered(1)).await.expect("API publish");
    publications(&mut events, 1).await;

    server.stop().await.expect("stop");
    let connecting = next_matching(&mut client_events, STEP, is_connection_step).await;
    assert!(matches!(connecting, ClientEvent::Connecting { .. }), "{connecting:?}");
    next_matching(&mut events, STEP, |e| matches!(e, SubscriptionEvent::Subscribing { .. })).await;
    assert_eq!(sub.state(), SubscriptionState::Subscribing);

    // Keep the server down for a while: the client retries against a closed port meanwhile.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_ne!(client.state(), ClientState::Connected, "nothing to connect to");
    server.start_again().await.expect("start again");

    let connected = next_matching(&mut client_events, STEP, is_connection_step).await;
    assert_ne!(client_id(&connected), first_id, "a new connection");
    let (_, info) = until_subscribed(&mut events).await;
    assert!(
        info.was_recovering && !info.recovered,
        "the restarted server has a new history epoch, so continuity is lost: {info:?}"
    );
    let gap = next_matching(&mut events, STEP, is_publication_or_gap).await;
    let SubscriptionEvent::Gap(gap) = gap else { panic!("expected a Gap, got {gap:?}") };
    let last = gap.last_delivered.expect("one publication was delivered");
    assert_eq!((last.offset, last.epoch.as_str()), (before.offset, before.epoch.as_str()));
    assert_ne!(gap.resumed_from.expect("the new stream").epoch, before.epoch, "a new epoch");
    assert_eq!(client.state(), ClientState::Connected);
    assert_eq!(sub.state(), SubscriptionState::Subscribed);

    let pos = server.api().publish(&channel, numbered(2)).await.expect("API publish");
    let got = publications(&mut events, 1).await;
    assert_eq!((n_of(&got[0]), got[0].offset), (2, pos.offset));
    client.close().await;
}
