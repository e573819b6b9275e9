//! The harness: a virtual clock, a scripted fake Centrifugo, and logs of everything the engine did.
//!
//! [`Sim`] owns an [`Engine`] and plays both its driver and the server. Time is virtual: a base
//! `Instant` captured once, moved only by [`Sim::advance`], which wakes the engine at every
//! `poll_timeout` deadline on the way. After every input the harness drains `poll_output` completely,
//! then applies what the fake server does in response (open a transport, answer commands) and drains
//! again, until nothing is left. Nothing sleeps and nothing touches a socket.
//!
//! The fake server splits each `Transmit` frame on `\n` (PROTOCOL.md 1.3), parses every line as one
//! command and answers it as scripted in [`Server`]. It also enforces the session rules of PROTOCOL.md
//! 1.5 and 5: `connect` first and only once, one pong per ping, nothing sent on a closed transport. A
//! breach is recorded and fails the test when the `Sim` is dropped.

use std::collections::VecDeque;

use bytes::Bytes;
use serde_json::{Map, Value, json};
use web_time::{Duration, Instant};

use crate::config::{Config, SubscriptionConfig};
use crate::engine::{
    Engine, Output, Request, RequestId, Response, TokenRequest, TokenRequestId, TransportId,
};
use crate::error::{Error, TokenError};
use crate::event::{ClientEvent, ClientState, Event, SubscriptionEvent, SubscriptionState};

/// The seed most tests use.
pub(super) const SEED: u64 = 7;

pub(super) fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

pub(super) fn secs(v: u64) -> Duration {
    Duration::from_secs(v)
}

/// What the fake server does when the engine opens a transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Open {
    /// The transport opens at once; `optimistic` is what `handle_opened` reports.
    Accept { optimistic: bool },
    /// The transport fails at once (`handle_closed` without a code).
    Refuse,
    /// Nothing happens until the test calls [`Sim::open`].
    Manual,
}

/// How the fake server answers one kind of command.
#[derive(Debug, Clone)]
pub(super) enum Answer {
    /// A result object (for `connect`, `client` is filled in when missing).
    Ok(Value),
    /// An error reply.
    Error { code: u32, temporary: bool },
    /// No answer: the test replies with [`Sim::reply`] / [`Sim::reply_error`].
    Manual,
}

/// The fake server's script and its view of the current transport.
#[derive(Debug)]
pub(super) struct Server {
    pub(super) open: Open,
    pub(super) connect: Answer,
    pub(super) subscribe: Answer,
    pub(super) unsubscribe: Answer,
    pub(super) publish: Answer,
    live: Option<TransportId>,
    authed: bool,
    /// After a connect error the server ignores the rest of the session (PROTOCOL.md 1.5).
    rejected: bool,
    pings: u32,
    violations: Vec<String>,
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
    fn on_open(&mut self, id: TransportId) {
        self.live = Some(id);
        self.authed = false;
        self.rejected = false;
        self.pings = 0;
    }

    fn violation(&mut self, what: String) {
        self.violations.push(what);
    }

    /// The reply line for one received command, if the script answers it.
    fn answer(&mut self, sent: &Sent) -> Option<Value> {
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

fn reply_line(sent: &Sent, result: Value) -> Value {
    let mut line = Map::new();
    line.insert("id".to_owned(), json!(sent.id));
    line.insert(sent.kind.clone(), result);
    Value::Object(line)
}

fn error_line(id: u32, code: u32, temporary: bool) -> Value {
    json!({ "id": id, "error": { "code": code, "message": format!("error {code}"), "temporary": temporary } })
}

/// One command the engine transmitted, as the server parsed it.
#[derive(Debug, Clone)]
pub(super) struct Sent {
    pub(super) transport: TransportId,
    /// Index into [`Sim::frames`].
    pub(super) frame: usize,
    /// Virtual time since the start.
    pub(super) at: Duration,
    pub(super) id: u32,
    /// The request key (`connect`, `subscribe`, ...), or `pong` for `{}`.
    pub(super) kind: String,
    /// The request object.
    pub(super) body: Value,
}

impl Sent {
    fn parse(transport: TransportId, frame: usize, at: Duration, line: &str) -> Sent {
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
    pub(super) fn field(&self, key: &str) -> &Value {
        &self.body[key]
    }
}

/// One transport reconnect observed by the driver: the delay since the previous transport ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Retry {
    pub(super) after: Duration,
    /// Whether the engine reported itself suspended when it opened the transport.
    pub(super) suspended: bool,
}

enum Reaction {
    Opened(TransportId, bool),
    Refused(TransportId),
    Frame(TransportId, String),
}

/// The engine, its driver, the fake server and the virtual clock.
pub(super) struct Sim {
    pub(super) engine: Engine,
    pub(super) server: Server,
    base: Instant,
    now: Instant,
    reactions: VecDeque<Reaction>,
    /// Every output, in order.
    pub(super) outputs: Vec<Output>,
    pub(super) events: Vec<Event>,
    pub(super) replies: Vec<(RequestId, Result<Response, Error>)>,
    pub(super) tokens: Vec<TokenRequest>,
    /// `OpenTransport` outputs, with their virtual time.
    pub(super) opens: Vec<(Duration, TransportId)>,
    /// `CloseTransport` outputs: transport and close code.
    pub(super) closes: Vec<(TransportId, u16)>,
    /// Every transmitted frame, as text.
    pub(super) frames: Vec<(TransportId, String)>,
    /// Every transmitted command.
    pub(super) sent: Vec<Sent>,
    /// Delays between a transport ending and the engine opening the next one.
    pub(super) retries: Vec<Retry>,
    ended_at: Option<Instant>,
}

impl Sim {
    pub(super) fn new(config: Config) -> Sim {
        Sim::with_seed(config, SEED)
    }

    pub(super) fn with_seed(config: Config, seed: u64) -> Sim {
        let base = Instant::now();
        Sim {
            engine: Engine::new(config, seed, base),
            server: Server::default(),
            base,
            now: base,
            reactions: VecDeque::new(),
            outputs: Vec::new(),
            events: Vec::new(),
            replies: Vec::new(),
            tokens: Vec::new(),
            opens: Vec::new(),
            closes: Vec::new(),
            frames: Vec::new(),
            sent: Vec::new(),
            retries: Vec::new(),
            ended_at: None,
        }
    }

    /// A sim whose engine has connected with the default script.
    pub(super) fn connected(config: Config) -> Sim {
        let mut sim = Sim::new(config);
        sim.connect();
        assert_eq!(sim.state(), ClientState::Connected);
        sim
    }

    // ---- clock and driver loop ------------------------------------------------------------------

    /// Virtual time since the start.
    pub(super) fn now(&self) -> Duration {
        self.now - self.base
    }

    /// Feeds one input, then drains outputs and server reactions until quiet.
    pub(super) fn act<R>(&mut self, input: impl FnOnce(&mut Engine, Instant) -> R) -> R {
        let result = input(&mut self.engine, self.now);
        self.pump();
        result
    }

    /// Moves the clock forward by `d`, firing every engine deadline on the way.
    pub(super) fn advance(&mut self, d: Duration) {
        self.run_until(self.now + d);
    }

    /// Moves the clock to `target`, calling `handle_timeout` at each deadline up to it.
    pub(super) fn run_until(&mut self, target: Instant) {
        let mut stuck = 0;
        while let Some(due) = self.engine.poll_timeout().filter(|due| *due <= target) {
            if due > self.now {
                self.now = due;
                stuck = 0;
            } else {
                stuck += 1;
                assert!(stuck < 100, "poll_timeout stays at {:?} after handle_timeout", due - self.base);
            }
            self.act(Engine::handle_timeout);
        }
        self.now = self.now.max(target);
    }

    fn pump(&mut self) {
        for _ in 0..10_000 {
            while let Some(output) = self.engine.poll_output() {
                self.observe(output);
            }
            let Some(reaction) = self.reactions.pop_front() else {
                return;
            };
            let now = self.now;
            match reaction {
                Reaction::Opened(id, optimistic) => self.engine.handle_opened(id, optimistic, now),
                Reaction::Refused(id) => {
                    self.transport_ended(id);
                    self.engine.handle_closed(id, None, "connection refused", now);
                }
                Reaction::Frame(id, text) => self.engine.handle_frame(id, &Bytes::from(text), now),
            }
        }
        panic!("the engine and the fake server keep talking without time passing");
    }

    fn observe(&mut self, output: Output) {
        self.outputs.push(output.clone());
        match output {
            Output::OpenTransport { id, .. } => {
                if let Some(ended) = self.ended_at.take() {
                    let suspended = self.engine.is_suspended();
                    self.retries.push(Retry { after: self.now - ended, suspended });
                }
                self.opens.push((self.now(), id));
                self.server.on_open(id);
                match self.server.open {
                    Open::Accept { optimistic } => self.reactions.push_back(Reaction::Opened(id, optimistic)),
                    Open::Refuse => self.reactions.push_back(Reaction::Refused(id)),
                    Open::Manual => {}
                }
            }
            Output::Transmit { id, frame } => self.serve(id, &frame),
            Output::CloseTransport { id, code, .. } => {
                self.closes.push((id, code));
                self.transport_ended(id);
            }
            Output::FetchToken(request) => self.tokens.push(request),
            Output::Event(event) => self.events.push(event),
            Output::Reply { id, result } => self.replies.push((id, result)),
            _ => {}
        }
    }

    fn transport_ended(&mut self, id: TransportId) {
        if self.server.live == Some(id) {
            self.server.live = None;
            self.ended_at = Some(self.now);
        }
    }

    fn serve(&mut self, id: TransportId, frame: &Bytes) {
        let text = String::from_utf8(frame.to_vec()).expect("JSON frames are UTF-8");
        let index = self.frames.len();
        self.frames.push((id, text.clone()));
        let live = self.server.live == Some(id);
        if !live {
            self.server.violation(format!("a frame on closed transport {}: {text}", id.0));
        }
        let mut answers = Vec::new();
        for line in text.split('\n') {
            let sent = Sent::parse(id, index, self.now(), line);
            self.sent.push(sent.clone());
            if live && !self.server.rejected {
                answers.extend(self.server.answer(&sent));
            }
        }
        if !answers.is_empty() {
            self.reactions.push_back(Reaction::Frame(id, join_lines(&answers)));
        }
    }

    // ---- app and transport inputs ---------------------------------------------------------------

    /// `connect()`; the next transport is not a backoff retry.
    pub(super) fn connect(&mut self) {
        self.ended_at = None;
        self.act(Engine::connect);
    }

    /// Reports the pending transport (opened by the engine under [`Open::Manual`]) as open.
    pub(super) fn open(&mut self, optimistic: bool) {
        let id = self.transport();
        self.act(|e, now| e.handle_opened(id, optimistic, now));
    }

    /// The transport the server considers current.
    pub(super) fn transport(&self) -> TransportId {
        self.server.live.expect("no transport is open")
    }

    /// The transport ends with `code` (a close frame) or without one (a network failure).
    pub(super) fn close(&mut self, code: Option<u16>, reason: &str) {
        let id = self.transport();
        self.transport_ended(id);
        self.act(|e, now| e.handle_closed(id, code, reason, now));
    }

    pub(super) fn subscribe(&mut self, channel: &str, config: SubscriptionConfig) {
        self.engine.new_subscription(channel, config).expect("a valid new subscription");
        self.act(|e, now| e.subscribe(channel, now)).expect("subscribe");
    }

    pub(super) fn request(&mut self, request: Request) -> Result<RequestId, Error> {
        self.act(|e, now| e.request(request, now))
    }

    pub(super) fn answer_token(&mut self, id: TokenRequestId, result: Result<String, TokenError>) {
        self.act(|e, now| e.handle_token(id, result, now));
    }

    // ---- server inputs --------------------------------------------------------------------------

    /// One frame of reply lines on the current transport.
    pub(super) fn frame(&mut self, lines: &[Value]) {
        let id = self.transport();
        self.frame_on(id, &join_lines(lines));
    }

    /// A raw frame on any transport, current or not.
    pub(super) fn frame_on(&mut self, id: TransportId, text: &str) {
        let frame = Bytes::from(text.to_owned());
        self.act(|e, now| e.handle_frame(id, &frame, now));
    }

    /// `count` server pings in one frame.
    pub(super) fn pings(&mut self, count: u32) {
        self.server.pings += count;
        self.frame(&vec![json!({}); count as usize]);
    }

    pub(super) fn ping(&mut self) {
        self.pings(1);
    }

    /// A push concerning `channel` (empty for connection-level pushes).
    pub(super) fn push(&mut self, channel: &str, body: Value) {
        let mut push = body;
        if !channel.is_empty() {
            push["channel"] = json!(channel);
        }
        self.frame(&[json!({ "push": push })]);
    }

    /// Live publications at these offsets, one frame each.
    pub(super) fn publish_offsets(&mut self, channel: &str, offsets: &[u64]) {
        for &offset in offsets {
            self.push(channel, json!({ "pub": publication(offset) }));
        }
    }

    pub(super) fn reply(&mut self, to: &Sent, result: Value) {
        self.frame(&[reply_line(to, result)]);
    }

    pub(super) fn reply_error(&mut self, to: &Sent, code: u32, temporary: bool) {
        if to.kind == "connect" {
            self.server.rejected = true;
        }
        self.frame(&[error_line(to.id, code, temporary)]);
    }

    // ---- what happened --------------------------------------------------------------------------

    pub(super) fn state(&self) -> ClientState {
        self.engine.state()
    }

    pub(super) fn sub_state(&self, channel: &str) -> Option<SubscriptionState> {
        self.engine.subscription_state(channel)
    }

    /// Every transmitted command of one kind, in order.
    pub(super) fn sent_of(&self, kind: &str) -> Vec<Sent> {
        self.sent.iter().filter(|s| s.kind == kind).cloned().collect()
    }

    pub(super) fn last(&self, kind: &str) -> Sent {
        self.sent_of(kind).pop().unwrap_or_else(|| panic!("no {kind} command was sent"))
    }

    /// The kinds of the commands in frame number `index`.
    pub(super) fn frame_kinds(&self, index: usize) -> Vec<String> {
        self.sent.iter().filter(|s| s.frame == index).map(|s| s.kind.clone()).collect()
    }

    pub(super) fn client_events(&self) -> Vec<ClientEvent> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Client(event) => Some(event.clone()),
                Event::Subscription { .. } => None,
            })
            .collect()
    }

    pub(super) fn sub_events(&self, channel: &str) -> Vec<SubscriptionEvent> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Subscription { channel: c, event } if c == channel => Some(event.clone()),
                _ => None,
            })
            .collect()
    }

    /// Codes of the `Connecting` client events.
    pub(super) fn connecting_codes(&self) -> Vec<u32> {
        let codes = self.client_events().into_iter();
        codes
            .filter_map(|e| if let ClientEvent::Connecting { code, .. } = e { Some(code) } else { None })
            .collect()
    }

    /// Codes of the `Disconnected` client events.
    pub(super) fn disconnected_codes(&self) -> Vec<u32> {
        let codes = self.client_events().into_iter();
        codes
            .filter_map(|e| if let ClientEvent::Disconnected { code, .. } = e { Some(code) } else { None })
            .collect()
    }

    /// Offsets of the publications delivered to the client-side subscription `channel`.
    pub(super) fn delivered(&self, channel: &str) -> Vec<u64> {
        let events = self.sub_events(channel).into_iter();
        events
            .filter_map(|e| if let SubscriptionEvent::Publication(p) = e { Some(p.offset) } else { None })
            .collect()
    }

    /// Offsets of the publications delivered for the server-side subscription `channel`.
    pub(super) fn server_delivered(&self, channel: &str) -> Vec<u64> {
        self.client_events()
            .into_iter()
            .filter_map(|e| match e {
                ClientEvent::ServerPublication { channel: c, publication } if c == channel => {
                    Some(publication.offset)
                }
                _ => None,
            })
            .collect()
    }

    /// The outcome of app request `id`, if it arrived.
    pub(super) fn outcome(&self, id: RequestId) -> Option<&Result<Response, Error>> {
        let mut outcomes = self.replies.iter().filter(|(r, _)| *r == id);
        let first = outcomes.next().map(|(_, result)| result);
        assert!(outcomes.next().is_none(), "request {id:?} got two outcomes");
        first
    }

    /// Forgets the events seen so far.
    pub(super) fn clear_events(&mut self) {
        self.events.clear();
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let violations = &self.server.violations;
            assert!(violations.is_empty(), "the fake server saw protocol violations: {violations:#?}");
        }
    }
}

/// A publication object at `offset`.
pub(super) fn publication(offset: u64) -> Value {
    json!({ "data": { "n": offset }, "offset": offset })
}

fn join_lines(lines: &[Value]) -> String {
    lines.iter().map(Value::to_string).collect::<Vec<_>>().join("\n")
}
