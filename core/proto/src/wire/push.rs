//! Asynchronous pushes from the server.
//!
//! A push arrives as a [`Reply`] with id 0 and names the channel it concerns (empty for
//! connection-level pushes: `message`, `connect`, `disconnect`, `refresh`). With channel compaction
//! negotiated, `pub`, `join` and `leave` pushes carry the channel's numeric id instead of its name. Exactly one kind of
//! content is set on the wire; [`PushBody`] models which one. Push kinds this crate does not know
//! decode to [`PushBody::Unknown`] so that newer servers do not break older clients.
//!
//! [`Reply`]: crate::wire::Reply

use super::payload::Payload;
use super::reply::{ClientInfo, ConnectResult, Publication};

/// An asynchronous push.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Push {
    /// Channel compaction (`Push.id`, Protobuf field 1): the numeric id the subscribe reply assigned to
    /// the channel, set instead of `channel` on `pub`, `join` and `leave` pushes; 0 when absent.
    pub id: i64,
    /// The channel concerned; empty for connection-level pushes (and for compacted ones).
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    //! Decoding of every push example of PROTOCOL.md §3 with the JSON codec.

    use std::collections::BTreeMap;

    use bytes::Bytes;

    use super::*;
    use crate::codec::{Codec, JsonCodec};
    use crate::wire::{Reply, ReplyBody};

    fn push_of(frame: &str) -> Push {
        match JsonCodec.decode(&Bytes::from(frame.to_owned())).unwrap().as_slice() {
            [Reply { id: 0, error: None, body: ReplyBody::Push(p) }] => p.clone(),
            other => panic!("not one push: {other:?}"),
        }
    }

    fn json(s: &str) -> Payload {
        Payload::from_json_str(s).unwrap()
    }

    fn map<V>(pairs: impl IntoIterator<Item = (&'static str, V)>) -> BTreeMap<String, V> {
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    fn info(user: &str, client: &str) -> ClientInfo {
        ClientInfo { user: user.into(), client: client.into(), ..Default::default() }
    }

    #[test]
    fn every_push_example() {
        let publication = push_of(
            r#"{"push":{"channel":"chat:1","pub":{"data":{"text":"hi"},"offset":42,"info":{"user":"7","client":"c0a…","conn_info":{"name":"Ann"}},"tags":{"k":"v"}}}}"#,
        );
        let expected = Publication {
            data: json(r#"{"text":"hi"}"#),
            offset: 42,
            info: Some(ClientInfo { conn_info: Some(json(r#"{"name":"Ann"}"#)), ..info("7", "c0a…") }),
            tags: map([("k", "v".to_owned())]),
            ..Default::default()
        };
        assert_eq!(
            publication,
            Push { id: 0, channel: "chat:1".into(), body: PushBody::Publication(expected) }
        );

        let join = push_of(r#"{"push":{"channel":"chat:1","join":{"info":{"user":"7","client":"c0a…"}}}}"#);
        assert_eq!(join, Push { id: 0, channel: "chat:1".into(), body: PushBody::Join(info("7", "c0a…")) });
        let leave = push_of(r#"{"push":{"channel":"chat:1","leave":{"info":{"user":"7","client":"c0a…"}}}}"#);
        assert_eq!(leave.body, PushBody::Leave(info("7", "c0a…")));

        let unsubscribe = push_of(
            r#"{"push":{"channel":"chat:1","unsubscribe":{"code":2000,"reason":"server unsubscribe"}}}"#,
        );
        let expected = PushBody::Unsubscribe { code: 2000, reason: "server unsubscribe".into() };
        assert_eq!(unsubscribe, Push { id: 0, channel: "chat:1".into(), body: expected });

        let message = push_of(r#"{"push":{"message":{"data":{"any":"json"}}}}"#);
        assert_eq!(
            message,
            Push { id: 0, channel: String::new(), body: PushBody::Message(json(r#"{"any":"json"}"#)) }
        );

        let subscribe = push_of(
            r#"{"push":{"channel":"user#42","subscribe":{"recoverable":true,"epoch":"xyz","offset":10,"positioned":true,"data":{}}}}"#,
        );
        let expected = SubscribePush {
            recoverable: true,
            epoch: "xyz".into(),
            offset: 10,
            positioned: true,
            data: Some(json("{}")),
        };
        assert_eq!(subscribe, Push { id: 0, channel: "user#42".into(), body: PushBody::Subscribe(expected) });

        let disconnect = push_of(r#"{"push":{"disconnect":{"code":3005,"reason":"connection expired"}}}"#);
        assert_eq!(disconnect.body, PushBody::Disconnect { code: 3005, reason: "connection expired".into() });

        let refresh = push_of(r#"{"push":{"refresh":{"expires":true,"ttl":3600}}}"#);
        assert_eq!(refresh.body, PushBody::Refresh { expires: true, ttl: 3600 });

        let connect =
            push_of(r#"{"push":{"connect":{"client":"c","version":"6.9.1","ping":25,"pong":true}}}"#);
        let expected = ConnectResult {
            client: "c".into(),
            version: "6.9.1".into(),
            ping: 25,
            pong: true,
            ..Default::default()
        };
        assert_eq!(connect.body, PushBody::Connect(expected));
    }

    #[test]
    fn delta_publication_data_is_a_json_string() {
        let push =
            push_of(r#"{"push":{"channel":"c","pub":{"data":"5\n3@0,2:ab1Xw;","delta":true,"offset":9}}}"#);
        let PushBody::Publication(publication) = push.body else { panic!("{push:?}") };
        assert!(publication.delta);
        assert_eq!(publication.data.as_str(), Some(r#""5\n3@0,2:ab1Xw;""#));
        assert_eq!(publication.data.json::<String>().unwrap(), "5\n3@0,2:ab1Xw;");
    }
}
