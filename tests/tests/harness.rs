//! Smoke tests proving the harness against a real Centrifugo server.

use std::sync::Arc;
use std::time::Duration;

use ceaseless_tests::{Centrifugo, HarnessError, ServerOptions, StreamPos, init_tracing};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde_json::json;

/// `GET /health` over plain HTTP on `http_url`.
async fn health_status(http_url: &str) -> reqwest::Result<u16> {
    let response = reqwest::Client::new()
        .get(format!("{http_url}/health"))
        .timeout(Duration::from_secs(2))
        .send()
        .await?;
    Ok(response.status().as_u16())
}

#[tokio::test]
async fn publish_then_history_and_presence() {
    init_tracing();
    let server = Centrifugo::start().await.expect("Centrifugo starts");
    let api = server.api();

    let pos = api.publish("test:smoke", json!({"hello": "world"})).await.expect("publish succeeds");
    assert_eq!(pos.offset, 1, "first publication into a fresh channel");
    assert!(!pos.epoch.is_empty(), "history channels have an epoch");

    let history = api.history("test:smoke", 10).await.expect("history succeeds");
    let publications = history["publications"].as_array().expect("publications array");
    assert_eq!(publications.len(), 1, "history: {history}");
    assert_eq!(publications[0]["offset"], 1);
    assert_eq!(publications[0]["data"], json!({"hello": "world"}));
    assert_eq!(history["offset"], 1);
    assert_eq!(history["epoch"], pos.epoch.as_str());

    assert_eq!(api.presence_stats("test:smoke").await.expect("presence_stats succeeds"), (0, 0));

    // Server-side calls for users without connections succeed as no-ops.
    api.subscribe("nobody", "test:smoke").await.expect("subscribe succeeds");
    api.unsubscribe("nobody", "test:smoke").await.expect("unsubscribe succeeds");
    api.disconnect("nobody", 4000, "bye").await.expect("disconnect succeeds");

    // Channels without a namespace have history too; unknown namespaces are API errors.
    let plain = api.publish("smoke", json!(1)).await.expect("publish without namespace");
    assert_eq!(plain.offset, 1);
    match api.publish("nope:x", json!(1)).await {
        Err(HarnessError::Api { code, .. }) => assert_eq!(code, 102, "unknown channel"),
        other => panic!("expected API error 102, got {other:?}"),
    }

    let info = api.call("info", json!({})).await.expect("generic call succeeds");
    assert!(info["nodes"].is_array(), "info: {info}");

    assert!(server.logs().contains("serving"), "log captured: {}", server.logs());
}

#[tokio::test]
async fn small_namespace_keeps_five_publications() {
    init_tracing();
    let server = Centrifugo::start().await.expect("Centrifugo starts");
    let api = server.api();
    let mut last = StreamPos::default();
    for n in 0..8 {
        last = api.publish("small:gap", json!({"n": n})).await.expect("publish succeeds");
    }
    assert_eq!(last.offset, 8);
    let history = api.history("small:gap", -1).await.expect("history succeeds");
    let publications = history["publications"].as_array().expect("publications array");
    let offsets: Vec<_> = publications.iter().map(|p| p["offset"].as_u64()).collect();
    assert_eq!(offsets, [4, 5, 6, 7, 8].map(Some));
}

#[tokio::test]
async fn stop_and_start_again_on_the_same_port() {
    init_tracing();
    let mut server = Centrifugo::start().await.expect("Centrifugo starts");
    let port = server.port();
    assert_eq!(health_status(&server.http_url()).await.expect("health answers"), 200);

    server.stop().await.expect("stop succeeds");
    assert!(health_status(&server.http_url()).await.is_err(), "nothing listens after stop");
    server.stop().await.expect("a second stop is a no-op");

    server.start_again().await.expect("start_again succeeds");
    assert_eq!(server.port(), port);
    assert_eq!(health_status(&server.http_url()).await.expect("health answers again"), 200);
    assert!(matches!(server.start_again().await, Err(HarnessError::AlreadyRunning)));

    // The memory engine forgets history on restart; the API works on the new process.
    let pos = server.api().publish("test:after-restart", json!({})).await.expect("publish after restart");
    assert_eq!(pos.offset, 1);
}

#[tokio::test]
async fn config_overrides_reach_the_server() {
    init_tracing();
    let opts = ServerOptions::new()
        .config(json!({ "http_api": { "key": "another-key" }, "client": { "ping_interval": "3s", "pong_timeout": "1s" } }))
        .namespace(json!({ "name": "bare" }));
    let server = Centrifugo::start_with(opts).await.expect("Centrifugo starts with overrides");
    assert_eq!(server.config()["http_api"]["key"], "another-key");
    // The `bare` namespace has no history, so the position is empty.
    let pos = server.api().publish("bare:x", json!({})).await.expect("api uses the overridden key");
    assert_eq!(pos, StreamPos::default());
}

#[tokio::test]
async fn a_broken_config_fails_with_the_log() {
    init_tracing();
    // Centrifugo (v5 and v6) exits at startup on a namespace name it cannot accept.
    let opts = ServerOptions::new().namespace(json!({ "name": "not a name!" }));
    match Centrifugo::start_with(opts).await {
        Err(HarnessError::StartFailed { reason, log_tail }) => {
            assert!(reason.contains("exited"), "reason: {reason}");
            assert!(log_tail.contains("not a name!"), "log: {log_tail}");
        }
        other => panic!("expected StartFailed, got {other:?}"),
    }
}

#[tokio::test]
async fn a_taken_fixed_port_fails_with_the_log() {
    init_tracing();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let port = taken.local_addr().expect("local addr").port();
    match Centrifugo::start_with(ServerOptions::new().port(port)).await {
        Err(HarnessError::StartFailed { log_tail, .. }) => {
            assert!(log_tail.contains("address already in use"), "log: {log_tail}");
        }
        other => panic!("expected StartFailed, got {other:?}"),
    }
}

#[tokio::test]
async fn tls_server_serves_wss_with_the_generated_ca() {
    init_tracing();
    let server = Centrifugo::start_with(ServerOptions::new().tls()).await.expect("TLS Centrifugo starts");
    assert!(server.ws_url().starts_with("wss://127.0.0.1:"), "{}", server.ws_url());
    assert!(server.http_url().starts_with("https://"), "{}", server.http_url());
    let ca_pem = server.ca_pem().expect("a CA with tls()");

    // The API stays on plain HTTP.
    server.api().publish("test:tls", json!({})).await.expect("API works with TLS on");

    // A WebSocket handshake that trusts only the generated CA succeeds.
    let ca_der = CertificateDer::from_pem_slice(ca_pem.as_bytes()).expect("CA PEM parses");
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca_der).expect("CA is a valid trust anchor");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    for url in [server.ws_url(), server.ws_url().replace("127.0.0.1", "localhost")] {
        let connector = tokio_tungstenite::Connector::Rustls(Arc::new(tls.clone()));
        let (mut socket, response) =
            tokio_tungstenite::connect_async_tls_with_config(url.as_str(), None, false, Some(connector))
                .await
                .unwrap_or_else(|e| panic!("wss handshake with {url}: {e}"));
        assert_eq!(response.status().as_u16(), 101);
        socket.close(None).await.expect("close");
    }
}

/// Opens a WebSocket to `url`, sends each JSON-protocol command in turn and returns, for each,
/// the debug text of the next frame (a reply, an error or a close frame).
async fn exchange(url: &str, commands: &[serde_json::Value]) -> Vec<String> {
    use futures::{SinkExt, StreamExt};
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.expect("ws connects");
    let mut replies = Vec::new();
    for command in commands {
        socket.send(command.to_string().into()).await.expect("send command");
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next()).await;
        replies.push(format!("{frame:?}"));
    }
    replies
}

#[tokio::test]
async fn tokens_are_accepted_and_rejected_by_the_server() {
    init_tracing();
    let server = Centrifugo::start().await.expect("Centrifugo starts");
    let url = server.ws_url();
    let connect = |token: String| json!({"id": 1, "connect": {"token": token}});

    let valid = exchange(&url, &[connect(server.token("alice", Some(Duration::from_secs(60))))]).await;
    assert!(valid[0].contains(r#"\"client\""#), "a valid token connects: {valid:?}");

    let wrong = exchange(&url, &[connect(server.token_signed_with_wrong_key("mallory"))]).await;
    assert!(wrong[0].contains("3500"), "wrong key is an invalid token: {wrong:?}");

    let expired = exchange(&url, &[connect(server.token_with_claims(json!({"sub": "old", "exp": 1})))]).await;
    assert!(expired[0].contains("109"), "an expired token gets error 109: {expired:?}");

    let subscribe = |id: u32, token: Option<String>| {
        let mut sub = json!({"channel": "secure:room"});
        if let Some(token) = token {
            sub["token"] = json!(token);
        }
        json!({"id": id, "subscribe": sub})
    };
    let sub_token = server.subscription_token("bob", "secure:room", Some(Duration::from_secs(60)));
    let replies = exchange(
        &url,
        &[connect(server.token("bob", None)), subscribe(2, None), subscribe(3, Some(sub_token))],
    )
    .await;
    assert!(replies[1].contains("103"), "secure: needs a subscription token: {replies:?}");
    assert!(replies[2].contains(r#"\"id\":3,\"subscribe\""#), "the sub token works: {replies:?}");
}

#[tokio::test]
async fn the_server_runs_the_version_it_reports_and_the_pin_is_the_default() {
    init_tracing();
    let server = Centrifugo::start().await.expect("Centrifugo starts");
    // The server API's `info` names the same version as `centrifugo version`.
    let info = server.api().call("info", json!({})).await.expect("info");
    let node_version = info["nodes"][0]["version"].as_str().unwrap_or_default().to_owned();
    assert!(
        node_version.starts_with(server.version()),
        "info says {node_version:?}, binary {:?}",
        server.version()
    );
    if std::env::var_os("CEASELESS_CENTRIFUGO").is_none_or(|path| path.is_empty()) {
        let script = include_str!("../../scripts/install-centrifugo.sh");
        let pinned =
            script.lines().find_map(|line| line.strip_prefix("PINNED=")).expect("PINNED= in the script");
        assert_eq!(server.version(), pinned, "the default binary is the pinned server");
    }
}
