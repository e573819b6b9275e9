//! [`EmulationTransport`]: HTTP-streaming and SSE over `fetch`, for networks that block WebSocket
//! (PROTOCOL.md section 8). A thin shell: every protocol rule is `ceaseless::proto::emulation`'s, the
//! same the native transports follow.
//!
//! The connection carries nothing until the driver's first frame, the `connect` command: it becomes the
//! body of the [`StreamRequest`], a `POST` to `/connection/http_stream` or `/connection/sse` (the SSE
//! connect travels in the body too, never in the URL). The response body is read as a stream and every
//! chunk is pushed into a [`StreamDecoder`] ([`read_body`]); the frames that come out go to the driver.
//! Once the core hands over the connect reply's `session` and `node` ([`Outgoing::Session`]), later
//! frames go through a [`PostQueue`]: one POST to the emulation endpoint at a time, in order (pongs
//! included), frames merged while one is in flight.
//!
//! JSON bodies are `text/plain`, so the browser sends them as simple CORS requests without a preflight
//! (the server reads them as JSON); Protobuf (HTTP-streaming only) is `application/octet-stream`, for
//! which the browser asks the server first (Centrifugo answers the preflight on both endpoints).
//!
//! The incoming side ends with exactly one [`Incoming::Closed`].

use bytes::Bytes;
use ceaseless::maybe_send::BoxFuture;
use ceaseless::proto::emulation::{EmulationError, Post, PostQueue, StreamDecoder, StreamRequest, check};
use ceaseless::transport::{
    CloseInfo, Connection, FrameFormat, Incoming, OpenRequest, Outgoing, Transport, TransportError,
    TransportErrorKind, TransportKind,
};
use futures::StreamExt;
use futures::channel::mpsc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, ReadableStreamDefaultReader, RequestInit, Response};

use crate::js;

/// An emulation transport (`http_stream` or `sse`).
///
/// By default it opens the URLs the core derives from the client's endpoint (`OpenRequest::url` and
/// `OpenRequest::emulation_url`); an app-given `{transport, endpoint}` entry overrides them.
#[derive(Debug, Clone)]
pub struct EmulationTransport {
    kind: TransportKind,
    stream_url: Option<String>,
    emulation_url: Option<String>,
}

impl EmulationTransport {
    /// A transport of `kind`; `stream_url` and `emulation_url` override the core's URLs when given.
    pub fn new(kind: TransportKind, stream_url: Option<String>, emulation_url: Option<String>) -> Self {
        Self { kind, stream_url, emulation_url }
    }
}

impl Transport for EmulationTransport {
    fn kind(&self) -> TransportKind {
        self.kind
    }

    fn open(&self, request: OpenRequest) -> BoxFuture<'static, Result<Connection, TransportError>> {
        let failed = |message: String| -> BoxFuture<'static, Result<Connection, TransportError>> {
            Box::pin(async move { Err(TransportError { kind: TransportErrorKind::Other, message }) })
        };
        if let Err(err) = check(self.kind, request.format) {
            return failed(err.to_string());
        }
        let stream_url = self.stream_url.clone().unwrap_or_else(|| request.url.to_string());
        let emulation_url = self.emulation_url.clone().or_else(|| request.emulation_url.map(String::from));
        let Some(emulation_url) = emulation_url else {
            return failed(format!("the {} transport needs an emulation endpoint", self.kind));
        };
        let (outgoing_tx, outgoing_rx) = mpsc::unbounded();
        let (incoming_tx, incoming_rx) = mpsc::unbounded();
        let session = Session {
            kind: self.kind,
            format: request.format,
            stream_url,
            emulation_url,
            incoming: incoming_tx,
        };
        wasm_bindgen_futures::spawn_local(session.run(outgoing_rx));
        Box::pin(async move { Ok(Connection { outgoing: outgoing_tx, incoming: closed_once(incoming_rx) }) })
    }
}

/// Ends the stream after the first [`Incoming::Closed`], and adds one if the senders go away without it.
fn closed_once(rx: mpsc::UnboundedReceiver<Incoming>) -> futures::stream::LocalBoxStream<'static, Incoming> {
    futures::stream::unfold(Some(rx), |state| async move {
        let mut rx = state?;
        match rx.next().await {
            Some(Incoming::Frame(frame)) => Some((Incoming::Frame(frame), Some(rx))),
            Some(closed @ Incoming::Closed(_)) => Some((closed, None)),
            None => Some((closed("the connection ended".to_owned()), None)),
        }
    })
    .boxed_local()
}

fn closed(reason: String) -> Incoming {
    Incoming::Closed(CloseInfo { code: None, reason })
}

/// One connection: where it goes and where its frames are reported.
struct Session {
    kind: TransportKind,
    format: FrameFormat,
    stream_url: String,
    emulation_url: String,
    incoming: mpsc::UnboundedSender<Incoming>,
}

/// What the writer loop waits for.
enum Wake {
    Outgoing(Option<Outgoing>),
    Posted(Result<(), String>),
}

impl Session {
    /// The connection's life: start the stream with the connect frame, then POST the rest in order.
    async fn run(self, outgoing: mpsc::UnboundedReceiver<Outgoing>) {
        let mut outgoing = outgoing.map(Some).chain(futures::stream::once(futures::future::ready(None)));
        let connect = loop {
            match outgoing.next().await.flatten() {
                Some(Outgoing::Frame(frame)) => break frame,
                Some(Outgoing::Session { .. }) => {}
                Some(Outgoing::Close { .. }) | None => {
                    let _ = self.incoming.unbounded_send(closed("closed by the client".to_owned()));
                    return;
                }
            }
        };
        let Ok(abort) = AbortController::new() else {
            let _ = self.incoming.unbounded_send(closed("AbortController unavailable".to_owned()));
            return;
        };
        let started = match (
            StreamRequest::new(self.kind, self.format, connect),
            StreamDecoder::new(self.kind, self.format),
        ) {
            (Ok(request), Ok(decoder)) => start_stream(&self.stream_url, &request, &abort.signal())
                .await
                .map(|reader| (reader, decoder)),
            (Err(err), _) | (_, Err(err)) => Err(err.to_string()),
        };
        let (reader, decoder) = match started {
            Ok(started) => started,
            Err(reason) => {
                let _ = self.incoming.unbounded_send(closed(reason));
                return;
            }
        };
        let frames = self.incoming.clone();
        let kind = self.kind;
        wasm_bindgen_futures::spawn_local(async move {
            let sink = frames.clone();
            let reason =
                match read_body(reader, decoder, |frame| sink.unbounded_send(Incoming::Frame(frame)).is_ok())
                    .await
                {
                    Ok(()) => format!("the server ended the {kind} stream"),
                    Err(err) => err.to_string(),
                };
            let _ = frames.unbounded_send(closed(reason));
        });

        let reason = self.write(outgoing.boxed_local(), &abort.signal()).await;
        abort.abort();
        let _ = self.incoming.unbounded_send(closed(reason));
    }

    /// The writer: frames into the [`PostQueue`], its POSTs out one at a time. Returns why it stopped.
    async fn write(
        &self,
        outgoing: futures::stream::LocalBoxStream<'static, Option<Outgoing>>,
        signal: &AbortSignal,
    ) -> String {
        let (posted_tx, posted_rx) = mpsc::unbounded();
        let mut wakes = futures::stream::select(outgoing.map(Wake::Outgoing), posted_rx.map(Wake::Posted));
        let mut queue = PostQueue::new(self.format);
        while let Some(wake) = wakes.next().await {
            match wake {
                Wake::Outgoing(Some(Outgoing::Frame(frame))) => queue.push(frame),
                Wake::Outgoing(Some(Outgoing::Session { session, node })) => queue.set_session(session, node),
                Wake::Outgoing(Some(Outgoing::Close { .. }) | None) => {
                    return "closed by the client".to_owned();
                }
                Wake::Posted(Ok(())) => queue.post_done(),
                Wake::Posted(Err(reason)) => return reason,
            }
            match queue.next_post() {
                Ok(Some(post)) => {
                    let (url, signal, done) = (self.emulation_url.clone(), signal.clone(), posted_tx.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = done.unbounded_send(send_post(&url, post, &signal).await);
                    });
                }
                Ok(None) => {}
                Err(err) => return err.to_string(),
            }
        }
        "closed by the client".to_owned()
    }
}

/// A `fetch` init for a POST of `body` with the given headers, aborted with `signal`.
fn post_init(
    content_type: &str,
    accept: Option<&str>,
    body: &[u8],
    signal: &AbortSignal,
) -> Result<RequestInit, String> {
    let headers = web_sys::Headers::new().map_err(|e| js::message_of(&e, "no Headers"))?;
    headers.set("Content-Type", content_type).map_err(|e| js::message_of(&e, "bad header"))?;
    if let Some(accept) = accept {
        headers.set("Accept", accept).map_err(|e| js::message_of(&e, "bad header"))?;
    }
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&js_sys::Uint8Array::from(body));
    init.set_signal(Some(signal));
    Ok(init)
}

/// Sends the stream request and returns its body reader.
async fn start_stream(
    url: &str,
    request: &StreamRequest,
    signal: &AbortSignal,
) -> Result<ReadableStreamDefaultReader, String> {
    let init = post_init(request.content_type, request.accept, &request.body, signal)?;
    let response = send(url, &init).await?;
    let body = response.body().ok_or_else(|| "the stream response has no body".to_owned())?;
    body.get_reader().dyn_into::<ReadableStreamDefaultReader>().map_err(|_| "no stream reader".to_owned())
}

/// One POST to the emulation endpoint; `Ok` on any 2xx (204 from Centrifugo).
async fn send_post(url: &str, post: Post, signal: &AbortSignal) -> Result<(), String> {
    let init = post_init(post.content_type, None, &post.body, signal)?;
    send(url, &init).await.map(drop).map_err(|reason| format!("an emulation POST failed: {reason}"))
}

async fn send(url: &str, init: &RequestInit) -> Result<Response, String> {
    let response =
        JsFuture::from(js::fetch(url, init)).await.map_err(|e| js::message_of(&e, "fetch failed"))?;
    let response: Response = response.dyn_into().map_err(|_| "fetch returned no Response".to_owned())?;
    if !response.ok() {
        return Err(format!("HTTP status {}", response.status()));
    }
    Ok(response)
}

/// Why [`read_body`] stopped before a clean end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Reading failed (network, abort).
    Body(String),
    /// The body broke the emulation protocol (too large, corrupt, ended inside a message).
    Protocol(EmulationError),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Body(reason) => f.write_str(reason),
            ReadError::Protocol(err) => write!(f, "{err}"),
        }
    }
}

/// Reads a response body to its end through `decoder`, handing every frame to `on_frame` (which returns
/// `false` when nobody listens any more; reading then stops). `Ok` when the body ended cleanly. The
/// shell's reader, public so the browser tests run the shared case table through it.
///
/// # Errors
/// [`ReadError`]; the body is cancelled.
pub async fn read_body(
    reader: ReadableStreamDefaultReader,
    mut decoder: StreamDecoder,
    mut on_frame: impl FnMut(Bytes) -> bool,
) -> Result<(), ReadError> {
    let result = loop {
        let chunk = match JsFuture::from(reader.read()).await {
            Ok(chunk) => chunk,
            Err(e) => break Err(ReadError::Body(js::message_of(&e, "reading the stream failed"))),
        };
        let done = js_sys::Reflect::get(&chunk, &JsValue::from_str("done")).ok().and_then(|d| d.as_bool());
        if done != Some(false) {
            return decoder.finish().map_err(ReadError::Protocol);
        }
        let value = js_sys::Reflect::get(&chunk, &JsValue::from_str("value")).unwrap_or(JsValue::UNDEFINED);
        let Ok(bytes) = value.dyn_into::<js_sys::Uint8Array>() else {
            break Err(ReadError::Body("the stream gave a chunk that is not bytes".to_owned()));
        };
        match decoder.push(Bytes::from(bytes.to_vec())) {
            Ok(Some(frame)) => {
                if !on_frame(frame) {
                    break Ok(());
                }
            }
            Ok(None) => {}
            Err(err) => break Err(ReadError::Protocol(err)),
        }
    };
    // After an abort the cancel Promise rejects (AbortError): await it, so no rejection goes unhandled.
    let cancelled = JsFuture::from(reader.cancel());
    wasm_bindgen_futures::spawn_local(async move {
        let _ = cancelled.await;
    });
    result
}
