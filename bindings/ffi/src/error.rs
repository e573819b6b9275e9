//! [`CeaselessError`]: the one error type Kotlin and Swift see (`CeaselessException` / `CeaselessError`).
//!
//! One variant per `ceaseless_bridge::ErrorKind`, each with the same three fields, all taken from
//! `ceaseless_bridge::ErrorInfo` (this file holds no code or `temporary` table): the stable numeric
//! `code` (the server's own code for `Server`), whether a retry may succeed (`temporary`), and a
//! human-readable `detail` that never contains a token (for `Server`, the server's message).
//!
//! App callbacks (token providers, position stores, listeners, log sinks) may throw this type too:
//! `Unauthorized` from a token provider stops the client; anything else, including exceptions of other
//! types (they arrive as [`uniffi::UnexpectedUniFFICallbackError`]), is reported and retried.

use ceaseless::Error;
use ceaseless_bridge::{ErrorInfo, ErrorKind};

/// Everything that can go wrong, as one error type with `code`, `temporary` and `detail`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum CeaselessError {
    /// No answer in time (code 1, temporary).
    #[error("{detail}")]
    Timeout {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// The transport failed: network, TLS, HTTP status, proxy (code 2, temporary).
    #[error("{detail}")]
    Transport {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// The client is (or went) disconnected (code 3, temporary).
    #[error("{detail}")]
    Disconnected {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// The client was shut down for good (code 4).
    #[error("{detail}")]
    Closed {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// The token provider failed, not with `Unauthorized` (code 5, temporary): the client retries with backoff.
    #[error("{detail}")]
    Token {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// The user is not (or no longer) allowed in (code 6). Throw it from a token provider to stop.
    #[error("{detail}")]
    Unauthorized {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// The subscription is (or went) unsubscribed (code 7).
    #[error("{detail}")]
    Unsubscribed {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// The connection dropped after the command was sent and before its reply (code 11): it may or
    /// may not have been executed, and it is not resent.
    #[error("{detail}")]
    OutcomeUnknown {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// Invalid settings: a bad number, certificate or proxy URL (code 12).
    #[error("{detail}")]
    Config {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// A bad endpoint URL (code 13).
    #[error("{detail}")]
    InvalidUrl {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// A bad channel name (code 14).
    #[error("{detail}")]
    InvalidChannel {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// A payload that cannot be sent, e.g. bytes that are not JSON in JSON mode (code 15).
    #[error("{detail}")]
    InvalidPayload {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// A message over the server's size limit (code 16).
    #[error("{detail}")]
    MessageTooLarge {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// A second subscription to one channel (code 17).
    #[error("{detail}")]
    DuplicateSubscription {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// The server sent something this client cannot decode (code 18).
    #[error("{detail}")]
    Protocol {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// Too many calls are waiting for the connection (code 19, temporary).
    #[error("{detail}")]
    QueueFull {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// Offline longer than the suspend threshold: calls fail fast until connected (code 20, temporary).
    #[error("{detail}")]
    Suspended {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// An app callback threw something other than a `CeaselessError` (code 21, temporary).
    #[error("{detail}")]
    Callback {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// A bug in ceaseless, reported instead of a crash (code 22).
    #[error("{detail}")]
    Internal {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// A publication tags filter the server would refuse, or one combined with delta (code 23).
    #[error("{detail}")]
    InvalidTagsFilter {
        /// The stable code.
        code: u32,
        /// Whether a retry may succeed.
        temporary: bool,
        /// What went wrong.
        detail: String,
    },
    /// The server refused (codes 100 and up: the server's own code, `temporary` as it says).
    #[error("server error {code}: {detail}")]
    Server {
        /// The stable code.
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
            CeaselessError::Timeout { code, temporary, .. }
            | CeaselessError::Transport { code, temporary, .. }
            | CeaselessError::Disconnected { code, temporary, .. }
            | CeaselessError::Closed { code, temporary, .. }
            | CeaselessError::Token { code, temporary, .. }
            | CeaselessError::Unauthorized { code, temporary, .. }
            | CeaselessError::Unsubscribed { code, temporary, .. }
            | CeaselessError::OutcomeUnknown { code, temporary, .. }
            | CeaselessError::Config { code, temporary, .. }
            | CeaselessError::InvalidUrl { code, temporary, .. }
            | CeaselessError::InvalidChannel { code, temporary, .. }
            | CeaselessError::InvalidPayload { code, temporary, .. }
            | CeaselessError::MessageTooLarge { code, temporary, .. }
            | CeaselessError::DuplicateSubscription { code, temporary, .. }
            | CeaselessError::Protocol { code, temporary, .. }
            | CeaselessError::QueueFull { code, temporary, .. }
            | CeaselessError::Suspended { code, temporary, .. }
            | CeaselessError::Callback { code, temporary, .. }
            | CeaselessError::Internal { code, temporary, .. }
            | CeaselessError::InvalidTagsFilter { code, temporary, .. }
            | CeaselessError::Server { code, temporary, .. } => (*code, *temporary),
        }
    }

    /// A bug in this library, reported instead of panicking across the boundary.
    pub(crate) fn internal(detail: impl Into<String>) -> Self {
        Error::Internal(detail.into()).into()
    }
}

impl From<ErrorInfo> for CeaselessError {
    fn from(info: ErrorInfo) -> Self {
        let ErrorInfo { kind, code, temporary, message: detail } = info;
        match kind {
            ErrorKind::Timeout => CeaselessError::Timeout { code, temporary, detail },
            ErrorKind::Transport => CeaselessError::Transport { code, temporary, detail },
            ErrorKind::Disconnected => CeaselessError::Disconnected { code, temporary, detail },
            ErrorKind::Closed => CeaselessError::Closed { code, temporary, detail },
            ErrorKind::Token => CeaselessError::Token { code, temporary, detail },
            ErrorKind::Unauthorized => CeaselessError::Unauthorized { code, temporary, detail },
            ErrorKind::Unsubscribed => CeaselessError::Unsubscribed { code, temporary, detail },
            ErrorKind::OutcomeUnknown => CeaselessError::OutcomeUnknown { code, temporary, detail },
            ErrorKind::Config => CeaselessError::Config { code, temporary, detail },
            ErrorKind::InvalidUrl => CeaselessError::InvalidUrl { code, temporary, detail },
            ErrorKind::InvalidChannel => CeaselessError::InvalidChannel { code, temporary, detail },
            ErrorKind::InvalidPayload => CeaselessError::InvalidPayload { code, temporary, detail },
            ErrorKind::MessageTooLarge => CeaselessError::MessageTooLarge { code, temporary, detail },
            ErrorKind::DuplicateSubscription => {
                CeaselessError::DuplicateSubscription { code, temporary, detail }
            }
            ErrorKind::Protocol => CeaselessError::Protocol { code, temporary, detail },
            ErrorKind::QueueFull => CeaselessError::QueueFull { code, temporary, detail },
            ErrorKind::Suspended => CeaselessError::Suspended { code, temporary, detail },
            ErrorKind::Callback => CeaselessError::Callback { code, temporary, detail },
            ErrorKind::Internal => CeaselessError::Internal { code, temporary, detail },
            ErrorKind::InvalidTagsFilter => CeaselessError::InvalidTagsFilter { code, temporary, detail },
            ErrorKind::Server => CeaselessError::Server { code, temporary, detail },
        }
    }
}

impl From<Error> for CeaselessError {
    fn from(error: Error) -> Self {
        ErrorInfo::from(&error).into()
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for CeaselessError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        // Kotlin sends a whole stack trace for exceptions from non-suspending methods: keep the headline.
        let headline = error.reason.lines().next().unwrap_or_default().trim().to_owned();
        Error::Callback(headline).into()
    }
}

/// The error a token provider throws when the user is signed out: the client (or, from a subscription
/// token provider, the subscription) stops for good. Kotlin: `throw unauthorizedError("signed out")`;
/// Swift: `throw unauthorizedError(detail: "signed out")`.
#[uniffi::export]
pub fn unauthorized_error(detail: String) -> CeaselessError {
    let detail = if detail.is_empty() { "signed out".to_owned() } else { detail };
    ErrorInfo::from(Error::Unauthorized(detail)).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(kind: ErrorKind) -> Error {
        match kind {
            ErrorKind::Server => {
                Error::Server { code: 103, message: "permission denied".into(), temporary: false }
            }
            ErrorKind::Timeout => Error::Timeout,
            ErrorKind::Transport => Error::Transport("refused".into()),
            ErrorKind::Disconnected => Error::Disconnected,
            ErrorKind::Closed => Error::Closed,
            ErrorKind::Token => Error::Token("boom".into()),
            ErrorKind::Unauthorized => Error::Unauthorized("signed out".into()),
            ErrorKind::Unsubscribed => Error::Unsubscribed,
            ErrorKind::OutcomeUnknown => Error::OutcomeUnknown,
            ErrorKind::Config => Error::Config("x".into()),
            ErrorKind::InvalidUrl => Error::InvalidUrl("x".into()),
            ErrorKind::InvalidChannel => Error::InvalidChannel("x".into()),
            ErrorKind::InvalidPayload => Error::InvalidPayload("x".into()),
            ErrorKind::MessageTooLarge => Error::MessageTooLarge { size: 10, limit: 5 },
            ErrorKind::DuplicateSubscription => Error::DuplicateSubscription("x".into()),
            ErrorKind::Protocol => Error::Protocol("x".into()),
            ErrorKind::QueueFull => Error::QueueFull { limit: 3 },
            ErrorKind::Suspended => Error::Suspended,
            ErrorKind::Callback => Error::Callback("x".into()),
            ErrorKind::Internal => Error::Internal("x".into()),
            ErrorKind::InvalidTagsFilter => Error::InvalidTagsFilter("x".into()),
        }
    }

    #[test]
    fn every_kind_has_its_own_variant_with_the_core_code_and_temporariness() {
        let mut names = std::collections::BTreeSet::new();
        for kind in ErrorKind::ALL {
            let error = sample(kind);
            let mapped = CeaselessError::from(error.clone());
            assert_eq!(mapped.code(), error.code(), "{error:?}");
            assert_eq!(mapped.temporary(), error.is_temporary(), "{error:?}");
            let debug = format!("{mapped:?}");
            assert!(debug.starts_with(kind.name()), "{kind:?} maps to {debug}");
            assert!(names.insert(debug.split(' ').next().unwrap_or_default().to_owned()));
        }
    }

    #[test]
    fn unexpected_callback_errors_become_callback_errors() {
        let mapped =
            CeaselessError::from(uniffi::UnexpectedUniFFICallbackError::new("IllegalStateException\n at x"));
        assert!(matches!(mapped, CeaselessError::Callback { .. }), "{mapped:?}");
        assert!(mapped.to_string().contains("IllegalStateException"));
        assert!(!mapped.to_string().contains("at x"));
    }

    #[test]
    fn the_unauthorized_helper_is_the_unauthorized_kind() {
        let error = unauthorized_error("signed out".into());
        assert!(matches!(error, CeaselessError::Unauthorized { .. }), "{error:?}");
        assert_eq!(error.code(), Error::Unauthorized(String::new()).code());
        assert_eq!(error.to_string(), "unauthorized: signed out");
    }
}
