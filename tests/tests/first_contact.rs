//! First contact: waiting for the first connection (`ready()`) never hangs on a client that cannot get
//! in, and the error says why. Against a real Centrifugo, with a 2 s client timeout:
//!
//! - terminal causes end the wait at once, with the server's code and reason and `temporary` false:
//!   an invalid token (3500), a subscribe the server refuses (103 "permission denied"); an expired
//!   token with no provider to renew it is `Unauthorized`, and its reason names the server's 109
//!   "token expired"; a TLS handshake that fails (`wss://` to a plain server) is a `Transport` error
//!   naming TLS, and the client keeps retrying in the background;
//! - repeated temporary causes end it after the timeout with the last cause, and the client keeps
//!   trying in the background: connection refused, HTTP 404, a token provider that fails.
//!
//! Each test prints the error and how long it took.

mod common;

use std::time::Duration;

use ceaseless::{Client, ClientBuilder, ClientState, Error, TokenError};
use ceaseless_tests::{Centrifugo, init_tracing};
use common::{builder_for, unique, within};
use tokio::time::Instant;

/// The client timeout in these tests.
const TIMEOUT: Duration = Duration::from_secs(2);
/// How long the wait may take past the timeout (one more failed attempt, scheduling).
const SLACK: Duration = Duration::from_millis(2500);

/// Connects with `builder` and waits for `ready()`; returns its error and how long it took.
async fn first_contact(what: &str, builder: ClientBuilder) -> (Client, Error, Duration) {
    let client = builder.timeout(TIMEOUT).build().expect("client builds");
    let started = Instant::now();
    client.connect();
    let error = within(TIMEOUT * 4, what, client.ready()).await.expect_err("ready() fails");
    let took = started.elapsed();
    println!(
        "{what}: {error} (code {}, temporary {}) after {} ms",
        error.code(),
        error.is_temporary(),
        took.as_millis()
    );
    (client, error, took)
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

#[tokio::test]
async fn an_invalid_token_fails_at_once_with_the_servers_reason() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let builder = Client::builder(&server.ws_url()).token("not-a-jwt");
    let (client, error, took) = first_contact("invalid token", builder).await;
    assert_eq!(error, Error::Server { code: 3500, message: "invalid token".into(), temporary: false });
    assert!(!error.is_temporary());
    assert!(took < TIMEOUT, "at once, not after the timeout: {took:?}");
    assert_eq!(client.state(), ClientState::Disconnected, "a terminal cause stops the client");
    client.close().await;
}

#[tokio::test]
async fn a_refused_subscribe_carries_the_servers_code_and_reason() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let (client, _events, _) = common::connected(&server, &unique("denied")).await;
    // `secure:` needs a subscription token; without one the server answers 103.
    let sub = client.new_subscription(&unique("secure:denied")).build().expect("subscription");
    sub.subscribe();
    let started = Instant::now();
    let error = within(TIMEOUT, "sub.ready()", sub.ready()).await.expect_err("refused");
    println!("permission denied: {error} after {} ms", started.elapsed().as_millis());
    assert_eq!(error, Error::Server { code: 103, message: "permission denied".into(), temporary: false });
    client.close().await;
}

#[tokio::test]
async fn a_refused_connection_fails_after_the_timeout_with_the_cause_and_keeps_trying() {
    init_tracing();
    let url = format!("ws://127.0.0.1:{}/connection/websocket", closed_port());
    let (client, error, took) = first_contact("connection refused", Client::builder(&url).token("t")).await;
    assert!(
        matches!(&error, Error::Transport(cause) if cause.to_lowercase().contains("refused")),
        "{error:?}"
    );
    assert!(error.is_temporary());
    assert!(took >= TIMEOUT && took <= TIMEOUT + SLACK, "after the timeout: {took:?}");
    assert_eq!(client.state(), ClientState::Connecting, "still trying in the background");
    client.close().await;
}

#[tokio::test]
async fn a_wrong_path_fails_after_the_timeout_with_the_http_status() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let url = format!("ws://127.0.0.1:{}/no/such/path", server.port());
    let (client, error, took) = first_contact("HTTP 404", Client::builder(&url).token("t")).await;
    assert!(matches!(&error, Error::Transport(cause) if cause.contains("404")), "{error:?}");
    assert!(took >= TIMEOUT && took <= TIMEOUT + SLACK, "after the timeout: {took:?}");
    client.close().await;
}

#[tokio::test]
async fn tls_to_a_plain_server_fails_at_once_with_the_tls_cause() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let url = format!("wss://127.0.0.1:{}/connection/websocket", server.port());
    let (client, error, took) =
        first_contact("wss to a plain server", Client::builder(&url).token("t")).await;
    assert!(matches!(&error, Error::Transport(cause) if cause.contains("TLS")), "{error:?}");
    assert!(took < TIMEOUT, "at once, not after the timeout: {took:?}");
    assert_ne!(client.state(), ClientState::Disconnected, "still retrying in the background");
    client.close().await;
}

#[tokio::test]
async fn a_failing_token_provider_is_the_cause() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let builder = Client::builder(&server.ws_url())
        .token_provider(|| async { Err::<String, _>(TokenError::Failed("token backend down".into())) });
    let (client, error, took) = first_contact("token provider failing", builder).await;
    assert!(matches!(&error, Error::Token(cause) if cause.contains("token backend down")), "{error:?}");
    assert!(took >= TIMEOUT && took <= TIMEOUT + SLACK, "after the timeout: {took:?}");
    client.close().await;
}

#[tokio::test]
async fn a_working_connection_is_unaffected() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let client = builder_for(&server, &unique("fine")).timeout(TIMEOUT).build().expect("client");
    client.connect();
    within(TIMEOUT, "ready", client.ready()).await.expect("connected");
    client.close().await;
}

#[tokio::test]
async fn an_expired_token_without_a_provider_is_unauthorized_at_once() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let token = server.token(&unique("expired"), Some(Duration::from_secs(1)));
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (client, error, took) =
        first_contact("expired token", Client::builder(&server.ws_url()).token(token)).await;
    // The server answers 109; with no provider to ask for a fresh token the client cannot get in.
    match &error {
        Error::Unauthorized(reason) => {
            assert!(reason.contains("109") && reason.contains("token expired"), "reason: {reason}")
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    assert!(took < TIMEOUT, "at once: {took:?}");
    assert_eq!(client.state(), ClientState::Disconnected);
    client.close().await;
}
