//! The virtual clock and the driver loop: drain every output, then apply what the fake server does.

use bytes::Bytes;
use web_time::{Duration, Instant};

use super::{Open, Reaction, Retry, Sent, Sim, join_lines};
use crate::engine::{Engine, Output, TransportId};

impl Sim {
    /// Virtual time since the start.
    pub(in crate::engine::tests) fn now(&self) -> Duration {
        self.now - self.base
    }

    /// Feeds one input, then drains outputs and server reactions until quiet.
    pub(in crate::engine::tests) fn act<R>(&mut self, input: impl FnOnce(&mut Engine, Instant) -> R) -> R {
        let result = input(&mut self.engine, self.now);
        self.pump();
        result
    }

    /// Moves the clock forward by `d`, firing every engine deadline on the way.
    pub(in crate::engine::tests) fn advance(&mut self, d: Duration) {
        self.run_until(self.now + d);
    }

    /// Moves the clock to `target`, calling `handle_timeout` at each deadline up to it.
    pub(in crate::engine::tests) fn run_until(&mut self, target: Instant) {
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

    pub(super) fn pump(&mut self) {
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

    pub(super) fn observe(&mut self, output: Output) {
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
            Output::LoadState(request) => self.states.push(request),
            Output::Event(event) => self.events.push(event),
            Output::Reply { id, result } => self.replies.push((id, result)),
            _ => {}
        }
    }

    pub(super) fn transport_ended(&mut self, id: TransportId) {
        if self.server.live == Some(id) {
            self.server.live = None;
            self.ended_at = Some(self.now);
        }
    }

    pub(super) fn serve(&mut self, id: TransportId, frame: &Bytes) {
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
}
