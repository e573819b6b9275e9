//! The native HTTP-streaming transport (`/connection/http_stream`, PROTOCOL.md 8.1).
//!
//! The `connect` command is POSTed to the stream endpoint (`application/json`, or
//! `application/octet-stream` for Protobuf) and the response body stays open: the server writes every
//! reply as it happens, JSON replies each followed by `\n`, Protobuf replies varint-delimited. The body
//! arrives cut anywhere, so the reader buffers what is incomplete and hands the codec only whole
//! messages: one frame per batch of complete lines (JSON) or complete messages (Protobuf). A chunk that
//! already ends on a message boundary becomes a frame without being copied.
//!
//! Commands after the connect reply go to the emulation endpoint as ordered POSTs, one at a time.

use bytes::{Bytes, BytesMut};
use futures::StreamExt;

use crate::maybe_send::BoxFuture;
use crate::tls::TlsConfig;
use crate::transport::emulation::{self, ChunkStream, FrameStream, HttpSettings, StreamKind};
use crate::transport::proxy::ProxyConfig;
use crate::transport::{Connection, FrameFormat, OpenRequest, Transport, TransportError, TransportKind};

/// The largest incomplete message the stream may buffer.
const MAX_BUFFERED: usize = 16 << 20;

/// The native HTTP-streaming transport: JSON or Protobuf, over `http://` or `https://`.
///
/// Cheap to clone and to share between connection attempts.
#[derive(Debug, Clone)]
pub struct HttpStreamTransport {
    settings: HttpSettings,
}

impl HttpStreamTransport {
    /// A transport that verifies `https://` servers against `tls` and goes through `proxy`, if any.
    pub fn new(tls: &TlsConfig, proxy: Option<ProxyConfig>) -> Self {
        Self { settings: HttpSettings { tls: tls.client_config(), proxy } }
    }
}

impl Transport for HttpStreamTransport {
    fn kind(&self) -> TransportKind {
        TransportKind::HttpStream
    }

    fn open(&self, request: OpenRequest) -> BoxFuture<'static, Result<Connection, TransportError>> {
        Box::pin(emulation::open(StreamKind::HttpStream, self.settings.clone(), request))
    }
}

/// Cuts the response body into frames of whole messages.
pub(crate) fn frames(chunks: ChunkStream, format: FrameFormat) -> FrameStream {
    futures::stream::unfold(Some((chunks, Splitter::new(format))), |state| async move {
        let (mut chunks, mut splitter) = state?;
        loop {
            match chunks.next().await {
                Some(Ok(chunk)) => match splitter.push(chunk) {
                    Ok(Some(frame)) => return Some((Ok(frame), Some((chunks, splitter)))),
                    Ok(None) => {}
                    Err(err) => return Some((Err(err), None)),
                },
                Some(Err(err)) => return Some((Err(err), None)),
                None => {
                    return splitter.finish().map(|frame| (Ok(frame), None));
                }
            }
        }
    })
    .boxed()
}

/// Buffers stream bytes until they hold whole messages.
#[derive(Debug)]
struct Splitter {
    format: FrameFormat,
    buffer: BytesMut,
}

impl Splitter {
    fn new(format: FrameFormat) -> Self {
        Self { format, buffer: BytesMut::new() }
    }

    /// Adds a chunk; returns the whole messages now available, if any, as one frame.
    fn push(&mut self, chunk: Bytes) -> Result<Option<Bytes>, String> {
        if chunk.is_empty() {
            return Ok(None);
        }
        if self.buffer.is_empty() {
            // The common case: the chunk is exactly a batch of whole messages.
            let whole = self.whole_len(&chunk)?;
            if whole == chunk.len() {
                return Ok(Some(chunk));
            }
            self.buffer.extend_from_slice(&chunk[whole..]);
            return Ok((whole > 0).then(|| chunk.slice(..whole)));
        }
        self.buffer.extend_from_slice(&chunk);
        let whole = self.whole_len(&self.buffer)?;
        if whole == 0 {
            if self.buffer.len() > MAX_BUFFERED {
                return Err(format!("the stream sent a message over {MAX_BUFFERED} bytes"));
            }
            return Ok(None);
        }
        Ok(Some(self.buffer.split_to(whole).freeze()))
    }

    /// The length of the longest prefix of whole messages in `bytes`.
    fn whole_len(&self, bytes: &[u8]) -> Result<usize, String> {
        match self.format {
            FrameFormat::Json => Ok(bytes.iter().rposition(|&b| b == b'\n').map_or(0, |last| last + 1)),
            FrameFormat::Protobuf => ceaseless_proto::codec::protobuf::whole_messages_len(bytes)
                .map_err(|err| format!("corrupt Protobuf stream: {err}")),
        }
    }

    /// What is left when the stream ends: a last JSON line without its `\n` is still a message; an
    /// incomplete Protobuf message is dropped.
    fn finish(&mut self) -> Option<Bytes> {
        let rest = std::mem::take(&mut self.buffer);
        if rest.is_empty() {
            return None;
        }
        match self.format {
            FrameFormat::Json if !rest.iter().all(u8::is_ascii_whitespace) => Some(rest.freeze()),
            _ => {
                tracing::debug!(bytes = rest.len(), "the stream ended inside a message");
                None
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ceaseless_proto::codec::{Codec, ProtobufCodec};
    use ceaseless_proto::wire::{Command, CommandBody};

    fn collect(format: FrameFormat, chunks: Vec<&[u8]>) -> Vec<Bytes> {
        let chunks: Vec<Result<Bytes, String>> =
            chunks.into_iter().map(|c| Ok(Bytes::copy_from_slice(c))).collect();
        let stream = frames(futures::stream::iter(chunks).boxed(), format);
        futures::executor::block_on(stream.collect::<Vec<_>>()).into_iter().map(Result::unwrap).collect()
    }

    #[test]
    fn json_lines_are_reassembled() {
        let got = collect(
            FrameFormat::Json,
            vec![b"{\"a\":1}\n{\"b\"", b":2}\n", b"{\"c\":3}\n{}\n", b"{\"d\":4}"],
        );
        assert_eq!(
            got,
            vec![
                Bytes::from_static(b"{\"a\":1}\n"),
                Bytes::from_static(b"{\"b\":2}\n"),
                Bytes::from_static(b"{\"c\":3}\n{}\n"),
                Bytes::from_static(b"{\"d\":4}"),
            ]
        );
    }

    #[test]
    fn a_chunk_of_whole_lines_is_not_copied() {
        let chunk = Bytes::from_static(b"{\"a\":1}\n");
        let mut splitter = Splitter::new(FrameFormat::Json);
        let frame = splitter.push(chunk.clone()).unwrap().unwrap();
        assert_eq!(frame.as_ptr(), chunk.as_ptr());
    }

    #[test]
    fn protobuf_messages_are_reassembled_byte_by_byte() {
        let mut wire = Vec::new();
        let commands = [
            Command { id: 1, body: CommandBody::Pong },
            Command { id: 0, body: CommandBody::Pong },
            Command { id: 300, body: CommandBody::Pong },
        ];
        ProtobufCodec.encode(&commands, &mut wire).unwrap();
        let chunks: Vec<&[u8]> = wire.chunks(1).collect();
        let got = collect(FrameFormat::Protobuf, chunks);
        let joined: Vec<u8> = got.iter().flat_map(|f| f.iter().copied()).collect();
        assert_eq!(joined, wire);
        assert_eq!(got.len(), 3, "one frame per completed message: {got:?}");
    }

    #[test]
    fn a_truncated_protobuf_message_is_dropped_at_the_end() {
        let got = collect(FrameFormat::Protobuf, vec![&[0x00, 0x05, 0x01]]);
        assert_eq!(got, vec![Bytes::from_static(&[0x00])]);
    }

    #[test]
    fn a_corrupt_protobuf_prefix_breaks_the_stream() {
        let chunks: Vec<Result<Bytes, String>> = vec![Ok(Bytes::from_static(&[0xff; 11]))];
        let stream = frames(futures::stream::iter(chunks).boxed(), FrameFormat::Protobuf);
        let got = futures::executor::block_on(stream.collect::<Vec<_>>());
        assert!(matches!(got.as_slice(), [Err(_)]), "{got:?}");
    }
}
