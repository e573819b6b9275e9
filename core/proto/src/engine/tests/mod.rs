//! Deterministic tests of the engine: no sockets, no real time.
//!
//! Every test drives the engine through [`sim::Sim`]: a virtual clock, a driver loop that drains every
//! output after every input, and a fake Centrifugo that parses the frames the engine transmits and
//! answers with JSON reply lines (which the engine decodes with its `JsonCodec`). The fake server also
//! checks the session rules the real one enforces, so any test fails if the engine sends a command
//! before `connect`, a second `connect`, a pong nobody asked for, or a frame on a closed transport.
//!
//! What is proven, by file:
//! - `backoff`: reconnect delays follow the full-jitter formula, grow, reset, and replay from a seed.
//! - `heartbeat`: one pong per ping, and the ping watchdog (PROTOCOL.md 5).
//! - `refresh`: token answers for a connection or subscription that has since ended are discarded.
//! - `codes`: the code tables of PROTOCOL.md 4, as behaviour.
//! - `compaction`: channel ids (`SubscribeResult.id`, `Push.id`): routing, unknown ids, id 0, reuse.
//! - `debounce`: the publish debounce window of publishes made through a subscription.
//! - `invalidation`: error 113, unsubscribe 2502 and disconnect 3014 (push and close code).
//! - `recovery`: exactly-once delivery across a reconnect with recovery (PROTOCOL.md 7).
//! - `batching`: `connect` and `subscribe` share a frame only on optimistic transports.
//! - `requests`: app calls while connected, connecting and disconnected; outcome unknown; refusals.
//! - `transports`: events from transports the engine has moved on from are ignored.
//! - `server_subs`: server-side subscriptions across reconnects (PROTOCOL.md 3.9).
//! - `storm`: a thousand random failures and recoveries.
//! - `lifecycle`: background parking, the suspended state and its cadence, push wake, network down/up.
//! - `delta`: fossil delta publications applied, and a bad delta repaired by a recovering resubscribe.
//! - `options`: emulated headers in `connect`, publication tags filters in `subscribe`.
//! - `state_loader`: app-owned state (the state loader, the reject-unrecovered flag, error 112).
//! - `v6_frames`: frames with every v6 field (JSON), and `Publication.epoch` adoption.
//! - `protobuf`: a whole session in the Protobuf encoding (its own binary driver, not [`sim::Sim`]).

#![allow(clippy::unwrap_used)]

mod sim;

mod backoff;
mod batching;
mod codes;
mod compaction;
mod debounce;
mod delta;
mod heartbeat;
mod invalidation;
mod lifecycle;
mod options;
mod protobuf;
mod recovery;
mod refresh;
mod requests;
mod server_subs;
mod state_loader;
mod storm;
mod transports;
mod v6_frames;

use crate::config::{Config, SubscriptionConfig};

/// The default client settings.
fn config() -> Config {
    Config::default()
}

/// Settings with a connection token and a token provider.
fn config_with_provider(token: &str) -> Config {
    Config { token: token.to_owned(), has_token_provider: true, ..Config::default() }
}

/// A recoverable, positioned subscription.
fn recoverable() -> SubscriptionConfig {
    SubscriptionConfig { recoverable: true, positioned: true, ..SubscriptionConfig::default() }
}
