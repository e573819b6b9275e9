//! [`StreamDecoder`]: the response body of the stream request, cut into frames of whole messages.
//!
//! The body arrives cut anywhere. The decoder keeps what is incomplete and returns, for every chunk, the
//! messages it completed as **one frame** (or nothing), ready for the codec:
//!
//! - `http_stream` JSON: the complete lines, as they are (the codec skips blank lines and `\r`);
//! - `http_stream` Protobuf: the complete varint-delimited messages;
//! - `sse`: the data of every completed event, newline-joined (one JSON reply per event). Lines end with
//!   `\n` or `\r\n`; an event ends at a blank line; its `data:` lines are joined with `\n`; comments
//!   (`:`), other fields (`event`, `id`, `retry`) and events without data are skipped; a leading byte
//!   order mark is dropped.
//!
//! When a chunk starts on a message boundary and holds only whole messages (the common case) the frame
//! is a slice of the chunk, not a copy; the same for an SSE chunk that completes one single-line event.
//!
//! **Size cap**: a message (a JSON line, a Protobuf message as declared by its prefix, an SSE line or the
//! data of one event) over [`StreamDecoder::with_max_message`] bytes is [`EmulationError::TooLarge`],
//! however the body was cut, so the buffer never grows past about that much.
//!
//! **End of stream**: [`StreamDecoder::finish`] is `Ok` when the body ended on a message boundary
//! (trailing whitespace allowed for JSON) and [`EmulationError::Truncated`] otherwise; an incomplete
//! message is never delivered.
//!
//! An error is final: the stream is unusable, and every later call returns the same error.

use bytes::{Bytes, BytesMut};

use super::{EmulationError, check};
use crate::codec::Format;
use crate::codec::protobuf::{read_uvarint, whole_messages_len};
use crate::transport::TransportKind;

/// The default message size cap: 16 MiB.
pub const DEFAULT_MAX_MESSAGE: usize = 16 << 20;

/// Cuts a stream response body into frames. One per stream request; see the module docs.
#[derive(Debug)]
pub struct StreamDecoder {
    mode: Mode,
    max: usize,
    /// The incomplete tail: a partial line (JSON, SSE) or a partial message (Protobuf).
    buffer: BytesMut,
    /// Protobuf: the length the buffer needs before its first message is complete (0: not known yet).
    needed: usize,
    /// SSE: the data lines of the event being read.
    data: Vec<Bytes>,
    /// SSE: their length once joined.
    data_len: usize,
    /// SSE: no line has been read yet (a byte order mark may start the first).
    first_line: bool,
    failed: Option<EmulationError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    JsonLines,
    Protobuf,
    Sse,
}

impl StreamDecoder {
    /// A decoder for the stream of `kind` in `format`, with the [`DEFAULT_MAX_MESSAGE`] cap.
    ///
    /// # Errors
    /// As [`super::check`]: WebSocket, or SSE with Protobuf.
    pub fn new(kind: TransportKind, format: Format) -> Result<Self, EmulationError> {
        check(kind, format)?;
        let mode = match (kind, format) {
            (TransportKind::Sse, _) => Mode::Sse,
            (_, Format::Json) => Mode::JsonLines,
            (_, Format::Protobuf) => Mode::Protobuf,
        };
        Ok(Self {
            mode,
            max: DEFAULT_MAX_MESSAGE,
            buffer: BytesMut::new(),
            needed: 0,
            data: Vec::new(),
            data_len: 0,
            first_line: true,
            failed: None,
        })
    }

    /// The same decoder with a message size cap of `max` bytes.
    pub fn with_max_message(mut self, max: usize) -> Self {
        self.max = max;
        self
    }

    /// Adds the next chunk of the body; returns the messages it completed as one frame, if any.
    ///
    /// # Errors
    /// [`EmulationError::TooLarge`] or [`EmulationError::Corrupt`]; final.
    pub fn push(&mut self, chunk: Bytes) -> Result<Option<Bytes>, EmulationError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        if chunk.is_empty() {
            return Ok(None);
        }
        let result = match self.mode {
            Mode::JsonLines => self.push_lines(chunk),
            Mode::Protobuf => self.push_protobuf(chunk),
            Mode::Sse => self.push_sse(chunk),
        };
        if let Err(err) = &result {
            self.failed = Some(err.clone());
        }
        result
    }

    /// The body ended: `Ok` when nothing incomplete is left.
    ///
    /// # Errors
    /// [`EmulationError::Truncated`], or the error that already broke the stream.
    pub fn finish(&mut self) -> Result<(), EmulationError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        let left = match self.mode {
            Mode::JsonLines | Mode::Sse if self.buffer.iter().all(u8::is_ascii_whitespace) => 0,
            _ => self.buffer.len(),
        } + self.data_len
            + self.data.len();
        self.buffer.clear();
        self.data.clear();
        self.data_len = 0;
        if left == 0 {
            return Ok(());
        }
        let err = EmulationError::Truncated { bytes: left };
        self.failed = Some(err.clone());
        Err(err)
    }

    fn too_large(&self) -> EmulationError {
        EmulationError::TooLarge { limit: self.max }
    }

    // ---- http_stream, JSON ----------------------------------------------------------------------

    fn push_lines(&mut self, chunk: Bytes) -> Result<Option<Bytes>, EmulationError> {
        let Some(last) = chunk.iter().rposition(|&b| b == b'\n') else {
            if self.buffer.len() + chunk.len() > self.max {
                return Err(self.too_large());
            }
            self.buffer.extend_from_slice(&chunk);
            return Ok(None);
        };
        // Every line the chunk completes must fit: the first one includes the buffered part.
        let mut start = 0;
        let mut carried = self.buffer.len();
        for (i, &byte) in chunk[..=last].iter().enumerate() {
            if byte == b'\n' {
                if carried + (i - start) > self.max {
                    return Err(self.too_large());
                }
                carried = 0;
                start = i + 1;
            }
        }
        if chunk.len() - (last + 1) > self.max {
            return Err(self.too_large());
        }
        let frame = if self.buffer.is_empty() {
            chunk.slice(..=last)
        } else {
            self.buffer.extend_from_slice(&chunk[..=last]);
            self.buffer.split().freeze()
        };
        self.buffer.extend_from_slice(&chunk[last + 1..]);
        Ok(Some(frame))
    }

    // ---- http_stream, Protobuf ------------------------------------------------------------------

    fn push_protobuf(&mut self, chunk: Bytes) -> Result<Option<Bytes>, EmulationError> {
        if self.buffer.is_empty() {
            let (whole, needed) = self.scan_protobuf(&chunk)?;
            self.needed = needed;
            self.buffer.extend_from_slice(&chunk[whole..]);
            return Ok((whole > 0).then(|| chunk.slice(..whole)));
        }
        self.buffer.extend_from_slice(&chunk);
        if self.needed > self.buffer.len() {
            return Ok(None);
        }
        let (whole, needed) = self.scan_protobuf(&self.buffer)?;
        self.needed = needed;
        Ok((whole > 0).then(|| self.buffer.split_to(whole).freeze()))
    }

    /// The length of the whole messages at the start of `buf`, and how long the buffer must be for the
    /// next one to be complete (0 while its prefix is incomplete).
    fn scan_protobuf(&self, buf: &[u8]) -> Result<(usize, usize), EmulationError> {
        let mut pos = 0;
        while pos < buf.len() {
            let rest = &buf[pos..];
            let Some((len, prefix)) = read_uvarint(rest) else {
                // Either a prefix cut by the end of the chunk, or a corrupt one: the codec tells.
                whole_messages_len(rest).map_err(|err| EmulationError::Corrupt(err.to_string()))?;
                return Ok((pos, 0));
            };
            let len =
                usize::try_from(len).ok().filter(|&len| len <= self.max).ok_or_else(|| self.too_large())?;
            let needed = prefix + len;
            if needed > rest.len() {
                return Ok((pos, needed));
            }
            pos += needed;
        }
        Ok((pos, 0))
    }

    // ---- sse --------------------------------------------------------------------------------------

    fn push_sse(&mut self, chunk: Bytes) -> Result<Option<Bytes>, EmulationError> {
        let mut events: Vec<Bytes> = Vec::new();
        let mut pos = 0;
        while let Some(offset) = chunk[pos..].iter().position(|&b| b == b'\n') {
            let end = pos + offset;
            if self.buffer.len() + offset > self.max {
                return Err(self.too_large());
            }
            let line = if self.buffer.is_empty() {
                chunk.slice(pos..end)
            } else {
                self.buffer.extend_from_slice(&chunk[pos..end]);
                self.buffer.split().freeze()
            };
            self.sse_line(line, &mut events)?;
            pos = end + 1;
        }
        if self.buffer.len() + (chunk.len() - pos) > self.max {
            return Err(self.too_large());
        }
        self.buffer.extend_from_slice(&chunk[pos..]);
        Ok(join(events))
    }

    /// One line, without its `\n`.
    fn sse_line(&mut self, mut line: Bytes, events: &mut Vec<Bytes>) -> Result<(), EmulationError> {
        if line.last() == Some(&b'\r') {
            line.truncate(line.len() - 1);
        }
        if std::mem::take(&mut self.first_line) && line.starts_with(b"\xEF\xBB\xBF") {
            line = line.slice(3..);
        }
        if line.is_empty() {
            // The end of an event.
            let data = std::mem::take(&mut self.data);
            if std::mem::take(&mut self.data_len) > 0 {
                events.extend(join(data));
            }
            return Ok(());
        }
        if line[0] == b':' {
            return Ok(()); // A comment (keep-alive).
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = if line.get(colon + 1) == Some(&b' ') { colon + 2 } else { colon + 1 };
                (&line[..colon], line.slice(value..))
            }
            None => (&line[..], Bytes::new()),
        };
        if field != b"data" {
            return Ok(()); // event, id, retry: the client runs its own reconnects.
        }
        let separator = usize::from(!self.data.is_empty());
        self.data_len += separator + value.len();
        if self.data_len > self.max {
            return Err(self.too_large());
        }
        self.data.push(value);
        Ok(())
    }
}

/// `parts` joined with `\n`; the only part itself when there is one (no copy).
fn join(mut parts: Vec<Bytes>) -> Option<Bytes> {
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => {
            let len = parts.iter().map(Bytes::len).sum::<usize>() + parts.len() - 1;
            let mut joined = BytesMut::with_capacity(len);
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    joined.extend_from_slice(b"\n");
                }
                joined.extend_from_slice(part);
            }
            Some(joined.freeze())
        }
    }
}
