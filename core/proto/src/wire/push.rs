//! Asynchronous pushes from the server.
//!
//! A push arrives as a [`Reply`] with id 0 and names the channel it concerns (empty for
//! connection-level pushes: `message`, `connect`, `disconnect`, `refresh`). Exactly one kind of
//! content is set on the wire; [`PushBody`] models which one. Push kinds this crate does not know
//! decode to [`PushBody::Unknown`] so that newer servers do not break older clients.
//!
//! [`Reply`]: crate::wire::Reply

use super::payload::Payload;
use super::reply::{ClientInfo, ConnectResult, Publication};

/// An asynchronous push.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Push {
    /// The channel concerned; empty for connection-level pushes.
    pub channel: String,
    /// What happened.
    pub body: PushBody,
}

/// The content of a [`Push`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PushBody {
    /// A publication in the channel.
    Publication(Publication),
    /// A client joined the channel.
    Join(ClientInfo),
    /// A client left the channel.
    Leave(ClientInfo),
    /// The server removed the subscription. Codes below 2500 are final; from 2500 on, the
    /// client should resubscribe.
    Unsubscribe {
        /// Unsubscribe code (2000-2999).
        code: u32,
        /// Short description.
        reason: String,
    },
    /// An asynchronous message addressed to this connection.
    Message(Payload),
    /// The server added a server-side subscription.
    Subscribe(SubscribePush),
    /// Connection information (unidirectional transports; bidirectional clients may ignore it).
    Connect(ConnectResult),
    /// The server is closing the connection (non-WebSocket transports).
    Disconnect {
        /// Disconnect code (decides whether to reconnect).
        code: u32,
        /// Short description.
        reason: String,
    },
    /// The server updated the connection expiration.
    Refresh {
        /// The connection expires.
        expires: bool,
        /// Seconds until the connection expires.
        ttl: u32,
    },
    /// A push kind this crate does not know.
    #[default]
    Unknown,
}

/// Content of the `subscribe` push (a server-side subscription added at runtime).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubscribePush {
    /// Recovery is enabled for the subscription.
    pub recoverable: bool,
    /// Current stream epoch.
    pub epoch: String,
    /// Current stream offset.
    pub offset: u64,
    /// Positioning is on.
    pub positioned: bool,
    /// Custom data.
    pub data: Option<Payload>,
}
