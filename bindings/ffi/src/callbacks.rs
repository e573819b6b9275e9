//! Traits the app implements in Kotlin or Swift, and their adapters to the Rust client's seams.
//!
//! Every method returns a `Result`, so an exception thrown by the app arrives here as an error value
//! (a `CeaselessError`, or [`crate::error::CeaselessError::Callback`] for any other exception) and never
//! as a panic: uniffi panics on exceptions from methods that cannot fail.

use std::sync::Arc;

use ceaseless::TokenError;
use ceaseless::maybe_send::BoxFuture;

use crate::error::CeaselessError;
use crate::types::StreamPosition;

/// Supplies connection tokens (JWTs). Called before the first connect when no token was given, when
/// the server says the token expired, and ahead of expiry to refresh it on the live connection.
///
/// Throw `CeaselessError.Unauthorized` to stop the client for good; any other exception is reported
/// as an `Event.Error` (code 5) and the client retries with backoff.
#[uniffi::export(foreign)]
#[async_trait::async_trait]
pub trait TokenProvider: Send + Sync {
    /// A fresh connection token.
    async fn connection_token(&self) -> Result<String, CeaselessError>;
}

/// Supplies subscription tokens for channels that need them; same rules as [`TokenProvider`], where
/// `Unauthorized` stops only the subscription.
#[uniffi::export(foreign)]
#[async_trait::async_trait]
pub trait SubscriptionTokenProvider: Send + Sync {
    /// A fresh token for `channel`.
    async fn subscription_token(&self, channel: String) -> Result<String, CeaselessError>;
}

/// Keeps subscription positions between runs, so a new client resumes every channel exactly where the
/// previous one stopped. Pass it as `ClientOptions(positionStore = PositionStoreOption.App(store))`.
///
/// `save` runs on a background thread of the library, one call at a time, in order, after the
/// publication was handed to the app's event streams; a channel that moved several times meanwhile is
/// saved once, at its newest position, and `Client.shutdown` returns after the last save. It may block
/// (write a file). `load` runs on the client's own task when a subscription is created: answer it from
/// memory. An exception is logged and otherwise ignored.
#[uniffi::export(foreign)]
pub trait PositionStore: Send + Sync {
    /// The saved position of `channel`, or null / nil.
    fn load(&self, channel: String) -> Result<Option<StreamPosition>, CeaselessError>;
    /// Remembers `position` for `channel`.
    fn save(&self, channel: String, position: StreamPosition) -> Result<(), CeaselessError>;
}

/// What a [`StateLoader`] answers: the channel's state as the app loaded it, and the stream position
/// that state is current at (the subscription recovers every publication after it).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LoadedState {
    /// Where the state is current.
    pub position: StreamPosition,
    /// The state itself, handed back in `Event.StateLoaded` (null / nil when the app keeps it elsewhere).
    #[uniffi(default = None)]
    pub state: Option<Vec<u8>>,
}

/// Loads a channel's state when the app owns it: asked on the first subscribe without a stored
/// position, and whenever the server cannot recover the stream from the subscription's position.
/// Read the stream position first (e.g. the server API's history top), then your own data. Pass it as
/// `SubscriptionOptions(stateLoader = loader)`; its answer arrives as `Event.StateLoaded` before any
/// publication after that position.
///
/// Same rules as [`TokenProvider`]: anything thrown is reported as an `Event.SubscriptionError` and the
/// subscription retries with its resubscribe backoff.
#[uniffi::export(foreign)]
#[async_trait::async_trait]
pub trait StateLoader: Send + Sync {
    /// The state of `channel` and the position it is current at.
    async fn load_state(&self, channel: String) -> Result<LoadedState, CeaselessError>;
}

fn token_answer(answer: Result<String, CeaselessError>) -> Result<String, TokenError> {
    match answer {
        Ok(token) => Ok(token),
        Err(CeaselessError::Unauthorized { .. }) => Err(TokenError::Unauthorized),
        // The error's text may quote the app's exception, never a token (the token is the Ok side).
        Err(other) => Err(TokenError::Failed(other.to_string())),
    }
}

/// An app [`TokenProvider`] as the Rust client's connection token provider.
pub(crate) struct ConnectionTokens(pub(crate) Arc<dyn TokenProvider>);

impl ceaseless::ConnectionTokenProvider for ConnectionTokens {
    fn connection_token(&self) -> BoxFuture<'static, Result<String, TokenError>> {
        let provider = self.0.clone();
        Box::pin(async move { token_answer(provider.connection_token().await) })
    }
}

/// An app [`SubscriptionTokenProvider`] as the Rust client's subscription token provider.
pub(crate) struct SubscriptionTokens(pub(crate) Arc<dyn SubscriptionTokenProvider>);

impl ceaseless::SubscriptionTokenProvider for SubscriptionTokens {
    fn subscription_token(&self, channel: &str) -> BoxFuture<'static, Result<String, TokenError>> {
        let provider = self.0.clone();
        let channel = channel.to_owned();
        Box::pin(async move { token_answer(provider.subscription_token(channel).await) })
    }
}

/// An app [`StateLoader`] as the Rust client's state loader.
pub(crate) struct AppStateLoader(pub(crate) Arc<dyn StateLoader>);

impl ceaseless::state::StateLoader for AppStateLoader {
    fn load_state(
        &self,
        channel: &str,
    ) -> BoxFuture<'static, Result<ceaseless::LoadedState, ceaseless::StateLoadError>> {
        let loader = self.0.clone();
        let channel = channel.to_owned();
        Box::pin(async move {
            match loader.load_state(channel).await {
                // The state only travels back to the app (in `StateLoaded`), so it is kept as given.
                Ok(LoadedState { position, state }) => Ok(ceaseless::LoadedState {
                    position: position.into(),
                    state: state.map(|bytes| ceaseless::Payload::from_raw(bytes.into())),
                }),
                Err(error) => Err(ceaseless::StateLoadError(error.to_string())),
            }
        })
    }
}

/// An app [`PositionStore`] as the Rust client's position store.
pub(crate) struct Positions(pub(crate) Arc<dyn PositionStore>);

impl ceaseless::positions::PositionStore for Positions {
    fn load(&self, channel: &str) -> Option<ceaseless::StreamPosition> {
        match self.0.load(channel.to_owned()) {
            Ok(position) => position.map(Into::into),
            Err(error) => {
                tracing::warn!(channel, %error, "the app's position store failed to load; starting fresh");
                None
            }
        }
    }

    fn save(&self, channel: &str, position: &ceaseless::StreamPosition) {
        if let Err(error) = self.0.save(channel.to_owned(), position.clone().into()) {
            tracing::warn!(channel, %error, "the app's position store failed to save");
        }
    }
}
