//! [`EmulationTransport`]: HTTP-streaming and SSE over `fetch`, for networks that block WebSocket
//! (PROTOCOL.md section 8).
//!
//! The connection carries nothing until the driver's first frame, the `connect` command: it becomes the
//! body of `POST /connection/http_stream`, or the `cf_connect` query parameter of
//! `GET /connection/sse`. The response body is read as a stream; every chunk's complete replies (one
//! per line, or one per SSE `data:` event) are handed to the driver as one frame. Once the core hands
//! over the connect reply's `session` and `node` ([`Outgoing::Session`]), later frames go out as POSTs to
//! the emulation endpoint, one at a time and in order (pongs included), since the server only orders
//! what it has received.
//!
//! Requests use `Content-Type: text/plain`, which Centrifugo reads as JSON, so the browser sends them
//! as simple CORS requests without a preflight round trip.

use bytes::Bytes;
use ceaseless::maybe_send::BoxFuture;
use ceaseless::transport::{
    CloseInfo, Connection, Incoming, OpenRequest, Outgoing, Transport, TransportError, TransportErrorKind,
    TransportKind,
};
use futures::StreamExt;
use futures::channel::mpsc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, ReadableStreamDefaultReader, RequestInit, Response};

use crate::js;

/// Which emulation carries the server-to-client stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    /// `POST /connection/http_stream`, newline-delimited replies.
    HttpStream,
    /// `GET /connection/sse?cf_connect=...`, one `data:` event per reply.
    Sse,
}

/// An emulation transport.
///
/// By default it opens the URLs the core derives from the client's endpoint (`OpenRequest::url` and
/// `OpenRequest::emulation_url`); an app-given `{transport, endpoint}` entry overrides them.
#[derive(Debug, Clone)]
pub struct EmulationTransport {
    kind: StreamKind,
    stream_url: Option<String>,
    emulation_url: Option<String>,
}

impl EmulationTransport {
    /// A transport of `kind`; `stream_url` and `emulation_url` override the core's URLs when given.
    pub fn new(kind: StreamKind, stream_url: Option<String>, emulation_url: Option<String>) -> Self {
        Self { kind, stream_url, emulation_url }
    }
}

impl Transport for EmulationTransport {
    fn kind(&self) -> TransportKind {
        match self.kind {
            StreamKind::HttpStream => TransportKind::HttpStream,
            StreamKind::Sse => TransportKind::Sse,
        }
    }

    fn open(&self, request: OpenRequest) -> BoxFuture<'static, Result<Connection, TransportError>> {
        let stream_url = self.stream_url.clone().unwrap_or_else(|| request.url.to_string());
        let emulation_url = self.emulation_url.clone().or_else(|| request.emulation_url.map(String::from));
        let Some(emulation_url) = emulation_url else {
            let message = "no emulation endpoint".to_owned();
            return Box::pin(async move { Err(TransportError { kind: TransportErrorKind::Other, message }) });
        };
        let (outgoing_tx, outgoing_rx) = mpsc::unbounded();
        let (incoming_tx, incoming_rx) = mpsc::unbounded();
        let urls = Urls { stream: stream_url, emulation: emulation_url };
        wasm_bindgen_futures::spawn_local(run(self.kind, urls, outgoing_rx, incoming_tx));
        Box::pin(async move { Ok(Connection { outgoing: outgoing_tx, incoming: incoming_rx.boxed_local() }) })
    }
}

/// Where one connection reads its stream and POSTs its commands.
struct Urls {
    stream: String,
    emulation: String,
}

fn closed(reason: String) -> Incoming {
    Incoming::Closed(CloseInfo { code: None, reason })
}

/// The connection's life: start the stream with the connect frame, then POST the rest in order.
async fn run(
    kind: StreamKind,
    urls: Urls,
    mut outgoing: mpsc::UnboundedReceiver<Outgoing>,
    incoming: mpsc::UnboundedSender<Incoming>,
) {
    let connect = loop {
        match outgoing.next().await {
            Some(Outgoing::Frame(frame)) => break frame,
            Some(Outgoing::Session { .. }) => {}
            Some(Outgoing::Close { .. }) | None => return,
        }
    };
    let Ok(abort) = AbortController::new() else {
        let _ = incoming.unbounded_send(closed("AbortController unavailable".to_owned()));
        return;
    };
    let reader = match start_stream(kind, &urls.stream, &connect, &abort).await {
        Ok(reader) => reader,
        Err(reason) => {
            let _ = incoming.unbounded_send(closed(reason));
            return;
        }
    };
    wasm_bindgen_futures::spawn_local(read(kind, reader, incoming.clone()));

    let mut session: Option<(String, String)> = None;
    let mut waiting: Vec<Bytes> = Vec::new();
    while let Some(item) = outgoing.next().await {
        let frames = match item {
            Outgoing::Session { session: s, node } => {
                session = Some((s, node));
                std::mem::take(&mut waiting)
            }
            Outgoing::Frame(frame) if session.is_none() => {
                waiting.push(frame);
                continue;
            }
            Outgoing::Frame(frame) => vec![frame],
            Outgoing::Close { .. } => break,
        };
        let Some((s, node)) = &session else { continue };
        for frame in frames {
            if let Err(reason) = post(&urls.emulation, s, node, &frame).await {
                let _ = incoming.unbounded_send(closed(reason));
                abort.abort();
                return;
            }
        }
    }
    abort.abort();
}

/// Opens the long-lived response and returns its body reader.
async fn start_stream(
    kind: StreamKind,
    url: &str,
    connect: &[u8],
    abort: &AbortController,
) -> Result<ReadableStreamDefaultReader, String> {
    let connect = std::str::from_utf8(connect).map_err(|_| "emulation needs JSON frames".to_owned())?;
    let init = RequestInit::new();
    init.set_signal(Some(&abort.signal()));
    let target = match kind {
        StreamKind::HttpStream => {
            init.set_method("POST");
            init.set_body(&JsValue::from_str(connect));
            plain_text(&init)?;
            url.to_owned()
        }
        StreamKind::Sse => {
            let separator = if url.contains('?') { '&' } else { '?' };
            let param = String::from(js_sys::encode_uri_component(connect));
            format!("{url}{separator}cf_connect={param}")
        }
    };
    let response = send(&target, &init).await?;
    let body = response.body().ok_or_else(|| "response has no body".to_owned())?;
    body.get_reader().dyn_into::<ReadableStreamDefaultReader>().map_err(|_| "no stream reader".to_owned())
}

/// One command frame to the emulation endpoint; `Ok` on 204 (or any 2xx).
async fn post(url: &str, session: &str, node: &str, frame: &[u8]) -> Result<(), String> {
    let data = std::str::from_utf8(frame).map_err(|_| "emulation needs JSON frames".to_owned())?;
    let body = serde_json::json!({ "session": session, "node": node, "data": data }).to_string();
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(&body));
    plain_text(&init)?;
    send(url, &init).await.map(drop)
}

fn plain_text(init: &RequestInit) -> Result<(), String> {
    let headers = web_sys::Headers::new().map_err(|e| js::message_of(&e, "no Headers"))?;
    headers.set("Content-Type", "text/plain").map_err(|e| js::message_of(&e, "bad header"))?;
    init.set_headers(&headers);
    Ok(())
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

/// Reads the body until it ends, handing each chunk's complete replies to the driver as one frame.
async fn read(
    kind: StreamKind,
    reader: ReadableStreamDefaultReader,
    incoming: mpsc::UnboundedSender<Incoming>,
) {
    let mut splitter = Splitter::new(kind);
    let reason = loop {
        let chunk = match JsFuture::from(reader.read()).await {
            Ok(chunk) => chunk,
            Err(e) => break js::message_of(&e, "stream failed"),
        };
        let done = js_sys::Reflect::get(&chunk, &JsValue::from_str("done")).ok().and_then(|d| d.as_bool());
        if done != Some(false) {
            break "stream ended".to_owned();
        }
        let Ok(value) = js_sys::Reflect::get(&chunk, &JsValue::from_str("value")) else { continue };
        let bytes = js_sys::Uint8Array::new(&value).to_vec();
        if let Some(frame) = splitter.push(&bytes)
            && incoming.unbounded_send(Incoming::Frame(frame)).is_err()
        {
            return;
        }
    };
    let _ = reader.cancel();
    let _ = incoming.unbounded_send(closed(reason));
}

/// Cuts a byte stream into replies: complete lines for HTTP-streaming, `data:` events for SSE.
#[derive(Debug)]
pub struct Splitter {
    kind: StreamKind,
    buffer: Vec<u8>,
    event: Vec<u8>,
}

impl Splitter {
    /// An empty splitter.
    pub fn new(kind: StreamKind) -> Self {
        Self { kind, buffer: Vec::new(), event: Vec::new() }
    }

    /// Adds a chunk; returns the newline-joined complete replies it finished, if any.
    pub fn push(&mut self, chunk: &[u8]) -> Option<Bytes> {
        self.buffer.extend_from_slice(chunk);
        let end = self.buffer.iter().rposition(|&b| b == b'\n')? + 1;
        let lines: Vec<u8> = self.buffer.drain(..end).collect();
        let mut frame = Vec::with_capacity(lines.len());
        // Without the final '\n', so the split yields no phantom empty line after it.
        for line in lines[..end - 1].split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            match self.kind {
                StreamKind::HttpStream if !line.is_empty() => join(&mut frame, line),
                StreamKind::HttpStream => {}
                StreamKind::Sse => self.sse_line(line, &mut frame),
            }
        }
        (!frame.is_empty()).then(|| Bytes::from(frame))
    }

    /// One SSE line: `data:` lines accumulate, a blank line ends the event; other fields are ignored.
    fn sse_line(&mut self, line: &[u8], frame: &mut Vec<u8>) {
        if line.is_empty() {
            if !self.event.is_empty() {
                join(frame, &self.event);
                self.event.clear();
            }
        } else if let Some(data) = line.strip_prefix(b"data:") {
            if !self.event.is_empty() {
                self.event.push(b'\n');
            }
            self.event.extend_from_slice(data.strip_prefix(b" ").unwrap_or(data));
        }
    }
}

fn join(frame: &mut Vec<u8>, reply: &[u8]) {
    if !frame.is_empty() {
        frame.push(b'\n');
    }
    frame.extend_from_slice(reply);
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::{Splitter, StreamKind};

    fn feed(kind: StreamKind, chunks: &[&str]) -> Vec<String> {
        let mut splitter = Splitter::new(kind);
        chunks
            .iter()
            .filter_map(|c| splitter.push(c.as_bytes()))
            .map(|f| String::from_utf8(f.to_vec()).unwrap_or_default())
            .collect()
    }

    #[wasm_bindgen_test]
    fn http_stream_lines_across_chunks() {
        let frames = feed(StreamKind::HttpStream, &["{\"a\":1}\n{\"b\"", ":2}\n", "{\"c\":3}\n{\"d\":4}\n"]);
        assert_eq!(frames, ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}\n{\"d\":4}"]);
    }

    #[wasm_bindgen_test]
    fn sse_events_across_chunks() {
        let frames =
            feed(StreamKind::Sse, &["\r\n", "data: {\"a\":1}\n", "\ndata: {\"b\"", ":2}\r\n\r\ndata:{}\n\n"]);
        assert_eq!(frames, ["{\"a\":1}", "{\"b\":2}\n{}"]);
    }
}
