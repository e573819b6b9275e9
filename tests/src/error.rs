//! The one error type of the harness.

use std::path::PathBuf;

/// Everything that can go wrong while running a test server or talking to its API.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// The Centrifugo binary is not where the harness looks for it.
    #[error(
        "Centrifugo binary not found at {path}: run `scripts/install-centrifugo.sh` from the repository \
         root (or point CEASELESS_CENTRIFUGO at a Centrifugo v5 binary)"
    )]
    BinaryMissing {
        /// Where the binary was expected.
        path: PathBuf,
    },

    /// Preparing the server's directory, config, certificates or process failed.
    #[error("could not prepare the Centrifugo server: {0}")]
    Setup(String),

    /// The server process did not become healthy; `log_tail` is the end of its log.
    #[error("Centrifugo did not start: {reason}\n--- server log (tail) ---\n{log_tail}")]
    StartFailed {
        /// Why the harness gave up.
        reason: String,
        /// The last lines the server logged.
        log_tail: String,
    },

    /// The server is already running, e.g. `start_again` without `stop`.
    #[error("the Centrifugo server is already running")]
    AlreadyRunning,

    /// Stopping the server process failed.
    #[error("could not stop Centrifugo: {0}")]
    Stop(String),

    /// The HTTP request itself failed (connection refused, timeout, unreadable body).
    #[error("HTTP request to {url} failed: {message}")]
    Http {
        /// The URL that was requested.
        url: String,
        /// What went wrong.
        message: String,
    },

    /// The server answered with a non-success HTTP status.
    #[error("HTTP {status} from {url}: {body}")]
    HttpStatus {
        /// The URL that was requested.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The response body, possibly empty.
        body: String,
    },

    /// The server API answered with an `error` object.
    #[error("Centrifugo API error {code}: {message}")]
    Api {
        /// The Centrifugo error code, e.g. 102 for "unknown channel".
        code: u32,
        /// The error message.
        message: String,
    },

    /// The server API answered with something the harness could not read.
    #[error("unexpected Centrifugo API reply for {method}: {message}")]
    BadReply {
        /// The API method that was called.
        method: String,
        /// What was wrong with the reply.
        message: String,
    },
}
