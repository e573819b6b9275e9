//! Token providers: how the client asks the app for connection and subscription tokens.
//!
//! A provider is called only when a token is needed: before the first connect when no token was given,
//! after the server says the token expired, and ahead of expiry to refresh it on the live connection.
//! Answer [`TokenError::Unauthorized`] to stop the client (or subscription) for good; any other error is
//! reported as an event and retried with backoff. Closures work directly:
//!
//! ```
//! use ceaseless::TokenError;
//! let provider = || async { Ok::<_, TokenError>("eyJ...".to_owned()) };
//! # let _ = provider;
//! ```

use std::future::Future;

pub use ceaseless_proto::TokenError;

use crate::maybe_send::{BoxFuture, MaybeSend, MaybeSync, boxed};

/// Supplies connection tokens.
pub trait ConnectionTokenProvider: MaybeSend + MaybeSync + 'static {
    /// Fetches a fresh connection token.
    fn connection_token(&self) -> BoxFuture<'static, Result<String, TokenError>>;
}

impl<F, Fut> ConnectionTokenProvider for F
where
    F: Fn() -> Fut + MaybeSend + MaybeSync + 'static,
    Fut: Future<Output = Result<String, TokenError>> + MaybeSend + 'static,
{
    fn connection_token(&self) -> BoxFuture<'static, Result<String, TokenError>> {
        boxed(self())
    }
}

/// Supplies subscription tokens.
pub trait SubscriptionTokenProvider: MaybeSend + MaybeSync + 'static {
    /// Fetches a fresh token for `channel`.
    fn subscription_token(&self, channel: &str) -> BoxFuture<'static, Result<String, TokenError>>;
}

impl<F, Fut> SubscriptionTokenProvider for F
where
    F: Fn(String) -> Fut + MaybeSend + MaybeSync + 'static,
    Fut: Future<Output = Result<String, TokenError>> + MaybeSend + 'static,
{
    fn subscription_token(&self, channel: &str) -> BoxFuture<'static, Result<String, TokenError>> {
        boxed(self(channel.to_owned()))
    }
}
