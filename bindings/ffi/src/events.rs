//! [`Event`]: everything the client tells the app, as one enum (a sealed class in Kotlin, an enum in
//! Swift).
//!
//! Client-level events and the events of one client-side subscription share the type: subscription
//! variants carry their `channel`, so one listener or stream can serve both. Events of server-side
//! subscriptions (channels the server subscribed the connection to) have their own `Server*` variants.

use ceaseless::{ClientEvent, SubscriptionEvent};

use crate::error::CeaselessError;
use crate::types::{ClientInfo, Gap, Publication, StreamPosition, SubscribedInfo, bytes};

/// A client or subscription event.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Event {
    /// The client is (re)connecting.
    Connecting {
        /// Why (a connecting code or the server's disconnect code).
        code: u32,
        /// A short reason.
        reason: String,
    },
    /// The server accepted the connection.
    Connected {
        /// The server-assigned client id.
        client: String,
        /// The server version.
        version: String,
        /// Custom data from the server.
        data: Option<Vec<u8>>,
        /// The transport in use (`websocket`, `http_stream`, `sse`).
        transport: String,
    },
    /// The client stopped and will not reconnect by itself.
    Disconnected {
        /// Why.
        code: u32,
        /// A short reason.
        reason: String,
    },
    /// Offline longer than the suspend threshold; still retrying, more slowly.
    Suspended,
    /// Shut down for good.
    Closed,
    /// Something failed; the client keeps going where it makes sense.
    Error {
        /// What failed.
        error: CeaselessError,
    },
    /// An async message from the server.
    Message {
        /// The data.
        data: Vec<u8>,
    },
    /// A subscription is (re)subscribing.
    Subscribing {
        /// The channel.
        channel: String,
        /// Why.
        code: u32,
        /// A short reason.
        reason: String,
    },
    /// A subscription is confirmed; recovered publications follow.
    Subscribed {
        /// The channel.
        channel: String,
        /// Recovery details.
        info: SubscribedInfo,
    },
    /// A subscription ended and will not resubscribe by itself.
    Unsubscribed {
        /// The channel.
        channel: String,
        /// Why.
        code: u32,
        /// A short reason.
        reason: String,
    },
    /// A publication, delivered once, in stream order.
    Publication {
        /// The channel.
        channel: String,
        /// The publication.
        publication: Publication,
    },
    /// Someone joined the channel.
    Join {
        /// The channel.
        channel: String,
        /// Who.
        info: ClientInfo,
    },
    /// Someone left the channel.
    Leave {
        /// The channel.
        channel: String,
        /// Who.
        info: ClientInfo,
    },
    /// Continuity was lost on the channel: reload state.
    Gap {
        /// The channel.
        channel: String,
        /// What was lost.
        gap: Gap,
    },
    /// The subscription's state loader answered: `state` is current at `position`, and the
    /// subscription now recovers from there. Comes before every publication after `position`.
    StateLoaded {
        /// The channel.
        channel: String,
        /// The state the loader returned.
        state: Option<Vec<u8>>,
        /// The stream position it is current at.
        position: StreamPosition,
    },
    /// Something failed in a subscription; it keeps trying where it makes sense.
    SubscriptionError {
        /// The channel.
        channel: String,
        /// What failed.
        error: CeaselessError,
    },
    /// A server-side subscription waits for the connection.
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
        /// Who.
        info: ClientInfo,
    },
    /// Someone left a server-side subscription's channel.
    ServerLeave {
        /// The channel.
        channel: String,
        /// Who.
        info: ClientInfo,
    },
    /// A server-side subscription lost continuity.
    ServerGap {
        /// The channel.
        channel: String,
        /// What was lost.
        gap: Gap,
    },
}

/// Maps a client event; `None` for kinds a newer Rust client adds that this layer does not know.
pub(crate) fn from_client(event: ClientEvent) -> Option<Event> {
    Some(match event {
        ClientEvent::Connecting { code, reason } => Event::Connecting { code, reason },
        ClientEvent::Connected { client, version, data, transport } => {
            Event::Connected { client, version, data: data.map(bytes), transport }
        }
        ClientEvent::Disconnected { code, reason } => Event::Disconnected { code, reason },
        ClientEvent::Suspended => Event::Suspended,
        ClientEvent::Closed => Event::Closed,
        ClientEvent::Error(error) => Event::Error { error: error.into() },
        ClientEvent::Message(data) => Event::Message { data: bytes(data) },
        ClientEvent::ServerSubscribing { channel } => Event::ServerSubscribing { channel },
        ClientEvent::ServerSubscribed { channel, info } => {
            Event::ServerSubscribed { channel, info: info.into() }
        }
        ClientEvent::ServerUnsubscribed { channel } => Event::ServerUnsubscribed { channel },
        ClientEvent::ServerPublication { channel, publication } => {
            Event::ServerPublication { channel, publication: publication.into() }
        }
        ClientEvent::ServerJoin { channel, info } => Event::ServerJoin { channel, info: info.into() },
        ClientEvent::ServerLeave { channel, info } => Event::ServerLeave { channel, info: info.into() },
        ClientEvent::ServerGap { channel, gap } => Event::ServerGap { channel, gap: gap.into() },
        other => {
            tracing::debug!(?other, "client event kind not mapped by ceaseless-ffi");
            return None;
        }
    })
}

/// Maps an event of the subscription to `channel`; `None` for kinds this layer does not know.
pub(crate) fn from_subscription(channel: &str, event: SubscriptionEvent) -> Option<Event> {
    let channel = channel.to_owned();
    Some(match event {
        SubscriptionEvent::Subscribing { code, reason } => Event::Subscribing { channel, code, reason },
        SubscriptionEvent::Subscribed(info) => Event::Subscribed { channel, info: info.into() },
        SubscriptionEvent::Unsubscribed { code, reason } => Event::Unsubscribed { channel, code, reason },
        SubscriptionEvent::Publication(p) => Event::Publication { channel, publication: p.into() },
        SubscriptionEvent::Join(info) => Event::Join { channel, info: info.into() },
        SubscriptionEvent::Leave(info) => Event::Leave { channel, info: info.into() },
        SubscriptionEvent::Gap(gap) => Event::Gap { channel, gap: gap.into() },
        SubscriptionEvent::Error(error) => Event::SubscriptionError { channel, error: error.into() },
        SubscriptionEvent::StateLoaded { state, position } => {
            Event::StateLoaded { channel, state: state.map(bytes), position: position.into() }
        }
        other => {
            tracing::debug!(?other, "subscription event kind not mapped by ceaseless-ffi");
            return None;
        }
    })
}
