//! The transport slot of the current attempt and what the connect reply told the engine.

use web_time::Duration;

use super::TransportId;

/// Where the transport of the current attempt is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// The driver is opening it; `TimerKey::OpenDeadline` is armed exactly in this phase.
    Opening,
    /// It carries frames. `optimistic` is what `handle_opened` said: `subscribe` may go out before the
    /// connect reply.
    Open { optimistic: bool },
}

/// The transport of the current attempt.
#[derive(Debug)]
pub(super) struct TransportSlot {
    pub(super) id: TransportId,
    pub(super) phase: Phase,
}

impl TransportSlot {
    pub(super) fn is_open(&self) -> bool {
        matches!(self.phase, Phase::Open { .. })
    }

    /// Whether `subscribe` commands may be sent before the connect reply.
    pub(super) fn is_optimistic(&self) -> bool {
        self.phase == Phase::Open { optimistic: true }
    }
}

/// What the connect reply told us.
#[derive(Debug, Clone)]
pub(super) struct Session {
    /// Server ping interval (zero: the server does not ping).
    pub(super) ping: Duration,
    /// Whether the server wants a pong for every ping.
    pub(super) pong: bool,
}
