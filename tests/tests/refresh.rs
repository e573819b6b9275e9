//! In-band token refresh against a real Centrifugo: a short-lived connection token and a short-lived
//! subscription token are both renewed through their providers before the server's grace period runs
//! out, so the same connection and the same subscription outlive the first tokens' expiry.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ceaseless::{ClientEvent, ClientState, SubscriptionEvent, SubscriptionState, TokenError};
use ceaseless_tests::{Centrifugo, init_tracing};
use common::{
    STEP, assert_none_for, builder_for, connect, is_connection_step, n_of, publications, subscribe,
    subscribed, unique, within,
};

/// How long the tokens live.
const TTL: Duration = Duration::from_secs(4);
/// Past expiry (the `exp` claim is rounded up to a whole second), the test server's 2 s grace and its
/// 1 s expiry check: without a refresh, the server has ended the connection or subscription by then.
const OUTLIVE: Duration = Duration::from_secs(9);

/// Counts the calls of a token provider.
fn counter() -> (Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    (calls.clone(), calls)
}

#[tokio::test]
async fn a_short_lived_connection_token_is_refreshed_in_band() {
    init_tracing();
    let server = Arc::new(Centrifugo::start().await.expect("server"));
    let user = unique("conn-refresh");
    let (calls, count) = counter();
    let provider = {
        let (server, user) = (server.clone(), user.clone());
        move || {
            count.fetch_add(1, Ordering::SeqCst);
            let token = server.token(&user, Some(TTL));
            async move { Ok::<_, TokenError>(token) }
        }
    };
    let builder = ceaseless::Client::builder(&server.ws_url())
        .token(server.token(&user, Some(TTL)))
        .token_provider(provider);
    let (client, mut events, id) = connect(builder).await;
    let (sub, _sub_events) = subscribed(&client, &unique("test:conn-refresh")).await;

    assert_none_for(&mut events, OUTLIVE, |e| {
        is_connection_step(e) || matches!(e, ClientEvent::Disconnected { .. })
    })
    .await;
    assert_eq!(client.state(), ClientState::Connected);
    assert!(
        calls.load(Ordering::SeqCst) >= 2,
        "refreshed at least twice, got {} calls",
        calls.load(Ordering::SeqCst)
    );
    // The server still knows the connection under its first id.
    let presence = within(STEP, "presence", sub.presence()).await.expect("presence");
    assert!(presence.presence.contains_key(&id), "{id} not in {presence:?}");
    client.close().await;
}

#[tokio::test]
async fn a_short_lived_subscription_token_is_refreshed_in_band() {
    init_tracing();
    let server = Arc::new(Centrifugo::start().await.expect("server"));
    let (user, channel) = (unique("sub-refresh"), unique("secure:sub-refresh"));
    let (calls, count) = counter();
    let provider = {
        let (server, user) = (server.clone(), user.clone());
        move |channel: String| {
            count.fetch_add(1, Ordering::SeqCst);
            let token = server.subscription_token(&user, &channel, Some(TTL));
            async move { Ok::<_, TokenError>(token) }
        }
    };
    let (client, mut client_events, _) = connect(builder_for(&server, &user)).await;
    let sub = client
        .new_subscription(&channel)
        .token(server.subscription_token(&user, &channel, Some(TTL)))
        .token_provider(provider)
        .build()
        .expect("subscription");
    let mut events = subscribe(&sub).await;

    assert_none_for(&mut events, OUTLIVE, |e| {
        matches!(e, SubscriptionEvent::Unsubscribed { .. } | SubscriptionEvent::Subscribing { .. })
    })
    .await;
    assert_eq!(sub.state(), SubscriptionState::Subscribed);
    assert!(
        calls.load(Ordering::SeqCst) >= 2,
        "refreshed at least twice, got {} calls",
        calls.load(Ordering::SeqCst)
    );
    assert_none_for(&mut client_events, Duration::ZERO, is_connection_step).await;

    server.api().publish(&channel, common::numbered(1)).await.expect("API publish");
    let got = publications(&mut events, 1).await;
    assert_eq!(n_of(&got[0]), 1, "publications still arrive after the first token expired");
    client.close().await;
}
