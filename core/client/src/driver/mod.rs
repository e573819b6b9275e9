//! The driver: one task that owns the [`Engine`] and moves everything in and out of it.
//!
//! The loop waits for the first of: a call from a handle, a result from one of its helper tasks
//! (transport opened, frame received, token fetched), or the engine's next deadline. It feeds that input
//! to the engine and then drains every output: frames go to the open connection's writer, token fetches
//! and transport opens become helper tasks, events go to the app's streams. It decides nothing about
//! the protocol; the engine does.
//!
//! Nothing on the loop blocks: transport opens and reads, token fetches and position saves (through
//! [`writer::PositionWriter`], on the runtime's blocking pool) all run elsewhere and report back, so a
//! slow disk or a slow token server never delays a pong or an event.
//!
//! It is written once against the [`Runtime`] and [`Transport`] seams, so the same loop runs on tokio
//! and, in `ceaseless-wasm`, on the browser's event loop.

mod connect_wait;
mod fanout;
mod messages;
mod writer;

use std::collections::HashMap;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::Poll;

use ceaseless_proto::{
    Engine, Error, Event, Instant, Output, RequestId, Response, TokenKind, TokenRequest, TransportId,
};
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures::channel::oneshot;
use futures::{FutureExt, StreamExt};

pub(crate) use fanout::StateCell;
pub(crate) use messages::Call;
use messages::Internal;

use crate::maybe_send::BoxFuture;
use crate::positions::PositionStore;
use crate::runtime::Runtime;
use crate::state::{StateLoadError, StateLoader};
use crate::token::{ConnectionTokenProvider, SubscriptionTokenProvider, TokenError};
use crate::transport::{FrameFormat, Incoming, OpenRequest, Outgoing, Transport};

/// Everything the driver needs besides the engine.
pub(crate) struct DriverParts<R: Runtime> {
    pub(crate) runtime: R,
    pub(crate) targets: Vec<Target>,
    pub(crate) positions: Arc<dyn PositionStore>,
    pub(crate) format: FrameFormat,
    pub(crate) token_provider: Option<Arc<dyn ConnectionTokenProvider>>,
    pub(crate) subscription_token_provider: Option<Arc<dyn SubscriptionTokenProvider>>,
    pub(crate) client_state: Arc<StateCell>,
}

struct Driver<R: Runtime> {
    parts: DriverParts<R>,
    engine: Engine,
    internal_tx: UnboundedSender<Internal>,
    connection: Option<(TransportId, UnboundedSender<Outgoing>)>,
    requests: HashMap<RequestId, oneshot::Sender<Result<Response, Error>>>,
    sub_providers: HashMap<String, Arc<dyn SubscriptionTokenProvider>>,
    state_loaders: HashMap<String, Arc<dyn StateLoader>>,
    fanout: fanout::Fanout,
    positions: writer::PositionWriter,
    close_waiters: Vec<oneshot::Sender<()>>,
    /// `close()` was called: calls the engine fails with `Disconnected` on its way down get `Closed`.
    closing: bool,
}

enum Wake {
    Call(Option<Call>),
    Internal(Internal),
    Timer,
}

/// One transport the client may use, with its URL for every endpoint.
pub(crate) struct Target {
    pub(crate) transport: Arc<dyn Transport>,
    /// Per endpoint: the URL to open and, for emulation transports, where to POST commands.
    pub(crate) urls: Vec<(url::Url, Option<url::Url>)>,
}

impl Target {
    pub(crate) fn new(transport: Arc<dyn Transport>, ws_urls: &[url::Url]) -> Result<Self, Error> {
        let urls = ws_urls
            .iter()
            .map(|u| crate::transport::endpoint_url(u, transport.kind()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { transport, urls })
    }

    fn endpoint(&self, index: usize) -> Option<(url::Url, Option<url::Url>)> {
        self.urls.get(index).or_else(|| self.urls.first()).cloned()
    }
}

/// Runs the driver until every handle is dropped.
pub(crate) async fn run<R: Runtime>(
    parts: DriverParts<R>,
    engine: Engine,
    mut calls: UnboundedReceiver<Call>,
) {
    let (internal_tx, mut internal_rx) = unbounded();
    let fanout = fanout::Fanout::new(parts.client_state.clone());
    let positions = writer::PositionWriter::new(parts.positions.clone());
    let mut driver = Driver {
        parts,
        engine,
        internal_tx,
        connection: None,
        requests: HashMap::new(),
        sub_providers: HashMap::new(),
        state_loaders: HashMap::new(),
        fanout,
        positions,
        close_waiters: Vec::new(),
        closing: false,
    };
    let mut sleep: Option<(Instant, BoxFuture<'static, ()>)> = None;
    loop {
        driver.drain();
        let deadline = match (driver.engine.poll_timeout(), driver.fanout.connect_wait.deadline()) {
            (Some(engine), Some(wait)) => Some(engine.min(wait)),
            (engine, wait) => engine.or(wait),
        };
        if sleep.as_ref().map(|(d, _)| *d) != deadline {
            sleep = deadline.map(|d| (d, driver.parts.runtime.sleep_until(d)));
        }
        let wake = poll_fn(|cx| {
            if let Poll::Ready(Some(msg)) = internal_rx.poll_next_unpin(cx) {
                return Poll::Ready(Wake::Internal(msg));
            }
            if let Poll::Ready(call) = calls.poll_next_unpin(cx) {
                return Poll::Ready(Wake::Call(call));
            }
            if let Some((_, fut)) = sleep.as_mut()
                && fut.poll_unpin(cx).is_ready()
            {
                return Poll::Ready(Wake::Timer);
            }
            Poll::Pending
        })
        .await;
        let now = driver.parts.runtime.now();
        match wake {
            Wake::Internal(msg) => driver.on_internal(msg, now),
            Wake::Call(Some(call)) => driver.on_call(call, now),
            Wake::Call(None) => break,
            Wake::Timer => {
                sleep = None;
                driver.engine.handle_timeout(now);
                let timeout = driver.engine.config().timeout;
                driver.fanout.connect_wait.on_time(now, timeout);
            }
        }
    }
    // Every handle is gone: close, end the streams, and stay alive until the positions are written.
    let now = driver.parts.runtime.now();
    driver.begin_close();
    driver.engine.close(now);
    driver.drain();
    driver.fanout.shut_down();
    let (flushed, written) = oneshot::channel();
    driver.positions.flush(&driver.parts.runtime, [flushed]);
    let _ = written.await;
}

impl<R: Runtime> Driver<R> {
    fn on_call(&mut self, call: Call, now: Instant) {
        match call {
            Call::Connect => self.engine.connect(now),
            Call::Disconnect => self.engine.disconnect(now),
            Call::Close(done) => {
                self.begin_close();
                self.engine.close(now);
                self.close_waiters.push(done);
            }
            Call::SetToken(token) => self.engine.set_token(token),
            Call::SetHeaders(headers) => self.engine.set_headers(headers),
            Call::NewSubscription { channel, mut config, provider, loader, state } => {
                if config.since.is_none() {
                    config.since = self.positions.load(&channel);
                }
                let provider = provider.or_else(|| self.parts.subscription_token_provider.clone());
                config.has_token_provider = provider.is_some();
                config.has_state_loader = loader.is_some();
                match self.engine.new_subscription(&channel, *config) {
                    Ok(()) => {
                        if let Some(p) = provider {
                            self.sub_providers.insert(channel.clone(), p);
                        }
                        if let Some(l) = loader {
                            self.state_loaders.insert(channel.clone(), l);
                        }
                        self.fanout.subs.insert(channel, fanout::SubListeners::new(state));
                    }
                    Err(e) => tracing::warn!(channel, error = %e, "subscription not created"),
                }
            }
            Call::Subscribe(channel) => {
                if let Err(e) = self.engine.subscribe(&channel, now) {
                    self.fanout.sub_event(&channel, ceaseless_proto::SubscriptionEvent::Error(e));
                }
            }
            Call::Unsubscribe(channel) => self.engine.unsubscribe(&channel, now),
            Call::RemoveSubscription(channel) => {
                self.engine.remove_subscription(&channel, now);
                self.drain();
                self.sub_providers.remove(&channel);
                self.state_loaders.remove(&channel);
                self.fanout.subs.remove(&channel);
            }
            Call::Request(request, reply) => match self.engine.request(request, now) {
                Ok(id) => {
                    self.requests.insert(id, reply);
                }
                Err(e) => {
                    let _ = reply.send(Err(e));
                }
            },
            Call::ClientEvents(tx) => self.fanout.add_client_stream(tx),
            Call::SubscriptionEvents(channel, tx) => self.fanout.add_sub_stream(&channel, tx),
            Call::WaitConnected(tx) => {
                let timeout = self.engine.config().timeout;
                self.fanout.add_connect_waiter(tx, now, timeout);
            }
            Call::WaitSubscribed(channel, tx) => self.fanout.add_sub_waiter(&channel, tx),
            Call::Position(channel, tx) => {
                let _ = tx.send(self.engine.subscription_position(&channel));
            }
            Call::NetworkChanged(available) => self.engine.network_changed(available, now),
            Call::Wake(budget, tx) => {
                self.fanout.add_wake_waiter(tx);
                self.engine.wake(budget, now);
            }
            Call::AppState(state) => self.engine.set_app_state(state, now),
        }
    }

    fn on_internal(&mut self, msg: Internal, now: Instant) {
        match msg {
            Internal::Opened(id, Ok(connection)) => {
                if self.engine.transport_id() != Some(id) {
                    // An attempt the engine gave up on opened late: close it, never replace the live one.
                    tracing::debug!(transport = id.0, "closing a transport that opened too late");
                    let _ = connection
                        .outgoing
                        .unbounded_send(Outgoing::Close { code: 1000, reason: "abandoned".into() });
                    return;
                }
                self.attach(id, connection);
                let optimistic = self.engine.transport_kind().optimistic_subscribe();
                self.engine.handle_opened(id, optimistic, now);
            }
            Internal::Opened(id, Err(e)) => {
                tracing::debug!(transport = id.0, error = %e, "transport failed to open");
                let cause = e.to_string();
                self.engine.handle_closed(id, None, &cause, now);
                if e.kind == crate::transport::TransportErrorKind::Tls && self.engine.config().endpoints <= 1
                {
                    self.fanout.connect_wait.fail_now(Error::Transport(cause));
                }
            }
            Internal::Incoming(id, Incoming::Frame(frame)) => self.engine.handle_frame(id, &frame, now),
            Internal::Incoming(id, Incoming::Closed(info)) => {
                if self.connection.as_ref().is_some_and(|(cid, _)| *cid == id) {
                    self.connection = None;
                }
                self.engine.handle_closed(id, info.code, &info.reason, now);
            }
            Internal::Token(id, result) => self.engine.handle_token(id, result, now),
            Internal::State(id, result) => self.engine.handle_state(id, result.map_err(|e| e.0), now),
        }
    }

    /// Keeps the writer of a freshly opened connection and forwards its incoming side to the loop.
    fn attach(&mut self, id: TransportId, connection: crate::transport::Connection) {
        let crate::transport::Connection { outgoing, mut incoming } = connection;
        self.connection = Some((id, outgoing));
        let tx = self.internal_tx.clone();
        self.parts.runtime.spawn(Box::pin(async move {
            while let Some(item) = incoming.next().await {
                if tx.unbounded_send(Internal::Incoming(id, item)).is_err() {
                    break;
                }
            }
        }));
    }

    fn begin_close(&mut self) {
        self.closing = true;
        self.fanout.closing();
    }

    fn drain(&mut self) {
        while let Some(output) = self.engine.poll_output() {
            self.on_output(output);
        }
        if self.engine.state() == ceaseless_proto::ClientState::Closed && !self.close_waiters.is_empty() {
            // `close()` returns once every position handed over so far is saved and flushed.
            self.positions.flush(&self.parts.runtime, self.close_waiters.drain(..));
        }
    }

    fn on_output(&mut self, output: Output) {
        match output {
            Output::OpenTransport { id, endpoint, transport } => self.open(id, endpoint, transport),
            Output::SavePosition { channel, position } => {
                self.positions.save(&self.parts.runtime, &channel, &position)
            }
            Output::Transmit { id, frame } => self.send_to_connection(id, Outgoing::Frame(frame)),
            Output::Session { id, session, node } => {
                self.send_to_connection(id, Outgoing::Session { session, node })
            }
            Output::CloseTransport { id, code, reason } => {
                self.send_to_connection(id, Outgoing::Close { code, reason });
                if self.connection.as_ref().is_some_and(|(cid, _)| *cid == id) {
                    self.connection = None;
                }
            }
            Output::FetchToken(request) => self.fetch_token(request),
            Output::LoadState(request) => self.load_state(request),
            Output::Event(Event::Client(event)) => self.fanout.client_event(event),
            Output::Event(Event::Subscription { channel, event }) => self.fanout.sub_event(&channel, event),
            Output::Reply { id, result } => {
                if let Some(reply) = self.requests.remove(&id) {
                    let result = match result {
                        // Never sent, failed by the close: say so. (Sent ones keep `OutcomeUnknown`.)
                        Err(Error::Disconnected) if self.closing => Err(Error::Closed),
                        other => other,
                    };
                    let _ = reply.send(result);
                }
            }
        }
    }

    fn send_to_connection(&mut self, id: TransportId, item: Outgoing) {
        if let Some((cid, tx)) = &self.connection
            && *cid == id
            && tx.unbounded_send(item).is_err()
        {
            tracing::debug!(transport = id.0, "writer already gone");
        }
    }

    fn open(&mut self, id: TransportId, endpoint: usize, transport: usize) {
        let Some(target) = self.parts.targets.get(transport).or_else(|| self.parts.targets.first()) else {
            return;
        };
        let transport = target.transport.clone();
        let Some((url, emulation_url)) = target.endpoint(endpoint) else {
            return;
        };
        tracing::debug!(transport = id.0, transport_kind = transport.name(), "opening transport");
        let request = OpenRequest { url, format: self.parts.format, emulation_url };
        let open = transport.open(request);
        let tx = self.internal_tx.clone();
        self.parts.runtime.spawn(Box::pin(async move {
            let result = open.await;
            let _ = tx.unbounded_send(Internal::Opened(id, result));
        }));
    }

    fn load_state(&mut self, request: ceaseless_proto::StateRequest) {
        let ceaseless_proto::StateRequest { id, channel } = request;
        let tx = self.internal_tx.clone();
        match self.state_loaders.get(&channel).map(|l| l.load_state(&channel)) {
            Some(load) => self.parts.runtime.spawn(Box::pin(async move {
                let result = load.await;
                let _ = tx.unbounded_send(Internal::State(id, result));
            })),
            None => {
                let _ = tx.unbounded_send(Internal::State(id, Err(StateLoadError("no state loader".into()))));
            }
        }
    }

    fn fetch_token(&mut self, request: TokenRequest) {
        let TokenRequest { id, kind } = request;
        let fetch: Option<BoxFuture<'static, Result<String, TokenError>>> = match &kind {
            TokenKind::Connection => self.parts.token_provider.as_ref().map(|p| p.connection_token()),
            TokenKind::Subscription { channel } => {
                self.sub_providers.get(channel).map(|p| p.subscription_token(channel))
            }
        };
        let tx = self.internal_tx.clone();
        match fetch {
            Some(fetch) => self.parts.runtime.spawn(Box::pin(async move {
                let result = fetch.await;
                let _ = tx.unbounded_send(Internal::Token(id, result));
            })),
            None => {
                let _ = tx
                    .unbounded_send(Internal::Token(id, Err(TokenError::Failed("no token provider".into()))));
            }
        }
    }
}
