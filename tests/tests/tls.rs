//! `wss://` against a real Centrifugo serving a certificate from a private CA: trusting that CA (alone,
//! or on top of the Mozilla roots) connects and carries publications; without it the handshake fails
//! with a transport error that names the certificate, and the client never connects.

mod common;

use std::time::Duration;

use ceaseless::tls::TlsConfig;
use ceaseless::{Client, ClientEvent, ClientState, Error};
use ceaseless_tests::{Centrifugo, ServerOptions, init_tracing};
use common::{STEP, assert_none_for, connect, n_of, next_matching, publications, subscribed, unique};

async fn tls_server() -> Centrifugo {
    Centrifugo::start_with(ServerOptions::new().tls()).await.expect("TLS server")
}

/// Connects over `wss://` trusting `tls`, then receives one publication.
async fn round_trip(server: &Centrifugo, tls: TlsConfig) {
    let user = unique("tls");
    let builder = Client::builder(&server.ws_url()).token(server.token(&user, None)).tls(tls);
    let (client, _events, _) = connect(builder).await;
    let channel = unique("test:tls");
    let (_sub, mut events) = subscribed(&client, &channel).await;
    server.api().publish(&channel, common::numbered(1)).await.expect("API publish");
    assert_eq!(n_of(&publications(&mut events, 1).await[0]), 1);
    client.close().await;
}

#[tokio::test]
async fn wss_works_when_the_ca_is_trusted() {
    init_tracing();
    let server = tls_server().await;
    assert!(server.ws_url().starts_with("wss://"));
    let ca = server.ca_pem().expect("a TLS server has a CA");
    round_trip(&server, TlsConfig::only_root_ca_pem(ca.as_bytes()).expect("CA PEM")).await;
    let added = TlsConfig::default().add_root_ca_pem(ca.as_bytes()).expect("CA PEM");
    round_trip(&server, added).await;
}

#[tokio::test]
async fn wss_fails_without_the_ca() {
    init_tracing();
    let server = tls_server().await;
    let client = Client::builder(&server.ws_url())
        .token(server.token(&unique("untrusted"), None))
        .reconnect_delay(Duration::from_millis(200), Duration::from_millis(400))
        .build()
        .expect("client");
    let mut events = client.events();
    client.connect();
    let failed = next_matching(&mut events, STEP, |e| {
        matches!(e, ClientEvent::Error(_) | ClientEvent::Connected { .. })
    })
    .await;
    match failed {
        ClientEvent::Error(Error::Transport(message)) => assert!(
            message.to_lowercase().contains("certificate"),
            "the error names the certificate: {message}"
        ),
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert_none_for(&mut events, Duration::from_secs(2), |e| matches!(e, ClientEvent::Connected { .. }))
        .await;
    assert_eq!(client.state(), ClientState::Connecting, "it keeps trying");
    client.close().await;
}
