//! The Centrifugo v6 options through the uniffi records, against a real v6 server: emulated headers
//! (`ClientOptions.headers`, `Client::set_headers`) reaching a connect proxy, a publication tags filter
//! (`SubscriptionOptions.tags_filter` as JSON text) and its refusals as typed errors, and an app state
//! loader (`SubscriptionOptions.state_loader`) announced by `Event::StateLoaded`.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ceaseless_ffi::{
    CeaselessError, Client, ClientOptions, Event, LoadedState, StateLoader, StreamPosition,
    SubscriptionOptions,
};
use ceaseless_tests::connect_proxy::ConnectProxy;
use ceaseless_tests::{Centrifugo, ServerOptions};
use common::{Reader, Tokens, n};
use serde_json::json;

fn headers(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn headers_reach_the_connect_proxy_and_set_headers_changes_the_next_connect() {
    let proxy = ConnectProxy::start("ffi-headers").await.expect("connect proxy");
    let options = ServerOptions::new().config(proxy.config(&["X-Tenant"]));
    let server = Centrifugo::start_with(options).await.expect("server");
    let options = ClientOptions {
        headers: headers(&[("X-Tenant", "blue-secret")]),
        reconnect_delay_min_ms: Some(50),
        reconnect_delay_max_ms: Some(200),
        ..ClientOptions::default()
    };
    assert!(!format!("{options:?}").contains("blue-secret"), "header values never show in Debug");
    // No token and no provider: the server asks the connect proxy.
    let client = Client::new(server.ws_url(), options, None).expect("client");
    let mut events = Reader::new(client.events());
    client.connect();
    client.ready().await.expect("connected through the proxy");
    assert_eq!(proxy.requests()[0].header("x-tenant"), Some("blue-secret"));

    client.set_headers(headers(&[("X-Tenant", "green")]));
    server.api().disconnect("ffi-headers", 4000, "reconnect").await.expect("API disconnect");
    events.until(|e| matches!(e, Event::Connecting { code: 4000, .. }).then_some(())).await;
    events.until(|e| matches!(e, Event::Connected { .. }).then_some(())).await;
    let requests = proxy.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[1].header("x-tenant"), Some("green"));
    client.shutdown().await;
}

fn filtered(filter: &str, delta: Option<bool>) -> SubscriptionOptions {
    SubscriptionOptions { tags_filter: Some(filter.to_owned()), delta, ..SubscriptionOptions::default() }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_tags_filters_are_typed_errors_before_anything_is_sent() {
    let server = Centrifugo::start().await.expect("server");
    let client = Client::new(server.ws_url(), ClientOptions::default(), Some(Tokens::new("ffi-tf", None)))
        .expect("client");
    let cases = [
        ("not json", filtered("{not json", None)),
        ("not an object", filtered("[1, 2]", None)),
        ("an empty in", filtered(r#"{"key":"kind","cmp":"in","vals":[]}"#, None)),
        ("an empty and", filtered(r#"{"op":"and","nodes":[]}"#, None)),
        ("with delta", filtered(r#"{"key":"kind","cmp":"eq","val":"good"}"#, Some(true))),
    ];
    for (i, (what, options)) in cases.into_iter().enumerate() {
        let refused = client.clone().new_subscription(format!("tagged:ffi-bad-{i}"), options, None);
        match refused {
            Err(error @ CeaselessError::InvalidTagsFilter { .. }) => {
                assert_eq!(error.code(), 23, "{what}");
                assert!(!error.temporary(), "{what}");
            }
            other => panic!("{what}: expected InvalidTagsFilter, got {other:?}"),
        }
    }
    // The channel names are still free: nothing was registered.
    let ok = filtered(r#"{"key":"kind","cmp":"eq","val":"good"}"#, None);
    assert!(client.clone().new_subscription("tagged:ffi-bad-0".into(), ok, None).is_ok());
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tags_filter_delivers_only_matching_publications() {
    let server = Centrifugo::start().await.expect("server");
    let client = Client::new(server.ws_url(), ClientOptions::default(), Some(Tokens::new("ffi-tf2", None)))
        .expect("client");
    client.connect();
    let channel = "tagged:ffi-live".to_owned();
    let filter =
        r#"{"op":"or","nodes":[{"key":"kind","cmp":"eq","val":"good"},{"key":"n","cmp":"gt","val":"5"}]}"#;
    let sub = client.clone().new_subscription(channel.clone(), filtered(filter, None), None).expect("sub");
    let mut events = Reader::new(sub.events());
    sub.subscribe();
    sub.ready().await.expect("subscribed");
    for n in 1..=7 {
        let kind = if n % 2 == 1 { "good" } else { "bad" };
        let params =
            json!({"channel": channel, "data": {"n": n}, "tags": {"kind": kind, "n": n.to_string()}});
        server.api().call("publish", params).await.expect("API publish");
    }
    let got: Vec<i64> = events.publications(5).await.iter().map(n).collect();
    assert_eq!(got, vec![1, 3, 5, 6, 7], "kind=good or n>5");
    let rest = events.drain(Duration::from_millis(300)).await;
    assert!(!rest.iter().any(|e| matches!(e, Event::Publication { .. })), "{rest:?}");
    client.shutdown().await;
}

/// A state loader that answers the stream top from the server API and counts its calls.
struct TopLoader {
    server: Arc<Centrifugo>,
    calls: AtomicUsize,
}

#[async_trait::async_trait]
impl StateLoader for TopLoader {
    async fn load_state(&self, channel: String) -> Result<LoadedState, CeaselessError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let top = self.server.api().history(&channel, 0).await.map_err(|e| CeaselessError::Callback {
            code: 21,
            temporary: true,
            detail: e.to_string(),
        })?;
        let position = StreamPosition {
            offset: top["offset"].as_u64().unwrap_or(0),
            epoch: top["epoch"].as_str().unwrap_or_default().to_owned(),
        };
        let state = format!(r#"{{"upto":{}}}"#, position.offset).into_bytes();
        Ok(LoadedState { position, state: Some(state) })
    }
}

/// A state loader that always fails.
struct BrokenLoader;

#[async_trait::async_trait]
impl StateLoader for BrokenLoader {
    async fn load_state(&self, _channel: String) -> Result<LoadedState, CeaselessError> {
        Err(CeaselessError::Callback { code: 21, temporary: true, detail: "database down".into() })
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_state_loader_is_asked_first_and_its_state_comes_before_publications() {
    let server = Arc::new(Centrifugo::start().await.expect("server"));
    let channel = "small:ffi-loader".to_owned();
    for n in 1..=3 {
        server.api().publish(&channel, json!({"n": n})).await.expect("publish before");
    }
    let client = Client::new(server.ws_url(), ClientOptions::default(), Some(Tokens::new("ffi-sl", None)))
        .expect("client");
    client.connect();
    let loader = Arc::new(TopLoader { server: server.clone(), calls: AtomicUsize::new(0) });
    let options =
        SubscriptionOptions { state_loader: Some(loader.clone()), ..SubscriptionOptions::default() };
    let sub = client.clone().new_subscription(channel.clone(), options, None).expect("subscription");
    let mut events = Reader::new(sub.events());
    sub.subscribe();
    sub.ready().await.expect("subscribed");
    server.api().publish(&channel, json!({"n": 4})).await.expect("publish after");
    let mut seen = Vec::new();
    while !seen.iter().any(|e| matches!(e, Event::Publication { .. })) {
        seen.push(events.next().await);
    }
    assert_eq!(loader.calls.load(Ordering::SeqCst), 1, "no stored position: the loader is asked first");
    let loaded = seen.iter().position(|e| matches!(e, Event::StateLoaded { .. }));
    let Some(Event::StateLoaded { channel: at, state, position }) = loaded.map(|i| seen[i].clone()) else {
        panic!("no StateLoaded before the first publication: {seen:?}");
    };
    assert_eq!((at.as_str(), position.offset), (channel.as_str(), 3));
    assert_eq!(state.as_deref(), Some(br#"{"upto":3}"#.as_slice()));
    let Some(Event::Publication { publication, .. }) = seen.last() else { panic!("{seen:?}") };
    assert_eq!(n(publication), 4, "only what follows the loaded state arrives");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_state_loader_is_a_subscription_error_and_retried() {
    let server = Centrifugo::start().await.expect("server");
    let client = Client::new(server.ws_url(), ClientOptions::default(), Some(Tokens::new("ffi-sl2", None)))
        .expect("client");
    client.connect();
    let options = SubscriptionOptions {
        state_loader: Some(Arc::new(BrokenLoader)),
        resubscribe_delay_min_ms: Some(50),
        resubscribe_delay_max_ms: Some(100),
        ..SubscriptionOptions::default()
    };
    let sub =
        client.clone().new_subscription("small:ffi-broken".into(), options, None).expect("subscription");
    let mut events = Reader::new(sub.events());
    sub.subscribe();
    for _ in 0..2 {
        let error = events
            .until(
                |e| if let Event::SubscriptionError { error, .. } = e { Some(error.clone()) } else { None },
            )
            .await;
        assert!(matches!(error, CeaselessError::Callback { .. }), "{error:?}");
        assert!(error.to_string().contains("database down"), "{error}");
    }
    client.shutdown().await;
}
