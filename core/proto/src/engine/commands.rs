//! Commands: id allocation, replies matched by id, per-command timeouts, app requests, frame batching.
//!
//! Commands queued while handling one input leave together: [`Engine::flush`] encodes the queue into as
//! few frames as the server's message size limit allows, so `connect` and the pending `subscribe`s share
//! one frame after the socket opens. What the app hands in is checked before it is queued (`checks`).

use bytes::Bytes;
use web_time::Instant;

use super::checks::validate_channel;
use super::command_table::Commands;
use super::{Engine, Output, Request, RequestId, Response};
use crate::codec::{AnyCodec, Codec};
use crate::codes;
use crate::error::Error;
use crate::event::ClientState;
use crate::wire::{
    Command, CommandBody, ErrorReply, HistoryRequest, PresenceRequest, PresenceStatsRequest, PublishRequest,
    ReplyBody, RpcRequest, SendRequest,
};

/// What a command in flight was for.
#[derive(Debug, Clone)]
pub(super) enum InflightKind {
    Connect,
    Subscribe {
        channel: String,
    },
    Unsubscribe,
    Refresh,
    SubRefresh {
        channel: String,
    },
    Request(RequestId),
    /// A publish the debounce held and sent when its window ended: nobody waits for its reply.
    DebouncedPublish {
        channel: String,
    },
}

/// Checks that `command` can be encoded, and returns its encoded size.
pub(super) fn encoded_len(codec: &AnyCodec, command: &Command) -> Result<usize, Error> {
    let mut buf = Vec::new();
    codec
        .encode(std::slice::from_ref(command), &mut buf)
        .map_err(|e| Error::InvalidPayload(e.to_string()))?;
    Ok(buf.len())
}

impl Request {
    fn channel(&self) -> Option<&str> {
        match self {
            Request::Publish { channel, .. }
            | Request::SubscriptionPublish { channel, .. }
            | Request::History { channel, .. }
            | Request::Presence { channel }
            | Request::PresenceStats { channel } => Some(channel),
            Request::Rpc { .. } | Request::Send { .. } => None,
        }
    }

    fn to_body(&self) -> CommandBody {
        match self.clone() {
            Request::Publish { channel, data } | Request::SubscriptionPublish { channel, data } => {
                CommandBody::Publish(PublishRequest { channel, data })
            }
            Request::History { channel, limit, since, reverse } => {
                CommandBody::History(HistoryRequest { channel, limit, since, reverse })
            }
            Request::Presence { channel } => CommandBody::Presence(PresenceRequest { channel }),
            Request::PresenceStats { channel } => {
                CommandBody::PresenceStats(PresenceStatsRequest { channel })
            }
            Request::Rpc { method, data } => CommandBody::Rpc(RpcRequest { method, data }),
            Request::Send { data } => CommandBody::Send(SendRequest { data }),
        }
    }
}

impl Engine {
    /// Starts an app request. The outcome arrives as [`Output::Reply`] with the returned id:
    /// - connected: the command is sent at once;
    /// - connecting (an outage): it waits for the connection, at most `offline_queue_timeout`
    ///   ([`Error::Timeout`]), and is then sent once; while suspended it fails with [`Error::Suspended`];
    /// - disconnected: [`Error::Disconnected`].
    ///
    /// A command whose connection is lost after sending and before the reply fails with
    /// [`Error::OutcomeUnknown`] and is never resent: the protocol has no idempotency key, so a resend
    /// could publish twice.
    ///
    /// # Errors
    /// Input that can never succeed is refused at once: [`Error::InvalidChannel`],
    /// [`Error::MessageTooLarge`], [`Error::Closed`]; [`Error::QueueFull`] when `offline_queue_limit`
    /// calls already wait.
    pub fn request(&mut self, request: Request, now: Instant) -> Result<RequestId, Error> {
        if let Some(err) = self.is_closed_error() {
            return Err(err);
        }
        if let Some(channel) = request.channel() {
            validate_channel(channel)?;
        }
        let probe = Command { id: u32::MAX, body: request.to_body() };
        let size = encoded_len(&self.codec, &probe)?;
        if size > self.config.max_message_size {
            return Err(Error::MessageTooLarge { size, limit: self.config.max_message_size });
        }
        let id = self.commands.next_request_id();
        if let Request::SubscriptionPublish { channel, data } = &request
            && self.debounce_publish(channel, data, now)
        {
            self.emit(Output::Reply { id, result: Ok(Response::Debounced) });
            self.flush();
            return Ok(id);
        }
        match self.state {
            ClientState::Connected => self.send_request(id, request, now),
            ClientState::Connecting if self.life.is_suspended() => {
                self.emit(Output::Reply { id, result: Err(Error::Suspended) })
            }
            ClientState::Connecting => {
                if self.commands.waiting_len() >= self.config.offline_queue_limit {
                    return Err(Error::QueueFull { limit: self.config.offline_queue_limit });
                }
                let deadline = now + self.config.offline_queue_timeout;
                self.commands.wait(id, request, deadline, &mut self.timers);
            }
            ClientState::Disconnected | ClientState::Closed => {
                self.emit(Output::Reply { id, result: Err(Error::Disconnected) })
            }
        }
        self.flush();
        Ok(id)
    }

    fn send_request(&mut self, id: RequestId, request: Request, now: Instant) {
        let body = request.to_body();
        if matches!(body, CommandBody::Send(_)) {
            self.tx_queue.push(Command { id: 0, body });
            self.emit(Output::Reply { id, result: Ok(Response::Sent) });
        } else {
            self.send_command(body, InflightKind::Request(id), now);
        }
    }

    pub(super) fn send_waiting_requests(&mut self, now: Instant) {
        while let Some(w) = self.commands.pop_waiting(&mut self.timers) {
            self.send_request(w.id, w.request, now);
        }
    }

    pub(super) fn fail_waiting(&mut self, error: Error) {
        while let Some(w) = self.commands.pop_waiting(&mut self.timers) {
            self.emit(Output::Reply { id: w.id, result: Err(error.clone()) });
        }
    }

    /// Queues a command with a fresh id and a reply deadline.
    pub(super) fn send_command(&mut self, body: CommandBody, kind: InflightKind, now: Instant) -> u32 {
        let id = self.commands.send(kind, now + self.config.timeout, &mut self.timers);
        self.tx_queue.push(Command { id, body });
        id
    }

    /// Every command in flight loses its connection: app requests fail with
    /// [`Error::OutcomeUnknown`] (the server may have executed them; they are never resent).
    pub(super) fn fail_inflight(&mut self) {
        for (_, kind) in self.commands.drain(&mut self.timers) {
            if let InflightKind::Request(id) = kind {
                self.emit(Output::Reply { id, result: Err(Error::OutcomeUnknown) });
            }
        }
    }

    /// Routes a reply to the command it answers.
    pub(super) fn on_command_reply(
        &mut self,
        id: u32,
        error: Option<ErrorReply>,
        body: ReplyBody,
        now: Instant,
    ) {
        let Some(kind) = self.commands.take(id, &mut self.timers) else {
            tracing::debug!(id, "reply to a command no longer in flight");
            return;
        };
        match kind {
            InflightKind::Connect => match (error, body) {
                (Some(err), _) => self.on_connect_error(err, now),
                (None, ReplyBody::Connect(result)) => self.on_connected(result, now),
                (None, _) => self.protocol_violation("unexpected reply to connect", now),
            },
            InflightKind::Subscribe { channel } => self.on_subscribe_reply(&channel, id, error, body, now),
            InflightKind::Unsubscribe => {
                if error.is_some() {
                    self.go_connecting(codes::connecting::UNSUBSCRIBE_ERROR, "unsubscribe error", now);
                }
            }
            InflightKind::Refresh => self.on_refresh_reply(error, body, now),
            InflightKind::SubRefresh { channel } => self.on_sub_refresh_reply(&channel, error, body, now),
            InflightKind::DebouncedPublish { channel } => self.on_debounced_publish_reply(&channel, error),
            InflightKind::Request(request) => {
                let result = match (error, body) {
                    (Some(e), _) => Err(Error::from(e)),
                    (None, ReplyBody::Publish) => Ok(Response::Published),
                    (None, ReplyBody::History(h)) => Ok(Response::History(h)),
                    (None, ReplyBody::Presence(p)) => Ok(Response::Presence(p)),
                    (None, ReplyBody::PresenceStats(p)) => Ok(Response::PresenceStats(p)),
                    (None, ReplyBody::Rpc(r)) => Ok(Response::Rpc(r.data)),
                    (None, other) => {
                        Err(Error::Protocol(format!("unexpected reply body {}", body_name(&other))))
                    }
                };
                self.emit(Output::Reply { id: request, result });
            }
        }
    }

    pub(super) fn command_timeouts(&mut self, now: Instant) {
        for id in Commands::expired(&self.timers, now) {
            let Some(kind) = self.commands.take(id, &mut self.timers) else {
                continue;
            };
            match kind {
                InflightKind::Connect => {
                    self.client_event(crate::event::ClientEvent::Error(Error::Timeout));
                    self.go_connecting(codes::connecting::TRANSPORT_CLOSED, "connect timeout", now);
                }
                InflightKind::Subscribe { .. } => {
                    self.go_connecting(codes::connecting::SUBSCRIBE_TIMEOUT, "subscribe timeout", now)
                }
                InflightKind::Unsubscribe => {
                    self.go_connecting(codes::connecting::UNSUBSCRIBE_ERROR, "unsubscribe timeout", now)
                }
                InflightKind::Refresh => self.retry_refresh_later(now),
                InflightKind::SubRefresh { channel } => self.retry_sub_refresh_later(&channel, now),
                InflightKind::DebouncedPublish { channel } => {
                    tracing::debug!(channel, "no reply to a debounced publish in time")
                }
                InflightKind::Request(request) => {
                    self.emit(Output::Reply { id: request, result: Err(Error::Timeout) })
                }
            }
        }
        // Waiting entries are queued in deadline order (same timeout for all), so the front check suffices.
        while let Some(w) = self.commands.pop_expired_waiting(now, &mut self.timers) {
            self.emit(Output::Reply { id: w.id, result: Err(Error::Timeout) });
        }
    }

    /// The server sent something unusable: stop, as the reference SDKs do ("bad protocol").
    pub(super) fn protocol_violation(&mut self, what: &str, now: Instant) {
        tracing::warn!(what, "protocol violation");
        self.client_event(crate::event::ClientEvent::Error(Error::Protocol(what.to_owned())));
        self.go_disconnected(codes::disconnected::BAD_PROTOCOL, "bad protocol", now);
    }

    /// Encodes queued commands into frames no larger than the message size limit.
    pub(super) fn flush(&mut self) {
        self.flush_positions();
        if self.tx_queue.is_empty() {
            return;
        }
        let Some(id) = self.open_transport_id() else {
            // Nothing can carry them; commands in flight fail through the connection's end.
            self.tx_queue.clear();
            return;
        };
        let commands = std::mem::take(&mut self.tx_queue);
        let limit = self.config.max_message_size;
        let separator = self.codec.format().separator();
        let mut frame: Vec<u8> = Vec::new();
        let mut one: Vec<u8> = Vec::new();
        for command in &commands {
            one.clear();
            if let Err(e) = self.codec.encode(std::slice::from_ref(command), &mut one) {
                // Input is checked before it is queued, so this is a bug; fail the command loudly
                // rather than leaving it to time out.
                tracing::error!(error = %e, "a command cannot be encoded");
                if let Some(InflightKind::Request(request)) = self.commands.take(command.id, &mut self.timers)
                {
                    self.emit(Output::Reply {
                        id: request,
                        result: Err(Error::InvalidPayload(e.to_string())),
                    });
                }
                continue;
            }
            if !frame.is_empty() && frame.len() + separator.len() + one.len() > limit {
                self.emit(Output::Transmit { id, frame: Bytes::from(std::mem::take(&mut frame)) });
            }
            if !frame.is_empty() {
                frame.extend_from_slice(separator);
            }
            frame.extend_from_slice(&one);
        }
        if !frame.is_empty() {
            self.emit(Output::Transmit { id, frame: Bytes::from(frame) });
        }
    }
}

impl Engine {
    fn flush_positions(&mut self) {
        while let Some(channel) = self.dirty_positions.pop_first() {
            if let Some(position) =
                self.subs.client.get(&channel).and_then(|s| s.recovery.position().cloned())
            {
                self.emit(Output::SavePosition { channel, position });
            }
        }
    }
}

fn body_name(body: &ReplyBody) -> &'static str {
    match body {
        ReplyBody::Ping => "ping",
        ReplyBody::Push(_) => "push",
        ReplyBody::Connect(_) => "connect",
        ReplyBody::Subscribe(_) => "subscribe",
        ReplyBody::Unsubscribe => "unsubscribe",
        ReplyBody::Publish => "publish",
        ReplyBody::Presence(_) => "presence",
        ReplyBody::PresenceStats(_) => "presence_stats",
        ReplyBody::History(_) => "history",
        ReplyBody::Rpc(_) => "rpc",
        ReplyBody::Refresh(_) => "refresh",
        ReplyBody::SubRefresh(_) => "sub_refresh",
        ReplyBody::Empty => "empty",
    }
}
