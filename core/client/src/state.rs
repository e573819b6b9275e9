//! State loaders: subscriptions whose app owns the channel's state.
//!
//! Give a subscription a [`StateLoader`] when the app can load the channel's current state itself
//! (from its database or API) together with the stream position that state is current at. The client
//! then asks the server never to answer a recovering subscribe with a silent "not recovered": when the
//! position is too old (error 112), or when the subscription has no position yet (the first subscribe
//! without a stored one), or after the server invalidated its state, the client calls the loader,
//! delivers its answer as [`crate::SubscriptionEvent::StateLoaded`] before any publication after that
//! position, and subscribes recovering from there. A failing loader is reported as an error event and
//! retried with the resubscribe backoff.
//!
//! The loader should read the stream position first (for example the server API's `history` top), then
//! its own data: the position is then a lower bound, and publications recovered from it may repeat
//! changes the loaded state already holds (apply them idempotently, or compare offsets).
//!
//! Closures work directly:
//!
//! ```
//! use ceaseless::{LoadedState, StreamPosition};
//! let loader = |channel: String| async move {
//!     let _ = channel;
//!     Ok::<_, std::io::Error>(LoadedState {
//!         position: StreamPosition { offset: 42, epoch: "xyz".into() },
//!         state: None,
//!     })
//! };
//! # let _ = loader;
//! ```

use std::fmt::Display;
use std::future::Future;

pub use ceaseless_proto::LoadedState;

use crate::maybe_send::{BoxFuture, MaybeSend, MaybeSync, boxed};

/// Why a state loader failed (its error, as text: it is reported to the app in an error event).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StateLoadError(pub String);

/// Loads a channel's state and the stream position it is current at.
pub trait StateLoader: MaybeSend + MaybeSync + 'static {
    /// Loads the state of `channel`.
    fn load_state(&self, channel: &str) -> BoxFuture<'static, Result<LoadedState, StateLoadError>>;
}

impl<F, Fut, E> StateLoader for F
where
    F: Fn(String) -> Fut + MaybeSend + MaybeSync + 'static,
    Fut: Future<Output = Result<LoadedState, E>> + MaybeSend + 'static,
    E: Display + 'static,
{
    fn load_state(&self, channel: &str) -> BoxFuture<'static, Result<LoadedState, StateLoadError>> {
        let fut = self(channel.to_owned());
        boxed(async move { fut.await.map_err(|e| StateLoadError(e.to_string())) })
    }
}
