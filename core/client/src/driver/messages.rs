//! Messages into the driver: calls from the app's handles, and results from the driver's own tasks.

use std::sync::Arc;

use ceaseless_proto::wire::StreamPosition;
use ceaseless_proto::{
    ClientEvent, Error, Request, Response, SubscriptionConfig, SubscriptionEvent, TokenError, TokenRequestId,
    TransportId,
};
use futures::channel::mpsc::UnboundedSender;
use futures::channel::oneshot;

use super::fanout::StateCell;
use crate::state::{LoadedState, StateLoadError, StateLoader};
use crate::token::SubscriptionTokenProvider;
use crate::transport::{Connection, Incoming, TransportError};

/// A call from a `Client` or `Subscription` handle.
pub(crate) enum Call {
    Connect,
    Disconnect,
    Close(oneshot::Sender<()>),
    SetToken(String),
    SetHeaders(std::collections::BTreeMap<String, String>),
    NewSubscription {
        channel: String,
        config: Box<SubscriptionConfig>,
        provider: Option<Arc<dyn SubscriptionTokenProvider>>,
        loader: Option<Arc<dyn StateLoader>>,
        state: Arc<StateCell>,
    },
    Subscribe(String),
    Unsubscribe(String),
    RemoveSubscription(String),
    Request(Request, oneshot::Sender<Result<Response, Error>>),
    ClientEvents(UnboundedSender<ClientEvent>),
    SubscriptionEvents(String, UnboundedSender<SubscriptionEvent>),
    WaitConnected(oneshot::Sender<Result<(), Error>>),
    WaitSubscribed(String, oneshot::Sender<Result<(), Error>>),
    Position(String, oneshot::Sender<Option<StreamPosition>>),
    NetworkChanged(bool),
    Wake(ceaseless_proto::Duration, oneshot::Sender<ceaseless_proto::event::WakeReport>),
    AppState(ceaseless_proto::engine::AppState),
}

/// A result from one of the driver's tasks.
pub(crate) enum Internal {
    Opened(TransportId, Result<Connection, TransportError>),
    Incoming(TransportId, Incoming),
    Token(TokenRequestId, Result<String, TokenError>),
    State(ceaseless_proto::StateRequestId, Result<LoadedState, StateLoadError>),
}
