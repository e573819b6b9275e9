//! The client state machine.
//!
//! [`Engine`] owns the whole protocol state of one client: the connection (state, transport identity,
//! session, heartbeat watchdog, token and refresh), the commands in flight, the client-side and
//! server-side subscriptions, and the queue of outputs. It never blocks and never reads a clock: every
//! input carries `now`, and time-based work happens in [`Engine::handle_timeout`].
//!
//! Call order for a driver:
//! 1. create the engine, then call [`Engine::connect`];
//! 2. after every input, drain [`Engine::poll_output`] until it returns `None`;
//! 3. sleep until [`Engine::poll_timeout`] (or until the next input), then call [`Engine::handle_timeout`].
//!
//! ## Parts
//!
//! The state is split into parts that own their state and document their invariants; [`Engine`]
//! composes them and the `impl Engine` files hold the protocol logic that moves between them:
//!
//! - `attempts` (`AttemptPolicy`): which transport (probing until one
//!   works, then settled) and endpoint the next attempt uses, transport ids, the reconnect backoff;
//! - `lifecycle_state` (`Lifecycle`): network up/down, app presence
//!   (foreground / background / parked), outage (online / offline since / suspended) and a push wake,
//!   each one enum so impossible combinations (parked in the foreground, ...) cannot be written;
//! - `command_table` (`Commands`): command ids, commands in flight, app
//!   requests waiting for the connection;
//! - `sub_table` (`Subscriptions`): client-side subscriptions (state,
//!   token, recovery, delta chain) and server-side ones;
//! - the connection itself stays in `Engine`: client state, the transport slot (opening / open),
//!   the connect reply's session, the token.
//!
//! ## The timer table
//!
//! Every deadline lives in one place, `timers` (`Timers`): connection-level keys
//! (reconnect, ping watchdog, refresh, open deadline, suspend, background grace, wake deadline) and
//! per-command, per-waiting-request and per-subscription keys, in a `BTreeSet<(Instant, TimerKey)>`.
//! [`Engine::poll_timeout`] is its first element; [`Engine::handle_timeout`] looks up the due keys. The
//! table holds the only copy of each deadline, and a timer is armed exactly while the state it belongs
//! to holds; each part's docs list the transitions that arm and clear its keys.
//!
//! ## Logic, by file
//!
//! `connection` (attempts, transport events, connect reply, state changes), `heartbeat` (pongs and the
//! ping watchdog), `dispatch` (decoding frames and routing replies and pushes), `commands` (app requests,
//! replies, timeouts, frame batching), `subscriptions`, `delivery` (fossil delta, exactly-once) and
//! `server_subs`, `tokens` (token fetches and in-band refresh), `lifecycle` (network, app state,
//! suspension, wake). A server error reply becomes an app error through one conversion,
//! `From<ErrorReply> for Error`.

mod attempts;
mod checks;
mod command_table;
mod commands;
mod connection;
mod debounce;
mod delivery;
mod dispatch;
mod heartbeat;
mod lifecycle;
mod lifecycle_state;
mod server_subs;
mod state;
mod sub_table;
mod subscriptions;
mod timers;
mod tokens;
mod transport_slot;
mod types;

#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, VecDeque};

use web_time::Instant;

pub use checks::{MAX_CHANNEL_LEN, check_config, check_subscription, validate_channel};
pub use lifecycle::AppState;
pub use types::{
    LoadedState, Output, Request, RequestId, Response, StateRequest, StateRequestId, TokenKind, TokenRequest,
    TokenRequestId, TransportId,
};

use crate::codec::AnyCodec;
use crate::config::{Config, SubscriptionConfig};
use crate::error::{Error, TokenError};
use crate::event::{ClientState, SubscriptionState};
use crate::wire::Command;
use attempts::AttemptPolicy;
use command_table::Commands;
use connection::{Session, TransportSlot};
use lifecycle_state::Lifecycle;
use sub_table::{Sub, Subscriptions};
use timers::Timers;
use tokens::ConnTokenFetch;

/// The sans-IO client. See the [module docs](self) for the call order and the parts.
pub struct Engine {
    config: Config,
    codec: AnyCodec,
    rng: fastrand::Rng,
    state: ClientState,
    /// Every deadline; the parts arm and clear their own keys.
    timers: Timers,

    /// Transport choice, endpoint rotation, transport ids, reconnect backoff.
    attempts: AttemptPolicy,
    /// Network, app presence, outage (suspended), push wake.
    life: Lifecycle,
    transport: Option<TransportSlot>,
    session: Option<Session>,
    last_frame_at: Instant,

    token: String,
    refresh_required: bool,
    conn_token_fetch: Option<ConnTokenFetch>,
    next_token_request: u64,
    next_state_request: u64,

    /// Command ids, commands in flight, requests waiting for the connection.
    commands: Commands,
    /// Client-side and server-side subscriptions.
    subs: Subscriptions,

    dirty_positions: BTreeSet<String>,
    tx_queue: Vec<Command>,
    outputs: VecDeque<Output>,
}

/// The connection token is a secret: `Debug` says whether it is set, never what it is.
impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.config)
            .field("state", &self.state)
            .field("timers", &self.timers)
            .field("attempts", &self.attempts)
            .field("life", &self.life)
            .field("transport", &self.transport)
            .field("session", &self.session)
            .field("token", &crate::config::redacted(&self.token))
            .field("refresh_required", &self.refresh_required)
            .field("commands", &self.commands)
            .field("subs", &self.subs)
            .field("tx_queue", &self.tx_queue)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// A new engine in the `disconnected` state. `seed` drives the backoff jitter; `now` is the
    /// creation time.
    pub fn new(config: Config, seed: u64, now: Instant) -> Self {
        let attempts = AttemptPolicy::new(config.reconnect);
        let token = config.token.clone();
        let codec = AnyCodec::new(config.format);
        Self {
            config,
            codec,
            rng: fastrand::Rng::with_seed(seed),
            state: ClientState::Disconnected,
            timers: Timers::default(),
            attempts,
            life: Lifecycle::default(),
            transport: None,
            session: None,
            last_frame_at: now,
            token,
            refresh_required: false,
            conn_token_fetch: None,
            next_token_request: 0,
            next_state_request: 0,
            commands: Commands::default(),
            subs: Subscriptions::default(),
            dirty_positions: BTreeSet::new(),
            tx_queue: Vec::new(),
            outputs: VecDeque::new(),
        }
    }

    /// The client state.
    pub fn state(&self) -> ClientState {
        self.state
    }

    /// The transport the engine currently uses or is opening, if any. A transport that finishes opening
    /// under another id was abandoned (timed out, or superseded) and should be closed unused.
    pub fn transport_id(&self) -> Option<TransportId> {
        self.transport.as_ref().map(|s| s.id)
    }

    /// The kind of transport the engine uses (or tries) now.
    pub fn transport_kind(&self) -> crate::transport::TransportKind {
        self.config
            .transports
            .get(self.attempts.transport_index())
            .copied()
            .unwrap_or(crate::transport::TransportKind::WebSocket)
    }

    /// The name of the transport the engine uses (or tries) now.
    pub fn transport_name(&self) -> &'static str {
        self.transport_kind().name()
    }

    /// The settings this engine runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The state of the subscription to `channel`, if it exists.
    pub fn subscription_state(&self, channel: &str) -> Option<SubscriptionState> {
        self.subs.client.get(channel).map(|s| s.state)
    }

    /// The last delivered stream position of the subscription to `channel`, if known.
    pub fn subscription_position(&self, channel: &str) -> Option<crate::wire::StreamPosition> {
        self.subs.client.get(channel).and_then(|s| s.recovery.position().cloned())
    }

    /// The channels of the active server-side subscriptions.
    pub fn server_subscriptions(&self) -> impl Iterator<Item = &str> {
        self.subs.server.keys().map(String::as_str)
    }

    /// The next output, if any. Drain until `None` after every input.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.flush();
        self.outputs.pop_front()
    }

    /// The earliest deadline at which [`Engine::handle_timeout`] has work to do.
    ///
    /// A lookup in the timer table (the first of its ordered deadlines), not a scan.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }

    /// Does whatever is due at `now`: retries, heartbeat checks, command timeouts, token refreshes.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.lifecycle_timeouts(now);
        self.connection_timeouts(now);
        self.command_timeouts(now);
        self.subscription_timeouts(now);
        self.flush();
    }

    /// Replaces the emulated headers sent in `connect` ([`Config::headers`]). They take effect on the
    /// next connect; the live connection is kept.
    pub fn set_headers(&mut self, headers: std::collections::BTreeMap<String, String>) {
        self.config.headers = headers;
    }

    /// Replaces the connection token; used from the next connect attempt on.
    pub fn set_token(&mut self, token: String) {
        self.token = token;
        self.refresh_required = false;
    }

    /// Answers a [`TokenRequest`]. Answers to requests the engine no longer waits for (for example a
    /// refresh that started before a reconnect) are ignored.
    pub fn handle_token(&mut self, id: TokenRequestId, result: Result<String, TokenError>, now: Instant) {
        self.on_token(id, result, now);
        self.flush();
    }

    /// Whether the client is suspended (offline longer than [`Config::suspend_after`]).
    pub fn is_suspended(&self) -> bool {
        self.life.is_suspended()
    }

    /// Remembers that `channel`'s position moved, to emit one [`Output::SavePosition`] at the flush.
    fn position_moved(&mut self, channel: &str) {
        if !self.dirty_positions.contains(channel) {
            self.dirty_positions.insert(channel.to_owned());
        }
    }

    fn emit(&mut self, output: Output) {
        self.outputs.push_back(output);
    }

    fn client_event(&mut self, event: crate::event::ClientEvent) {
        self.emit(Output::Event(crate::event::Event::Client(event)));
    }

    fn sub_event(&mut self, channel: &str, event: crate::event::SubscriptionEvent) {
        self.emit(Output::Event(crate::event::Event::Subscription { channel: channel.to_owned(), event }));
    }

    fn is_closed_error(&self) -> Option<Error> {
        (self.state == ClientState::Closed).then_some(Error::Closed)
    }

    /// Registers a client-side subscription (in the `unsubscribed` state).
    ///
    /// # Errors
    /// [`Error::InvalidChannel`] for an empty or too long channel, [`Error::InvalidPayload`] for data
    /// that cannot be sent, [`Error::DuplicateSubscription`] if one exists, [`Error::Closed`] after
    /// [`Engine::close`].
    pub fn new_subscription(&mut self, channel: &str, mut config: SubscriptionConfig) -> Result<(), Error> {
        if let Some(err) = self.is_closed_error() {
            return Err(err);
        }
        checks::check_subscription(channel, &config, self.codec.format())?;
        if config.has_state_loader {
            // A loaded state is only worth its position if the stream resumes from it: recovery on.
            config.positioned = true;
            config.recoverable = true;
        }
        if self.subs.client.contains_key(channel) {
            return Err(Error::DuplicateSubscription(channel.to_owned()));
        }
        self.subs.client.insert(channel.to_owned(), Sub::new(config));
        Ok(())
    }
}
