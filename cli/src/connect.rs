//! Builds a [`Client`] from the shared options and brings up its first connection.

use std::time::Duration;

use ceaseless::transport::{FrameFormat, TransportKind};
use ceaseless::{Client, ClientBuilder, ClientEvent, EventStream};
use futures::StreamExt;

use crate::args::{FormatArg, Global, TransportArg};
use crate::failure::{EXIT_UNREACHABLE, Failure};

/// The URL as it may appear in messages: any query string (where a token could hide) is cut off.
pub fn display_url(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?<redacted>"),
        None => url.to_owned(),
    }
}

/// The reply timeout from `--timeout`.
pub fn timeout(global: &Global) -> Result<Duration, Failure> {
    Duration::try_from_secs_f64(global.timeout).ok().filter(|d| !d.is_zero()).ok_or_else(|| {
        Failure::input(format!("--timeout must be a positive number of seconds, not {}", global.timeout))
    })
}

/// The connection token from `--token` or `--token-env`, if any.
fn token(global: &Global) -> Result<Option<String>, Failure> {
    if let Some(token) = &global.token {
        return Ok(Some(token.clone()));
    }
    let Some(var) = &global.token_env else { return Ok(None) };
    match std::env::var(var) {
        Ok(value) if !value.trim().is_empty() => Ok(Some(value.trim().to_owned())),
        Ok(_) => Err(Failure::input(format!("the environment variable {var} (--token-env) is empty"))),
        Err(_) => Err(Failure::input(format!("the environment variable {var} (--token-env) is not set"))),
    }
}

/// A client builder with every shared option applied; `extra` adds command-specific settings.
pub fn builder(global: &Global) -> Result<ClientBuilder, Failure> {
    let mut builder = Client::builder(&global.url).name("ceaseless-cli").version(env!("CARGO_PKG_VERSION"));
    let timeout = timeout(global)?;
    builder = builder.timeout(timeout);
    if let Some(token) = token(global)? {
        builder = builder.token(token);
    }
    if !global.transports.is_empty() {
        let kinds = global.transports.iter().map(|t| match t {
            TransportArg::Websocket => TransportKind::WebSocket,
            TransportArg::HttpStream => TransportKind::HttpStream,
            TransportArg::Sse => TransportKind::Sse,
        });
        builder = builder.transports(kinds.collect::<Vec<_>>());
    }
    builder = builder.format(match global.format {
        FormatArg::Json => FrameFormat::Json,
        FormatArg::Protobuf => FrameFormat::Protobuf,
    });
    if let Some(path) = &global.ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| Failure::input(format!("cannot read the CA file {}: {e}", path.display())))?;
        let tls = ceaseless::tls::TlsConfig::default()
            .add_root_ca_pem(&pem)
            .map_err(|e| Failure::input(format!("the CA file {} is not usable: {e}", path.display())))?;
        builder = builder.tls(tls);
    }
    Ok(builder)
}

/// Builds the client (turning build errors into failures).
pub fn build(global: &Global, builder: ClientBuilder) -> Result<Client, Failure> {
    builder.build().map_err(|e| Failure::from_error(&format!("cannot use {}", display_url(&global.url)), &e))
}

/// Connects and waits for the server to accept the connection. The first failure before that ends the
/// wait (a command-line user wants to hear about a wrong URL or token at once, not watch retries), and
/// so does `--timeout`. Returns the client's event stream (opened before connecting) and the
/// `Connected` event.
pub async fn connect(
    global: &Global,
    client: &Client,
) -> Result<(EventStream<ClientEvent>, ClientEvent), Failure> {
    let mut events = client.events();
    client.connect();
    let url = display_url(&global.url);
    let deadline = tokio::time::Instant::now() + timeout(global)?;
    loop {
        let event = match tokio::time::timeout_at(deadline, events.next()).await {
            Ok(Some(event)) => event,
            Ok(None) => return Err(Failure::new(EXIT_UNREACHABLE, format!("the client for {url} stopped"))),
            Err(_) => {
                client.disconnect();
                return Err(Failure::new(
                    EXIT_UNREACHABLE,
                    format!("no connection to {url} within {} s (--timeout)", global.timeout),
                ));
            }
        };
        match event {
            event @ ClientEvent::Connected { .. } => return Ok((events, event)),
            ClientEvent::Disconnected { code, reason } => {
                return Err(Failure::from_disconnect(&url, code, &reason));
            }
            ClientEvent::Error(error) => {
                // A terminal disconnect (e.g. an invalid token) may follow right away and says more.
                let next = tokio::time::timeout(Duration::from_millis(200), async {
                    while let Some(event) = events.next().await {
                        if let ClientEvent::Disconnected { code, reason } = event {
                            return Some((code, reason));
                        }
                    }
                    None
                })
                .await;
                client.disconnect();
                return Err(match next {
                    Ok(Some((code, reason))) if code != ceaseless::codes::disconnected::DISCONNECT_CALLED => {
                        Failure::from_disconnect(&url, code, &reason)
                    }
                    _ => Failure::from_error(&format!("cannot connect to {url}"), &error),
                });
            }
            _ => {}
        }
    }
}
