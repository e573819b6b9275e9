//! The scripted WebSocket server: what it does after the upgrade and what it observed.

use std::net::SocketAddr;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::within;

/// What the scripted server does after the upgrade.
#[derive(Clone, Copy, Debug)]
pub enum Script {
    /// Echo TEXT and BINARY messages with their type, until the client closes.
    Echo,
    /// Close at once with 4000 "bye".
    Close4000,
    /// Ping the client, wait for the pong, then say "pong seen" as TEXT.
    PingPong,
    /// Drop the socket without a close frame.
    DropSocket,
}

/// What the scripted server observed.
#[derive(Debug)]
pub enum Seen {
    /// The upgrade request's interesting headers.
    Upgrade { protocol: Option<String>, origin: Option<String> },
    /// A message the client sent.
    Message(Message),
}

/// A scripted server and what it observed.
pub struct Server {
    pub addr: SocketAddr,
    pub seen: mpsc::UnboundedReceiver<Seen>,
}

impl Server {
    pub async fn next_seen(&mut self) -> Seen {
        within(self.seen.recv()).await.expect("server task ended")
    }

    pub async fn upgrade(&mut self) -> (Option<String>, Option<String>) {
        match self.next_seen().await {
            Seen::Upgrade { protocol, origin } => (protocol, origin),
            other => panic!("expected the upgrade, got {other:?}"),
        }
    }

    pub async fn message(&mut self) -> Message {
        match self.next_seen().await {
            Seen::Message(message) => message,
            other => panic!("expected a message, got {other:?}"),
        }
    }
}

/// Starts a plain server (`tls: None`) or a TLS one that runs `script` on every connection.
pub async fn start_server(script: Script, tls: Option<TlsAcceptor>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (report, seen) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let report = report.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                match tls {
                    None => serve(tcp, script, report).await,
                    Some(acceptor) => {
                        // A client that rejects our certificate aborts the handshake: nothing to serve.
                        if let Ok(stream) = acceptor.accept(tcp).await {
                            serve(stream, script, report).await;
                        }
                    }
                }
            });
        }
    });
    Server { addr, seen }
}

/// Performs the upgrade (answering the Protobuf subprotocol if offered) and runs the script.
#[allow(clippy::result_large_err)] // the upgrade callback's signature is tungstenite's
pub async fn serve<S>(stream: S, script: Script, report: mpsc::UnboundedSender<Seen>)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let upgrade_report = report.clone();
    let callback = move |request: &Request, mut response: Response| {
        let header = |name: &str| {
            request.headers().get(name).map(|value| value.to_str().unwrap_or("<binary>").to_owned())
        };
        let protocol = header("sec-websocket-protocol");
        if protocol.as_deref() == Some("centrifuge-protobuf") {
            response
                .headers_mut()
                .insert("sec-websocket-protocol", HeaderValue::from_static("centrifuge-protobuf"));
        }
        let _ = upgrade_report.send(Seen::Upgrade { protocol, origin: header("origin") });
        Ok(response)
    };
    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(stream, callback).await else {
        return;
    };
    match script {
        Script::Echo => {
            while let Some(Ok(message)) = ws.next().await {
                let _ = report.send(Seen::Message(message.clone()));
                if (message.is_text() || message.is_binary()) && ws.send(message).await.is_err() {
                    return;
                }
            }
        }
        Script::Close4000 => {
            let frame = CloseFrame { code: CloseCode::from(4000), reason: "bye".into() };
            let _ = ws.send(Message::Close(Some(frame))).await;
            // Read until the client's close reply arrives, then drop the socket.
            while let Some(Ok(message)) = ws.next().await {
                let _ = report.send(Seen::Message(message));
            }
        }
        Script::PingPong => {
            ws.send(Message::Ping(Bytes::from_static(b"are you there"))).await.unwrap();
            while let Some(Ok(message)) = ws.next().await {
                let pong = matches!(&message, Message::Pong(payload) if payload.as_ref() == b"are you there");
                let _ = report.send(Seen::Message(message));
                if pong {
                    ws.send(Message::text("pong seen")).await.unwrap();
                }
            }
        }
        Script::DropSocket => drop(ws),
    }
}

/// A server that answers every upgrade with HTTP 403.
pub async fn start_forbidden_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match tcp.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let _ = tcp
                .write_all(
                    b"HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\nConnection: close\r\n\r\nforbidden",
                )
                .await;
        }
    });
    addr
}
