//! Server-initiated endings through the Centrifugo HTTP API: a disconnect with a terminal code stops
//! the client for good with that code, and a server unsubscribe ends the subscription with code 2000
//! while the connection stays up (and a later subscribe by the app recovers what it missed).

mod common;

use std::time::Duration;

use ceaseless::{ClientEvent, ClientState, SubscriptionEvent, SubscriptionState};
use ceaseless_tests::{Centrifugo, init_tracing};
use common::{
    STEP, assert_none_for, builder_for, connect, connected, is_connection_step, n_of, next_matching,
    publications, subscribe, subscribed, unique,
};

#[tokio::test]
async fn a_terminal_disconnect_code_stops_the_client() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let user = unique("terminal");
    let builder =
        builder_for(&server, &user).reconnect_delay(Duration::from_millis(100), Duration::from_millis(200));
    let (client, mut events, _) = connect(builder).await;

    server.api().disconnect(&user, 4500, "go away").await.expect("API disconnect");
    let ended = next_matching(&mut events, STEP, |e| {
        is_connection_step(e) || matches!(e, ClientEvent::Disconnected { .. })
    })
    .await;
    match ended {
        ClientEvent::Disconnected { code, reason } => {
            assert_eq!(code, 4500);
            assert_eq!(reason, "go away");
        }
        other => panic!("expected Disconnected 4500, got {other:?}"),
    }
    assert_eq!(client.state(), ClientState::Disconnected);
    assert_none_for(&mut events, Duration::from_secs(2), is_connection_step).await;
    assert_eq!(client.state(), ClientState::Disconnected);
    client.close().await;
}

#[tokio::test]
async fn a_server_unsubscribe_ends_the_subscription() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let (user, channel) = (unique("unsubscribed"), unique("test:server-unsub"));
    let (client, mut client_events, _) = connected(&server, &user).await;
    let (sub, mut events) = subscribed(&client, &channel).await;

    server.api().unsubscribe(&user, &channel).await.expect("API unsubscribe");
    let ended =
        next_matching(&mut events, STEP, |e| matches!(e, SubscriptionEvent::Unsubscribed { .. })).await;
    assert!(matches!(ended, SubscriptionEvent::Unsubscribed { code: 2000, .. }), "{ended:?}");
    assert_eq!(sub.state(), SubscriptionState::Unsubscribed);

    // It stays unsubscribed and receives nothing, while the connection carries on.
    server.api().publish(&channel, common::numbered(1)).await.expect("API publish");
    assert_none_for(&mut events, Duration::from_secs(1), |e| {
        matches!(
            e,
            SubscriptionEvent::Subscribing { .. }
                | SubscriptionEvent::Subscribed(_)
                | SubscriptionEvent::Publication(_)
        )
    })
    .await;
    assert_eq!(sub.state(), SubscriptionState::Unsubscribed);
    assert_eq!(client.state(), ClientState::Connected);
    assert_none_for(&mut client_events, Duration::ZERO, is_connection_step).await;

    // The app may subscribe again; the kept position recovers what was published meanwhile.
    let mut events = subscribe(&sub).await;
    assert_eq!(n_of(&publications(&mut events, 1).await[0]), 1);
    client.close().await;
}
