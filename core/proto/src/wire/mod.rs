//! Wire types of the Centrifugo client protocol v2, independent of any encoding.
//!
//! The model mirrors the protocol envelopes:
//!
//! * a [`Command`] travels from client to server. It carries an `id` chosen by the client
//!   (0 only for `send` and for the pong) and exactly one request, modelled as [`CommandBody`];
//! * a [`Reply`] travels from server to client. With `id > 0` it answers the command with that id
//!   (an [`ErrorReply`] and/or a result); with `id == 0` it is either an asynchronous [`Push`] or a
//!   server ping ([`ReplyBody::Ping`]).
//!
//! Every field the protocol may leave out is represented by its zero value (empty string, 0,
//! `false`, empty collection) or by `None` for application data, so the types derive `Default`.
//! Application data is carried as [`Payload`]: raw JSON text in JSON mode, opaque bytes in
//! Protobuf mode. Turning these types into bytes and back is the job of [`crate::codec`].

mod command;
mod payload;
mod push;
mod reply;

pub use command::{
    Command, CommandBody, ConnectRequest, HistoryRequest, PresenceRequest, PresenceStatsRequest,
    PublishRequest, RefreshRequest, RpcRequest, SendRequest, StreamPosition, SubRefreshRequest,
    SubscribeRequest, UnsubscribeRequest,
};
pub use payload::{InvalidJson, Payload};
pub use push::{Push, PushBody, SubscribePush};
pub use reply::{
    ClientInfo, ConnectResult, ErrorReply, HistoryResult, PresenceResult, PresenceStatsResult, Publication,
    RefreshResult, Reply, ReplyBody, RpcResult, SubRefreshResult, SubscribeResult,
};
