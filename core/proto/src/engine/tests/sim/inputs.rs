//! What a test feeds in: app calls, transport events and server frames.

use bytes::Bytes;
use serde_json::{Value, json};

use super::server::{error_line, reply_line};
use super::{Sent, Sim, join_lines, publication};
use crate::config::SubscriptionConfig;
use crate::engine::{Engine, LoadedState, Request, RequestId, StateRequestId, TokenRequestId, TransportId};
use crate::error::{Error, TokenError};

impl Sim {
    /// `connect()`; the next transport is not a backoff retry.
    pub(in crate::engine::tests) fn connect(&mut self) {
        self.ended_at = None;
        self.act(Engine::connect);
    }

    /// Reports the pending transport (opened by the engine under [`Open::Manual`]) as open.
    pub(in crate::engine::tests) fn open(&mut self, optimistic: bool) {
        let id = self.transport();
        self.act(|e, now| e.handle_opened(id, optimistic, now));
    }

    /// The transport the server considers current.
    pub(in crate::engine::tests) fn transport(&self) -> TransportId {
        self.server.live.expect("no transport is open")
    }

    /// The transport ends with `code` (a close frame) or without one (a network failure).
    pub(in crate::engine::tests) fn close(&mut self, code: Option<u16>, reason: &str) {
        let id = self.transport();
        self.transport_ended(id);
        self.act(|e, now| e.handle_closed(id, code, reason, now));
    }

    pub(in crate::engine::tests) fn subscribe(&mut self, channel: &str, config: SubscriptionConfig) {
        self.engine.new_subscription(channel, config).expect("a valid new subscription");
        self.act(|e, now| e.subscribe(channel, now)).expect("subscribe");
    }

    pub(in crate::engine::tests) fn request(&mut self, request: Request) -> Result<RequestId, Error> {
        self.act(|e, now| e.request(request, now))
    }

    pub(in crate::engine::tests) fn answer_token(
        &mut self,
        id: TokenRequestId,
        result: Result<String, TokenError>,
    ) {
        self.act(|e, now| e.handle_token(id, result, now));
    }

    pub(in crate::engine::tests) fn answer_state(
        &mut self,
        id: StateRequestId,
        result: Result<LoadedState, String>,
    ) {
        self.act(|e, now| e.handle_state(id, result, now));
    }

    // ---- server inputs --------------------------------------------------------------------------

    /// One frame of reply lines on the current transport.
    pub(in crate::engine::tests) fn frame(&mut self, lines: &[Value]) {
        let id = self.transport();
        self.frame_on(id, &join_lines(lines));
    }

    /// A raw frame on any transport, current or not.
    pub(in crate::engine::tests) fn frame_on(&mut self, id: TransportId, text: &str) {
        let frame = Bytes::from(text.to_owned());
        self.act(|e, now| e.handle_frame(id, &frame, now));
    }

    /// `count` server pings in one frame.
    pub(in crate::engine::tests) fn pings(&mut self, count: u32) {
        self.server.pings += count;
        self.frame(&vec![json!({}); count as usize]);
    }

    pub(in crate::engine::tests) fn ping(&mut self) {
        self.pings(1);
    }

    /// A push concerning `channel` (empty for connection-level pushes).
    pub(in crate::engine::tests) fn push(&mut self, channel: &str, body: Value) {
        let mut push = body;
        if !channel.is_empty() {
            push["channel"] = json!(channel);
        }
        self.frame(&[json!({ "push": push })]);
    }

    /// Live publications at these offsets, one frame each.
    pub(in crate::engine::tests) fn publish_offsets(&mut self, channel: &str, offsets: &[u64]) {
        for &offset in offsets {
            self.push(channel, json!({ "pub": publication(offset) }));
        }
    }

    pub(in crate::engine::tests) fn reply(&mut self, to: &Sent, result: Value) {
        self.frame(&[reply_line(to, result)]);
    }

    pub(in crate::engine::tests) fn reply_error(&mut self, to: &Sent, code: u32, temporary: bool) {
        if to.kind == "connect" {
            self.server.rejected = true;
        }
        self.frame(&[error_line(to.id, code, temporary)]);
    }
}
