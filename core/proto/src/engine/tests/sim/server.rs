//! The fake server's script, its view of the current transport, and the commands it parsed.

use serde_json::{Map, Value, json};
use web_time::Duration;

use crate::engine::TransportId;

/// What the fake server does when the engine opens a transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::engine::tests) enum Open {
    /// The transport opens at once; `optimistic` is what `handle_opened` reports.
    Accept { optimistic: bool },
    /// The transport fails at once (`handle_closed` without a code).
    Refuse,
    /// Nothing happens until the test calls [`Sim::open`].
    Manual,
}

/// How the fake server answers one kind of command.
#[derive(Debug, Clone)]
pub(in crate::engine::tests) enum Answer {
    /// A result object (for `connect`, `client` is filled in when missing).
    Ok(Value),
    /// An error reply.
    Error { code: u32, temporary: bool },
    /// No answer: the test replies with [`Sim::reply`] / [`Sim::reply_error`].
    Manual,
}

/// The fake server's script and its view of the current transport.
#[derive(Debug)]
pub(in crate::engine::tests) struct Server {
    pub(in crate::engine::tests) open: Open,
    pub(in crate::engine::tests) connect: Answer,
    pub(in crate::engine::tests) subscribe: Answer,
    pub(in crate::engine::tests) unsubscribe: Answer,
    pub(in crate::engine::tests) publish: Answer,
    pub(super) live: Option<TransportId>,
    pub(super) authed: bool,
    /// After a connect error the server ignores the rest of the session (PROTOCOL.md 1.5).
    pub(super) rejected: bool,
    pub(super) pings: u32,
    pub(super) violations: Vec<String>,
}

impl Default for Server {
    fn default() -> Self {
        Self {
            open: Open::Accept { optimistic: true },
            connect: Answer::Ok(json!({ "version": "6.9.1" })),
            subscribe: Answer::Ok(json!({})),
            unsubscribe: Answer::Ok(json!({})),
            publish: Answer::Ok(json!({})),
            live: None,
            authed: false,
            rejected: false,
            pings: 0,
            violations: Vec::new(),
        }
    }
}

impl Server {
    pub(super) fn on_open(&mut self, id: TransportId) {
        self.live = Some(id);
        self.authed = false;
        self.rejected = false;
        self.pings = 0;
    }

    pub(super) fn violation(&mut self, what: String) {
        self.violations.push(what);
    }

    /// The reply line for one received command, if the script answers it.
    pub(super) fn answer(&mut self, sent: &Sent) -> Option<Value> {
        let script = match sent.kind.as_str() {
            "connect" => {
                if self.authed {
                    self.violation(format!("a second connect on transport {}", sent.transport.0));
                    return None;
                }
                self.authed = true;
                match self.connect.clone() {
                    Answer::Ok(mut result) => {
                        if result.get("client").is_none() {
                            result["client"] = json!(format!("client-{}", sent.transport.0));
                        }
                        Answer::Ok(result)
                    }
                    Answer::Error { code, temporary } => {
                        self.rejected = true;
                        Answer::Error { code, temporary }
                    }
                    Answer::Manual => Answer::Manual,
                }
            }
            kind if !self.authed => {
                self.violation(format!("{kind} before connect on transport {}", sent.transport.0));
                return None;
            }
            "pong" => {
                match self.pings.checked_sub(1) {
                    Some(left) => self.pings = left,
                    None => self.violation(format!("a pong without a ping at {:?}", sent.at)),
                }
                return None;
            }
            "subscribe" => self.subscribe.clone(),
            "unsubscribe" => self.unsubscribe.clone(),
            "publish" => self.publish.clone(),
            _ => Answer::Manual,
        };
        match script {
            Answer::Ok(result) => Some(reply_line(sent, result)),
            Answer::Error { code, temporary } => Some(error_line(sent.id, code, temporary)),
            Answer::Manual => None,
        }
    }
}

pub(super) fn reply_line(sent: &Sent, result: Value) -> Value {
    let mut line = Map::new();
    line.insert("id".to_owned(), json!(sent.id));
    line.insert(sent.kind.clone(), result);
    Value::Object(line)
}

pub(super) fn error_line(id: u32, code: u32, temporary: bool) -> Value {
    json!({ "id": id, "error": { "code": code, "message": format!("error {code}"), "temporary": temporary } })
}

/// One command the engine transmitted, as the server parsed it.
#[derive(Debug, Clone)]
pub(in crate::engine::tests) struct Sent {
    pub(in crate::engine::tests) transport: TransportId,
    /// Index into [`Sim::frames`].
    pub(in crate::engine::tests) frame: usize,
    /// Virtual time since the start.
    pub(in crate::engine::tests) at: Duration,
    pub(in crate::engine::tests) id: u32,
    /// The request key (`connect`, `subscribe`, ...), or `pong` for `{}`.
    pub(in crate::engine::tests) kind: String,
    /// The request object.
    pub(in crate::engine::tests) body: Value,
}

impl Sent {
    pub(super) fn parse(transport: TransportId, frame: usize, at: Duration, line: &str) -> Sent {
        let value: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("bad command line {line:?}: {e}"));
        let object = value.as_object().unwrap_or_else(|| panic!("a command is an object: {line}"));
        let id = object.get("id").map_or(0, |v| v.as_u64().expect("numeric id") as u32);
        let mut keys = object.keys().filter(|k| *k != "id");
        let (kind, body) = match (keys.next(), keys.next()) {
            (None, _) => ("pong".to_owned(), Value::Null),
            (Some(k), None) => (k.clone(), object[k].clone()),
            (Some(_), Some(_)) => panic!("a command carries exactly one request: {line}"),
        };
        assert_eq!(id == 0, matches!(kind.as_str(), "pong" | "send"), "id rule broken: {line}");
        Sent { transport, frame, at, id, kind, body }
    }

    /// A field of the request object (`Null` when absent, as the encoder leaves zero values out).
    pub(in crate::engine::tests) fn field(&self, key: &str) -> &Value {
        &self.body[key]
    }
}
