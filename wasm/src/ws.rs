//! [`WebSocketTransport`]: the browser's `WebSocket` behind the [`Transport`] seam.
//!
//! Opening resolves on `open` and fails on a `close` that comes first. JSON travels as text frames;
//! Protobuf as binary frames under the `centrifuge-protobuf` subprotocol, as natively. Received frames
//! of either kind become [`Incoming::Frame`]s; the socket's `close` becomes
//! [`Incoming::Closed`] with the peer's code. The writer is a small task that owns the socket and its
//! handlers: when the driver sends [`Outgoing::Close`] or drops its sender, the handlers are detached
//! and the socket closed, which also ends the incoming stream.

use std::cell::RefCell;
use std::rc::Rc;

use bytes::Bytes;
use ceaseless::maybe_send::BoxFuture;
use ceaseless::transport::{
    CloseInfo, Connection, FrameFormat, Incoming, OpenRequest, Outgoing, Transport, TransportError,
    TransportErrorKind, TransportKind,
};
use futures::StreamExt;
use futures::channel::{mpsc, oneshot};
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use crate::js;

/// The browser WebSocket transport. Subscribes ride in the connect frame.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebSocketTransport;

impl Transport for WebSocketTransport {
    fn kind(&self) -> TransportKind {
        TransportKind::WebSocket
    }

    fn open(&self, request: OpenRequest) -> BoxFuture<'static, Result<Connection, TransportError>> {
        Box::pin(open(request))
    }
}

/// The socket with its handlers; dropping it detaches them and closes the socket.
struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

fn failure(kind: TransportErrorKind, message: String) -> TransportError {
    TransportError { kind, message }
}

async fn open(request: OpenRequest) -> Result<Connection, TransportError> {
    let url = request.url.as_str();
    let ws = match request.format {
        FrameFormat::Json => WebSocket::new(url),
        FrameFormat::Protobuf => WebSocket::new_with_str(url, "centrifuge-protobuf"),
    }
    .map_err(|e| failure(TransportErrorKind::Other, js::message_of(&e, "cannot create WebSocket")))?;
    ws.set_binary_type(BinaryType::Arraybuffer);

    let (incoming_tx, incoming_rx) = mpsc::unbounded::<Incoming>();
    let (opened_tx, opened_rx) = oneshot::channel::<Result<(), CloseInfo>>();
    let opened_tx = Rc::new(RefCell::new(Some(opened_tx)));

    let on_open = {
        let opened_tx = opened_tx.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Some(tx) = opened_tx.borrow_mut().take() {
                let _ = tx.send(Ok(()));
            }
        })
    };
    let on_message = {
        let tx = incoming_tx.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            let frame = match data.as_string() {
                Some(text) => Bytes::from(text),
                None => Bytes::from(js_sys::Uint8Array::new(&data).to_vec()),
            };
            let _ = tx.unbounded_send(Incoming::Frame(frame));
        })
    };
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
        let info = CloseInfo { code: Some(event.code()), reason: event.reason() };
        match opened_tx.borrow_mut().take() {
            Some(tx) => drop(tx.send(Err(info))),
            None => drop(incoming_tx.unbounded_send(Incoming::Closed(info))),
        }
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    let socket = Socket { ws, _on_open: on_open, _on_message: on_message, _on_close: on_close };

    match opened_rx.await {
        Ok(Ok(())) => {}
        Ok(Err(info)) => {
            let message = format!("closed before opening (code {})", info.code.unwrap_or_default());
            return Err(failure(TransportErrorKind::Io, message));
        }
        Err(_) => return Err(failure(TransportErrorKind::Other, "socket dropped".to_owned())),
    }

    let (outgoing_tx, outgoing_rx) = mpsc::unbounded();
    wasm_bindgen_futures::spawn_local(write(socket, request.format, outgoing_rx));
    Ok(Connection { outgoing: outgoing_tx, incoming: incoming_rx.boxed_local() })
}

/// Sends the driver's frames until it closes the connection or drops its sender.
async fn write(socket: Socket, format: FrameFormat, mut outgoing: mpsc::UnboundedReceiver<Outgoing>) {
    while let Some(item) = outgoing.next().await {
        match item {
            Outgoing::Frame(frame) => {
                // Protobuf frames are binary even when their bytes happen to be valid UTF-8.
                let text = match format {
                    FrameFormat::Json => std::str::from_utf8(&frame).ok(),
                    FrameFormat::Protobuf => None,
                };
                let sent = match text {
                    Some(text) => socket.ws.send_with_str(text),
                    None => socket.ws.send_with_u8_array(&frame),
                };
                if sent.is_err() {
                    break;
                }
            }
            Outgoing::Session { .. } => {}
            Outgoing::Close { code, reason } => {
                // The browser only lets pages send 1000 and 3000-4999, with a reason of at most 123 bytes.
                let code = if code == 1000 || (3000..=4999).contains(&code) { code } else { 1000 };
                let mut cut = reason.len().min(123);
                while !reason.is_char_boundary(cut) {
                    cut -= 1;
                }
                let _ = socket.ws.close_with_code_and_reason(code, &reason[..cut]);
                break;
            }
        }
    }
    drop(socket);
}
