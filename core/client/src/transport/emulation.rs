//! The native shell of the two bidirectional emulation transports (HTTP-streaming and SSE, PROTOCOL.md
//! section 8): it moves bytes; every protocol rule is `ceaseless_proto::emulation`'s.
//!
//! One emulation connection is two HTTP/1.1 connections ([`http`]):
//! - the **stream connection** is opened by [`open`] (so connection failures are reported as typed
//!   [`TransportError`]s). The first [`Outgoing::Frame`], the `connect` command, becomes the body of the
//!   [`StreamRequest`] (`POST /connection/http_stream` or `POST /connection/sse`); its response body is
//!   read by the **reader task** and cut into [`Incoming::Frame`]s by a [`StreamDecoder`]. A status
//!   other than 200, a read error, a decoding error or the end of the body ends the connection with
//!   [`Incoming::Closed`].
//! - the **POST connection** carries everything after the connect reply: the **writer** ([`post`])
//!   queues frames in a `PostQueue` and sends the POSTs it releases, one at a time and in order, once
//!   [`Outgoing::Session`] has handed over the `session` and `node` of the connect reply.
//!
//! [`Outgoing::Close`] (or dropping the sender) aborts the stream request, which is how the server learns
//! that the client left. The incoming stream always ends with exactly one [`Incoming::Closed`], with
//! `code: None`: server disconnect codes arrive in band, as `disconnect` pushes.
//!
//! Through an HTTP proxy ([`ProxyConfig`](crate::transport::ProxyConfig)), `https://` endpoints are
//! reached through a `CONNECT` tunnel and `http://` ones by sending requests to the proxy in absolute
//! form.

mod http;
mod post;

use bytes::Bytes;
use ceaseless_proto::emulation::{EmulationError, StreamDecoder, StreamRequest, check};
use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender};
use http_body_util::BodyDataStream;
use hyper::StatusCode;

pub(crate) use self::http::HttpSettings;
use self::http::{AbortOnDrop, HttpConnection, error_body};
use crate::maybe_send::BoxStream;
use crate::transport::websocket::SafeUrl;
use crate::transport::{
    CloseInfo, Connection, FrameFormat, Incoming, OpenRequest, Outgoing, TransportError, TransportErrorKind,
    TransportKind,
};

/// A stream of decoded frames, or the reason the stream broke.
pub(crate) type FrameStream = BoxStream<'static, Result<Bytes, ReadError>>;

/// Why reading a stream body stopped early.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ReadError {
    /// Reading the body failed (network).
    #[error("{0}")]
    Body(String),
    /// The body broke the emulation protocol.
    #[error("{0}")]
    Protocol(#[from] EmulationError),
}
/// The data chunks of a response body, or the reason reading failed.
pub(crate) type ChunkStream = BoxStream<'static, Result<Bytes, String>>;

/// Opens an emulation connection of `kind`: connects the stream connection and starts the connection
/// task, which sends the stream request with the first frame.
pub(crate) async fn open(
    kind: TransportKind,
    settings: HttpSettings,
    request: OpenRequest,
) -> Result<Connection, TransportError> {
    let OpenRequest { url, format, emulation_url } = request;
    let other = |message: String| TransportError { kind: TransportErrorKind::Other, message };
    let runtime = tokio::runtime::Handle::try_current()
        .map_err(|_| other(format!("the {kind} transport must run inside a tokio runtime")))?;
    check(kind, format).map_err(|err| other(err.to_string()))?;
    let Some(emulation_url) = emulation_url else {
        return Err(other(format!("the {kind} transport needs an emulation endpoint URL")));
    };
    let target = SafeUrl::new(&url);
    tracing::debug!(url = %target, ?format, proxy = settings.proxy.is_some(), "opening {kind}");
    let stream = HttpConnection::connect(&settings, &url).await?;
    tracing::debug!(url = %target, "{kind} connection open");

    let (outgoing, queue) = futures::channel::mpsc::unbounded();
    let (incoming_tx, incoming_rx) = futures::channel::mpsc::unbounded();
    let task = ConnectionTask { kind, settings, url, emulation_url, format, runtime: runtime.clone() };
    runtime.spawn(task.run(stream, queue, incoming_tx));
    Ok(Connection { outgoing, incoming: closed_once(incoming_rx) })
}

/// Ends the stream after the first [`Incoming::Closed`], and adds one if the senders go away without it.
fn closed_once(rx: UnboundedReceiver<Incoming>) -> BoxStream<'static, Incoming> {
    futures::stream::unfold(Some(rx), |state| async move {
        let mut rx = state?;
        match rx.next().await {
            Some(Incoming::Frame(frame)) => Some((Incoming::Frame(frame), Some(rx))),
            Some(closed @ Incoming::Closed(_)) => Some((closed, None)),
            None => Some((Incoming::Closed(closed("the connection ended")), None)),
        }
    })
    .boxed()
}

fn closed(reason: impl Into<String>) -> CloseInfo {
    CloseInfo { code: None, reason: reason.into() }
}

/// Everything the connection task needs besides its channels.
struct ConnectionTask {
    kind: TransportKind,
    settings: HttpSettings,
    url: url::Url,
    emulation_url: url::Url,
    format: FrameFormat,
    runtime: tokio::runtime::Handle,
}

impl ConnectionTask {
    /// Waits for the connect frame, starts the reader with it, then runs the writer until the
    /// connection ends.
    async fn run(
        self,
        stream: HttpConnection,
        mut queue: UnboundedReceiver<Outgoing>,
        incoming: UnboundedSender<Incoming>,
    ) {
        let connect = loop {
            match queue.next().await {
                Some(Outgoing::Frame(frame)) => break frame,
                Some(Outgoing::Session { .. }) => {}
                Some(Outgoing::Close { .. }) | None => {
                    let _ = incoming.unbounded_send(Incoming::Closed(closed("closed by the client")));
                    return;
                }
            }
        };
        let request = match StreamRequest::new(self.kind, self.format, connect) {
            Ok(request) => request,
            Err(err) => {
                let _ = incoming.unbounded_send(Incoming::Closed(closed(err.to_string())));
                return;
            }
        };
        let reader = self.runtime.spawn(read_stream(
            self.kind,
            self.format,
            stream,
            self.url.clone(),
            request,
            incoming.clone(),
        ));
        let reader = AbortOnDrop(reader);
        let writer = post::Writer::new(self.settings.clone(), self.emulation_url.clone(), self.format);
        let outcome = writer.run(&mut queue).await;
        drop(reader);
        let info = match outcome {
            Ok(()) => closed("closed by the client"),
            Err(info) => {
                tracing::debug!(reason = %info.reason, "{} emulation writer failed", self.kind);
                info
            }
        };
        let _ = incoming.unbounded_send(Incoming::Closed(info));
    }
}

/// The reader task: sends the stream request and forwards its frames; always ends with one `Closed`.
async fn read_stream(
    kind: TransportKind,
    format: FrameFormat,
    mut connection: HttpConnection,
    url: url::Url,
    request: StreamRequest,
    incoming: UnboundedSender<Incoming>,
) {
    let target = SafeUrl::new(&url);
    let info = match read_frames(kind, format, &mut connection, &url, request, &incoming).await {
        Ok(()) => closed(format!("the server ended the {kind} stream")),
        Err(reason) => closed(target.scrub(reason)),
    };
    tracing::debug!(url = %target, reason = %info.reason, "{kind} stream ended");
    let _ = incoming.unbounded_send(Incoming::Closed(info));
}

async fn read_frames(
    kind: TransportKind,
    format: FrameFormat,
    connection: &mut HttpConnection,
    url: &url::Url,
    request: StreamRequest,
    incoming: &UnboundedSender<Incoming>,
) -> Result<(), String> {
    let target = SafeUrl::new(url);
    let decoder = StreamDecoder::new(kind, format).map_err(|err| err.to_string())?;
    let request = connection.post_request(url, request.content_type, request.accept, request.body)?;
    let response = connection
        .send(request)
        .await
        .map_err(|err| format!("the {kind} request to {target} failed: {err}"))?;
    let status = response.status();
    if status != StatusCode::OK {
        let body = error_body(response).await;
        return Err(format!("the {kind} request to {target} was answered with HTTP {status}{body}"));
    }
    let chunks = BodyDataStream::new(response.into_body())
        .map(move |chunk| chunk.map_err(|err| format!("reading the {kind} stream failed: {err}")))
        .boxed();
    let mut frames = frames(chunks, decoder);
    while let Some(frame) = frames.next().await {
        let frame = frame.map_err(|err| err.to_string())?;
        if incoming.unbounded_send(Incoming::Frame(frame)).is_err() {
            // Nobody listens any more.
            return Ok(());
        }
    }
    Ok(())
}

/// Cuts a response body into frames with `decoder`; ends with the decoder's error, if any, when the
/// body breaks the protocol or ends inside a message.
pub(crate) fn frames(chunks: ChunkStream, decoder: StreamDecoder) -> FrameStream {
    futures::stream::unfold(Some((chunks, decoder)), |state| async move {
        let (mut chunks, mut decoder) = state?;
        loop {
            match chunks.next().await {
                Some(Ok(chunk)) => match decoder.push(chunk) {
                    Ok(Some(frame)) => return Some((Ok(frame), Some((chunks, decoder)))),
                    Ok(None) => {}
                    Err(err) => return Some((Err(err.into()), None)),
                },
                Some(Err(err)) => return Some((Err(ReadError::Body(err)), None)),
                None => return decoder.finish().err().map(|err| (Err(err.into()), None)),
            }
        }
    })
    .boxed()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ceaseless_proto::emulation::cases;

    /// The shared case table, through the reader the native transports use.
    #[test]
    fn the_emulation_cases_hold_through_the_native_reader() {
        for case in cases::decoding() {
            let (frames, error) = match case.decoder() {
                Ok(decoder) => {
                    let chunks: Vec<Result<Bytes, String>> =
                        case.chunks.iter().map(|c| Ok(Bytes::from_static(c))).collect();
                    let stream = frames(futures::stream::iter(chunks).boxed(), decoder);
                    let mut frames = Vec::new();
                    let mut error = None;
                    for item in futures::executor::block_on(stream.collect::<Vec<_>>()) {
                        match item {
                            Ok(frame) => frames.push(frame),
                            Err(ReadError::Protocol(err)) => error = Some(err),
                            Err(ReadError::Body(reason)) => panic!("{}: {reason}", case.name),
                        }
                    }
                    (frames, error)
                }
                Err(err) => (Vec::new(), Some(err)),
            };
            case.check(&frames, error.as_ref()).unwrap();
        }
    }

    #[test]
    fn a_broken_body_is_reported() {
        let chunks: Vec<Result<Bytes, String>> =
            vec![Ok(Bytes::from_static(b"data: {}\n\n")), Err("reset".to_owned())];
        let decoder = StreamDecoder::new(TransportKind::Sse, FrameFormat::Json).unwrap();
        let got = futures::executor::block_on(
            frames(futures::stream::iter(chunks).boxed(), decoder).collect::<Vec<_>>(),
        );
        assert_eq!(got, vec![Ok(Bytes::from_static(b"{}")), Err(ReadError::Body("reset".to_owned()))]);
    }

    #[tokio::test]
    async fn the_incoming_side_ends_after_one_closed() {
        let (tx, rx) = futures::channel::mpsc::unbounded();
        let mut stream = closed_once(rx);
        tx.unbounded_send(Incoming::Frame(Bytes::from_static(b"x"))).unwrap();
        tx.unbounded_send(Incoming::Closed(closed("first"))).unwrap();
        let _ = tx.unbounded_send(Incoming::Closed(closed("second")));
        assert!(matches!(stream.next().await, Some(Incoming::Frame(_))));
        assert!(matches!(stream.next().await, Some(Incoming::Closed(info)) if info.reason == "first"));
        assert!(stream.next().await.is_none());

        let (tx, rx) = futures::channel::mpsc::unbounded::<Incoming>();
        drop(tx);
        let mut stream = closed_once(rx);
        assert!(matches!(stream.next().await, Some(Incoming::Closed(_))));
        assert!(stream.next().await.is_none());
    }
}
