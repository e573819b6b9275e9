//! The one table of error kinds: what each binding's exception or error class is, from one place.
//!
//! [`ErrorInfo::from`] turns a [`ceaseless::Error`] into the three things every binding shows on its
//! error type (`code`, `temporary`, `message`) plus the [`ErrorKind`] that picks the class. Bindings
//! match on [`ErrorKind`] exhaustively, so a kind added here fails to compile in a binding that has no
//! class for it.

use ceaseless::Error;

/// The kinds of failure an app can tell apart. One exception/error class per kind in every binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// No answer in time (code 1).
    Timeout,
    /// The transport failed: network, TLS, HTTP status (code 2).
    Transport,
    /// The client is (or went) disconnected (code 3).
    Disconnected,
    /// The client was closed for good (code 4).
    Closed,
    /// The token provider failed, not with "unauthorized" (code 5).
    Token,
    /// The user is not (or no longer) allowed in (code 6).
    Unauthorized,
    /// The subscription is (or went) unsubscribed (code 7).
    Unsubscribed,
    /// The connection dropped after the command was sent; it may or may not have happened (code 11).
    OutcomeUnknown,
    /// Invalid settings (code 12).
    Config,
    /// A bad endpoint URL (code 13).
    InvalidUrl,
    /// A bad channel name (code 14).
    InvalidChannel,
    /// A payload that cannot be sent (code 15).
    InvalidPayload,
    /// A message over the server's size limit (code 16).
    MessageTooLarge,
    /// A second subscription to one channel (code 17).
    DuplicateSubscription,
    /// The server sent something this client cannot decode (code 18).
    Protocol,
    /// Too many calls are waiting for the connection (code 19).
    QueueFull,
    /// Offline longer than the suspend threshold (code 20).
    Suspended,
    /// An app callback failed unexpectedly (code 21).
    Callback,
    /// A bug in ceaseless (code 22).
    Internal,
    /// A publication tags filter the server would refuse, or one combined with delta (code 23).
    InvalidTagsFilter,
    /// The server refused (codes 100 and up: its own code passes through).
    Server,
}

impl ErrorKind {
    /// Every kind, in code order (the server kind last).
    pub const ALL: [ErrorKind; 21] = [
        ErrorKind::Timeout,
        ErrorKind::Transport,
        ErrorKind::Disconnected,
        ErrorKind::Closed,
        ErrorKind::Token,
        ErrorKind::Unauthorized,
        ErrorKind::Unsubscribed,
        ErrorKind::OutcomeUnknown,
        ErrorKind::Config,
        ErrorKind::InvalidUrl,
        ErrorKind::InvalidChannel,
        ErrorKind::InvalidPayload,
        ErrorKind::MessageTooLarge,
        ErrorKind::DuplicateSubscription,
        ErrorKind::Protocol,
        ErrorKind::QueueFull,
        ErrorKind::Suspended,
        ErrorKind::Callback,
        ErrorKind::Internal,
        ErrorKind::InvalidTagsFilter,
        ErrorKind::Server,
    ];

    /// The kind of `error`.
    pub fn of(error: &Error) -> Self {
        match error {
            Error::Server { .. } => ErrorKind::Server,
            Error::Timeout => ErrorKind::Timeout,
            Error::Transport(_) => ErrorKind::Transport,
            Error::Disconnected => ErrorKind::Disconnected,
            Error::Closed => ErrorKind::Closed,
            Error::Token(_) => ErrorKind::Token,
            Error::Unauthorized(_) => ErrorKind::Unauthorized,
            Error::Unsubscribed => ErrorKind::Unsubscribed,
            Error::OutcomeUnknown => ErrorKind::OutcomeUnknown,
            Error::Config(_) => ErrorKind::Config,
            Error::InvalidUrl(_) => ErrorKind::InvalidUrl,
            Error::InvalidChannel(_) => ErrorKind::InvalidChannel,
            Error::InvalidPayload(_) => ErrorKind::InvalidPayload,
            Error::MessageTooLarge { .. } => ErrorKind::MessageTooLarge,
            Error::DuplicateSubscription(_) => ErrorKind::DuplicateSubscription,
            Error::Protocol(_) => ErrorKind::Protocol,
            Error::QueueFull { .. } => ErrorKind::QueueFull,
            Error::Suspended => ErrorKind::Suspended,
            Error::Callback(_) => ErrorKind::Callback,
            Error::InvalidTagsFilter(_) => ErrorKind::InvalidTagsFilter,
            // `Internal`, and anything a newer core adds before this table learns it.
            _ => ErrorKind::Internal,
        }
    }

    /// The class name every binding gives this kind, before its language's suffix (`TimeoutError` in
    /// JS and Python, `CeaselessException.Timeout` in Kotlin).
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Timeout => "Timeout",
            ErrorKind::Transport => "Transport",
            ErrorKind::Disconnected => "Disconnected",
            ErrorKind::Closed => "Closed",
            ErrorKind::Token => "Token",
            ErrorKind::Unauthorized => "Unauthorized",
            ErrorKind::Unsubscribed => "Unsubscribed",
            ErrorKind::OutcomeUnknown => "OutcomeUnknown",
            ErrorKind::Config => "Config",
            ErrorKind::InvalidUrl => "InvalidUrl",
            ErrorKind::InvalidChannel => "InvalidChannel",
            ErrorKind::InvalidPayload => "InvalidPayload",
            ErrorKind::MessageTooLarge => "MessageTooLarge",
            ErrorKind::DuplicateSubscription => "DuplicateSubscription",
            ErrorKind::Protocol => "Protocol",
            ErrorKind::QueueFull => "QueueFull",
            ErrorKind::Suspended => "Suspended",
            ErrorKind::Callback => "Callback",
            ErrorKind::Internal => "Internal",
            ErrorKind::InvalidTagsFilter => "InvalidTagsFilter",
            ErrorKind::Server => "Server",
        }
    }

    /// One core error of this kind (`None` for [`ErrorKind::Server`], whose code and flag are the
    /// server's), to read its code and `temporary` flag from the core.
    pub fn sample(self) -> Option<Error> {
        let text = String::new;
        Some(match self {
            ErrorKind::Server => return None,
            ErrorKind::Timeout => Error::Timeout,
            ErrorKind::Transport => Error::Transport(text()),
            ErrorKind::Disconnected => Error::Disconnected,
            ErrorKind::Closed => Error::Closed,
            ErrorKind::Token => Error::Token(text()),
            ErrorKind::Unauthorized => Error::Unauthorized(text()),
            ErrorKind::Unsubscribed => Error::Unsubscribed,
            ErrorKind::OutcomeUnknown => Error::OutcomeUnknown,
            ErrorKind::Config => Error::Config(text()),
            ErrorKind::InvalidUrl => Error::InvalidUrl(text()),
            ErrorKind::InvalidChannel => Error::InvalidChannel(text()),
            ErrorKind::InvalidPayload => Error::InvalidPayload(text()),
            ErrorKind::MessageTooLarge => Error::MessageTooLarge { size: 0, limit: 0 },
            ErrorKind::DuplicateSubscription => Error::DuplicateSubscription(text()),
            ErrorKind::Protocol => Error::Protocol(text()),
            ErrorKind::QueueFull => Error::QueueFull { limit: 0 },
            ErrorKind::Suspended => Error::Suspended,
            ErrorKind::Callback => Error::Callback(text()),
            ErrorKind::Internal => Error::Internal(text()),
            ErrorKind::InvalidTagsFilter => Error::InvalidTagsFilter(text()),
        })
    }

    /// The stable code of this kind (`None` for [`ErrorKind::Server`]: the server's code is used).
    pub fn code(self) -> Option<u32> {
        self.sample().map(|e| e.code())
    }

    /// Whether errors of this kind are temporary (`None` for [`ErrorKind::Server`]: the server says).
    pub fn temporary(self) -> Option<bool> {
        self.sample().map(|e| e.is_temporary())
    }

    /// The kind with this code (100 and up: [`ErrorKind::Server`]).
    pub fn from_code(code: u32) -> Option<Self> {
        if code >= 100 {
            return Some(ErrorKind::Server);
        }
        Self::ALL.into_iter().find(|k| k.code() == Some(code))
    }
}

/// An error as every binding shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    /// Picks the class.
    pub kind: ErrorKind,
    /// The stable numeric code (the server's own code for [`ErrorKind::Server`]).
    pub code: u32,
    /// Whether the same call may succeed later.
    pub temporary: bool,
    /// A human-readable description that never contains a token. For server errors, the server's
    /// message as it sent it.
    pub message: String,
}

impl From<&Error> for ErrorInfo {
    fn from(error: &Error) -> Self {
        let message = match error {
            Error::Server { message, .. } => message.clone(),
            other => other.to_string(),
        };
        Self { kind: ErrorKind::of(error), code: error.code(), temporary: error.is_temporary(), message }
    }
}

impl From<Error> for ErrorInfo {
    fn from(error: Error) -> Self {
        Self::from(&error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_distinct_code_that_maps_back() {
        let mut seen = std::collections::BTreeSet::new();
        for kind in ErrorKind::ALL {
            match kind.code() {
                Some(code) => {
                    assert!(seen.insert(code), "{kind:?} repeats code {code}");
                    assert_eq!(ErrorKind::from_code(code), Some(kind));
                }
                None => assert_eq!(kind, ErrorKind::Server),
            }
            if let Some(sample) = kind.sample() {
                assert_eq!(ErrorKind::of(&sample), kind);
            }
        }
        assert_eq!(ErrorKind::from_code(103), Some(ErrorKind::Server));
        assert_eq!(ErrorKind::from_code(99), None);
    }

    #[test]
    fn server_errors_keep_their_code_reason_and_temporary_flag() {
        let info = ErrorInfo::from(Error::Server {
            code: 103,
            message: "permission denied".into(),
            temporary: false,
        });
        assert_eq!((info.kind, info.code, info.temporary), (ErrorKind::Server, 103, false));
        assert_eq!(info.message, "permission denied");
        let info = ErrorInfo::from(Error::Timeout);
        assert_eq!((info.kind, info.code, info.temporary), (ErrorKind::Timeout, 1, true));
    }
}
