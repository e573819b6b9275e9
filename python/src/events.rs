//! Client and subscription events as instances of the dataclasses in `ceaseless.events`.
//!
//! A batch is converted in one go: the data of every publication in it is decoded with a single
//! `json.loads` ([`crate::convert::decode_many`]), then each event becomes one Python object.

use ceaseless::{ClientEvent, Gap, StreamPosition, SubscribedInfo, SubscriptionEvent};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyModule, PyString};

use crate::convert::{ClientInfo, Publication, decode_many, decode_opt};
use crate::errors;

static EVENTS_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// Calls the class `name` of `ceaseless.events` with `args`.
fn make<'py, A>(py: Python<'py>, name: &str, args: A) -> PyResult<Bound<'py, PyAny>>
where
    A: pyo3::call::PyCallArgs<'py>,
{
    let module =
        EVENTS_MODULE.get_or_try_init(py, || PyResult::Ok(py.import("ceaseless.events")?.unbind()))?.bind(py);
    module.getattr(name)?.call1(args)
}

/// What a stream carries.
pub(crate) enum Item {
    Client(ClientEvent),
    Sub(SubscriptionEvent),
}

/// Which items a stream hands to Python.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Filter {
    /// Every event.
    All,
    /// Only publications, as [`Publication`] objects.
    Publications,
}

/// Converts a batch of items, in order. Items the filter drops, and event kinds this binding does not
/// know yet, are skipped.
pub(crate) fn convert_batch<'py>(
    py: Python<'py>,
    channel: &Bound<'py, PyString>,
    items: &[Item],
    filter: Filter,
    raw: bool,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let payloads: Vec<&[u8]> = items
        .iter()
        .filter_map(|item| match item {
            Item::Sub(SubscriptionEvent::Publication(p)) => Some(p.data.as_bytes()),
            Item::Client(ClientEvent::ServerPublication { publication, .. }) if filter == Filter::All => {
                Some(publication.data.as_bytes())
            }
            _ => None,
        })
        .collect();
    let mut data = decode_many(py, &payloads, raw)?.into_iter();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let object = match item {
            Item::Sub(SubscriptionEvent::Publication(p)) => match data.next() {
                Some(d) => Some(Publication::build(py, channel, p, d, raw)?.into_bound(py).into_any()),
                None => None,
            },
            _ if filter == Filter::Publications => None,
            Item::Sub(event) => sub_event(py, event, raw)?,
            Item::Client(ClientEvent::ServerPublication { channel, publication }) => match data.next() {
                Some(d) => {
                    let channel = PyString::new(py, channel);
                    Some(Publication::build(py, &channel, publication, d, raw)?.into_bound(py).into_any())
                }
                None => None,
            },
            Item::Client(event) => client_event(py, event, raw)?,
        };
        out.extend(object);
    }
    Ok(out)
}

fn subscribed<'py>(
    py: Python<'py>,
    name: &str,
    channel: Option<&str>,
    info: &SubscribedInfo,
    raw: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let (offset, epoch) = match &info.position {
        Some(p) => (Some(p.offset), Some(p.epoch.clone())),
        None => (None, None),
    };
    let data = decode_opt(py, info.data.as_ref(), raw)?;
    let (rec, pos, was, recovered) = (info.recoverable, info.positioned, info.was_recovering, info.recovered);
    match channel {
        Some(channel) => make(py, name, (channel, rec, pos, offset, epoch, was, recovered, data)),
        None => make(py, name, (rec, pos, offset, epoch, was, recovered, data)),
    }
}

type PositionTuple = Option<(u64, String)>;

fn position(p: &Option<StreamPosition>) -> PositionTuple {
    p.as_ref().map(|p| (p.offset, p.epoch.clone()))
}

fn gap_fields(gap: &Gap) -> (PositionTuple, PositionTuple) {
    (position(&gap.last_delivered), position(&gap.resumed_from))
}

fn sub_event<'py>(
    py: Python<'py>,
    event: &SubscriptionEvent,
    raw: bool,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let object = match event {
        SubscriptionEvent::Subscribing { code, reason } => make(py, "Subscribing", (*code, reason))?,
        SubscriptionEvent::Subscribed(info) => subscribed(py, "Subscribed", None, info, raw)?,
        SubscriptionEvent::Unsubscribed { code, reason } => make(py, "Unsubscribed", (*code, reason))?,
        SubscriptionEvent::Join(info) => make(py, "Join", (ClientInfo::build(py, info, raw)?,))?,
        SubscriptionEvent::Leave(info) => make(py, "Leave", (ClientInfo::build(py, info, raw)?,))?,
        SubscriptionEvent::Gap(gap) => make(py, "Gap", gap_fields(gap))?,
        SubscriptionEvent::Error(e) => make(py, "Error", (errors::exception(py, e)?,))?,
        SubscriptionEvent::StateLoaded { state, position } => make(
            py,
            "StateLoaded",
            (decode_opt(py, state.as_ref(), raw)?, (position.offset, &position.epoch)),
        )?,
        _ => return Ok(None),
    };
    Ok(Some(object))
}

fn client_event<'py>(py: Python<'py>, event: &ClientEvent, raw: bool) -> PyResult<Option<Bound<'py, PyAny>>> {
    let object = match event {
        ClientEvent::Connecting { code, reason } => make(py, "Connecting", (*code, reason))?,
        ClientEvent::Connected { client, version, data, transport } => {
            make(py, "Connected", (client, version, decode_opt(py, data.as_ref(), raw)?, transport))?
        }
        ClientEvent::Suspended => make(py, "Suspended", ())?,
        ClientEvent::ServerGap { channel, gap } => {
            let (last, resumed) = gap_fields(gap);
            make(py, "ServerGap", (channel, last, resumed))?
        }
        ClientEvent::Disconnected { code, reason } => make(py, "Disconnected", (*code, reason))?,
        ClientEvent::Error(e) => make(py, "Error", (errors::exception(py, e)?,))?,
        ClientEvent::Message(data) => make(py, "Message", (decode_opt(py, Some(data), raw)?,))?,
        ClientEvent::ServerSubscribing { channel } => make(py, "ServerSubscribing", (channel,))?,
        ClientEvent::ServerSubscribed { channel, info } => {
            subscribed(py, "ServerSubscribed", Some(channel), info, raw)?
        }
        ClientEvent::ServerUnsubscribed { channel } => make(py, "ServerUnsubscribed", (channel,))?,
        ClientEvent::ServerJoin { channel, info } => {
            make(py, "ServerJoin", (channel, ClientInfo::build(py, info, raw)?))?
        }
        ClientEvent::ServerLeave { channel, info } => {
            make(py, "ServerLeave", (channel, ClientInfo::build(py, info, raw)?))?
        }
        ClientEvent::Closed => make(py, "Closed", ())?,
        _ => return Ok(None),
    };
    Ok(Some(object))
}
