//! Authentication against a real Centrifugo. Connection tokens: a valid JWT connects, a JWT signed
//! with the wrong key ends the client for good (3500, no reconnect loop), an expired JWT is replaced
//! through the token provider, and without a provider it stops the client as unauthorized.
//! Subscription tokens: a `secure:` channel refuses a subscription without one (103) and an expired one
//! is replaced through the subscription's provider.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ceaseless::{Client, ClientEvent, ClientState, Error, SubscriptionEvent, TokenError};
use ceaseless_tests::{Centrifugo, init_tracing};
use common::{STEP, assert_none_for, is_connection_step, next_matching, unique, within};
use serde_json::json;

#[tokio::test]
async fn a_valid_jwt_connects() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let user = unique("auth-ok");
    let client = Client::builder(&server.ws_url()).token(server.token(&user, None)).build().expect("client");
    let mut events = client.events();
    client.connect();
    let connecting = next_matching(&mut events, STEP, is_connection_step).await;
    assert!(matches!(connecting, ClientEvent::Connecting { code: 0, .. }), "{connecting:?}");
    let connected = next_matching(&mut events, STEP, is_connection_step).await;
    let id = common::client_id(&connected);
    assert!(!id.is_empty(), "the server assigns a client id");
    assert_eq!(client.state(), ClientState::Connected);
    within(STEP, "ready", client.ready()).await.expect("ready");
    // The server knows the connection as the token's `sub`.
    let (sub, _) = common::subscribed(&client, &unique("test:auth-who")).await;
    let presence = within(STEP, "presence", sub.presence()).await.expect("presence");
    assert_eq!(presence.presence.get(&id).map(|info| info.user.as_str()), Some(user.as_str()));
    client.close().await;
}

#[tokio::test]
async fn a_jwt_signed_with_the_wrong_key_is_terminal() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let user = unique("auth-wrong-key");
    let client = Client::builder(&server.ws_url())
        .token(server.token_signed_with_wrong_key(&user))
        .reconnect_delay(Duration::from_millis(100), Duration::from_millis(200))
        .build()
        .expect("client");
    let mut events = client.events();
    client.connect();
    let ended = next_matching(&mut events, STEP, |e| {
        matches!(e, ClientEvent::Disconnected { .. } | ClientEvent::Connected { .. })
    })
    .await;
    assert!(
        matches!(ended, ClientEvent::Disconnected { code: 3500, .. }),
        "expected Disconnected 3500 (invalid token), got {ended:?}"
    );
    assert_eq!(client.state(), ClientState::Disconnected);
    // With a 100 ms reconnect delay, a reconnect loop would show within two seconds.
    assert_none_for(&mut events, Duration::from_secs(2), is_connection_step).await;
    assert_eq!(client.state(), ClientState::Disconnected);
    // A later ready() still says why: the server's code and reason, not temporary.
    let why = Error::Server { code: 3500, message: "invalid token".into(), temporary: false };
    assert_eq!(client.ready().await, Err(why));
    client.close().await;
}

#[tokio::test]
async fn an_expired_jwt_is_replaced_through_the_provider() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let user = unique("auth-expired");
    let expired = server.token_with_claims(json!({ "sub": user, "exp": an_hour_ago() }));
    let fresh = server.token(&user, None);
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let client = Client::builder(&server.ws_url())
        .token(expired)
        .token_provider(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            let token = fresh.clone();
            async move { Ok::<_, TokenError>(token) }
        })
        .reconnect_delay(Duration::from_millis(100), Duration::from_millis(500))
        .build()
        .expect("client");
    let mut events = client.events();
    client.connect();
    let refused = next_matching(&mut events, STEP, |e| {
        matches!(e, ClientEvent::Error(_) | ClientEvent::Connected { .. })
    })
    .await;
    assert!(
        matches!(refused, ClientEvent::Error(Error::Server { code: 109, .. })),
        "the server answers an expired token with 109, got {refused:?}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0, "no fetch before the server asks");
    next_matching(&mut events, STEP, |e| {
        matches!(e, ClientEvent::Connected { .. } | ClientEvent::Disconnected { .. })
    })
    .await;
    assert_eq!(client.state(), ClientState::Connected);
    assert_eq!(calls.load(Ordering::SeqCst), 1, "exactly one fetch for the new token");
    client.close().await;
}

/// Unix seconds an hour ago: an `exp` the server rejects.
fn an_hour_ago() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_secs() - 3600
}

#[tokio::test]
async fn an_expired_jwt_without_a_provider_stops_the_client() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let user = unique("auth-expired-alone");
    let client = Client::builder(&server.ws_url())
        .token(server.token_with_claims(json!({ "sub": user, "exp": an_hour_ago() })))
        .reconnect_delay(Duration::from_millis(100), Duration::from_millis(200))
        .build()
        .expect("client");
    let mut events = client.events();
    client.connect();
    let ended = next_matching(&mut events, STEP, |e| {
        matches!(e, ClientEvent::Disconnected { .. } | ClientEvent::Connected { .. })
    })
    .await;
    assert!(
        matches!(ended, ClientEvent::Disconnected { code: ceaseless::codes::disconnected::UNAUTHORIZED, .. }),
        "no way to get a new token, so unauthorized: {ended:?}"
    );
    assert_none_for(&mut events, Duration::from_secs(1), is_connection_step).await;
    client.close().await;
}

#[tokio::test]
async fn a_secure_channel_needs_a_subscription_token() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let (client, _client_events, _) = common::connected(&server, &unique("auth-no-sub-token")).await;
    let sub = client.new_subscription(&unique("secure:no-token")).build().expect("subscription");
    let mut events = sub.events();
    sub.subscribe();
    let ended = next_matching(&mut events, STEP, |e| {
        matches!(e, SubscriptionEvent::Subscribed(_) | SubscriptionEvent::Unsubscribed { .. })
    })
    .await;
    assert!(matches!(ended, SubscriptionEvent::Unsubscribed { code: 103, .. }), "{ended:?}");
    assert_eq!(client.state(), ClientState::Connected, "a refused subscribe leaves the connection up");
    client.close().await;
}

#[tokio::test]
async fn an_expired_subscription_token_is_replaced_through_the_provider() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let (user, channel) = (unique("auth-sub-expired"), unique("secure:expired"));
    let expired = server.token_with_claims(json!({ "sub": user, "channel": channel, "exp": an_hour_ago() }));
    let fresh = server.subscription_token(&user, &channel, None);
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let (client, _client_events, _) = common::connected(&server, &user).await;
    let sub = client
        .new_subscription(&channel)
        .token(expired)
        .token_provider(move |_channel: String| {
            counter.fetch_add(1, Ordering::SeqCst);
            let token = fresh.clone();
            async move { Ok::<_, TokenError>(token) }
        })
        .resubscribe_delay(Duration::from_millis(100), Duration::from_millis(500))
        .build()
        .expect("subscription");
    let mut events = sub.events();
    sub.subscribe();
    let refused = next_matching(&mut events, STEP, |e| {
        matches!(e, SubscriptionEvent::Error(_) | SubscriptionEvent::Subscribed(_))
    })
    .await;
    assert!(
        matches!(refused, SubscriptionEvent::Error(Error::Server { code: 109, .. })),
        "the server answers an expired subscription token with 109, got {refused:?}"
    );
    let outcome = next_matching(&mut events, STEP, |e| {
        matches!(e, SubscriptionEvent::Subscribed(_) | SubscriptionEvent::Unsubscribed { .. })
    })
    .await;
    assert!(matches!(outcome, SubscriptionEvent::Subscribed(_)), "{outcome:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "exactly one fetch for the new token");
    client.close().await;
}
