//! Delivering engine events to the app: event streams, state mirrors and `ready()` waiters.
//!
//! Every stream is an unbounded channel fed in engine order, so a slow reader loses nothing. `Closed` is
//! the last client event: once it has been delivered every stream ends (after what was queued for it),
//! every waiter fails with [`Error::Closed`], and anything registered later is answered at once: a new
//! stream ends immediately, a new waiter fails. Waiters still pending when `close()` is called fail with
//! [`Error::Closed`] rather than the `Disconnected` / `Unsubscribed` the engine reports on its way down.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use ceaseless_proto::event::WakeReport;
use ceaseless_proto::{ClientEvent, ClientState, Error, SubscriptionEvent, SubscriptionState};
use futures::channel::mpsc::UnboundedSender;
use futures::channel::oneshot;

/// Client state shared with handles (read without asking the driver).
#[derive(Debug, Default)]
pub(crate) struct StateCell(AtomicU8);

impl StateCell {
    pub(crate) fn client(&self) -> ClientState {
        match self.0.load(Ordering::Acquire) {
            1 => ClientState::Connecting,
            2 => ClientState::Connected,
            3 => ClientState::Closed,
            _ => ClientState::Disconnected,
        }
    }

    pub(crate) fn set_client(&self, state: ClientState) {
        let v = match state {
            ClientState::Disconnected => 0,
            ClientState::Connecting => 1,
            ClientState::Connected => 2,
            ClientState::Closed => 3,
        };
        self.0.store(v, Ordering::Release);
    }

    pub(crate) fn subscription(&self) -> SubscriptionState {
        match self.0.load(Ordering::Acquire) {
            1 => SubscriptionState::Subscribing,
            2 => SubscriptionState::Subscribed,
            _ => SubscriptionState::Unsubscribed,
        }
    }

    pub(crate) fn set_subscription(&self, state: SubscriptionState) {
        let v = match state {
            SubscriptionState::Unsubscribed => 0,
            SubscriptionState::Subscribing => 1,
            SubscriptionState::Subscribed => 2,
        };
        self.0.store(v, Ordering::Release);
    }
}

/// Listeners of one subscription.
pub(crate) struct SubListeners {
    pub(crate) state: Arc<StateCell>,
    streams: Vec<UnboundedSender<SubscriptionEvent>>,
    waiters: Vec<oneshot::Sender<Result<(), Error>>>,
}

/// Everyone listening to the client.
pub(crate) struct Fanout {
    pub(crate) client_state: Arc<StateCell>,
    client_streams: Vec<UnboundedSender<ClientEvent>>,
    /// `ready()` calls waiting for the connection.
    pub(crate) connect_wait: super::connect_wait::ConnectWait,
    /// Why the client last stopped (`Disconnected`), for a `ready()` made afterwards.
    last_stop: Option<Error>,
    wake_waiters: Vec<oneshot::Sender<WakeReport>>,
    pub(crate) subs: HashMap<String, SubListeners>,
    /// `close()` was called: waiters resolved on the way down fail with `Closed`.
    closing: bool,
    /// `Closed` was delivered (or the driver is ending): nothing new is registered.
    closed: bool,
}

impl SubListeners {
    pub(crate) fn new(state: Arc<StateCell>) -> Self {
        Self { state, streams: Vec::new(), waiters: Vec::new() }
    }
}

impl Fanout {
    pub(crate) fn new(client_state: Arc<StateCell>) -> Self {
        Self {
            client_state,
            client_streams: Vec::new(),
            connect_wait: Default::default(),
            last_stop: None,
            wake_waiters: Vec::new(),
            subs: HashMap::new(),
            closing: false,
            closed: false,
        }
    }

    /// The client is being closed: from now on a waiter resolved with an error gets [`Error::Closed`].
    pub(crate) fn closing(&mut self) {
        self.closing = true;
    }

    /// A new client stream; after `Closed` it ends at once (dropping the sender ends the receiver).
    pub(crate) fn add_client_stream(&mut self, tx: UnboundedSender<ClientEvent>) {
        if !self.closed {
            self.client_streams.push(tx);
        }
    }

    /// A `ready()` call: answered at once unless the client is connecting; then it waits, with the
    /// rules of [`super::connect_wait`].
    pub(crate) fn add_connect_waiter(
        &mut self,
        tx: oneshot::Sender<Result<(), Error>>,
        now: ceaseless_proto::Instant,
        timeout: std::time::Duration,
    ) {
        match self.client_state.client() {
            ClientState::Connected => drop(tx.send(Ok(()))),
            ClientState::Closed => drop(tx.send(Err(Error::Closed))),
            ClientState::Disconnected => {
                drop(tx.send(Err(self.last_stop.clone().unwrap_or(Error::Disconnected))))
            }
            ClientState::Connecting => self.connect_wait.add(tx, now, timeout),
        }
    }

    /// A wake waiter; after `Closed` it is dropped, so `wake()` returns an empty report at once.
    pub(crate) fn add_wake_waiter(&mut self, tx: oneshot::Sender<WakeReport>) {
        if !self.closed {
            self.wake_waiters.push(tx);
        }
    }

    /// A new stream of `channel`; it ends at once after `Closed` or for an unknown channel.
    pub(crate) fn add_sub_stream(&mut self, channel: &str, tx: UnboundedSender<SubscriptionEvent>) {
        if self.closed {
            return;
        }
        if let Some(listeners) = self.subs.get_mut(channel) {
            listeners.streams.push(tx);
        }
    }

    pub(crate) fn add_sub_waiter(&mut self, channel: &str, tx: oneshot::Sender<Result<(), Error>>) {
        if self.closed {
            drop(tx.send(Err(Error::Closed)));
            return;
        }
        let Some(listeners) = self.subs.get_mut(channel) else {
            drop(tx.send(Err(Error::Unsubscribed)));
            return;
        };
        match listeners.state.subscription() {
            SubscriptionState::Subscribed => drop(tx.send(Ok(()))),
            SubscriptionState::Unsubscribed => drop(tx.send(Err(Error::Unsubscribed))),
            SubscriptionState::Subscribing => listeners.waiters.push(tx),
        }
    }

    pub(crate) fn client_event(&mut self, event: ClientEvent) {
        let resolved = match &event {
            ClientEvent::Connecting { .. } => {
                self.client_state.set_client(ClientState::Connecting);
                self.last_stop = None;
                None
            }
            ClientEvent::Connected { .. } => {
                self.client_state.set_client(ClientState::Connected);
                self.last_stop = None;
                Some(Ok(()))
            }
            ClientEvent::Disconnected { code, reason } => {
                self.client_state.set_client(ClientState::Disconnected);
                let stop = if self.closing { Error::Closed } else { Error::from_disconnected(*code, reason) };
                self.last_stop = Some(stop.clone());
                Some(Err(stop))
            }
            ClientEvent::Closed => {
                self.client_state.set_client(ClientState::Closed);
                Some(Err(Error::Closed))
            }
            ClientEvent::WakeFinished(report) => {
                for waiter in self.wake_waiters.drain(..) {
                    let _ = waiter.send(report.clone());
                }
                None
            }
            _ => None,
        };
        match resolved {
            Some(result) => self.connect_wait.resolve(result),
            None => self.connect_wait.observe(&event),
        }
        let closed = matches!(event, ClientEvent::Closed);
        self.client_streams.retain(|tx| tx.unbounded_send(event.clone()).is_ok());
        if closed {
            // Closed is the last event: every stream ends and every waiter fails.
            self.shut_down();
        }
    }

    pub(crate) fn sub_event(&mut self, channel: &str, event: SubscriptionEvent) {
        let Some(listeners) = self.subs.get_mut(channel) else {
            return;
        };
        let resolved = match &event {
            SubscriptionEvent::Subscribing { .. } => {
                listeners.state.set_subscription(SubscriptionState::Subscribing);
                None
            }
            SubscriptionEvent::Subscribed(_) => {
                listeners.state.set_subscription(SubscriptionState::Subscribed);
                Some(Ok(()))
            }
            SubscriptionEvent::Unsubscribed { code, reason } => {
                listeners.state.set_subscription(SubscriptionState::Unsubscribed);
                Some(Err(if self.closing { Error::Closed } else { Error::from_unsubscribed(*code, reason) }))
            }
            _ => None,
        };
        if let Some(result) = resolved {
            for waiter in listeners.waiters.drain(..) {
                let _ = waiter.send(result.clone());
            }
        }
        match listeners.streams.len() {
            0 => {}
            1 => {
                if listeners.streams[0].unbounded_send(event).is_err() {
                    listeners.streams.clear();
                }
            }
            _ => listeners.streams.retain(|tx| tx.unbounded_send(event.clone()).is_ok()),
        }
    }

    /// `Closed` was delivered or the driver is ending: streams end, waiters fail, and nothing registered
    /// from now on waits (see [`Fanout::add_client_stream`]).
    pub(crate) fn shut_down(&mut self) {
        self.closing = true;
        self.closed = true;
        self.client_state.set_client(ClientState::Closed);
        self.connect_wait.resolve(Err(Error::Closed));
        self.client_streams.clear();
        self.wake_waiters.clear();
        for listeners in self.subs.values_mut() {
            for waiter in listeners.waiters.drain(..) {
                let _ = waiter.send(Err(Error::Closed));
            }
            listeners.streams.clear();
        }
    }
}
