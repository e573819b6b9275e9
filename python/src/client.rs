//! [`NativeClient`]: the Python-facing handle of one [`ceaseless::Client`].

use std::sync::Arc;

use ceaseless::{ClientState, Duration, HistoryOptions};
use futures::StreamExt;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use tokio::sync::watch;

use crate::awaitable::{awaitable, none};
use crate::convert::{self, ClientInfo, HistoryResult, PresenceStats, decode_opt, publication_list};
use crate::errors::to_pyerr;
use crate::events::Item;
use crate::logging::refresh_log_level;
use crate::stream::NativeStream;
use crate::subscription::NativeSubscription;
use crate::tokens::{LoopSlot, PyTokenProvider};

/// The native client; `ceaseless.Client` wraps it.
#[pyclass(frozen, module = "ceaseless._ceaseless")]
pub struct NativeClient {
    client: ceaseless::Client,
    event_loop: LoopSlot,
    /// Turns true once `close()` has finished; ends every stream of this client.
    closed: Arc<watch::Sender<bool>>,
}

fn seconds(py: Python<'_>, what: &str, value: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        to_pyerr(py, &ceaseless::Error::Config(format!("{what} must be a non-negative number of seconds")))
    })
}

fn state_name(state: ClientState) -> &'static str {
    match state {
        ClientState::Disconnected => "disconnected",
        ClientState::Connecting => "connecting",
        ClientState::Connected => "connected",
        ClientState::Closed => "closed",
    }
}

#[pymethods]
impl NativeClient {
    #[new]
    #[pyo3(signature = (url, *, token=None, get_token=None, get_subscription_token=None, name=None,
        version=None, timeout=None, reconnect_delay=None, data=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        url: &str,
        token: Option<String>,
        get_token: Option<Py<PyAny>>,
        get_subscription_token: Option<Py<PyAny>>,
        name: Option<String>,
        version: Option<String>,
        timeout: Option<f64>,
        reconnect_delay: Option<(f64, f64)>,
        data: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let _ = refresh_log_level(py);
        let event_loop = LoopSlot::default();
        event_loop.capture(py);
        let mut builder = ceaseless::Client::builder(url);
        if let Some(token) = token {
            builder = builder.token(token);
        }
        if let Some(function) = get_token {
            builder = builder.token_provider(PyTokenProvider::new(function, event_loop.clone()));
        }
        if let Some(function) = get_subscription_token {
            builder = builder.subscription_token_provider(PyTokenProvider::new(function, event_loop.clone()));
        }
        if let Some(name) = name {
            builder = builder.name(name);
        }
        if let Some(version) = version {
            builder = builder.version(version);
        }
        if let Some(timeout) = timeout {
            builder = builder.timeout(seconds(py, "timeout", timeout)?);
        }
        if let Some((min, max)) = reconnect_delay {
            builder = builder
                .reconnect_delay(seconds(py, "reconnect_delay", min)?, seconds(py, "reconnect_delay", max)?);
        }
        if let Some(data) = data {
            builder = builder.data(convert::payload(py, &data)?);
        }
        let _runtime = pyo3_async_runtimes::tokio::get_runtime().enter();
        let client = builder.build().map_err(|e| to_pyerr(py, &e))?;
        Ok(Self { client, event_loop, closed: Arc::new(watch::channel(false).0) })
    }

    /// Starts connecting (and reconnecting) in the background.
    fn connect(&self, py: Python<'_>) {
        let _ = refresh_log_level(py);
        self.event_loop.capture(py);
        self.client.connect();
    }

    /// Disconnects; subscriptions resume on the next `connect()`.
    fn disconnect(&self) {
        self.client.disconnect();
    }

    /// Awaitable: closes the client for good.
    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client.clone();
        let closed = self.closed.clone();
        awaitable(
            py,
            async move {
                client.close().await;
                closed.send_replace(true);
                Ok(())
            },
            none,
        )
    }

    /// Awaitable: resolves once connected.
    fn ready<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client.clone();
        awaitable(py, async move { client.ready().await }, none)
    }

    /// `"disconnected"`, `"connecting"`, `"connected"` or `"closed"`.
    #[getter]
    fn state(&self) -> &'static str {
        state_name(self.client.state())
    }

    /// Replaces the connection token for the next connect attempt.
    fn set_token(&self, token: String) {
        self.client.set_token(token);
    }

    /// A stream of client events from now on.
    fn events(&self, py: Python<'_>) -> NativeStream {
        NativeStream::start(py, self.client.events().map(Item::Client), "", self.closed.subscribe())
    }

    /// Registers a subscription (not yet subscribed).
    #[pyo3(signature = (channel, *, token=None, get_token=None, recoverable=false, positioned=false,
        join_leave=false, since=None, data=None))]
    #[allow(clippy::too_many_arguments)]
    fn new_subscription(
        &self,
        py: Python<'_>,
        channel: &str,
        token: Option<String>,
        get_token: Option<Py<PyAny>>,
        recoverable: bool,
        positioned: bool,
        join_leave: bool,
        since: Option<(u64, String)>,
        data: Option<Bound<'_, PyAny>>,
    ) -> PyResult<NativeSubscription> {
        let mut builder = self
            .client
            .new_subscription(channel)
            .recoverable(recoverable)
            .positioned(positioned)
            .join_leave(join_leave);
        if let Some(token) = token {
            builder = builder.token(token);
        }
        if let Some(function) = get_token {
            builder = builder.token_provider(PyTokenProvider::new(function, self.event_loop.clone()));
        }
        if let Some(position) = convert::position(since) {
            builder = builder.since(position);
        }
        if let Some(data) = data {
            builder = builder.data(convert::payload(py, &data)?);
        }
        let subscription = builder.build().map_err(|e| to_pyerr(py, &e))?;
        Ok(NativeSubscription::new(subscription, self.closed.subscribe()))
    }

    /// Awaitable: publishes JSON `data` (`str` or `bytes`) into `channel`.
    fn publish<'py>(
        &self,
        py: Python<'py>,
        channel: String,
        data: Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let payload = convert::payload(py, &data)?;
        let client = self.client.clone();
        awaitable(py, async move { client.publish(&channel, payload).await }, none)
    }

    /// Awaitable: a page of `channel`'s history, as a `HistoryResult`.
    #[pyo3(signature = (channel, *, limit=0, since=None, reverse=false, raw=false))]
    fn history<'py>(
        &self,
        py: Python<'py>,
        channel: String,
        limit: i32,
        since: Option<(u64, String)>,
        reverse: bool,
        raw: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client.clone();
        let options = HistoryOptions { limit, since: convert::position(since), reverse };
        let name = channel.clone();
        awaitable(py, async move { client.history(&channel, options).await }, move |py, result| {
            let history = HistoryResult {
                publications: publication_list(py, &name, &result.publications, raw)?.unbind(),
                offset: result.offset,
                epoch: result.epoch,
            };
            Ok(Bound::new(py, history)?.into_any())
        })
    }

    /// Awaitable: who is subscribed to `channel`, as `{client_id: ClientInfo}`.
    #[pyo3(signature = (channel, *, raw=false))]
    fn presence<'py>(&self, py: Python<'py>, channel: String, raw: bool) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client.clone();
        awaitable(py, async move { client.presence(&channel).await }, move |py, result| {
            let dict = PyDict::new(py);
            for (id, info) in &result.presence {
                dict.set_item(id, ClientInfo::build(py, info, raw)?)?;
            }
            Ok(dict.into_any())
        })
    }

    /// Awaitable: how many clients and users are subscribed to `channel`.
    fn presence_stats<'py>(&self, py: Python<'py>, channel: String) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client.clone();
        awaitable(py, async move { client.presence_stats(&channel).await }, |py, stats| {
            let stats = PresenceStats { num_clients: stats.num_clients, num_users: stats.num_users };
            Ok(Bound::new(py, stats)?.into_any())
        })
    }

    /// Awaitable: calls the RPC `method` with JSON `data`; resolves to the decoded reply (or bytes).
    #[pyo3(signature = (method, data, *, raw=false))]
    fn rpc<'py>(
        &self,
        py: Python<'py>,
        method: String,
        data: Bound<'py, PyAny>,
        raw: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let payload = convert::payload(py, &data)?;
        let client = self.client.clone();
        awaitable(py, async move { client.rpc(&method, payload).await }, move |py, reply| {
            decode_opt(py, reply.as_ref(), raw)
        })
    }
}
