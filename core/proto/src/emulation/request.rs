//! What the two kinds of emulation request carry: the stream request ([`StreamRequest`]) and the body of
//! a POST to the emulation endpoint ([`encode_post`]).

use bytes::Bytes;

use super::{EmulationError, check};
use crate::codec::Format;
use crate::codec::protobuf::encode_emulation_request;
use crate::transport::TransportKind;

/// The `Content-Type` of JSON bodies. Centrifugo reads every body that is not
/// [`PROTOBUF_CONTENT_TYPE`] as JSON; `text/plain` keeps browser requests CORS-simple (no preflight).
pub const JSON_CONTENT_TYPE: &str = "text/plain";
/// The `Content-Type` of Protobuf bodies: it is what tells the server the connection speaks Protobuf.
pub const PROTOBUF_CONTENT_TYPE: &str = "application/octet-stream";
/// The `Accept` header of the SSE stream request.
pub const SSE_ACCEPT: &str = "text/event-stream";

/// The `Content-Type` of a body in `format`.
pub fn content_type(format: Format) -> &'static str {
    match format {
        Format::Json => JSON_CONTENT_TYPE,
        Format::Protobuf => PROTOBUF_CONTENT_TYPE,
    }
}

/// The request that opens the stream: sent to the stream URL ([`super::EmulationUrls::stream`]), its
/// response body read with a [`super::StreamDecoder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRequest {
    /// Always `POST`: the connect command travels in the body, never in the URL (where tokens would
    /// reach logs), for SSE too.
    pub method: &'static str,
    /// [`content_type`] of the format.
    pub content_type: &'static str,
    /// `Some(`[`SSE_ACCEPT`]`)` for SSE.
    pub accept: Option<&'static str>,
    /// The connect frame, as the engine encoded it.
    pub body: Bytes,
}

impl StreamRequest {
    /// The stream request of `kind` in `format` carrying the `connect` frame.
    ///
    /// # Errors
    /// As [`super::check`]: WebSocket, or SSE with Protobuf.
    pub fn new(kind: TransportKind, format: Format, connect: Bytes) -> Result<Self, EmulationError> {
        check(kind, format)?;
        Ok(Self {
            method: "POST",
            content_type: content_type(format),
            accept: (kind == TransportKind::Sse).then_some(SSE_ACCEPT),
            body: connect,
        })
    }
}

/// The body of one POST to the emulation endpoint carrying `frames` (encoded commands, in order).
///
/// JSON: `{"node":..,"session":..,"data":".."}` where `data` holds the commands of every frame,
/// newline-joined, without empty lines (the server refuses them). Protobuf: an `EmulationRequest` whose
/// `data` is the frames concatenated (they are length-delimited already).
///
/// # Errors
/// [`EmulationError::NotUtf8`] for a JSON frame that is not UTF-8.
pub fn encode_post(
    format: Format,
    node: &str,
    session: &str,
    frames: &[Bytes],
) -> Result<Bytes, EmulationError> {
    match format {
        Format::Json => {
            let mut data = String::new();
            for frame in frames {
                let text = std::str::from_utf8(frame).map_err(|_| EmulationError::NotUtf8)?;
                for line in text.split('\n') {
                    let line = line.strip_suffix('\r').unwrap_or(line);
                    if line.trim_ascii().is_empty() {
                        continue;
                    }
                    if !data.is_empty() {
                        data.push('\n');
                    }
                    data.push_str(line);
                }
            }
            Ok(Bytes::from(json_request(node, session, &data)))
        }
        Format::Protobuf => {
            let commands: Vec<u8> = frames.iter().flat_map(|f| f.iter().copied()).collect();
            Ok(Bytes::from(encode_emulation_request(node, session, &commands)))
        }
    }
}

/// `{"node":..,"session":..,"data":..}` with every value a JSON string.
fn json_request(node: &str, session: &str, data: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(node.len() + session.len() + data.len() + 48);
    out.extend_from_slice(b"{\"node\":");
    json_string(node, &mut out);
    out.extend_from_slice(b",\"session\":");
    json_string(session, &mut out);
    out.extend_from_slice(b",\"data\":");
    json_string(data, &mut out);
    out.push(b'}');
    out
}

/// Appends `s` as a JSON string literal.
fn json_string(s: &str, out: &mut Vec<u8>) {
    // serde_json never fails on a `str` written to a `Vec`; the fallback keeps that an invariant, not
    // a panic.
    if serde_json::to_writer(&mut *out, s).is_err() {
        out.extend_from_slice(b"\"\"");
    }
}
