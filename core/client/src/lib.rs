//! # ceaseless: a dependable realtime client for Centrifugo
//!
//! A [`Client`] keeps one logical connection to a Centrifugo server alive for as long as the app wants
//! it: it authenticates with tokens and renews them on the live connection, notices a dead connection
//! from missing heartbeats, reconnects with exponential backoff and full jitter, and resubscribes every
//! [`Subscription`] exactly where it left off: publications missed while away are recovered from the
//! server's history, and none is delivered twice.
//!
//! ```no_run
//! use ceaseless::{Client, Payload};
//! use futures::StreamExt;
//!
//! # async fn run() -> Result<(), ceaseless::Error> {
//! let client = Client::builder("ws://127.0.0.1:8000/connection/websocket")
//!     .token("<connection JWT>")
//!     .build()?;
//! let sub = client.new_subscription("chat").build()?;
//! let mut publications = sub.publications();
//! client.connect();
//! sub.subscribe();
//! sub.ready().await?;
//! client.publish("chat", Payload::from_json_str(r#"{"text":"hi"}"#).map_err(|e| ceaseless::Error::InvalidPayload(e.to_string()))?).await?;
//! while let Some(publication) = publications.next().await {
//!     println!("{} {:?}", publication.offset, publication.data.as_str());
//! }
//! # Ok(()) }
//! ```
//!
//! ## How it is built
//!
//! Every protocol decision lives in [`ceaseless_proto`], a sans-IO state machine. This crate is its
//! driver: one task ([`driver`](crate::driver) is private) that feeds it transport frames, token answers
//! and timer ticks, and carries out what it asks for. The seams are small traits: [`transport::Transport`]
//! (the native WebSocket here; emulation and browser transports elsewhere), [`runtime::Runtime`], and
//! the token providers in [`token`] and the state loaders in [`state`].
//!
//! Handles are cheap clones holding a channel to the driver; async methods await a one-shot answer. Event
//! streams are unbounded: nothing is dropped if the app reads slowly.

mod builder;
mod client;
mod driver;
mod events;
pub mod maybe_send;
pub mod positions;
pub mod runtime;
pub mod state;
mod subscription;
pub mod tls;
pub mod token;
pub mod transport;

pub use builder::ClientBuilder;
pub use ceaseless_proto::wire::{
    ClientInfo, HistoryResult, PresenceResult, PresenceStatsResult, Publication, StreamPosition,
};
pub use ceaseless_proto::{
    ClientEvent, ClientState, Duration, Error, FilterError, Payload, SubscriptionEvent, SubscriptionState,
    TagsFilter, codes,
    event::{Gap, SubscribedInfo, WakeReport},
};
pub use client::{AppState, Client, HistoryOptions};
pub use events::EventStream;
pub use state::{LoadedState, StateLoadError, StateLoader};
pub use subscription::{Subscription, SubscriptionBuilder};
pub use token::{ConnectionTokenProvider, SubscriptionTokenProvider, TokenError};

/// The protocol engine, for drivers and tests that need it directly.
pub use ceaseless_proto as proto;

/// The README's code blocks, compiled as doctests so the quickstart stays true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
