//! [`FakeTransport`]: a [`Transport`] the test plays the server for.
//!
//! Each `open` becomes an [`Attempt`] the test receives from its [`Server`] and accepts or refuses. An
//! accepted attempt gives the test a [`Conn`]: what the driver sends on it (frames the engine encoded
//! with the real JSON codec, parsed back into [`Command`]s, and closes), and a way to make it
//! "receive" frames (reply lines, pushes, pings, in the JSON the real server sends) or end.

use std::sync::Arc;

use bytes::Bytes;
use ceaseless::maybe_send::BoxFuture;
use ceaseless::transport::{
    CloseInfo, Connection, Incoming, OpenRequest, Outgoing, Transport, TransportError, TransportErrorKind,
    TransportKind,
};
use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures::channel::oneshot;
use serde_json::{Map, Value, json};

use super::within;

/// The transport handed to the client.
#[derive(Debug, Clone)]
pub struct FakeTransport {
    attempts: UnboundedSender<Attempt>,
}

/// The test's side: every attempt the driver makes.
#[derive(Debug)]
pub struct Server {
    attempts: UnboundedReceiver<Attempt>,
}

/// A fake transport and the server side that sees its attempts.
pub fn fake_transport() -> (Arc<dyn Transport>, Server) {
    let (tx, rx) = unbounded();
    (Arc::new(FakeTransport { attempts: tx }), Server { attempts: rx })
}

impl Transport for FakeTransport {
    fn kind(&self) -> TransportKind {
        TransportKind::WebSocket
    }

    fn open(&self, request: OpenRequest) -> BoxFuture<'static, Result<Connection, TransportError>> {
        let (reply, answer) = oneshot::channel();
        let sent = self.attempts.unbounded_send(Attempt { request, reply });
        Box::pin(async move {
            if sent.is_err() {
                return Err(error("the test server is gone"));
            }
            answer.await.unwrap_or_else(|_| Err(error("the test dropped the attempt")))
        })
    }
}

fn error(message: &str) -> TransportError {
    TransportError { kind: TransportErrorKind::Io, message: message.to_owned() }
}

impl Server {
    /// The next attempt to open a connection.
    pub async fn attempt(&mut self) -> Attempt {
        within("a transport attempt", self.attempts.next()).await.expect("the transport is gone")
    }

    /// Accepts the next attempt.
    pub async fn accept(&mut self) -> Conn {
        self.attempt().await.accept()
    }

    /// Whether an attempt is waiting (call after [`super::settle`]).
    pub fn has_attempt(&mut self) -> bool {
        self.attempts.try_recv().is_ok()
    }
}

/// One attempt to open a connection, waiting for the test's decision.
#[derive(Debug)]
pub struct Attempt {
    /// What the driver asked to open.
    pub request: OpenRequest,
    reply: oneshot::Sender<Result<Connection, TransportError>>,
}

impl Attempt {
    /// The connection opens.
    pub fn accept(self) -> Conn {
        let (outgoing, sent) = unbounded();
        let (incoming, received) = unbounded();
        let connection = Connection { outgoing, incoming: received.boxed() };
        let _ = self.reply.send(Ok(connection));
        Conn { sent, incoming }
    }

    /// The connection fails to open.
    pub fn refuse(self, message: &str) {
        let _ = self.reply.send(Err(error(message)));
    }
}

/// One command the driver sent, parsed from its JSON line.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    /// The command id (0 for a pong).
    pub id: u64,
    /// The request key (`connect`, `subscribe`, `publish`, ...), or `pong` for `{}`.
    pub kind: String,
    /// The request object.
    pub body: Value,
}

impl Command {
    fn parse(line: &str) -> Command {
        let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("bad command {line:?}: {e}"));
        let object = value.as_object().unwrap_or_else(|| panic!("a command is an object: {line}"));
        let id = object.get("id").and_then(Value::as_u64).unwrap_or(0);
        let mut keys = object.keys().filter(|k| *k != "id");
        match (keys.next(), keys.next()) {
            (None, _) => Command { id, kind: "pong".to_owned(), body: Value::Null },
            (Some(k), None) => Command { id, kind: k.clone(), body: object[k].clone() },
            (Some(_), Some(_)) => panic!("a command carries one request: {line}"),
        }
    }

    /// The reply line answering this command with `result`.
    pub fn reply(&self, result: Value) -> Value {
        let mut line = Map::new();
        line.insert("id".to_owned(), json!(self.id));
        line.insert(self.kind.clone(), result);
        Value::Object(line)
    }
}

/// An open fake connection.
#[derive(Debug)]
pub struct Conn {
    sent: UnboundedReceiver<Outgoing>,
    incoming: UnboundedSender<Incoming>,
}

impl Conn {
    /// The next thing the driver sends.
    pub async fn next(&mut self) -> Outgoing {
        within("the driver to send something", self.sent.next()).await.expect("the driver dropped the writer")
    }

    /// The next frame, as its commands.
    pub async fn frame(&mut self) -> Vec<Command> {
        match self.next().await {
            Outgoing::Frame(bytes) => parse_frame(&bytes),
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    /// The next frame, which must hold exactly one command.
    pub async fn command(&mut self) -> Command {
        let mut commands = self.frame().await;
        assert_eq!(commands.len(), 1, "one command per frame expected: {commands:?}");
        commands.remove(0)
    }

    /// What the driver has sent and the test has not read (call after [`super::settle`]).
    pub fn pending(&mut self) -> Vec<Outgoing> {
        std::iter::from_fn(|| self.sent.try_recv().ok()).collect()
    }

    /// The connection "receives" one frame holding `lines`.
    pub fn send(&self, lines: &[Value]) {
        let text = lines.iter().map(Value::to_string).collect::<Vec<_>>().join("\n");
        let _ = self.incoming.unbounded_send(Incoming::Frame(Bytes::from(text)));
    }

    /// The connection ends, with a close code or (`None`) as a network failure.
    pub fn close(&self, code: Option<u16>, reason: &str) {
        let _ = self.incoming.unbounded_send(Incoming::Closed(CloseInfo { code, reason: reason.to_owned() }));
    }

    /// A server ping.
    pub fn ping(&self) {
        self.send(&[json!({})]);
    }

    /// Pings and waits for the pong: everything received before the ping has been handled by then.
    pub async fn round_trip(&mut self) {
        self.ping();
        let pong = self.command().await;
        assert_eq!(pong.kind, "pong", "expected the pong, got {pong:?}");
    }

    /// Answers the `connect` command (the first of the first frame) with `result` and returns the
    /// commands that shared its frame.
    pub async fn handshake(&mut self, result: Value) -> Vec<Command> {
        let mut commands = self.frame().await;
        assert!(!commands.is_empty() && commands[0].kind == "connect", "connect first: {commands:?}");
        let connect = commands.remove(0);
        self.send(&[connect.reply(result)]);
        commands
    }

    /// Live publications of `channel` at `offsets`, all in one frame.
    pub fn publish(&self, channel: &str, offsets: impl IntoIterator<Item = u64>) {
        let lines: Vec<Value> = offsets.into_iter().map(|offset| push_pub(channel, offset)).collect();
        self.send(&lines);
    }
}

/// Splits a JSON frame into its commands.
pub fn parse_frame(bytes: &Bytes) -> Vec<Command> {
    let text = std::str::from_utf8(bytes).expect("JSON frames are UTF-8");
    text.split('\n').map(Command::parse).collect()
}

/// A publication object at `offset`.
pub fn publication(offset: u64) -> Value {
    json!({ "data": { "n": offset }, "offset": offset })
}

/// A push line carrying the publication at `offset` in `channel`.
pub fn push_pub(channel: &str, offset: u64) -> Value {
    json!({ "push": { "channel": channel, "pub": publication(offset) } })
}
