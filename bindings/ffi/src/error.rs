//! [`CeaselessError`]: the one error type Kotlin and Swift see (`CeaselessException` / `CeaselessError`).
//!
//! Every variant carries the same three fields: the stable numeric `code` of the Rust client
//! (`ceaseless::Error::code`, server codes 100–1999 pass through), whether a retry may succeed
//! (`temporary`), and a human-readable `detail` that never contains a token. The variants mirror
//! `ceaseless::Error` one to one, so apps can `when`/`switch` on the kind, while the hand-written Kotlin
//! and Swift wrappers add `code` and `temporary` on the base type.
//!
//! App callbacks (token providers, position stores, listeners, log sinks) may throw this type too:
//! `Unauthorized` from a token provider stops the client; anything else, including exceptions of other
//! types (they arrive as [`uniffi::UnexpectedUniFFICallbackError`]), is reported and retried.

use ceaseless::Error;

/// Code of [`CeaselessError::Callback`]: an app callback threw something that is not a `CeaselessError`.
pub const CALLBACK_CODE: u32 = 21;
/// Code of [`CeaselessError::Internal`]: a bug in this library (never expected).
pub const INTERNAL_CODE: u32 = 22;

/// Everything that can go wrong, as one error type with `code`, `temporary` and `detail`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum CeaselessError {
    /// The server answered with an error (codes 100–1999).
    #[error("server error {code}: {detail}")]
    Server {
        /// The server's code.
        code: u32,
        /// Whether the server says a retry may succeed.
        temporary: bool,
        /// The server's message.
        detail: String,
    },
    /// No answer in time (code 1).
    #[error("timed out")]
    Timeout {
        /// Always 1.
        code: u32,
        /// Always true.
        temporary: bool,
        /// Empty.
        detail: String,
    },
    /// The transport failed: network, TLS, HTTP status (code 2).
    #[error("transport failed: {detail}")]
    Transport {
        /// Always 2.
        code: u32,
        /// Always true.
        temporary: bool,
        /// What failed.
        detail: String,
    },
    /// The client is (or went) disconnected (code 3).
    #[error("client is disconnected")]
    Disconnected {
        /// Always 3.
        code: u32,
        /// Always true.
        temporary: bool,
        /// Empty.
        detail: String,
    },
    /// The client was shut down for good (code 4).
    #[error("client is closed")]
    Closed {
        /// Always 4.
        code: u32,
        /// Always false.
        temporary: bool,
        /// Empty.
        detail: String,
    },
    /// The token provider failed, not with `Unauthorized` (code 5). The client retries with backoff.
    #[error("token provider failed: {detail}")]
    Token {
        /// Always 5.
        code: u32,
        /// Always true.
        temporary: bool,
        /// What the provider reported.
        detail: String,
    },
    /// The user is not (or no longer) allowed in (code 6). Throw it from a token provider to stop.
    #[error("unauthorized")]
    Unauthorized {
        /// Always 6.
        code: u32,
        /// Always false.
        temporary: bool,
        /// Optional context.
        detail: String,
    },
    /// The subscription is (or went) unsubscribed (code 7).
    #[error("subscription is unsubscribed")]
    Unsubscribed {
        /// Always 7.
        code: u32,
        /// Always false.
        temporary: bool,
        /// Empty.
        detail: String,
    },
    /// The connection dropped after the command was sent and before its reply (code 11): it may or may
    /// not have been executed, and it is not resent.
    #[error("connection lost before the reply arrived; the outcome is unknown")]
    OutcomeUnknown {
        /// Always 11.
        code: u32,
        /// Always false.
        temporary: bool,
        /// Empty.
        detail: String,
    },
    /// Invalid settings (code 12), a bad URL (13), channel (14) or payload (15), a message over the
    /// size limit (16), or a second subscription to one channel (17): input refused before sending.
    #[error("invalid input: {detail}")]
    InvalidInput {
        /// 12–17, as in the Rust client.
        code: u32,
        /// Always false.
        temporary: bool,
        /// What is wrong.
        detail: String,
    },
    /// The server sent something this client cannot decode (code 18).
    #[error("protocol violation: {detail}")]
    ProtocolViolation {
        /// Always 18.
        code: u32,
        /// Always false.
        temporary: bool,
        /// What was wrong.
        detail: String,
    },
    /// Too many calls are waiting for the connection (code 19).
    #[error("too many calls are waiting for the connection")]
    QueueFull {
        /// Always 19.
        code: u32,
        /// Always true.
        temporary: bool,
        /// The limit.
        detail: String,
    },
    /// Offline longer than the suspend threshold: calls fail fast until connected (code 20).
    #[error("client is suspended after a long outage")]
    Suspended {
        /// Always 20.
        code: u32,
        /// Always true.
        temporary: bool,
        /// Empty.
        detail: String,
    },
    /// An app callback threw something other than a `CeaselessError` (code 21).
    #[error("app callback failed: {detail}")]
    Callback {
        /// Always 21.
        code: u32,
        /// Always true.
        temporary: bool,
        /// The exception's description.
        detail: String,
    },
    /// Anything else, including errors a newer Rust client adds (its code is kept; 22 for a bug here).
    #[error("error {code}: {detail}")]
    Internal {
        /// The Rust client's code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
}

impl CeaselessError {
    /// The stable numeric code.
    pub fn code(&self) -> u32 {
        self.parts().0
    }

    /// Whether retrying the same call later may succeed.
    pub fn temporary(&self) -> bool {
        self.parts().1
    }

    fn parts(&self) -> (u32, bool) {
        match self {
            CeaselessError::Server { code, temporary, .. }
            | CeaselessError::Timeout { code, temporary, .. }
            | CeaselessError::Transport { code, temporary, .. }
            | CeaselessError::Disconnected { code, temporary, .. }
            | CeaselessError::Closed { code, temporary, .. }
            | CeaselessError::Token { code, temporary, .. }
            | CeaselessError::Unauthorized { code, temporary, .. }
            | CeaselessError::Unsubscribed { code, temporary, .. }
            | CeaselessError::OutcomeUnknown { code, temporary, .. }
            | CeaselessError::InvalidInput { code, temporary, .. }
            | CeaselessError::ProtocolViolation { code, temporary, .. }
            | CeaselessError::QueueFull { code, temporary, .. }
            | CeaselessError::Suspended { code, temporary, .. }
            | CeaselessError::Callback { code, temporary, .. }
            | CeaselessError::Internal { code, temporary, .. } => (*code, *temporary),
        }
    }

    /// A bug in this library, reported instead of panicking across the boundary.
    pub(crate) fn internal(detail: impl Into<String>) -> Self {
        CeaselessError::Internal { code: INTERNAL_CODE, temporary: false, detail: detail.into() }
    }
}

impl From<Error> for CeaselessError {
    fn from(error: Error) -> Self {
        let code = error.code();
        let temporary = error.is_temporary();
        match error {
            Error::Server { message, .. } => CeaselessError::Server { code, temporary, detail: message },
            Error::Timeout => CeaselessError::Timeout { code, temporary, detail: String::new() },
            Error::Transport(detail) => CeaselessError::Transport { code, temporary, detail },
            Error::Disconnected => CeaselessError::Disconnected { code, temporary, detail: String::new() },
            Error::Closed => CeaselessError::Closed { code, temporary, detail: String::new() },
            Error::Token(detail) => CeaselessError::Token { code, temporary, detail },
            Error::Unauthorized => CeaselessError::Unauthorized { code, temporary, detail: String::new() },
            Error::Unsubscribed => CeaselessError::Unsubscribed { code, temporary, detail: String::new() },
            Error::OutcomeUnknown => {
                CeaselessError::OutcomeUnknown { code, temporary, detail: String::new() }
            }
            Error::Config(_)
            | Error::InvalidUrl(_)
            | Error::InvalidChannel(_)
            | Error::InvalidPayload(_)
            | Error::MessageTooLarge { .. }
            | Error::DuplicateSubscription(_) => {
                CeaselessError::InvalidInput { code, temporary, detail: error.to_string() }
            }
            Error::Protocol(detail) => CeaselessError::ProtocolViolation { code, temporary, detail },
            Error::QueueFull { limit } => {
                CeaselessError::QueueFull { code, temporary, detail: format!("limit {limit}") }
            }
            Error::Suspended => CeaselessError::Suspended { code, temporary, detail: String::new() },
            other => CeaselessError::Internal { code, temporary, detail: other.to_string() },
        }
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for CeaselessError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        // Kotlin sends a whole stack trace for exceptions from non-suspending methods: keep the headline.
        let detail = error.reason.lines().next().unwrap_or_default().trim().to_owned();
        CeaselessError::Callback { code: CALLBACK_CODE, temporary: true, detail }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rust_error_keeps_its_code_and_temporariness() {
        let errors = [
            Error::Server { code: 103, message: "permission denied".into(), temporary: false },
            Error::Timeout,
            Error::Transport("refused".into()),
            Error::Disconnected,
            Error::Closed,
            Error::Token("boom".into()),
            Error::Unauthorized,
            Error::Unsubscribed,
            Error::OutcomeUnknown,
            Error::Config("x".into()),
            Error::InvalidUrl("x".into()),
            Error::InvalidChannel("x".into()),
            Error::InvalidPayload("x".into()),
            Error::MessageTooLarge { size: 10, limit: 5 },
            Error::DuplicateSubscription("x".into()),
            Error::Protocol("x".into()),
            Error::QueueFull { limit: 3 },
            Error::Suspended,
        ];
        for error in errors {
            let mapped = CeaselessError::from(error.clone());
            assert_eq!(mapped.code(), error.code(), "{error:?}");
            assert_eq!(mapped.temporary(), error.is_temporary(), "{error:?}");
            assert!(!matches!(mapped, CeaselessError::Internal { .. }), "{error:?} has its own variant");
        }
    }

    #[test]
    fn unexpected_callback_errors_become_callback_errors() {
        let mapped =
            CeaselessError::from(uniffi::UnexpectedUniFFICallbackError::new("IllegalStateException"));
        assert_eq!(mapped.code(), CALLBACK_CODE);
        assert!(mapped.to_string().contains("IllegalStateException"));
    }
}
