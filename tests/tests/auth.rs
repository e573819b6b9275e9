//! Connection authentication against a real Centrifugo: a valid JWT connects, a JWT signed with the
//! wrong key ends the client for good (3500, no reconnect loop), and an expired JWT is replaced through
//! the token provider.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ceaseless::{Client, ClientEvent, ClientState, Error, TokenError};
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
    assert_eq!(client.ready().await, Err(Error::Disconnected));
    client.close().await;
}

#[tokio::test]
async fn an_expired_jwt_is_replaced_through_the_provider() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let user = unique("auth-expired");
    let an_hour_ago =
        SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_secs() - 3600;
    let expired = server.token_with_claims(json!({ "sub": user, "exp": an_hour_ago }));
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
