//! The vocabulary between the engine and its driver: identities, requests, responses and outputs.

use bytes::Bytes;

use crate::error::Error;
use crate::event::Event;
use crate::wire::{HistoryResult, Payload, PresenceResult, PresenceStatsResult, StreamPosition};

/// Identifies one transport connection. Transport events carry it; events for an old one are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransportId(pub u64);

/// Identifies one app request made with [`super::Engine::request`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// Identifies one token fetch. Answers to fetches the engine no longer waits for are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenRequestId(pub u64);

/// Identifies one state load. Answers to loads the engine no longer waits for are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StateRequestId(pub u64);

/// Asks the driver to call the subscription's state loader and answer with
/// [`super::Engine::handle_state`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateRequest {
    /// Echo this in the answer.
    pub id: StateRequestId,
    /// The subscription's channel.
    pub channel: String,
}

/// What an app's state loader answers: the channel's state as the app loaded it, and the stream
/// position that state is current at. The loader should read the stream position first (for example
/// from the server API's history top), then its own data, so the position is a lower bound: the
/// subscription recovers every publication after it, which may overlap what the app loaded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LoadedState {
    /// Where the state is current: the subscription recovers from here.
    pub position: StreamPosition,
    /// The state itself, handed to the app in [`crate::SubscriptionEvent::StateLoaded`] before any
    /// publication after `position` (`None` when the app keeps it elsewhere).
    pub state: Option<Payload>,
}

/// Which token to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// A connection token.
    Connection,
    /// A subscription token for `channel`.
    Subscription {
        /// The channel.
        channel: String,
    },
}

/// Asks the driver to call the app's token provider and answer with
/// [`super::Engine::handle_token`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// Echo this in the answer.
    pub id: TokenRequestId,
    /// Which token.
    pub kind: TokenKind,
}

/// An app call that maps to one protocol command.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Publish `data` into `channel`.
    Publish {
        /// The channel.
        channel: String,
        /// The payload.
        data: Payload,
    },
    /// Publish `data` through the subscription to `channel`: like [`Request::Publish`], but honouring
    /// the publish debounce the server set for the subscription (`SubscribeResult.publish_debounce`).
    /// Within a debounce window only the newest value is kept and sent when the window ends; such a
    /// call resolves at once with [`Response::Debounced`].
    SubscriptionPublish {
        /// The channel.
        channel: String,
        /// The payload.
        data: Payload,
    },
    /// Read the channel's history.
    History {
        /// The channel.
        channel: String,
        /// 0: only the stream top; -1: all (server-capped); n: up to n publications.
        limit: i32,
        /// Only publications after (or, reversed, before) this position.
        since: Option<StreamPosition>,
        /// Newest first.
        reverse: bool,
    },
    /// Who is subscribed to the channel.
    Presence {
        /// The channel.
        channel: String,
    },
    /// How many clients and users are subscribed to the channel.
    PresenceStats {
        /// The channel.
        channel: String,
    },
    /// Call an RPC method on the server (Centrifugo forwards it to an RPC proxy).
    Rpc {
        /// The method name.
        method: String,
        /// The payload.
        data: Payload,
    },
    /// Send an async message to the server. There is no reply; note that Centrifugo itself (without a
    /// custom handler) answers it by closing the connection with 3508.
    Send {
        /// The payload.
        data: Payload,
    },
}

/// The successful result of a [`Request`].
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// The publish was accepted.
    Published,
    /// The publish was held by the subscription's publish debounce: the newest value held is sent when
    /// the window ends, fire-and-forget (a failure shows as the subscription's error event).
    Debounced,
    /// History.
    History(HistoryResult),
    /// Presence.
    Presence(PresenceResult),
    /// Presence counts.
    PresenceStats(PresenceStatsResult),
    /// RPC result data.
    Rpc(Option<Payload>),
    /// The message was handed to the transport.
    Sent,
}

/// What the driver must do next.
#[derive(Debug, Clone, PartialEq)]
// Events (publications) are most outputs and are moved straight to the driver; boxing them would cost an
// allocation per publication to shrink the rare small variants.
#[allow(clippy::large_enum_variant)]
pub enum Output {
    /// Open a transport and report with `handle_opened` / `handle_closed` under this id.
    OpenTransport {
        /// The new transport's identity.
        id: TransportId,
        /// Which of the configured endpoints to use (0-based; see [`crate::Config::endpoints`]).
        endpoint: usize,
        /// Which of the configured transports to use (0-based; see [`crate::Config::transports`]).
        transport: usize,
    },
    /// Send one frame on the transport.
    Transmit {
        /// Which transport.
        id: TransportId,
        /// The encoded frame.
        frame: Bytes,
    },
    /// Emulation transports only: the session and node to address later commands to.
    Session {
        /// Which transport.
        id: TransportId,
        /// `ConnectResult.session`.
        session: String,
        /// `ConnectResult.node`.
        node: String,
    },
    /// Close the transport. No further events for it will be looked at.
    CloseTransport {
        /// Which transport.
        id: TransportId,
        /// Close code (1000 normal).
        code: u16,
        /// Close reason.
        reason: String,
    },
    /// The last delivered position of a subscription moved: persist it if positions should survive
    /// the process. Emitted at most once per channel per input.
    SavePosition {
        /// The channel.
        channel: String,
        /// The position to resume from.
        position: StreamPosition,
    },
    /// Fetch a token and answer with `handle_token`.
    FetchToken(TokenRequest),
    /// Call the subscription's state loader and answer with `handle_state`.
    LoadState(StateRequest),
    /// Deliver an event to the app.
    Event(Event),
    /// The outcome of an app request.
    Reply {
        /// Which request.
        id: RequestId,
        /// Its outcome.
        result: Result<Response, Error>,
    },
}
