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
//!
//! By file: `server.rs` is the fake server's script and the commands it parsed; `driver.rs` the
//! clock and the driver loop (drain, react, serve); `inputs.rs` what a test feeds in (app calls,
//! transport events, server frames); `observed.rs` what a test reads back.

mod driver;
mod inputs;
mod observed;
mod server;

use std::collections::VecDeque;

use serde_json::{Value, json};
use web_time::{Duration, Instant};

use crate::config::Config;
use crate::engine::{Engine, Output, RequestId, Response, StateRequest, TokenRequest, TransportId};
use crate::error::Error;
use crate::event::{ClientState, Event};

pub(super) use self::server::{Answer, Open, Sent, Server};

/// The seed most tests use.
pub(super) const SEED: u64 = 7;

pub(super) fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

pub(super) fn secs(v: u64) -> Duration {
    Duration::from_secs(v)
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
    /// `LoadState` outputs.
    pub(super) states: Vec<StateRequest>,
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
            states: Vec::new(),
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
