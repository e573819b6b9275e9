//! Test harness that runs a real Centrifugo server for the ceaseless integration tests.
//!
//! Every [`Centrifugo`] is its own server process on a free loopback port, started from the
//! base config in `tests/centrifugo.json` (Centrifugo v6's nested layout) deep-merged with the
//! overrides of a [`ServerOptions`]; for a v5 binary the result is rewritten in v5's flat layout
//! (`layout.rs`), so both servers run from one description. It runs in a temporary directory that holds the merged
//! config, the log and (with [`ServerOptions::tls`]) the certificates, and is killed on drop.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ceaseless_tests::HarnessError> {
//! use ceaseless_tests::{Centrifugo, ServerOptions};
//! let server = Centrifugo::start_with(ServerOptions::new().config(serde_json::json!({
//!     "client": { "stale_close_delay": "2s" }
//! })))
//! .await?;
//! let token = server.token("alice", None);
//! let pos = server.api().publish("test:news", serde_json::json!({"n": 1})).await?;
//! # let _ = (token, pos);
//! # Ok(())
//! # }
//! ```
//!
//! The server binary is taken from `CEASELESS_CENTRIFUGO` when set, else from
//! `<workspace>/.tools/bin/centrifugo`, the pinned v6.9.1 that `scripts/install-centrifugo.sh`
//! builds (`scripts/install-centrifugo.sh 5.4.9` builds `.tools/bin/centrifugo-5.4.9` for the
//! compatibility run).
//!
//! For the continuity tests there are two more pieces: a [`FaultProxy`] (a TCP proxy between
//! clients and a server that cuts, blackholes, delays or refuses connections on command) and a
//! [`RedisServer`] (a real `redis-server`, from `scripts/install-redis.sh`, so several nodes can
//! share one Redis engine).

mod api;
mod binary;
mod config;
pub mod connect_proxy;
mod error;
pub mod http_proxy;
pub mod layout;
mod ports;
pub mod proxy;
pub mod redis;
mod server;
mod tls;
mod tokens;
mod tracing_init;

pub use api::{ServerApi, StreamPos};
pub use config::ServerOptions;
pub use error::HarnessError;
pub use proxy::FaultProxy;
pub use redis::RedisServer;
pub use server::Centrifugo;
pub use tracing_init::init_tracing;

/// The HMAC secret for connection and subscription tokens in the base config.
///
/// Token helpers on [`Centrifugo`] sign with the server's effective secret, so they stay right
/// even when a test overrides `client.token.hmac_secret_key`.
pub const HMAC_SECRET: &str = "ceaseless-test-hmac-secret-not-for-production";

/// The server API key (`X-API-Key` header) in the base config.
pub const API_KEY: &str = "ceaseless-test-api-key";
