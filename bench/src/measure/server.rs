//! The one Centrifugo every peer is measured against, a proxy in front of it, and the publishing side.

use std::net::SocketAddr;

use ceaseless_tests::{Centrifugo, FaultProxy, ServerApi, ServerOptions};
use serde_json::{Value, json};

use super::BoxError;

/// Padding that makes each publication a small, realistic JSON object (~90 bytes).
const PADDING: &str = "ceaseless-benchmark-payload-0123456789";

/// The server and its proxy.
pub struct Bench {
    /// The server.
    pub server: Centrifugo,
    /// The fault proxy (reconnect storm and recovery scenarios).
    pub proxy: FaultProxy,
    /// Its API.
    pub api: ServerApi,
    /// An HTTP client for batched publishing.
    http: reqwest::Client,
}

/// Server settings for benchmarking: `bench:` channels without history (throughput, latency, fleet),
/// `rec:` channels with history and recovery; a large per-connection queue and a long write timeout, so
/// a subscriber that is paused while its backlog builds up (the saturation run) is measured rather than
/// disconnected.
fn options() -> ServerOptions {
    let config = json!({
        "client": {
            "queue_max_size": 256 * 1024 * 1024,
            // A paused subscriber answers no ping; keep it from being dropped for that during the
            // saturation run's backlog.
            "ping_interval": "25s",
            "pong_timeout": "10s",
            "recovery_max_publication_limit": 5000,
        },
        "websocket": { "write_timeout": "60s" },
        "log": { "level": "warn" },
    });
    ServerOptions::new()
        .config(config)
        .namespace(json!({ "name": "bench", "allow_subscribe_for_client": true }))
        .namespace(json!({
            "name": "rec",
            "history_size": 5000,
            "history_ttl": "300s",
            "force_recovery": true,
            "allow_subscribe_for_client": true,
        }))
}

/// `(clients, subscriptions)` the server behind `api` has right now, or `None` while it is down.
pub async fn counts(api: &ServerApi) -> Option<(u64, u64)> {
    let info = api.call("info", json!({})).await.ok()?;
    let node = info["nodes"].as_array()?.first()?.clone();
    Some((node["num_clients"].as_u64().unwrap_or(0), node["num_subs"].as_u64().unwrap_or(0)))
}

/// A publication body: sequence number, send time, padding.
pub fn body(i: u64) -> Value {
    json!({ "i": i, "t": super::now_ns(), "p": PADDING })
}

impl Bench {
    /// Starts the server and the proxy.
    pub async fn start() -> Result<Bench, BoxError> {
        let server = Centrifugo::start_with(options()).await?;
        let proxy = FaultProxy::start(SocketAddr::from(([127, 0, 0, 1], server.port()))).await?;
        let api = server.api();
        Ok(Bench { server, proxy, api, http: reqwest::Client::new() })
    }

    /// Drops the HTTP client's idle keep-alive connections (Centrifugo's graceful shutdown would wait
    /// for them), by replacing the client.
    pub fn reset_http(&mut self) {
        self.http = reqwest::Client::new();
    }

    /// Publishes `bodies` into `channel` in one `batch` API call (in order).
    pub async fn publish_batch(
        &self,
        channel: &str,
        bodies: impl Iterator<Item = Value>,
    ) -> Result<(), BoxError> {
        let commands: Vec<Value> =
            bodies.map(|data| json!({ "publish": { "channel": channel, "data": data } })).collect();
        let url = format!("{}/api/batch", self.server.http_url());
        let reply: Value = self
            .http
            .post(url)
            .header("X-API-Key", ceaseless_tests::API_KEY)
            .json(&json!({ "commands": commands }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        if let Some(error) =
            reply["replies"].as_array().and_then(|r| r.iter().find(|r| !r["error"].is_null()))
        {
            return Err(format!("batch publish failed: {error}").into());
        }
        Ok(())
    }

    /// Publishes one body through a keep-alive HTTP connection.
    pub async fn publish_one(&self, channel: &str, data: Value) -> Result<(), BoxError> {
        let url = format!("{}/api/publish", self.server.http_url());
        self.http
            .post(url)
            .header("X-API-Key", ceaseless_tests::API_KEY)
            .json(&json!({ "channel": channel, "data": data }))
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// A connection token for the peers.
    pub fn token(&self) -> String {
        self.server.token("bench", None)
    }
}
