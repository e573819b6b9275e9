//! Token refresh, a position store across client objects, push wake and the lifecycle hooks.

mod common;

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use ceaseless_ffi::{
    AppState, BackgroundGrace, CeaselessError, Client, ClientOptions, ClientState, Event,
    PositionStoreOption, SubscriptionOptions, unauthorized_error,
};
use ceaseless_tests::Centrifugo;
use common::{Failing, Reader, Store, Tokens, eventually, n};

fn options() -> ClientOptions {
    ClientOptions {
        reconnect_delay_min_ms: Some(50),
        reconnect_delay_max_ms: Some(300),
        background_grace: Some(BackgroundGrace::After { ms: 100 }),
        offline_queue_timeout_ms: Some(300),
        ..ClientOptions::default()
    }
}

/// The test options, with the app's own position store.
fn stored(store: &Arc<Store>) -> ClientOptions {
    ClientOptions { position_store: Some(PositionStoreOption::App { store: store.clone() }), ..options() }
}

fn recoverable() -> SubscriptionOptions {
    SubscriptionOptions { positioned: Some(true), recoverable: Some(true), ..SubscriptionOptions::default() }
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_are_refreshed_in_band() {
    let server = Centrifugo::start().await.expect("server");
    let tokens = Tokens::new("alice", Some(Duration::from_secs(4)));
    let client = Client::new(server.ws_url(), options(), Some(tokens.clone())).expect("client");
    let mut events = Reader::new(client.events());
    client.connect();
    events.until(|e| matches!(e, Event::Connected { .. }).then_some(())).await;
    let later = events.drain(Duration::from_secs(9)).await;
    assert!(
        !later.iter().any(|e| matches!(e, Event::Connecting { .. } | Event::Connected { .. })),
        "the connection was interrupted: {later:?}"
    );
    assert!(tokens.calls() >= 3, "only {} token fetches", tokens.calls());
    assert_eq!(client.state(), ClientState::Connected);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn provider_errors_are_typed() {
    let server = Centrifugo::start().await.expect("server");
    let failing = Arc::new(Failing(
        CeaselessError::Callback { code: 21, temporary: true, detail: "keychain locked".into() },
        AtomicUsize::new(0),
    ));
    let client = Client::new(server.ws_url(), options(), Some(failing)).expect("client");
    let mut events = Reader::new(client.events());
    client.connect();
    let error =
        events.until(|e| if let Event::Error { error } = e { Some(error.clone()) } else { None }).await;
    assert!(
        matches!(&error, CeaselessError::Token { code: 5, temporary: true, detail } if detail.contains("keychain locked")),
        "{error:?}"
    );
    assert_eq!(client.state(), ClientState::Connecting, "still retrying");
    client.shutdown().await;

    let refusing = Arc::new(Failing(unauthorized_error("signed out".into()), AtomicUsize::new(0)));
    let client = Client::new(server.ws_url(), options(), Some(refusing.clone())).expect("client");
    let mut events = Reader::new(client.events());
    client.connect();
    let code =
        events.until(|e| if let Event::Disconnected { code, .. } = e { Some(*code) } else { None }).await;
    assert_eq!(code, 1, "unauthorized");
    assert_eq!(client.state(), ClientState::Disconnected);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_client_resumes_from_the_position_store() {
    let server = Centrifugo::start().await.expect("server");
    let store = Arc::new(Store::default());
    let channel = "test:ffi-resume";
    {
        let first =
            Client::new(server.ws_url(), stored(&store), Some(Tokens::new("bob", None))).expect("client");
        let sub = first.clone().new_subscription(channel.into(), recoverable(), None).expect("sub");
        let mut events = Reader::new(sub.events());
        first.connect();
        sub.subscribe();
        sub.ready().await.expect("subscribed");
        for i in 1..=3 {
            server.api().publish(channel, serde_json::json!({ "n": i })).await.expect("publish");
        }
        assert_eq!(events.publications(3).await.iter().map(n).collect::<Vec<_>>(), vec![1, 2, 3]);
        // Saved off the client's task, just after delivery.
        eventually("the position to be saved", || store.offset(channel) == Some(3)).await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while server.api().presence_stats(channel).await.expect("presence").0 > 0 {
        assert!(tokio::time::Instant::now() < deadline, "the first client is still connected");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for i in 4..=6 {
        server.api().publish(channel, serde_json::json!({ "n": i })).await.expect("publish");
    }
    let second =
        Client::new(server.ws_url(), stored(&store), Some(Tokens::new("bob", None))).expect("client");
    let sub = second.clone().new_subscription(channel.into(), recoverable(), None).expect("sub");
    let mut events = Reader::new(sub.events());
    second.connect();
    sub.subscribe();
    assert_eq!(events.publications(3).await.iter().map(n).collect::<Vec<_>>(), vec![4, 5, 6]);
    let extra = events.drain(Duration::from_millis(300)).await;
    assert!(!extra.iter().any(|e| matches!(e, Event::Publication { .. })), "duplicates: {extra:?}");
    second.shutdown().await;
    assert_eq!(store.offset(channel), Some(6), "shutdown returns after the last save");
}

#[tokio::test(flavor = "multi_thread")]
async fn wake_catches_up_and_parks_again() {
    let server = Centrifugo::start().await.expect("server");
    let client = Client::new(server.ws_url(), options(), Some(Tokens::new("carol", None))).expect("client");
    let channel = "test:ffi-wake";
    let sub = client.clone().new_subscription(channel.into(), recoverable(), None).expect("sub");
    let mut events = Reader::new(sub.events());
    client.connect();
    sub.subscribe();
    sub.ready().await.expect("subscribed");
    client.set_app_state(AppState::Background);
    eventually("parked", || client.state() == ClientState::Disconnected).await;
    for i in 1..=4 {
        server.api().publish(channel, serde_json::json!({ "n": i })).await.expect("publish");
    }
    let report = client.wake("test push".into(), 10_000).await.expect("wake");
    assert!(report.caught_up, "{report:?}");
    assert_eq!(report.publications.get(channel), Some(&4));
    assert!(report.elapsed_ms < 10_000);
    assert_eq!(events.publications(4).await.iter().map(n).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    eventually("parked again", || client.state() == ClientState::Disconnected).await;

    // A budget too small to connect reports not caught up.
    let report = client.wake("tiny budget".into(), 0).await.expect("wake");
    assert!(!report.caught_up, "{report:?}");

    client.set_app_state(AppState::Foreground);
    client.ready().await.expect("foreground reconnects");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn network_changes() {
    let server = Centrifugo::start().await.expect("server");
    let client = Client::new(server.ws_url(), options(), Some(Tokens::new("dave", None))).expect("client");
    client.connect();
    client.ready().await.expect("ready");
    client.network_changed(false);
    eventually("the network loss", || client.state() == ClientState::Connecting).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(client.state(), ClientState::Connecting, "no attempts without a network");
    client.network_changed(true);
    client.ready().await.expect("back at once");
    client.shutdown().await;
}
