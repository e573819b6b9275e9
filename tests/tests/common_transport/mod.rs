//! Helpers for the transport tests: every (transport, format) pair the server supports, builders for
//! them, and [`Tap`], a transport wrapper that counts (and can keep) the frames a connection receives.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use ceaseless::maybe_send::BoxFuture;
use ceaseless::tls::TlsConfig;
use ceaseless::transport::{
    Connection, FrameFormat, Incoming, OpenRequest, SocketBuffers, Transport, TransportError, TransportKind,
    native_transport,
};
use ceaseless::{Client, ClientBuilder};
use ceaseless_tests::Centrifugo;
use futures::StreamExt;

/// Every (transport, format) pair: SSE carries JSON only.
pub const COMBINATIONS: [(TransportKind, FrameFormat); 5] = [
    (TransportKind::WebSocket, FrameFormat::Json),
    (TransportKind::WebSocket, FrameFormat::Protobuf),
    (TransportKind::HttpStream, FrameFormat::Json),
    (TransportKind::HttpStream, FrameFormat::Protobuf),
    (TransportKind::Sse, FrameFormat::Json),
];

/// A builder for `server` over `kind` in `format`, with a non-expiring token for `user`.
pub fn builder_on(
    server: &Centrifugo,
    user: &str,
    kind: TransportKind,
    format: FrameFormat,
) -> ClientBuilder {
    Client::builder(&server.ws_url()).token(server.token(user, None)).transports([kind]).format(format)
}

/// What a [`Tap`] saw, over every connection it opened.
#[derive(Debug, Default)]
pub struct TapStats {
    bytes: AtomicU64,
    frames: AtomicU64,
    keep: std::sync::atomic::AtomicBool,
    kept: Mutex<Vec<Bytes>>,
}

impl TapStats {
    /// Bytes received in frames so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::SeqCst)
    }

    /// Frames received so far.
    pub fn frames(&self) -> u64 {
        self.frames.load(Ordering::SeqCst)
    }

    /// Starts counting from zero.
    pub fn reset(&self) {
        self.bytes.store(0, Ordering::SeqCst);
        self.frames.store(0, Ordering::SeqCst);
        if let Ok(mut kept) = self.kept.lock() {
            kept.clear();
        }
    }

    /// Keeps a copy of every frame from now on.
    pub fn keep_frames(&self) {
        self.keep.store(true, Ordering::SeqCst);
    }

    /// The frames kept so far.
    pub fn kept(&self) -> Vec<Bytes> {
        self.kept.lock().map(|k| k.clone()).unwrap_or_default()
    }

    fn saw(&self, frame: &Bytes) {
        self.bytes.fetch_add(frame.len() as u64, Ordering::SeqCst);
        self.frames.fetch_add(1, Ordering::SeqCst);
        if self.keep.load(Ordering::SeqCst)
            && let Ok(mut kept) = self.kept.lock()
        {
            kept.push(frame.clone());
        }
    }
}

/// A transport that wraps a built-in one and counts what its connections receive: the bytes on the
/// wire as the transport hands them to the client (WebSocket message payloads, HTTP-stream lines,
/// SSE event data).
pub struct Tap {
    inner: Arc<dyn Transport>,
    stats: Arc<TapStats>,
}

impl Tap {
    /// The built-in transport of `kind` (default TLS, no proxy), tapped.
    pub fn new(kind: TransportKind) -> (Tap, Arc<TapStats>) {
        let inner = native_transport(kind, &TlsConfig::default(), None, SocketBuffers::default())
            .expect("a built-in transport");
        let stats = Arc::new(TapStats::default());
        (Tap { inner, stats: stats.clone() }, stats)
    }
}

impl Transport for Tap {
    fn kind(&self) -> TransportKind {
        self.inner.kind()
    }

    fn open(&self, request: OpenRequest) -> BoxFuture<'static, Result<Connection, TransportError>> {
        let open = self.inner.open(request);
        let stats = self.stats.clone();
        Box::pin(async move {
            let Connection { outgoing, incoming } = open.await?;
            let incoming = incoming
                .inspect(move |item| {
                    if let Incoming::Frame(frame) = item {
                        stats.saw(frame);
                    }
                })
                .boxed();
            Ok(Connection { outgoing, incoming })
        })
    }
}

/// A builder for `server` over a tapped `kind` in `format`, for `user`.
pub fn tapped_builder(
    server: &Centrifugo,
    user: &str,
    kind: TransportKind,
    format: FrameFormat,
) -> (ClientBuilder, Arc<TapStats>) {
    let (tap, stats) = Tap::new(kind);
    let builder =
        Client::builder(&server.ws_url()).token(server.token(user, None)).transport(tap).format(format);
    (builder, stats)
}
