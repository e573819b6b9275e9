//! The stream decoding cases.

use bytes::Bytes;

use super::{HTTP, JSON, PB, SSE};
use crate::codec::Format;
use crate::emulation::{EmulationError, ErrorKind, StreamDecoder};
use crate::transport::TransportKind;

/// A stream body and what decoding it must give.
#[derive(Debug, Clone, Copy)]
pub struct DecodeCase {
    /// What the case shows.
    pub name: &'static str,
    /// The stream's transport.
    pub kind: TransportKind,
    /// Its encoding.
    pub format: Format,
    /// The message size cap, when not the default.
    pub max_message: Option<usize>,
    /// The body, as it arrives.
    pub chunks: &'static [&'static [u8]],
    /// The frames, in order, before the error if there is one.
    pub frames: &'static [&'static [u8]],
    /// The error that ends the stream (from creating the decoder, a push or the end), if any.
    pub error: Option<ErrorKind>,
}

impl DecodeCase {
    /// The decoder this case runs on.
    ///
    /// # Errors
    /// As [`StreamDecoder::new`].
    pub fn decoder(&self) -> Result<StreamDecoder, EmulationError> {
        let decoder = StreamDecoder::new(self.kind, self.format)?;
        Ok(match self.max_message {
            Some(max) => decoder.with_max_message(max),
            None => decoder,
        })
    }

    /// Whether `frames` and `error` are what this case expects; a description of the difference if not.
    ///
    /// # Errors
    /// The difference.
    pub fn check(&self, frames: &[Bytes], error: Option<&EmulationError>) -> Result<(), String> {
        let got: Vec<&[u8]> = frames.iter().map(|f| &f[..]).collect();
        if got != self.frames {
            return Err(format!("{}: frames {:?}, expected {:?}", self.name, show(&got), show(self.frames)));
        }
        let kind = error.map(EmulationError::kind);
        if kind != self.error {
            return Err(format!("{}: error {error:?}, expected {:?}", self.name, self.error));
        }
        Ok(())
    }

    /// Runs the case on a bare [`StreamDecoder`].
    ///
    /// # Errors
    /// The difference from the expected outcome.
    pub fn run(&self) -> Result<(), String> {
        let mut frames = Vec::new();
        let error = match self.decoder() {
            Ok(mut decoder) => {
                let mut error = None;
                for chunk in self.chunks {
                    match decoder.push(Bytes::from_static(chunk)) {
                        Ok(frame) => frames.extend(frame),
                        Err(err) => {
                            error = Some(err);
                            break;
                        }
                    }
                }
                match error {
                    Some(err) => Some(err),
                    None => decoder.finish().err(),
                }
            }
            Err(err) => Some(err),
        };
        self.check(&frames, error.as_ref())
    }
}

fn show(frames: &[&[u8]]) -> Vec<String> {
    frames.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect()
}

/// A Protobuf message with a two-byte length prefix (128 bytes of payload).
const LONG: [u8; 130] = {
    let mut message = [0x08; 130];
    message[0] = 0x80;
    message[1] = 0x01;
    message
};
const LONG_HEAD: (&[u8], &[u8]) = LONG.split_at(1);
const LONG_MIDDLE: (&[u8], &[u8]) = LONG_HEAD.1.split_at(69);

const fn case(
    name: &'static str,
    kind: TransportKind,
    format: Format,
    chunks: &'static [&'static [u8]],
    frames: &'static [&'static [u8]],
) -> DecodeCase {
    DecodeCase { name, kind, format, max_message: None, chunks, frames, error: None }
}

const fn fails(mut case: DecodeCase, error: ErrorKind) -> DecodeCase {
    case.error = Some(error);
    case
}

const fn capped(mut case: DecodeCase, max: usize) -> DecodeCase {
    case.max_message = Some(max);
    case
}

static DECODING: &[DecodeCase] = &[
    case(
        "json: lines are reassembled across chunks",
        HTTP,
        JSON,
        &[b"{\"a\":1}\n{\"b\"", b":2}\n", b"{\"c\":3}\n{}\n", b"{\"d\":4}\n"],
        &[b"{\"a\":1}\n", b"{\"b\":2}\n", b"{\"c\":3}\n{}\n", b"{\"d\":4}\n"],
    ),
    case(
        "json: CRLF lines pass as they are",
        HTTP,
        JSON,
        &[b"{\"a\":1}\r\n{}\r\n"],
        &[b"{\"a\":1}\r\n{}\r\n"],
    ),
    case("json: byte by byte", HTTP, JSON, &[b"{", b"}", b"\n"], &[b"{}\n"]),
    case("json: empty chunks are nothing", HTTP, JSON, &[b"", b"{}\n", b""], &[b"{}\n"]),
    case("json: trailing whitespace is a clean end", HTTP, JSON, &[b"{}\n", b" \r\n "], &[b"{}\n", b" \r\n"]),
    fails(
        case(
            "json: a last line without its newline is truncated",
            HTTP,
            JSON,
            &[b"{\"a\":1}\n{\"b\""],
            &[b"{\"a\":1}\n"],
        ),
        ErrorKind::Truncated,
    ),
    capped(case("json: a line of exactly the cap", HTTP, JSON, &[b"{\"a\":1}\n"], &[b"{\"a\":1}\n"]), 7),
    capped(
        fails(
            case("json: a line over the cap", HTTP, JSON, &[b"{}\n{\"a\":12345}\n"], &[]),
            ErrorKind::TooLarge,
        ),
        8,
    ),
    capped(
        fails(
            case(
                "json: the cap holds across chunks",
                HTTP,
                JSON,
                &[b"{}\n{\"a\":", b"12345", b"}\n"],
                &[b"{}\n"],
            ),
            ErrorKind::TooLarge,
        ),
        8,
    ),
    case(
        "protobuf: whole messages in one chunk",
        HTTP,
        PB,
        &[&[0x00, 0x02, 0x08, 0x01]],
        &[&[0x00, 0x02, 0x08, 0x01]],
    ),
    case(
        "protobuf: byte by byte, one frame per completed message",
        HTTP,
        PB,
        &[&[0x00], &[0x02], &[0x08], &[0x01], &[0x00]],
        &[&[0x00], &[0x02, 0x08, 0x01], &[0x00]],
    ),
    case(
        "protobuf: a two-byte length prefix cut in the middle",
        HTTP,
        PB,
        &[LONG_HEAD.0, LONG_MIDDLE.0, LONG_MIDDLE.1],
        &[&LONG],
    ),
    fails(
        case(
            "protobuf: a message cut by the end of the stream",
            HTTP,
            PB,
            &[&[0x00, 0x05, 0x01]],
            &[&[0x00]],
        ),
        ErrorKind::Truncated,
    ),
    fails(case("protobuf: an overlong length prefix", HTTP, PB, &[&[0xff; 11]], &[]), ErrorKind::Corrupt),
    capped(
        fails(
            case("protobuf: a declared length over the cap fails at once", HTTP, PB, &[&[0x00, 0x20]], &[]),
            ErrorKind::TooLarge,
        ),
        16,
    ),
    case(
        "sse: events across chunks, comments and the opening CRLF",
        SSE,
        JSON,
        &[
            b"\r\n",
            b"data: {\"id\":1,\"connect\":{}}\n\nda",
            b"ta: {}\n",
            b"\n: comment\n\ndata: {\"push\":{}}\r\n\r\n",
        ],
        &[b"{\"id\":1,\"connect\":{}}", b"{}\n{\"push\":{}}"],
    ),
    case("sse: CRLF split between chunks", SSE, JSON, &[b"data: {}\r", b"\n\r\n"], &[b"{}"]),
    case("sse: multi-line data is newline-joined", SSE, JSON, &[b"data: a\ndata: b\n\n"], &[b"a\nb"]),
    case(
        "sse: the events of one chunk make one frame",
        SSE,
        JSON,
        &[b"data: {\"a\":1}\n\ndata: {\"b\":2}\n\n"],
        &[b"{\"a\":1}\n{\"b\":2}"],
    ),
    case(
        "sse: other fields are ignored, the space after the colon is optional",
        SSE,
        JSON,
        &[b"event: message\nid: 7\nretry: 100\ndata:{}\n\n"],
        &[b"{}"],
    ),
    case("sse: a byte order mark is dropped", SSE, JSON, &[b"\xEF\xBB\xBFdata: {}\n\n"], &[b"{}"]),
    case("sse: events without data are skipped", SSE, JSON, &[b"data\n\n", b"event: x\n\n", b":\n\n"], &[]),
    fails(
        case("sse: the stream ends inside an event", SSE, JSON, &[b"data: {}\n"], &[]),
        ErrorKind::Truncated,
    ),
    capped(
        fails(
            case("sse: a line over the cap", SSE, JSON, &[b"data: {}\n\n", b"data: 0123456789"], &[b"{}"]),
            ErrorKind::TooLarge,
        ),
        8,
    ),
    capped(
        fails(
            case("sse: event data over the cap", SSE, JSON, &[b"data:12345\ndata:67890\n\n"], &[]),
            ErrorKind::TooLarge,
        ),
        10,
    ),
    fails(case("sse carries JSON only", SSE, PB, &[b"\x00"], &[]), ErrorKind::FormatNotCarried),
    fails(
        case("websocket is not an emulation transport", TransportKind::WebSocket, JSON, &[b"{}\n"], &[]),
        ErrorKind::NotEmulation,
    ),
];

/// The stream decoding cases.
pub fn decoding() -> &'static [DecodeCase] {
    DECODING
}
