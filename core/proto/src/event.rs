//! What the engine tells the app: state changes, publications, presence changes and errors.

use crate::error::Error;
use crate::wire::{ClientInfo, Payload, Publication, StreamPosition, SubscribeResult};

/// The client's connection state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientState {
    /// Not connected and not trying (initial state, after `disconnect()` or a terminal error).
    Disconnected,
    /// Opening a transport, waiting for the connect reply, or waiting to retry.
    Connecting,
    /// The server accepted the connection.
    Connected,
    /// Closed for good; every call fails with [`Error::Closed`].
    Closed,
}

/// A subscription's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubscriptionState {
    /// Not subscribed and not trying.
    Unsubscribed,
    /// Waiting for the connection, a token, the subscribe reply, or a resubscribe.
    Subscribing,
    /// The server confirmed the subscription.
    Subscribed,
}

/// Details of a (re)subscription, for the app's continuity decisions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubscribedInfo {
    /// Recovery is on for this subscription.
    pub recoverable: bool,
    /// Positioning is on for this subscription.
    pub positioned: bool,
    /// The stream position the server reports, when positioned: the stream top, or, after a successful
    /// recovery, the position recovered from (the recovered publications that follow move it on).
    pub position: Option<StreamPosition>,
    /// This subscribe asked to recover from a previous position.
    pub was_recovering: bool,
    /// Everything missed since that position is delivered (right after this event).
    /// `was_recovering && !recovered` means continuity was lost: reload state.
    pub recovered: bool,
    /// Custom data from the server.
    pub data: Option<Payload>,
}

impl From<&SubscribeResult> for SubscribedInfo {
    fn from(result: &SubscribeResult) -> Self {
        Self {
            recoverable: result.recoverable,
            positioned: result.positioned,
            position: (result.recoverable || result.positioned)
                .then(|| StreamPosition { offset: result.offset, epoch: result.epoch.clone() }),
            was_recovering: result.was_recovering,
            recovered: result.recovered,
            data: result.data.clone(),
        }
    }
}

/// Continuity was lost: the server could not replay everything since the last delivered position
/// (history trimmed or expired, or the stream was recreated with a new epoch). Publications between
/// `last_delivered` and `resumed_from` are gone; reload the state this stream feeds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Gap {
    /// The position of the last publication delivered before the gap (`None` if nothing was).
    pub last_delivered: Option<StreamPosition>,
    /// The stream position delivery resumes from (publications after it will arrive).
    pub resumed_from: Option<StreamPosition>,
}

/// What a [`crate::Engine::wake`] achieved.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WakeReport {
    /// Connected with every subscription subscribed (and its missed publications delivered) before the
    /// budget ran out.
    pub caught_up: bool,
    /// Publications delivered during the wake, per channel.
    pub publications: std::collections::BTreeMap<String, u64>,
    /// How long the wake took.
    pub elapsed: web_time::Duration,
}

/// A client-level event.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The client is (re)connecting.
    Connecting {
        /// Why (see [`crate::codes::connecting`], or the server's disconnect code).
        code: u32,
        /// A short human-readable reason.
        reason: String,
    },
    /// The server accepted the connection.
    Connected {
        /// The server-assigned client id.
        client: String,
        /// The server version.
        version: String,
        /// Custom data from the server.
        data: Option<Payload>,
        /// The transport in use (e.g. `websocket`, `http_stream`, `sse`).
        transport: String,
    },
    /// The client stopped and will not reconnect by itself.
    Disconnected {
        /// Why (see [`crate::codes::disconnected`], or the server's code).
        code: u32,
        /// A short human-readable reason.
        reason: String,
    },
    /// Something failed; the client keeps going (retrying where it makes sense).
    Error(Error),
    /// An async message from the server to this connection.
    Message(Payload),
    /// A server-side subscription is waiting for the connection to come back.
    ServerSubscribing {
        /// The channel.
        channel: String,
    },
    /// A server-side subscription is active.
    ServerSubscribed {
        /// The channel.
        channel: String,
        /// Recovery details.
        info: SubscribedInfo,
    },
    /// A server-side subscription ended.
    ServerUnsubscribed {
        /// The channel.
        channel: String,
    },
    /// A publication in a server-side subscription.
    ServerPublication {
        /// The channel.
        channel: String,
        /// The publication.
        publication: Publication,
    },
    /// Someone joined a server-side subscription's channel.
    ServerJoin {
        /// The channel.
        channel: String,
        /// Who joined.
        info: ClientInfo,
    },
    /// Someone left a server-side subscription's channel.
    ServerLeave {
        /// The channel.
        channel: String,
        /// Who left.
        info: ClientInfo,
    },
    /// The client has been offline longer than its suspend threshold. It keeps retrying, more slowly,
    /// and calls fail fast with [`Error::Suspended`] until it is connected again.
    Suspended,
    /// A server-side subscription lost continuity (see [`Gap`]).
    ServerGap {
        /// The channel.
        channel: String,
        /// What was lost.
        gap: Gap,
    },
    /// A wake finished (see [`crate::Engine::wake`]).
    WakeFinished(WakeReport),
    /// The client was closed for good.
    Closed,
}

/// A subscription-level event.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SubscriptionEvent {
    /// The subscription is (re)subscribing.
    Subscribing {
        /// Why (see [`crate::codes::subscribing`], or the server's unsubscribe code).
        code: u32,
        /// A short human-readable reason.
        reason: String,
    },
    /// The server confirmed the subscription. Recovered publications follow as `Publication` events.
    Subscribed(SubscribedInfo),
    /// The subscription ended and will not resubscribe by itself.
    Unsubscribed {
        /// Why (see [`crate::codes::unsubscribed`], or the server's code).
        code: u32,
        /// A short human-readable reason.
        reason: String,
    },
    /// A publication, delivered once, in stream order.
    Publication(Publication),
    /// Someone joined the channel.
    Join(ClientInfo),
    /// Someone left the channel.
    Leave(ClientInfo),
    /// Continuity was lost: reload state (see [`Gap`]). Follows the `Subscribed` event.
    Gap(Gap),
    /// Something failed; the subscription keeps trying where it makes sense.
    Error(Error),
    /// The app's state loader answered (subscriptions with a state loader only): `state` is current at
    /// `position`, and the subscription now subscribes recovering from there. Comes before every
    /// publication after `position`.
    StateLoaded {
        /// The state the loader returned.
        state: Option<Payload>,
        /// The stream position it is current at.
        position: StreamPosition,
    },
}

/// Any event, client-level or for one subscription.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A client-level event.
    Client(ClientEvent),
    /// An event of the client-side subscription to `channel`.
    Subscription {
        /// The channel.
        channel: String,
        /// The event.
        event: SubscriptionEvent,
    },
}
