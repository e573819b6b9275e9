//! Failures of a command: a message for people and an exit code for scripts.
//!
//! | exit | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | anything else (unreadable file, output closed, ...) |
//! | 2 | bad command line (clap's own code) |
//! | 3 | could not reach the server, or it stopped answering |
//! | 4 | authentication: the server refused the token |
//! | 5 | the server refused the call (permission denied, unknown channel, ...) |
//! | 6 | invalid input, refused before anything was sent (URL, channel, payload, options) |

use ceaseless::Error;

/// Exit code for failures without a more specific class.
pub const EXIT_OTHER: u8 = 1;
/// Exit code: the server could not be reached, or the connection failed.
pub const EXIT_UNREACHABLE: u8 = 3;
/// Exit code: the server refused the credentials.
pub const EXIT_AUTH: u8 = 4;
/// Exit code: the server refused the call.
pub const EXIT_SERVER: u8 = 5;
/// Exit code: invalid input.
pub const EXIT_INPUT: u8 = 6;

/// Centrifugo disconnect code for an invalid token.
const DISCONNECT_INVALID_TOKEN: u32 = 3500;
/// Centrifugo disconnect code for a permission problem.
const DISCONNECT_PERMISSION_DENIED: u32 = 3507;
/// Centrifugo error code: unauthorized.
const SERVER_UNAUTHORIZED: u32 = 101;
/// Centrifugo error code: the token expired.
const SERVER_TOKEN_EXPIRED: u32 = 109;

/// A failed command.
#[derive(Debug)]
pub struct Failure {
    /// What went wrong, for people. Never contains a token.
    pub message: String,
    /// The process exit code.
    pub exit: u8,
}

impl Failure {
    /// A failure with an explicit exit code.
    pub fn new(exit: u8, message: impl Into<String>) -> Self {
        Self { message: message.into(), exit }
    }

    /// Invalid input.
    pub fn input(message: impl Into<String>) -> Self {
        Self::new(EXIT_INPUT, message)
    }

    /// A library error met while doing `what`, with its stable ceaseless code in the message.
    pub fn from_error(what: &str, error: &Error) -> Self {
        let exit = match error {
            Error::Unauthorized(_) | Error::Token(_) => EXIT_AUTH,
            Error::Server { code, .. } if *code == SERVER_UNAUTHORIZED || *code == SERVER_TOKEN_EXPIRED => {
                EXIT_AUTH
            }
            Error::Server { .. } => EXIT_SERVER,
            Error::Timeout
            | Error::Transport(_)
            | Error::Disconnected
            | Error::Closed
            | Error::OutcomeUnknown
            | Error::Suspended
            | Error::QueueFull { .. }
            | Error::Protocol(_) => EXIT_UNREACHABLE,
            Error::Config(_)
            | Error::InvalidUrl(_)
            | Error::InvalidChannel(_)
            | Error::InvalidPayload(_)
            | Error::MessageTooLarge { .. }
            | Error::DuplicateSubscription(_) => EXIT_INPUT,
            _ => EXIT_OTHER,
        };
        let hint = match error {
            Error::Unauthorized(_) => "; check the token",
            Error::Server { code, .. } if *code == SERVER_TOKEN_EXPIRED => "; get a fresh token",
            Error::Server { code: 103, .. } => "; the token or the channel's namespace does not allow this",
            Error::Server { code: 102, .. } => "; is the namespace configured on the server?",
            Error::OutcomeUnknown => "; the server may or may not have executed it",
            _ => "",
        };
        Self::new(exit, format!("{what}: {error} [ceaseless error code {}]{hint}", error.code()))
    }

    /// The server (or the client) ended the connection for good with `code` before it was usable.
    pub fn from_disconnect(url: &str, code: u32, reason: &str) -> Self {
        let (exit, hint) = match code {
            DISCONNECT_INVALID_TOKEN => (EXIT_AUTH, "; the server does not accept this token"),
            DISCONNECT_PERMISSION_DENIED => (EXIT_AUTH, "; permission denied"),
            ceaseless::codes::disconnected::UNAUTHORIZED => (EXIT_AUTH, "; the token was refused"),
            3000..=3999 => (EXIT_SERVER, ""),
            _ => (EXIT_UNREACHABLE, ""),
        };
        let reason = if reason.is_empty() { "no reason given" } else { reason };
        Self::new(
            exit,
            format!("the server at {url} closed the connection: {reason} (disconnect code {code}){hint}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_exit_codes() {
        let denied = Error::Server { code: 103, message: "permission denied".into(), temporary: false };
        let failure = Failure::from_error("publish", &denied);
        assert_eq!(failure.exit, EXIT_SERVER);
        assert!(failure.message.contains("code 103"), "{}", failure.message);
        assert_eq!(Failure::from_error("x", &Error::Unauthorized("signed out".into())).exit, EXIT_AUTH);
        assert_eq!(Failure::from_error("x", &Error::Transport("refused".into())).exit, EXIT_UNREACHABLE);
        assert_eq!(Failure::from_error("x", &Error::InvalidUrl("nope".into())).exit, EXIT_INPUT);
    }

    #[test]
    fn invalid_token_disconnect_is_an_auth_failure() {
        let failure = Failure::from_disconnect("ws://h/c", 3500, "invalid token");
        assert_eq!(failure.exit, EXIT_AUTH);
        assert!(failure.message.contains("invalid token"));
        assert!(failure.message.contains("3500"));
    }
}
