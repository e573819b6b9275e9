//! The native SSE transport (`/connection/sse`, PROTOCOL.md 8.2). JSON only.
//!
//! The `connect` command is POSTed to the SSE endpoint as `application/json` (the server also takes it
//! as a `cf_connect` query parameter, as browsers must send it, but a body keeps the token out of URLs
//! and logs). The response is an event stream (`text/event-stream`): an opening `\r\n`, then one
//! `data: <reply JSON>` event per reply. The stream is parsed with `eventsource-stream`; each event's
//! data becomes one frame. The client runs its own reconnect logic: the stream is never resumed with
//! `Last-Event-ID`.
//!
//! Commands after the connect reply go to the emulation endpoint as ordered POSTs, one at a time.

use bytes::Bytes;
use eventsource_stream::Eventsource;
use futures::StreamExt;

use crate::maybe_send::BoxFuture;
use crate::tls::TlsConfig;
use crate::transport::emulation::{self, ChunkStream, FrameStream, HttpSettings, StreamKind};
use crate::transport::proxy::ProxyConfig;
use crate::transport::{Connection, OpenRequest, Transport, TransportError, TransportKind};

/// The native SSE transport (JSON only), over `http://` or `https://`.
///
/// Cheap to clone and to share between connection attempts.
#[derive(Debug, Clone)]
pub struct SseTransport {
    settings: HttpSettings,
}

impl SseTransport {
    /// A transport that verifies `https://` servers against `tls` and goes through `proxy`, if any.
    pub fn new(tls: &TlsConfig, proxy: Option<ProxyConfig>) -> Self {
        Self { settings: HttpSettings { tls: tls.client_config(), proxy } }
    }
}

impl Transport for SseTransport {
    fn kind(&self) -> TransportKind {
        TransportKind::Sse
    }

    fn open(&self, request: OpenRequest) -> BoxFuture<'static, Result<Connection, TransportError>> {
        Box::pin(emulation::open(StreamKind::Sse, self.settings.clone(), request))
    }
}

/// One frame per event with data; comments, keep-alive blank lines and data-less events are skipped.
pub(crate) fn frames(chunks: ChunkStream) -> FrameStream {
    chunks
        .eventsource()
        .filter_map(|event| {
            futures::future::ready(match event {
                Ok(event) if event.data.is_empty() => None,
                Ok(event) => Some(Ok(Bytes::from(event.data))),
                Err(err) => Some(Err(format!("bad event stream: {err}"))),
            })
        })
        .boxed()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn collect(chunks: Vec<&'static str>) -> Vec<Result<Bytes, String>> {
        let chunks: Vec<Result<Bytes, String>> =
            chunks.into_iter().map(|c| Ok(Bytes::from_static(c.as_bytes()))).collect();
        futures::executor::block_on(frames(futures::stream::iter(chunks).boxed()).collect::<Vec<_>>())
    }

    #[test]
    fn events_become_frames() {
        let got = collect(vec![
            "\r\n",
            "data: {\"id\":1,\"connect\":{}}\n\nda",
            "ta: {}\n",
            "\n: comment\n\ndata: {\"push\":{}}\r\n\r\n",
        ]);
        let got: Vec<Bytes> = got.into_iter().map(Result::unwrap).collect();
        assert_eq!(
            got,
            vec![
                Bytes::from_static(b"{\"id\":1,\"connect\":{}}"),
                Bytes::from_static(b"{}"),
                Bytes::from_static(b"{\"push\":{}}"),
            ]
        );
    }

    #[test]
    fn a_broken_body_is_reported() {
        let chunks: Vec<Result<Bytes, String>> =
            vec![Ok(Bytes::from_static(b"data: {}\n\n")), Err("reset".to_owned())];
        let got =
            futures::executor::block_on(frames(futures::stream::iter(chunks).boxed()).collect::<Vec<_>>());
        assert_eq!(got.len(), 2);
        assert!(matches!(&got[1], Err(e) if e.contains("reset")), "{got:?}");
    }
}
