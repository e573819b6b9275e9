//! The HTTP-streaming and SSE emulation protocol (PROTOCOL.md section 8), sans-IO: every rule the
//! native (hyper) and the browser (fetch) transports follow, so the two only move bytes.
//!
//! ## The model
//!
//! One emulation connection is two HTTP exchanges:
//!
//! - the **stream request**: the first frame the engine transmits (the `connect` command) becomes the
//!   body of a `POST` to `/connection/http_stream` or `/connection/sse` ([`StreamRequest`]). Its response
//!   body stays open and carries every reply. The shell pushes each chunk of it into a [`StreamDecoder`]
//!   and hands the frames that come out to the engine; when the body ends it calls
//!   [`StreamDecoder::finish`] to learn whether the stream ended on a message boundary.
//! - the **POSTs**: every later frame goes to `/emulation` with the `session` and `node` of the connect
//!   reply. The shell puts frames into a [`PostQueue`] and sends what [`PostQueue::next_post`] returns:
//!   nothing until the session is known, then one POST at a time, in order, frames merged while the
//!   batch stays under [`MAX_BATCH`] bytes. [`PostQueue::post_done`] lets the next one go.
//!
//! Where the requests go is derived from the app's WebSocket URL by [`emulation_urls`]; which
//! transport carries which encoding is [`TransportKind::carries`], checked by [`check`].
//!
//! ## Bodies on the wire
//!
//! - `http_stream`, JSON: one reply per line (`\n`); Protobuf: varint-length-delimited replies.
//! - `sse`: an event stream; every `data:` event is one JSON reply. JSON only.
//! - `/emulation`: `{"node","session","data"}` with the commands newline-joined in the `data` string
//!   (never an empty line), or a Protobuf `EmulationRequest`.
//!
//! JSON bodies are sent as `text/plain` and Protobuf ones as `application/octet-stream`: Centrifugo reads
//! every body that is not `application/octet-stream` as JSON, and `text/plain` keeps the browser's requests
//! CORS-simple (no preflight, which the SSE endpoint would refuse). Native and browser send the same.
//!
//! [`cases`] is a table of inputs and expected outcomes that both shells run against their own code.

pub mod cases;
mod decode;
mod queue;
mod request;
#[cfg(test)]
mod tests;
mod urls;

pub use decode::{DEFAULT_MAX_MESSAGE, StreamDecoder};
pub use queue::{MAX_BATCH, Post, PostQueue};
pub use request::{
    JSON_CONTENT_TYPE, PROTOBUF_CONTENT_TYPE, SSE_ACCEPT, StreamRequest, content_type, encode_post,
};
pub use urls::{EmulationUrls, emulation_urls, http_url, websocket_url};

use crate::codec::Format;
use crate::transport::TransportKind;

/// Everything that can go wrong in the emulation protocol, before or after the bytes move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EmulationError {
    /// The transport kind is not an emulation transport (WebSocket).
    #[error("{0} is not an HTTP emulation transport")]
    NotEmulation(TransportKind),
    /// The transport cannot carry the encoding (SSE with Protobuf).
    #[error("{} carries JSON only; use http_stream with Protobuf", kind.label())]
    FormatNotCarried {
        /// The transport.
        kind: TransportKind,
        /// The refused encoding.
        format: Format,
    },
    /// One message of the stream (a line, a Protobuf message, an SSE line or event) is over the limit.
    #[error("the stream sent a message over {limit} bytes")]
    TooLarge {
        /// The limit, [`StreamDecoder::with_max_message`].
        limit: usize,
    },
    /// The stream cannot be cut into messages (a broken Protobuf length prefix).
    #[error("corrupt stream: {0}")]
    Corrupt(String),
    /// The stream ended inside a message.
    #[error("the stream ended inside a message ({bytes} bytes left over)")]
    Truncated {
        /// How many bytes of the incomplete message had arrived.
        bytes: usize,
    },
    /// An outgoing JSON frame is not valid UTF-8.
    #[error("an outgoing JSON frame is not valid UTF-8")]
    NotUtf8,
    /// A URL cannot be turned into an emulation URL. Never quotes a query string.
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
}

/// [`EmulationError`] without its details: what the [`cases`] table expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// [`EmulationError::NotEmulation`].
    NotEmulation,
    /// [`EmulationError::FormatNotCarried`].
    FormatNotCarried,
    /// [`EmulationError::TooLarge`].
    TooLarge,
    /// [`EmulationError::Corrupt`].
    Corrupt,
    /// [`EmulationError::Truncated`].
    Truncated,
    /// [`EmulationError::NotUtf8`].
    NotUtf8,
    /// [`EmulationError::InvalidUrl`].
    InvalidUrl,
}

impl EmulationError {
    /// Which kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            EmulationError::NotEmulation(_) => ErrorKind::NotEmulation,
            EmulationError::FormatNotCarried { .. } => ErrorKind::FormatNotCarried,
            EmulationError::TooLarge { .. } => ErrorKind::TooLarge,
            EmulationError::Corrupt(_) => ErrorKind::Corrupt,
            EmulationError::Truncated { .. } => ErrorKind::Truncated,
            EmulationError::NotUtf8 => ErrorKind::NotUtf8,
            EmulationError::InvalidUrl(_) => ErrorKind::InvalidUrl,
        }
    }
}

/// Whether `kind` is an emulation transport that carries `format`: the one configuration check every
/// emulation shell makes (through [`StreamRequest::new`] and [`StreamDecoder::new`]).
///
/// # Errors
/// [`EmulationError::NotEmulation`] for WebSocket, [`EmulationError::FormatNotCarried`] for SSE with
/// Protobuf ([`TransportKind::carries`]).
pub fn check(kind: TransportKind, format: Format) -> Result<(), EmulationError> {
    if !kind.is_emulation() {
        return Err(EmulationError::NotEmulation(kind));
    }
    if !kind.carries(format) {
        return Err(EmulationError::FormatNotCarried { kind, format });
    }
    Ok(())
}
