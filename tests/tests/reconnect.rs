//! Reconnecting by itself against a real Centrifugo: after a server disconnect with a reconnect code
//! the client comes back and its subscription recovers every publication missed meanwhile, exactly
//! once and in order; after the server is stopped and started again the client and its subscription
//! come back without help (and report that continuity was lost, since the restarted server's history
//! is new).

mod common;

use std::time::Duration;

use ceaseless::{ClientEvent, ClientState, SubscribedInfo, SubscriptionEvent, SubscriptionState};
use ceaseless_tests::{Centrifugo, init_tracing};
use common::{
    STEP, api_publish_numbered, assert_none_for, builder_for, client_id, connect, is_connection_step, n_of,
    next_matching, publications, subscribed, unique,
};

fn is_subscribed(event: &SubscriptionEvent) -> bool {
    matches!(event, SubscriptionEvent::Subscribed(_))
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

    let connecting = next_matching(&mut client_events, STEP, is_connection_step).await;
    assert!(matches!(connecting, ClientEvent::Connecting { code: 4000, .. }), "{connecting:?}");
    let second_id = client_id(&next_matching(&mut client_events, STEP, is_connection_step).await);
    assert_ne!(first_id, second_id, "a new connection");

    // Everything up to the resubscribe, then whatever the resubscribe replays.
    let mut info = None;
    while info.is_none() {
        match next_matching(&mut events, STEP, |e| {
            is_subscribed(e) || matches!(e, SubscriptionEvent::Publication(_))
        })
        .await
        {
            SubscriptionEvent::Subscribed(i) => info = Some(i),
            SubscriptionEvent::Publication(p) => received.push(n_of(&p)),
            _ => unreachable!("filtered above"),
        }
    }
    let info: SubscribedInfo = info.expect("set by the loop");
    assert!(info.was_recovering && info.recovered, "the resubscribe recovers: {info:?}");

    api_publish_numbered(&server, &channel, 26..=30).await;
    let remaining = 30 - received.len();
    received.extend(publications(&mut events, remaining).await.iter().map(n_of));
    assert_eq!(received, (1..=30).collect::<Vec<_>>(), "every publication once, in order");
    let extra = assert_none_for(&mut events, Duration::from_millis(300), |e| {
        matches!(e, SubscriptionEvent::Publication(_))
    })
    .await;
    assert!(extra.is_empty(), "nothing after the last publication: {extra:?}");
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
    api_publish_numbered(&server, &channel, 1..=1).await;
    publications(&mut events, 1).await;

    server.stop().await.expect("stop");
    let connecting = next_matching(&mut client_events, STEP, is_connection_step).await;
    assert!(matches!(connecting, ClientEvent::Connecting { .. }), "{connecting:?}");
    next_matching(&mut events, STEP, |e| matches!(e, SubscriptionEvent::Subscribing { .. })).await;
    assert_eq!(sub.state(), SubscriptionState::Subscribing);

    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_ne!(client.state(), ClientState::Connected, "nothing to connect to");
    server.start_again().await.expect("start again");

    let connected = next_matching(&mut client_events, STEP, is_connection_step).await;
    assert_ne!(client_id(&connected), first_id, "a new connection");
    match next_matching(&mut events, STEP, is_subscribed).await {
        SubscriptionEvent::Subscribed(info) => assert!(
            info.was_recovering && !info.recovered,
            "the restarted server has a new history epoch, so continuity is lost: {info:?}"
        ),
        _ => unreachable!("filtered above"),
    }
    assert_eq!(client.state(), ClientState::Connected);
    assert_eq!(sub.state(), SubscriptionState::Subscribed);

    let pos = server.api().publish(&channel, common::numbered(2)).await.expect("API publish");
    let got = publications(&mut events, 1).await;
    assert_eq!((n_of(&got[0]), got[0].offset), (2, pos.offset));
    client.close().await;
}
