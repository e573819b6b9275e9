//! The one error type of ceaseless, with stable numeric codes.
//!
//! Codes 100–1999 come from the server and pass through unchanged ([`Error::Server`]). Codes below 100
//! are client-side; the first twelve match the reference SDKs (1 timeout, 2 transport closed, 3 client
//! disconnected, 4 client closed, 5 token error, 7 unsubscribed, 11 connection closed, 12 bad
//! configuration), and ceaseless adds a few for input it refuses before anything is sent (13–17), for
//! states (18 protocol violation, 19 queue full, 20 suspended) and for the bindings (21 an app callback
//! failed, 22 an internal error), and 23 for a publication tags filter refused before subscribing.

/// Everything that can go wrong, as seen by the app.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error.
    #[error("server error {code}: {message}")]
    Server {
        /// The server's code (100–399 Centrifugo, 400–1999 application).
        code: u32,
        /// The server's message.
        message: String,
        /// Whether the server says a retry may succeed.
        temporary: bool,
    },
    /// No answer in time.
    #[error("timed out")]
    Timeout,
    /// The transport failed (network, TLS, HTTP status). The reason never contains a token.
    #[error("transport failed: {0}")]
    Transport(String),
    /// The client is (or went) disconnected, so the call could not be made.
    #[error("client is disconnected")]
    Disconnected,
    /// The client was closed for good.
    #[error("client is closed")]
    Closed,
    /// The token provider failed (not an unauthorized answer).
    #[error("token provider failed: {0}")]
    Token(String),
    /// The client (or subscription) cannot be authorized and stops: the token provider answered that
    /// the user is unauthorized, or the server said the token expired (109) and no provider is there to
    /// renew it. The text says which.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The subscription is (or went) unsubscribed.
    #[error("subscription is unsubscribed")]
    Unsubscribed,
    /// The connection was lost after the command was sent and before its reply arrived: the server may
    /// or may not have executed it. It is never resent (the protocol has no idempotency key).
    #[error("connection lost before the reply arrived; the outcome is unknown")]
    OutcomeUnknown,
    /// The configuration is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The endpoint URL is invalid or has an unsupported scheme.
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    /// The channel name is empty or longer than 255 bytes.
    #[error("invalid channel: {0}")]
    InvalidChannel(String),
    /// The payload is not valid JSON (JSON codec).
    #[error("invalid payload: {0}")]
    InvalidPayload(String),
    /// The encoded command exceeds the server's message size limit.
    #[error("message of {size} bytes exceeds the limit of {limit} bytes")]
    MessageTooLarge {
        /// The encoded size.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// A subscription for this channel already exists in this client.
    #[error("a subscription to {0:?} already exists")]
    DuplicateSubscription(String),
    /// The server sent something this client cannot decode.
    #[error("protocol violation: {0}")]
    Protocol(String),
    /// Too many calls are already waiting for the connection.
    #[error("{limit} calls are already waiting for the connection")]
    QueueFull {
        /// The configured limit.
        limit: usize,
    },
    /// The client has been offline longer than its suspend threshold; calls fail fast until it is back.
    #[error("client is suspended after a long outage")]
    Suspended,
    /// An app callback (token provider, position store, listener) failed in a way the client cannot
    /// classify, for example a foreign exception of an unexpected type. The client retries.
    #[error("app callback failed: {0}")]
    Callback(String),
    /// A bug in ceaseless itself (never expected; please report it).
    #[error("internal error: {0}")]
    Internal(String),
    /// The subscription's publication tags filter breaks the server's rules, or is combined with delta
    /// compression. Refused before anything is sent.
    #[error("invalid tags filter: {0}")]
    InvalidTagsFilter(String),
}

impl Error {
    /// The stable numeric code.
    pub fn code(&self) -> u32 {
        match self {
            Error::Server { code, .. } => *code,
            Error::Timeout => 1,
            Error::Transport(_) => 2,
            Error::Disconnected => 3,
            Error::Closed => 4,
            Error::Token(_) => 5,
            Error::Unauthorized(_) => 6,
            Error::Unsubscribed => 7,
            Error::OutcomeUnknown => 11,
            Error::Config(_) => 12,
            Error::InvalidUrl(_) => 13,
            Error::InvalidChannel(_) => 14,
            Error::InvalidPayload(_) => 15,
            Error::MessageTooLarge { .. } => 16,
            Error::DuplicateSubscription(_) => 17,
            Error::Protocol(_) => 18,
            Error::QueueFull { .. } => 19,
            Error::Suspended => 20,
            Error::Callback(_) => 21,
            Error::Internal(_) => 22,
            Error::InvalidTagsFilter(_) => 23,
        }
    }

    /// Whether retrying the same call later may succeed.
    pub fn is_temporary(&self) -> bool {
        match self {
            Error::Server { temporary, .. } => *temporary,
            Error::Timeout
            | Error::Transport(_)
            | Error::Disconnected
            | Error::Token(_)
            | Error::QueueFull { .. }
            | Error::Suspended
            | Error::Callback(_) => true,
            _ => false,
        }
    }
}

impl Error {
    /// What a call waiting for the connection learns when the client stops with `Disconnected { code,
    /// reason }`: a server code (3000 and up, e.g. 3500 "invalid token") passes through as a
    /// non-temporary [`Error::Server`] with the server's reason; the client-side codes map to their
    /// own kinds (0 the app disconnected, 1 unauthorized, 2 bad protocol).
    pub fn from_disconnected(code: u32, reason: &str) -> Error {
        use crate::codes::disconnected;
        match code {
            disconnected::UNAUTHORIZED => Error::Unauthorized(reason.to_owned()),
            disconnected::BAD_PROTOCOL => Error::Protocol(reason.to_owned()),
            3000.. => Error::Server { code, message: reason.to_owned(), temporary: false },
            _ => Error::Disconnected,
        }
    }

    /// What a call waiting for a subscription learns when it ends with `Unsubscribed { code, reason }`:
    /// a server code (100 and up: a refused subscribe such as 103 "permission denied", or a server
    /// unsubscribe) passes through as a non-temporary [`Error::Server`]; client-side codes are
    /// [`Error::Unsubscribed`] (1: [`Error::Unauthorized`]).
    pub fn from_unsubscribed(code: u32, reason: &str) -> Error {
        match code {
            crate::codes::unsubscribed::UNAUTHORIZED => Error::Unauthorized(reason.to_owned()),
            100.. => Error::Server { code, message: reason.to_owned(), temporary: false },
            _ => Error::Unsubscribed,
        }
    }
}

/// The one conversion from a server's error reply to the app's error: code, message and the
/// server's `temporary` flag pass through unchanged, except that 113 (concurrent pagination) is always
/// temporary ([`crate::codes::error_is_temporary`]). The engine uses it for every reply error it
/// reports (connect, subscribe, refresh, sub_refresh and app requests).
impl From<crate::wire::ErrorReply> for Error {
    fn from(reply: crate::wire::ErrorReply) -> Self {
        let temporary = crate::codes::error_is_temporary(reply.code, reply.temporary);
        Error::Server { code: reply.code, message: reply.message, temporary }
    }
}

impl From<crate::filter::FilterError> for Error {
    fn from(error: crate::filter::FilterError) -> Self {
        Error::InvalidTagsFilter(error.to_string())
    }
}

/// What a token provider can answer instead of a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The user is not (or no longer) allowed in: stop trying.
    #[error("unauthorized")]
    Unauthorized,
    /// Fetching failed for another reason: try again later with backoff.
    #[error("token fetch failed: {0}")]
    Failed(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_carries_the_server_code_and_reason() {
        let invalid = Error::from_disconnected(3500, "invalid token");
        assert_eq!(invalid, Error::Server { code: 3500, message: "invalid token".into(), temporary: false });
        assert!(!invalid.is_temporary());
        assert_eq!(Error::from_disconnected(0, "disconnect called"), Error::Disconnected);
        assert_eq!(Error::from_disconnected(1, "signed out"), Error::Unauthorized("signed out".into()));
        let denied = Error::from_unsubscribed(103, "permission denied");
        assert_eq!(
            denied,
            Error::Server { code: 103, message: "permission denied".into(), temporary: false }
        );
        assert_eq!(Error::from_unsubscribed(0, "unsubscribe called"), Error::Unsubscribed);
        assert_eq!(Error::from_unsubscribed(1, "signed out"), Error::Unauthorized("signed out".into()));
    }

    #[test]
    fn codes_are_stable() {
        assert_eq!(Error::Timeout.code(), 1);
        assert_eq!(Error::OutcomeUnknown.code(), 11);
        let server = Error::Server { code: 103, message: "permission denied".into(), temporary: false };
        assert_eq!(server.code(), 103);
        assert!(!server.is_temporary());
        assert!(Error::Server { code: 100, message: String::new(), temporary: true }.is_temporary());
        let reply =
            crate::wire::ErrorReply { code: 103, message: "permission denied".into(), temporary: false };
        assert_eq!(Error::from(reply), server);
    }
}
