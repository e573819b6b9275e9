//! The commands part: command ids, the commands in flight, and the app requests waiting for a
//! connection.
//!
//! Invariants:
//! - a command id is never reused while it is in flight: ids count up from 1 and wrap to 1 after
//!   `u32::MAX` (0 is the protocol's "no reply expected");
//! - `TimerKey::Command(id)` is armed exactly while `id` is in `inflight`: [`Commands::send`] arms it,
//!   and every way out ([`Commands::take`], [`Commands::drain`]) clears it;
//! - `TimerKey::Waiting(id)` is armed exactly while request `id` is in `waiting`; entries are queued in
//!   deadline order (one timeout for all), so the front is always the first to expire.

use std::collections::{HashMap, VecDeque};

use web_time::Instant;

use super::commands::InflightKind;
use super::timers::{TimerKey, Timers};
use super::{Request, RequestId};

/// An app request waiting for the connection.
#[derive(Debug)]
pub(super) struct Waiting {
    pub(super) id: RequestId,
    pub(super) request: Request,
}

/// Command ids, commands in flight and waiting app requests.
#[derive(Debug, Default)]
pub(super) struct Commands {
    next_command_id: u32,
    inflight: HashMap<u32, InflightKind>,
    waiting: VecDeque<Waiting>,
    next_request_id: u64,
}

impl Commands {
    /// Puts a command in flight under a fresh id, its reply due by `deadline`.
    pub(super) fn send(&mut self, kind: InflightKind, deadline: Instant, timers: &mut Timers) -> u32 {
        self.next_command_id = self.next_command_id.checked_add(1).unwrap_or(1);
        let id = self.next_command_id;
        self.inflight.insert(id, kind);
        timers.set(TimerKey::Command(id), deadline);
        id
    }

    /// Takes command `id` out of flight (its reply arrived, it timed out, or it cannot be sent).
    pub(super) fn take(&mut self, id: u32, timers: &mut Timers) -> Option<InflightKind> {
        let kind = self.inflight.remove(&id)?;
        timers.clear(&TimerKey::Command(id));
        Some(kind)
    }

    /// Takes every command out of flight, in id order.
    pub(super) fn drain(&mut self, timers: &mut Timers) -> Vec<(u32, InflightKind)> {
        let mut all: Vec<(u32, InflightKind)> = self.inflight.drain().collect();
        all.sort_by_key(|(id, _)| *id);
        for (id, _) in &all {
            timers.clear(&TimerKey::Command(*id));
        }
        all
    }

    /// Whether a `connect` is in flight.
    pub(super) fn connect_in_flight(&self) -> bool {
        self.inflight.values().any(|kind| matches!(kind, InflightKind::Connect))
    }

    /// The ids of the commands whose reply is late at `now`, in id order.
    pub(super) fn expired(timers: &Timers, now: Instant) -> Vec<u32> {
        let mut ids: Vec<u32> = timers
            .due(now)
            .filter_map(|key| if let TimerKey::Command(id) = key { Some(*id) } else { None })
            .collect();
        ids.sort_unstable();
        ids
    }

    /// A fresh app request id.
    pub(super) fn next_request_id(&mut self) -> RequestId {
        self.next_request_id += 1;
        RequestId(self.next_request_id)
    }

    /// How many requests wait for the connection.
    pub(super) fn waiting_len(&self) -> usize {
        self.waiting.len()
    }

    /// Queues a request until the connection is up, at most until `deadline`.
    pub(super) fn wait(&mut self, id: RequestId, request: Request, deadline: Instant, timers: &mut Timers) {
        self.waiting.push_back(Waiting { id, request });
        timers.set(TimerKey::Waiting(id), deadline);
    }

    /// The oldest waiting request.
    pub(super) fn pop_waiting(&mut self, timers: &mut Timers) -> Option<Waiting> {
        let waiting = self.waiting.pop_front()?;
        timers.clear(&TimerKey::Waiting(waiting.id));
        Some(waiting)
    }

    /// The oldest waiting request, if it has waited too long at `now`.
    pub(super) fn pop_expired_waiting(&mut self, now: Instant, timers: &mut Timers) -> Option<Waiting> {
        let front = self.waiting.front()?;
        if !timers.is_due(&TimerKey::Waiting(front.id), now) {
            return None;
        }
        self.pop_waiting(timers)
    }
}
