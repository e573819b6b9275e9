//! The connection's life: attempts, transport events, the connect reply, state changes, heartbeats.

use web_time::{Duration, Instant};

use super::commands::InflightKind;
use super::timers::TimerKey;
pub(super) use super::transport_slot::{Phase, Session, TransportSlot};
use super::{Engine, Output, TransportId};
use crate::codes::{self, DisconnectAction};
use crate::error::Error;
use crate::event::{ClientEvent, ClientState, SubscriptionEvent, SubscriptionState};
use crate::wire::{CommandBody, ConnectRequest, ConnectResult, ErrorReply, SubscribeRequest};

impl Engine {
    /// Starts connecting (from `disconnected`); a no-op while connecting or connected.
    pub fn connect(&mut self, now: Instant) {
        if matches!(self.state, ClientState::Connecting | ClientState::Connected | ClientState::Closed) {
            return;
        }
        self.state = ClientState::Connecting;
        self.life.unpark();
        self.go_offline(now);
        self.client_event(ClientEvent::Connecting {
            code: codes::connecting::CONNECT_CALLED,
            reason: "connect called".to_owned(),
        });
        self.attempts.reset_backoff();
        self.start_attempt(now);
        self.flush();
    }

    /// Disconnects and stays disconnected until [`Engine::connect`]. Subscriptions keep their state and
    /// positions and resume on the next connect.
    pub fn disconnect(&mut self, now: Instant) {
        if matches!(self.state, ClientState::Disconnected | ClientState::Closed) {
            self.life.unpark();
            return;
        }
        self.life.unpark();
        self.go_disconnected(codes::disconnected::DISCONNECT_CALLED, "disconnect called", now);
        self.flush();
    }

    /// Closes the client for good: disconnects, ends every subscription, fails every call.
    pub fn close(&mut self, now: Instant) {
        if self.state == ClientState::Closed {
            return;
        }
        if self.state != ClientState::Disconnected {
            self.go_disconnected(codes::disconnected::DISCONNECT_CALLED, "client closed", now);
        }
        let channels: Vec<String> = self.subs.client.keys().cloned().collect();
        for channel in channels {
            self.end_subscription(&channel, codes::unsubscribed::CLIENT_CLOSED, "client closed", false, now);
        }
        self.state = ClientState::Closed;
        self.client_event(ClientEvent::Closed);
        self.flush();
    }

    /// Reports that transport `id` can carry frames. `optimistic_subscribe` says whether `subscribe`
    /// commands may share the frame with `connect` (true for WebSocket, false for emulation).
    pub fn handle_opened(&mut self, id: TransportId, optimistic_subscribe: bool, now: Instant) {
        let Some(slot) = self.transport.as_mut().filter(|s| s.id == id) else {
            return;
        };
        slot.phase = Phase::Open { optimistic: optimistic_subscribe };
        self.timers.clear(&TimerKey::OpenDeadline);
        let subs = self
            .subs
            .server
            .iter()
            .filter_map(|(channel, sub)| {
                let (recover, offset, epoch) = sub.recovery.subscribe_fields();
                recover.then(|| {
                    let req = SubscribeRequest {
                        channel: channel.clone(),
                        recover,
                        offset,
                        epoch,
                        ..Default::default()
                    };
                    (channel.clone(), req)
                })
            })
            .collect();
        let connect = ConnectRequest {
            token: self.token.clone(),
            data: self.config.data.clone(),
            subs,
            name: self.config.name.clone(),
            version: self.config.version.clone(),
            headers: self.config.headers.clone(),
        };
        self.send_command(CommandBody::Connect(connect), InflightKind::Connect, now);
        if optimistic_subscribe {
            self.send_pending_subscribes(now);
        }
        self.flush();
    }

    /// Reports that transport `id` ended, with the peer's close `code` if there was one.
    pub fn handle_closed(&mut self, id: TransportId, code: Option<u16>, reason: &str, now: Instant) {
        if self.transport.as_ref().is_none_or(|s| s.id != id) {
            return;
        }
        self.drop_transport();
        tracing::debug!(transport = id.0, ?code, reason, "transport closed");
        match code {
            Some(code) => self.on_server_disconnect(u32::from(code), reason, now),
            None => {
                if self.state == ClientState::Connecting && self.session.is_none() {
                    self.client_event(ClientEvent::Error(Error::Transport(reason.to_owned())));
                }
                self.go_connecting(codes::connecting::TRANSPORT_CLOSED, "transport closed", now);
            }
        }
        self.flush();
    }

    /// Reports a received frame on transport `id`.
    pub fn handle_frame(&mut self, id: TransportId, frame: &bytes::Bytes, now: Instant) {
        if self.transport.as_ref().is_none_or(|s| s.id != id) {
            return;
        }
        self.rearm_ping_watchdog(now);
        self.dispatch_frame(frame, now);
        self.flush();
    }

    /// A server disconnect: a WebSocket close code or a `disconnect` push.
    pub(super) fn on_server_disconnect(&mut self, code: u32, reason: &str, now: Instant) {
        if code == u32::from(codes::WS_MESSAGE_TOO_BIG) {
            self.go_disconnected(codes::disconnected::MESSAGE_SIZE_LIMIT, "message size limit exceeded", now);
            return;
        }
        if code == codes::server_disconnect::CONNECTION_EXPIRED && self.config.has_token_provider {
            // The token is stale: the next attempt asks the provider first.
            self.token.clear();
            self.refresh_required = true;
        }
        if code == codes::server_disconnect::STATE_INVALIDATED {
            if self.config.has_token_provider {
                self.token.clear();
                self.refresh_required = true;
            }
            self.invalidate_all_subscriptions();
        }
        match codes::disconnect_action(code) {
            DisconnectAction::Stop => self.go_disconnected(code, reason, now),
            DisconnectAction::Reconnect if code < 3000 => {
                self.go_connecting(codes::connecting::TRANSPORT_CLOSED, "transport closed", now)
            }
            DisconnectAction::Reconnect => self.go_connecting(code, reason, now),
        }
    }

    /// The successful connect reply.
    pub(super) fn on_connected(&mut self, result: ConnectResult, now: Instant) {
        let Some(id) = self.transport.as_ref().map(|s| s.id) else {
            return;
        };
        self.state = ClientState::Connected;
        self.attempts.reset_backoff();
        self.timers.clear(&TimerKey::Reconnect);
        self.go_online();
        self.session = Some(Session { ping: Duration::from_secs(u64::from(result.ping)), pong: result.pong });
        self.timers.clear(&TimerKey::PingWatchdog);
        self.rearm_ping_watchdog(now);
        if !result.session.is_empty() {
            self.emit(Output::Session { id, session: result.session.clone(), node: result.node.clone() });
        }
        self.schedule_refresh(result.expires, result.ttl, now);
        self.attempts.settle();
        self.client_event(ClientEvent::Connected {
            client: result.client.clone(),
            version: result.version.clone(),
            data: result.data.clone(),
            transport: self.transport_name().to_owned(),
        });
        self.apply_server_subs(result.subs, now);
        self.send_pending_subscribes(now);
        self.send_waiting_requests(now);
        self.check_wake(now);
    }

    /// An error reply to `connect` (PROTOCOL.md 4.5).
    pub(super) fn on_connect_error(&mut self, error: ErrorReply, now: Instant) {
        // The server answered through this transport, so it works here.
        self.attempts.settle();
        let err = Error::from(error.clone());
        if error.code == codes::server_error::TOKEN_EXPIRED && !self.config.has_token_provider {
            // Nothing can renew the token: stop, and say the server's code and reason.
            let reason = format!(
                "server error {} \"{}\": no token provider is configured to renew the token",
                error.code, error.message
            );
            self.client_event(ClientEvent::Error(err));
            self.go_disconnected(codes::disconnected::UNAUTHORIZED, &reason, now);
            return;
        }
        if codes::connect_error_is_retryable(error.code, error.temporary) {
            if error.code == codes::server_error::TOKEN_EXPIRED {
                self.token.clear();
                self.refresh_required = true;
            }
            self.client_event(ClientEvent::Error(err));
            self.leave_connection(3000, "connect error");
            self.schedule_reconnect(now);
        } else {
            self.go_disconnected(error.code, &error.message, now);
        }
    }

    /// Starts one connection attempt: fetch a token first when one is needed, else open a transport.
    pub(super) fn start_attempt(&mut self, now: Instant) {
        self.timers.clear(&TimerKey::Reconnect);
        let need_token = self.refresh_required || (self.token.is_empty() && self.config.has_token_provider);
        if need_token && self.config.has_token_provider {
            self.fetch_connection_token(super::tokens::ConnTokenPurpose::Connect);
            return;
        }
        self.open_transport(now);
    }

    pub(super) fn open_transport(&mut self, now: Instant) {
        self.close_transport(1000, "reconnecting");
        let id = self.attempts.next_transport_id();
        self.transport = Some(TransportSlot { id, phase: Phase::Opening });
        self.timers.set(TimerKey::OpenDeadline, now + self.config.timeout);
        let (endpoint, transport) = (self.attempts.endpoint(), self.attempts.transport_index());
        self.emit(Output::OpenTransport { id, endpoint, transport });
    }

    /// Forgets the transport (with its open deadline) without closing it.
    fn drop_transport(&mut self) -> Option<TransportSlot> {
        self.timers.clear(&TimerKey::OpenDeadline);
        self.transport.take()
    }

    pub(super) fn close_transport(&mut self, code: u16, reason: &str) {
        if let Some(slot) = self.drop_transport() {
            self.emit(Output::CloseTransport { id: slot.id, code, reason: reason.to_owned() });
        }
    }

    /// Schedules the next attempt: full-jitter backoff, the slower cadence while suspended, nothing while
    /// the network is known to be down, and parking instead when the app is in the background.
    pub(super) fn schedule_reconnect(&mut self, now: Instant) {
        self.timers.clear(&TimerKey::Reconnect);
        if self.life.network_down() {
            tracing::debug!("network is down: waiting for network_changed(true)");
            return;
        }
        if self.life.app_state() == super::AppState::Background
            && self.config.background_grace.is_some()
            && !self.life.is_waking()
        {
            self.park(now);
            return;
        }
        let cadence = self.life.is_suspended().then_some(self.config.suspended_retry);
        let delay = self.attempts.next_delay(cadence, &mut self.rng);
        tracing::debug!(
            delay_ms = delay.as_millis() as u64,
            attempt = self.attempts.step(),
            "reconnect scheduled"
        );
        self.timers.set(TimerKey::Reconnect, now + delay);
    }

    /// Leaves the connection (if any) and retries with backoff.
    pub(super) fn go_connecting(&mut self, code: u32, reason: &str, now: Instant) {
        if matches!(self.state, ClientState::Disconnected | ClientState::Closed) {
            return;
        }
        let was_connected = self.state == ClientState::Connected;
        let mut fall_back_now = false;
        if was_connected {
            self.go_offline(now);
        } else if self.session.is_none() && code < 3000 {
            // This attempt failed before the server accepted it. Until a transport has worked, try the
            // next one at once (PROTOCOL.md 8.4); after that, or once all were tried, rotate endpoints.
            let transports = self.config.transports.len().max(1);
            fall_back_now = self.attempts.attempt_failed(transports, self.config.endpoints);
        }
        self.leave_connection(3000, reason);
        self.state = ClientState::Connecting;
        if was_connected {
            self.client_event(ClientEvent::Connecting { code, reason: reason.to_owned() });
        }
        if fall_back_now && !self.life.network_down() {
            tracing::debug!(transport = self.transport_name(), "falling back to the next transport");
            self.timers.set(TimerKey::Reconnect, now);
        } else {
            self.schedule_reconnect(now);
        }
    }

    /// Leaves the connection (if any) and stops.
    pub(super) fn go_disconnected(&mut self, code: u32, reason: &str, _now: Instant) {
        if matches!(self.state, ClientState::Disconnected | ClientState::Closed) {
            return;
        }
        self.leave_connection(1000, reason);
        self.timers.clear(&TimerKey::Reconnect);
        self.stop_outage();
        self.conn_token_fetch = None;
        self.fail_waiting(Error::Disconnected);
        self.state = ClientState::Disconnected;
        self.client_event(ClientEvent::Disconnected { code, reason: reason.to_owned() });
    }

    /// Everything tied to the current connection ends here: the transport, in-flight commands (their
    /// outcome is unknown), heartbeats, the refresh timer and any refresh token fetch, and subscriptions
    /// fall back to `subscribing`.
    fn leave_connection(&mut self, close_code: u16, reason: &str) {
        self.close_transport(close_code, reason);
        self.session = None;
        self.timers.clear(&TimerKey::PingWatchdog);
        self.timers.clear(&TimerKey::Refresh);
        if matches!(self.conn_token_fetch, Some(ref f) if f.purpose.is_refresh()) {
            self.conn_token_fetch = None;
        }
        self.tx_queue.clear();
        self.fail_inflight();
        // Compaction ids belong to the connection that assigned them.
        self.subs.compaction.clear();
        let channels: Vec<String> = self.subs.client.keys().cloned().collect();
        for channel in channels {
            let Some(sub) = self.subs.client.get_mut(&channel) else {
                continue;
            };
            sub.on_connection_lost(&channel, &mut self.timers);
            if sub.state == SubscriptionState::Subscribed {
                sub.state = SubscriptionState::Subscribing;
                self.sub_event(
                    &channel,
                    SubscriptionEvent::Subscribing {
                        code: codes::subscribing::TRANSPORT_CLOSED,
                        reason: "transport closed".to_owned(),
                    },
                );
            }
        }
        if self.state == ClientState::Connected {
            let server_channels: Vec<String> = self.subs.server.keys().cloned().collect();
            for channel in server_channels {
                self.client_event(ClientEvent::ServerSubscribing { channel });
            }
        }
    }

    pub(super) fn connection_timeouts(&mut self, now: Instant) {
        if self.timers.is_due(&TimerKey::OpenDeadline, now) {
            self.client_event(ClientEvent::Error(Error::Transport(
                "timed out opening the transport".to_owned(),
            )));
            self.go_connecting(codes::connecting::TRANSPORT_CLOSED, "transport open timeout", now);
        }
        self.ping_timeout(now);
        if self.timers.is_due(&TimerKey::Reconnect, now) && self.state == ClientState::Connecting {
            self.start_attempt(now);
        }
        if self.timers.is_due(&TimerKey::Refresh, now) {
            self.timers.clear(&TimerKey::Refresh);
            self.fetch_connection_token(super::tokens::ConnTokenPurpose::Refresh);
        }
    }

    /// The transport in use, if it is open.
    pub(super) fn open_transport_id(&self) -> Option<TransportId> {
        self.transport.as_ref().filter(|s| s.is_open()).map(|s| s.id)
    }
}
