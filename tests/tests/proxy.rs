//! Through an HTTP proxy that wants basic credentials (`ceaseless_tests::http_proxy::ForwardProxy`):
//!
//! - WebSocket goes through a `CONNECT` tunnel and connects and receives, in JSON and Protobuf;
//! - the emulation transports over plain `http://` send absolute-form requests to the proxy, and connect
//!   and receive too;
//! - against a TLS server, `wss://` and `https://` HTTP-streaming both tunnel with `CONNECT`, and the
//!   certificate is verified end to end;
//! - wrong or missing credentials are a typed error carrying the proxy's status (407) from the transport,
//!   and the app's error event says so, without ever showing the password.

mod common;

use std::time::Duration;

use ceaseless::tls::TlsConfig;
use ceaseless::transport::{
    FrameFormat, OpenRequest, ProxyConfig, SocketBuffers, TransportErrorKind, TransportKind, endpoint_url,
    native_transport,
};
use ceaseless::{Client, ClientBuilder, ClientEvent, Error};
use ceaseless_tests::http_proxy::ForwardProxy;
use ceaseless_tests::{Centrifugo, ServerOptions, init_tracing};
use common::{STEP, assert_none_for, n_of, next_matching, numbered, publications, subscribed, unique};

const USER: &str = "proxy-user";
const PASSWORD: &str = "pr0xy-s3cret";

fn builder(
    server: &Centrifugo,
    proxy: &ForwardProxy,
    kind: TransportKind,
    format: FrameFormat,
) -> ClientBuilder {
    let config = ProxyConfig::new(&proxy.url_with(USER, PASSWORD)).expect("proxy URL");
    Client::builder(&server.ws_url())
        .token(server.token(&unique("proxied"), None))
        .transports([kind])
        .format(format)
        .proxy(config)
}

/// Connects through the proxy, subscribes, and receives one API publication.
async fn round_trip(server: &Centrifugo, builder: ClientBuilder, kind: TransportKind) {
    let client = builder.build().expect("client");
    let mut events = client.events();
    client.connect();
    match next_matching(&mut events, STEP, |e| matches!(e, ClientEvent::Connected { .. })).await {
        ClientEvent::Connected { transport, .. } => assert_eq!(transport, kind.name()),
        other => unreachable!("filtered: {other:?}"),
    }
    let channel = unique("test:proxied");
    let (_sub, mut sub_events) = subscribed(&client, &channel).await;
    server.api().publish(&channel, numbered(7)).await.expect("API publish");
    assert_eq!(n_of(&publications(&mut sub_events, 1).await[0]), 7);
    client.close().await;
}

#[tokio::test]
async fn websocket_tunnels_through_the_proxy() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let proxy = ForwardProxy::start(USER, PASSWORD).await.expect("proxy");
    for format in [FrameFormat::Json, FrameFormat::Protobuf] {
        round_trip(
            &server,
            builder(&server, &proxy, TransportKind::WebSocket, format),
            TransportKind::WebSocket,
        )
        .await;
    }
    assert_eq!(proxy.tunnels(), 2, "one CONNECT per connection: {:?}", proxy.targets());
    assert_eq!(proxy.targets()[0], format!("CONNECT 127.0.0.1:{}", server.port()));
    assert_eq!(proxy.auth_failures(), 0);
}

#[tokio::test]
async fn emulation_goes_through_the_proxy() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let proxy = ForwardProxy::start(USER, PASSWORD).await.expect("proxy");
    for (kind, format) in [
        (TransportKind::HttpStream, FrameFormat::Json),
        (TransportKind::HttpStream, FrameFormat::Protobuf),
        (TransportKind::Sse, FrameFormat::Json),
    ] {
        round_trip(&server, builder(&server, &proxy, kind, format), kind).await;
    }
    let targets = proxy.targets();
    assert!(
        targets
            .iter()
            .any(|t| t == &format!("POST http://127.0.0.1:{}/connection/http_stream", server.port())),
        "{targets:?}"
    );
    assert!(targets.iter().any(|t| t.ends_with("/connection/sse")), "{targets:?}");
    assert!(
        targets.iter().any(|t| t.ends_with("/emulation")),
        "commands are POSTed through the proxy: {targets:?}"
    );
    assert_eq!(proxy.tunnels(), 0, "plain http goes to the proxy in absolute form");
    assert_eq!(proxy.auth_failures(), 0);
}

#[tokio::test]
async fn wss_and_https_tunnel_through_the_proxy() {
    init_tracing();
    let server = Centrifugo::start_with(ServerOptions::new().tls()).await.expect("TLS server");
    let ca = server.ca_pem().expect("a TLS server has a CA");
    let proxy = ForwardProxy::start(USER, PASSWORD).await.expect("proxy");
    for (kind, format) in
        [(TransportKind::WebSocket, FrameFormat::Json), (TransportKind::HttpStream, FrameFormat::Protobuf)]
    {
        let tls = TlsConfig::only_root_ca_pem(ca.as_bytes()).expect("CA PEM");
        round_trip(&server, builder(&server, &proxy, kind, format).tls(tls), kind).await;
    }
    assert!(proxy.tunnels() >= 3, "WebSocket, then the stream and the POSTs: {:?}", proxy.targets());
    assert_eq!(proxy.forwarded(), 0, "TLS is never sent in the clear to the proxy");
}

#[tokio::test]
async fn wrong_credentials_are_a_typed_error_with_the_proxy_status() {
    init_tracing();
    let server = Centrifugo::start().await.expect("server");
    let proxy = ForwardProxy::start(USER, PASSWORD).await.expect("proxy");
    let wrong = ProxyConfig::new(&proxy.url_with(USER, "not-the-password")).expect("proxy URL");
    let anonymous = ProxyConfig::new(&format!("http://{}", proxy.addr())).expect("proxy URL");
    let ws_url = reqwest::Url::parse(&server.ws_url()).expect("URL");

    // Through the transport seam: the kind carries the proxy's status.
    for (config, says) in [(&wrong, "rejected the credentials"), (&anonymous, "requires credentials")] {
        let transport = native_transport(
            TransportKind::WebSocket,
            &TlsConfig::default(),
            Some(config),
            SocketBuffers::default(),
        )
        .expect("transport");
        let request = OpenRequest { url: ws_url.clone(), format: FrameFormat::Json, emulation_url: None };
        let err = transport.open(request).await.expect_err("the proxy refuses");
        assert_eq!(err.kind, TransportErrorKind::Http(407), "{err}");
        assert!(err.message.contains(says), "{err}");
        assert!(!err.message.contains("not-the-password"), "{err}");
    }
    let (stream_url, emulation_url) = endpoint_url(&ws_url, TransportKind::HttpStream).expect("derivable");
    let transport = native_transport(
        TransportKind::HttpStream,
        &TlsConfig::default(),
        Some(&wrong),
        SocketBuffers::default(),
    )
    .expect("transport");
    let request = OpenRequest { url: stream_url, format: FrameFormat::Json, emulation_url };
    let mut connection = transport.open(request).await.expect("the connection to the proxy opens");
    connection
        .outgoing
        .unbounded_send(ceaseless::transport::Outgoing::Frame(bytes::Bytes::from_static(
            b"{\"id\":1,\"connect\":{}}",
        )))
        .expect("queued");
    use futures::StreamExt;
    match common::within(STEP, "the stream to end", connection.incoming.next()).await {
        Some(ceaseless::transport::Incoming::Closed(info)) => {
            assert!(info.reason.contains("407"), "{info:?}");
        }
        other => panic!("expected Closed with the proxy's 407, got {other:?}"),
    }

    // Through the client: an error event that names the status, and no connection.
    let client = Client::builder(&server.ws_url())
        .token(server.token(&unique("denied"), None))
        .proxy(wrong)
        .reconnect_delay(Duration::from_millis(200), Duration::from_millis(400))
        .build()
        .expect("client");
    let mut events = client.events();
    client.connect();
    match next_matching(&mut events, STEP, |e| {
        matches!(e, ClientEvent::Error(_) | ClientEvent::Connected { .. })
    })
    .await
    {
        ClientEvent::Error(Error::Transport(message)) => {
            assert!(message.contains("HTTP status 407"), "{message}");
            assert!(!message.contains("not-the-password"), "{message}");
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert_none_for(&mut events, Duration::from_secs(1), |e| matches!(e, ClientEvent::Connected { .. }))
        .await;
    client.close().await;
    assert!(proxy.auth_failures() >= 3);
    assert!(
        proxy.heads().iter().all(|head| !head.contains("not-the-password")),
        "the password travels base64-encoded in Proxy-Authorization only"
    );
}
