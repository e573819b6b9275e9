//! # ceaseless-ffi: the ceaseless client for Kotlin and Swift
//!
//! A thin [uniffi](https://mozilla.github.io/uniffi-rs/) layer over the `ceaseless` Rust client and the
//! shared binding layer `ceaseless-bridge` (options, errors, batches, logging). The
//! generated Kotlin (package `dev.ceaseless`) and Swift (module `Ceaseless`) code, plus two small
//! hand-written wrapper files (a Kotlin `Flow`, a Swift `AsyncSequence`), make up the mobile libraries
//! in `bindings/kotlin` and `bindings/swift`.
//!
//! ## The surface
//!
//! - [`Client`]: `connect`, `disconnect`, `shutdown`, `ready`, `state`; commands as `async` functions
//!   (`publish`, `publishText`, `history`, `presence`, `presenceStats`, `rpc`, `send`);
//!   `newSubscription` → [`Subscription`]; lifecycle hooks `setAppState`, `networkChanged`, and the
//!   push hook [`Client::wake`] → [`WakeReport`].
//! - Events: [`Event`] through an [`EventStream`] (`next`, `nextBatch`) or an [`EventListener`] with a
//!   [`ListenerHandle`].
//! - App-implemented traits: [`TokenProvider`], [`SubscriptionTokenProvider`], [`PositionStore`],
//!   [`StateLoader`],
//!   [`LogSink`] (installed with [`set_log_sink`]).
//! - One error type, [`CeaselessError`], one variant per `ceaseless_bridge::ErrorKind`, with `code`,
//!   `temporary` and `detail` on every variant.
//! - [`DeliveryProbe`]: counts a stream inside Rust, for benchmarks.
//!
//! ## Rules this layer keeps
//!
//! - It owns its types and maps them explicitly; the Rust client's types carry no binding derives.
//! - It is only the last conversion step: defaults, error codes, the batch drain and log redaction
//!   live in `ceaseless-bridge` (or the core), never here.
//! - Nothing panics across the boundary: app input is validated and reported as `CeaselessError`,
//!   and every app-implemented method returns a `Result`, so an exception thrown in Kotlin or Swift
//!   is an error value here (uniffi would otherwise panic).
//! - Busy paths cross once per batch: `EventStream.nextBatch` hands over everything queued in one call.
//! - No exported method is named `close` (uniffi's Kotlin objects already have one).

uniffi::setup_scaffolding!();

mod callbacks;
mod client;
mod diagnostics;
mod error;
mod events;
mod logging;
mod options;
mod runtime;
mod stream;
mod subscription;
mod types;
mod wake;

pub use callbacks::{LoadedState, PositionStore, StateLoader, SubscriptionTokenProvider, TokenProvider};
pub use client::Client;
pub use diagnostics::{DeliveryMeasurement, DeliveryProbe};
pub use error::{CeaselessError, unauthorized_error};
pub use events::Event;
pub use logging::{LogLevel, LogRecord, LogSink, set_log_sink};
pub use options::{
    BackgroundGrace, ClientOptions, Format, HistoryOptions, PositionStoreOption, SubscriptionOptions,
    Transport,
};
pub use stream::{EventListener, EventStream, ListenerHandle};
pub use subscription::Subscription;
pub use types::{
    AppState, ClientInfo, ClientState, Gap, HistoryResult, PresenceResult, PresenceStats, Publication,
    StreamPosition, SubscribedInfo, SubscriptionState,
};
pub use wake::WakeReport;
