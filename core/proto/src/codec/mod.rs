//! Encodings of the wire types: turning [`Command`]s into frames and frames into [`Reply`]s.
//!
//! A codec works on whole transport frames (a WebSocket message, an HTTP body, one line group of
//! an HTTP stream). One frame may hold several messages: the client batches commands (for
//! example `connect` followed by `subscribe`s) and the server batches replies, pushes and pings.
//! Codecs are stateless and never perform I/O, so one value can be shared freely.
//!
//! Only JSON ([`JsonCodec`]) lives here for now; a Protobuf codec would implement the same trait.
//!
//! [`Command`]: crate::wire::Command
//! [`Reply`]: crate::wire::Reply

mod json;
pub mod protobuf;
#[cfg(test)]
mod tests;

use std::fmt::Display;

use bytes::Bytes;

use crate::wire::{Command, Reply};

pub use json::JsonCodec;
pub use protobuf::ProtobufCodec;

/// Which encoding a connection uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Format {
    /// Newline-delimited JSON (the default; the only one SSE supports).
    #[default]
    Json,
    /// Varint-delimited Protobuf (`centrifuge-protobuf`): smaller frames, binary payloads.
    Protobuf,
}

/// The codec for a [`Format`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AnyCodec(Format);

impl Format {
    /// What goes between two encoded commands in one frame: a newline for JSON, nothing for Protobuf
    /// (its messages are length-delimited; a newline byte would read as the next length prefix).
    pub fn separator(self) -> &'static [u8] {
        match self {
            Format::Json => b"\n",
            Format::Protobuf => b"",
        }
    }
}

impl AnyCodec {
    /// The codec for `format`.
    pub fn new(format: Format) -> Self {
        Self(format)
    }

    /// The format it encodes.
    pub fn format(&self) -> Format {
        self.0
    }
}

impl Codec for AnyCodec {
    fn encode(&self, commands: &[crate::wire::Command], out: &mut Vec<u8>) -> Result<(), CodecError> {
        match self.0 {
            Format::Json => JsonCodec.encode(commands, out),
            Format::Protobuf => ProtobufCodec.encode(commands, out),
        }
    }

    fn decode(&self, frame: &bytes::Bytes) -> Result<Vec<crate::wire::Reply>, CodecError> {
        match self.0 {
            Format::Json => JsonCodec.decode(frame),
            Format::Protobuf => ProtobufCodec.decode(frame),
        }
    }
}

/// Maximum number of input bytes, and of parser message bytes, quoted in a decode error.
const QUOTE_LIMIT: usize = 100;

/// A wire encoding of the client protocol.
pub trait Codec {
    /// Appends one frame holding `commands` (in order) to `out`.
    ///
    /// On error `out` is left as it was.
    fn encode(&self, commands: &[Command], out: &mut Vec<u8>) -> Result<(), CodecError>;

    /// Decodes one received frame into its replies, in order.
    fn decode(&self, frame: &Bytes) -> Result<Vec<Reply>, CodecError>;
}

/// Failure to encode commands or to decode a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The received frame is not valid for this encoding. The message quotes at most about
    /// 100 bytes of the offending input.
    #[error("malformed frame: {0}")]
    Malformed(String),
    /// A command cannot be represented in this encoding (for example a payload that is not
    /// JSON on a JSON connection).
    #[error("cannot encode: {0}")]
    Encode(String),
}

impl CodecError {
    /// The error for the message found `at` (e.g. "line 3") in a frame, quoting at most
    /// [`QUOTE_LIMIT`] bytes of `input` and of `reason` (parser messages may quote input too).
    pub(crate) fn malformed(at: impl Display, input: &[u8], reason: impl Display) -> CodecError {
        let quote = String::from_utf8_lossy(&input[..input.len().min(QUOTE_LIMIT)]);
        let reason = reason.to_string();
        let mut cut = reason.len().min(QUOTE_LIMIT);
        while !reason.is_char_boundary(cut) {
            cut -= 1;
        }
        let more = if cut < reason.len() { "..." } else { "" };
        let reason = &reason[..cut];
        CodecError::Malformed(format!("{at}: {reason}{more} (starts with {quote:?})"))
    }
}
