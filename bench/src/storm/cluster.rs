//! The servers the storm runs against: one Centrifugo (memory engine) or two sharing a Redis, each
//! behind its own fault-injection proxy.

use std::net::SocketAddr;
use std::time::Duration;

use ceaseless_tests::{Centrifugo, FaultProxy, RedisServer, ServerApi, ServerOptions};
use serde_json::json;

use super::BoxError;

/// The channel namespace of the storm: history long enough for every outage, recovery forced.
pub const NAMESPACE: &str = "storm";

/// One Centrifugo node and the proxy clients reach it through.
pub struct Node {
    /// The server process.
    pub server: Centrifugo,
    /// The proxy in front of it.
    pub proxy: FaultProxy,
    /// Its server API (publishing goes straight to the node, not through the proxy).
    pub api: ServerApi,
}

/// The running servers.
pub struct Cluster {
    /// One node (memory engine) or two (Redis engine).
    pub nodes: Vec<Node>,
    /// The shared Redis in `--redis` mode.
    _redis: Option<RedisServer>,
}

/// Server settings: a `storm` namespace; heartbeats fast enough that a blackholed connection is noticed
/// within a few seconds (ping every 2 s; the client allows 1 s more); and recovery allowed to replay up
/// to 10,000 publications (Centrifugo's default, 300, is less than a client away for 8 s misses here, and
/// the server would answer "not recovered", which the client reports as a Gap).
fn options() -> ServerOptions {
    let config = json!({ "client": {
        "ping_interval": "2s",
        "pong_timeout": "1s",
        "recovery_max_publication_limit": 10_000,
    }});
    ServerOptions::new().config(config).namespace(json!({
        "name": NAMESPACE,
        "history_size": 100_000,
        "history_ttl": "600s",
        "force_recovery": true,
        "allow_subscribe_for_client": true,
    }))
}

impl Cluster {
    /// Starts one node on the memory engine, or Redis and two nodes on it.
    pub async fn start(redis: bool) -> Result<Cluster, BoxError> {
        let (engine, redis) = if redis {
            let server = RedisServer::start().await?;
            let engine = server.centrifugo_config(&RedisServer::unique_prefix("storm"));
            (Some(engine), Some(server))
        } else {
            (None, None)
        };
        let mut nodes = Vec::new();
        for _ in 0..if redis.is_some() { 2 } else { 1 } {
            let mut opts = options();
            if let Some(engine) = &engine {
                opts = opts.config(engine.clone());
            }
            let server = Centrifugo::start_with(opts).await?;
            let proxy = FaultProxy::start(SocketAddr::from(([127, 0, 0, 1], server.port()))).await?;
            let api = server.api();
            nodes.push(Node { server, proxy, api });
        }
        Ok(Cluster { nodes, _redis: redis })
    }

    /// The URLs client number `index` uses: its home node first, then the others.
    pub fn urls_for(&self, index: usize) -> Vec<String> {
        let n = self.nodes.len();
        (0..n).map(|k| self.nodes[(index + k) % n].proxy.ws_url()).collect()
    }

    /// Cuts every live connection on every proxy (`reset`: TCP RST, else FIN).
    pub fn cut(&self, reset: bool) {
        for node in &self.nodes {
            node.proxy.cut(reset);
        }
    }

    /// Makes every proxy refuse new connections (or accept them again).
    pub fn refuse(&self, on: bool) {
        for node in &self.nodes {
            node.proxy.refuse(on);
        }
    }

    /// Blackholes every proxy (or lets traffic flow again).
    pub fn blackhole(&self, on: bool) {
        for node in &self.nodes {
            node.proxy.blackhole(on);
        }
    }

    /// Adds latency on every proxy.
    pub fn latency(&self, latency: Duration) {
        for node in &self.nodes {
            node.proxy.set_latency(latency);
        }
    }

    /// Stops node `index` (SIGTERM: clients get "shutdown"), keeps it down for `down`, starts it again.
    pub async fn restart(&mut self, index: usize, down: Duration) -> Result<(), BoxError> {
        let node = &mut self.nodes[index];
        node.server.stop().await?;
        tokio::time::sleep(down).await;
        node.server.start_again().await?;
        Ok(())
    }
}
