//! # ceaseless-proto: the protocol brain, sans-IO
//!
//! This crate holds every decision of the ceaseless client for the Centrifugo client protocol v2, and
//! nothing else: no sockets, no clock reads, no tasks, no locks. It builds for `wasm32-unknown-unknown`.
//!
//! ## The model
//!
//! [`Engine`] is a plain state machine owned by one driver. The driver feeds it *inputs* and then drains
//! its *outputs* until there are none:
//!
//! - inputs: app calls ([`Engine::connect`], [`Engine::subscribe`], [`Engine::request`], ...), transport
//!   events ([`Engine::handle_opened`], [`Engine::handle_frame`], [`Engine::handle_closed`]), token answers
//!   ([`Engine::handle_token`]), state loader answers ([`Engine::handle_state`]) and time ([`Engine::handle_timeout`]). Every mutating call takes `now`.
//! - outputs ([`Engine::poll_output`]): open or close a transport, transmit a frame, fetch a token, deliver
//!   an event or a request's result. [`Engine::poll_timeout`] gives the next deadline; the driver calls
//!   [`Engine::handle_timeout`] when it passes.
//!
//! Drain the outputs completely after every input: a partial drain leaves frames unsent.
//!
//! Randomness (the full-jitter backoff) comes from a generator seeded by the driver, so a test can replay
//! a reconnect storm exactly. Stale inputs are discarded by identity: every transport has a
//! [`TransportId`] and every token fetch a [`TokenRequestId`]; an answer for an old one is ignored.
//!
//! ## Map
//!
//! - [`wire`]: protocol messages; [`codec`]: their JSON encoding.
//! - [`codes`]: the code tables (which disconnect codes reconnect, which errors are temporary).
//! - [`backoff`]: full-jitter exponential backoff.
//! - [`recovery`]: stream positions and the offset dedupe.
//! - [`engine`]: the client state machine (connection, subscriptions, commands, refresh).
//! - [`transport`]: the transport kinds and what the protocol allows on each.
//! - [`emulation`]: the HTTP-streaming and SSE emulation protocol: stream decoding, requests, POST
//!   batching, URL derivation, and the case table both shells run.
//! - [`filter`]: publication tags filters (which publications the server sends a subscription).
//! - [`event`], [`error`], [`config`]: what the app sees and sets.

pub mod backoff;
pub mod codec;
pub mod codes;
pub mod config;
pub mod delta;
pub mod emulation;
pub mod engine;
pub mod error;
pub mod event;
pub mod filter;
pub mod recovery;
pub mod transport;
pub mod wire;

pub use config::{Config, SubscriptionConfig};
pub use engine::{
    Engine, LoadedState, Output, Request, RequestId, Response, StateRequest, StateRequestId, TokenKind,
    TokenRequest, TokenRequestId, TransportId,
};
pub use error::{Error, TokenError};
pub use event::{ClientEvent, ClientState, Event, SubscriptionEvent, SubscriptionState};
pub use filter::{FilterError, TagsFilter};
pub use transport::TransportKind;
pub use web_time::{Duration, Instant};
pub use wire::Payload;
