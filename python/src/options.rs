//! Python keyword arguments into [`ceaseless_bridge::ClientOptions`] / [`SubscriptionOptions`].
//!
//! The last conversion step only: names are the bridge's (`snake_case`), durations are seconds
//! ([`ceaseless_bridge::options::seconds`]), `background_grace=math.inf` is "never", transports and
//! formats are parsed by [`ceaseless_bridge::names`]. Every unset argument stays `None` so the core's
//! default applies; no default is written here. A position store is either a path (`str` or
//! `os.PathLike`: the file store) or the app's object with `load`, `save` and optionally `flush`
//! ([`PyPositionStore`]).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use ceaseless::positions::PositionStore;
use ceaseless::{Duration, StreamPosition};
use ceaseless_bridge::options::{grace_seconds, seconds};
use ceaseless_bridge::{ClientOptions, PositionStoreOption, SubscriptionOptions};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use crate::errors::{config_error, to_pyerr};

/// The client settings as Python passed them (see `NativeClient.__init__`).
pub(crate) struct ClientArgs<'py> {
    pub token: Option<String>,
    pub data: Option<Bound<'py, PyAny>>,
    pub name: Option<String>,
    pub version: Option<String>,
    pub headers: Option<BTreeMap<String, String>>,
    pub format: Option<String>,
    pub transports: Option<Vec<String>>,
    pub fallback_urls: Option<Vec<String>>,
    pub timeout: Option<f64>,
    pub reconnect_delay_min: Option<f64>,
    pub reconnect_delay_max: Option<f64>,
    pub max_server_ping_delay: Option<f64>,
    pub refresh_ahead: Option<f64>,
    pub max_message_size: Option<i64>,
    pub offline_queue_limit: Option<i64>,
    pub offline_queue_timeout: Option<f64>,
    pub suspend_after: Option<f64>,
    pub background_grace: Option<f64>,
    pub position_store: Option<Bound<'py, PyAny>>,
    pub tls_root_ca_pem: Option<Vec<String>>,
    pub proxy: Option<String>,
}

/// The subscription settings as Python passed them (see `NativeClient.new_subscription`).
pub(crate) struct SubscriptionArgs<'py> {
    pub token: Option<String>,
    pub data: Option<Bound<'py, PyAny>>,
    pub positioned: Option<bool>,
    pub recoverable: Option<bool>,
    pub join_leave: Option<bool>,
    pub delta: Option<bool>,
    pub since: Option<(u64, String)>,
    pub resubscribe_delay_min: Option<f64>,
    pub resubscribe_delay_max: Option<f64>,
    /// The filter as JSON text (the Python wrapper serializes the dict).
    pub tags_filter: Option<String>,
    pub state_loader: Option<Arc<dyn ceaseless::state::StateLoader>>,
}

fn duration(py: Python<'_>, what: &str, value: Option<f64>) -> PyResult<Option<Duration>> {
    value.map(|v| seconds(what, v)).transpose().map_err(|e| to_pyerr(py, &e))
}

fn count(py: Python<'_>, what: &str, value: Option<i64>) -> PyResult<Option<u64>> {
    value
        .map(|v| u64::try_from(v).map_err(|_| config_error(py, format!("{what} must not be negative"))))
        .transpose()
}

/// The bytes of `str` or `bytes` data (JSON text, or any bytes with Protobuf; the bridge checks).
pub(crate) fn data_bytes(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = data.cast::<PyBytes>() {
        Ok(b.as_bytes().to_vec())
    } else if let Ok(s) = data.cast::<PyString>() {
        Ok(s.to_cow()?.as_bytes().to_vec())
    } else {
        let err = ceaseless::Error::InvalidPayload("data must be str or bytes".to_owned());
        Err(to_pyerr(py, &err))
    }
}

/// The client settings for the bridge.
pub(crate) fn client_options(py: Python<'_>, args: ClientArgs<'_>) -> PyResult<ClientOptions> {
    let bridge = |e: ceaseless::Error| to_pyerr(py, &e);
    let format = args.format.as_deref().map(ceaseless_bridge::names::format).transpose().map_err(bridge)?;
    let transports = args
        .transports
        .unwrap_or_default()
        .iter()
        .map(|name| ceaseless_bridge::names::transport(name))
        .collect::<Result<Vec<_>, _>>()
        .map_err(bridge)?;
    Ok(ClientOptions {
        token: args.token,
        data: args.data.as_ref().map(|d| data_bytes(py, d)).transpose()?,
        name: args.name,
        version: args.version,
        headers: args.headers.unwrap_or_default(),
        format,
        transports,
        fallback_urls: args.fallback_urls.unwrap_or_default(),
        timeout: duration(py, "timeout", args.timeout)?,
        reconnect_delay_min: duration(py, "reconnect_delay_min", args.reconnect_delay_min)?,
        reconnect_delay_max: duration(py, "reconnect_delay_max", args.reconnect_delay_max)?,
        max_server_ping_delay: duration(py, "max_server_ping_delay", args.max_server_ping_delay)?,
        refresh_ahead: duration(py, "refresh_ahead", args.refresh_ahead)?,
        max_message_size: count(py, "max_message_size", args.max_message_size)?,
        offline_queue_limit: count(py, "offline_queue_limit", args.offline_queue_limit)?,
        offline_queue_timeout: duration(py, "offline_queue_timeout", args.offline_queue_timeout)?,
        suspend_after: duration(py, "suspend_after", args.suspend_after)?,
        background_grace: args.background_grace.map(grace_seconds).transpose().map_err(bridge)?,
        position_store: args.position_store.map(|s| position_store(py, &s)).transpose()?,
        tls_root_ca_pem: args.tls_root_ca_pem.unwrap_or_default(),
        proxy: args.proxy,
    })
}

/// The subscription settings for the bridge.
pub(crate) fn subscription_options(
    py: Python<'_>,
    args: SubscriptionArgs<'_>,
) -> PyResult<SubscriptionOptions> {
    Ok(SubscriptionOptions {
        token: args.token,
        data: args.data.as_ref().map(|d| data_bytes(py, d)).transpose()?,
        positioned: args.positioned,
        recoverable: args.recoverable,
        join_leave: args.join_leave,
        delta: args.delta,
        since: args.since.map(|(offset, epoch)| StreamPosition { offset, epoch }),
        resubscribe_delay_min: duration(py, "resubscribe_delay_min", args.resubscribe_delay_min)?,
        resubscribe_delay_max: duration(py, "resubscribe_delay_max", args.resubscribe_delay_max)?,
        tags_filter: args.tags_filter,
        state_loader: args.state_loader,
    })
}

/// A path (`str`, `os.PathLike`) is a file store; an object with `load` and `save` is the app's own.
fn position_store(py: Python<'_>, store: &Bound<'_, PyAny>) -> PyResult<PositionStoreOption> {
    let is_path = store.is_instance_of::<PyString>()
        || py.import("os")?.getattr("PathLike").and_then(|class| store.is_instance(&class)).unwrap_or(false);
    if is_path {
        let path: PathBuf = store.extract()?;
        let path = path.to_str().ok_or_else(|| config_error(py, "the position file path is not UTF-8"))?;
        return Ok(PositionStoreOption::File(path.to_owned()));
    }
    let callable = |name: &str| store.getattr(name).is_ok_and(|m| m.is_callable());
    if !(callable("load") && callable("save")) {
        return Err(config_error(
            py,
            "position_store must be a path or an object with load(channel) and save(channel, position)",
        ));
    }
    Ok(PositionStoreOption::Custom(Arc::new(PyPositionStore { store: store.clone().unbind() })))
}

/// A position store written in Python: `load(channel) -> Optional[tuple[int, str]]`,
/// `save(channel, (offset, epoch))` and optionally `flush()`.
///
/// Called from the client's threads: each call attaches to the interpreter (and does nothing once it
/// is shutting down). An exception, or a `load` result of the wrong shape, is logged to the
/// `"ceaseless"` logger and treated as "nothing saved"; it never reaches the client.
struct PyPositionStore {
    store: Py<PyAny>,
}

impl PyPositionStore {
    fn report(py: Python<'_>, method: &str, channel: &str, err: &PyErr) {
        let logged = crate::logging::logger(py).and_then(|logger| {
            let kwargs = PyDict::new(py);
            kwargs.set_item("exc_info", err.value(py))?;
            logger.call_method(
                "warning",
                ("the position store's %s(%r) failed; ignored", method, channel),
                Some(&kwargs),
            )
        });
        if logged.is_err() {
            PyErr::take(py);
        }
    }
}

impl PositionStore for PyPositionStore {
    fn load(&self, channel: &str) -> Option<StreamPosition> {
        crate::interpreter::attach(|py| {
            let loaded = self
                .store
                .bind(py)
                .call_method1("load", (channel,))
                .and_then(|value| value.extract::<Option<(u64, String)>>());
            match loaded {
                Ok(position) => position.map(|(offset, epoch)| StreamPosition { offset, epoch }),
                Err(err) => {
                    Self::report(py, "load", channel, &err);
                    None
                }
            }
        })
        .flatten()
    }

    fn save(&self, channel: &str, position: &StreamPosition) {
        crate::interpreter::attach(|py| {
            let saved = self
                .store
                .bind(py)
                .call_method1("save", (channel, (position.offset, position.epoch.as_str())));
            if let Err(err) = saved {
                Self::report(py, "save", channel, &err);
            }
        });
    }

    fn flush(&self) {
        crate::interpreter::attach(|py| {
            let store = self.store.bind(py);
            if !store.hasattr("flush").unwrap_or(false) {
                return;
            }
            if let Err(err) = store.call_method0("flush") {
                Self::report(py, "flush", "", &err);
            }
        });
    }
}
