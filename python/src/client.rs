//! [`NativeClient`]: the Python-facing handle of one [`ceaseless::Client`].

use ceaseless::HistoryOptions;
use ceaseless::transport::FrameFormat;
use ceaseless_bridge::options::{payload, seconds};
use futures::StreamExt;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::awaitable::{awaitable, none};
use crate::convert::{ClientInfo, HistoryResult, PresenceStats, WakeReport, decode_opt, publication_list};
use crate::errors::to_pyerr;
use crate::events::Item;
use crate::logging::refresh_log_level;
use crate::options::{ClientArgs, SubscriptionArgs, client_options, data_bytes, subscription_options};
use crate::state::PyStateLoader;
use crate::stream::NativeStream;
use crate::subscription::NativeSubscription;
use crate::tokens::{LoopSlot, PyTokenProvider};

/// The native client; `ceaseless.Client` wraps it.
#[pyclass(frozen, module = "ceaseless._ceaseless")]
pub struct NativeClient {
    client: ceaseless::Client,
    event_loop: LoopSlot,
    /// The encoding, which decides how data given to publish, RPC and subscriptions is checked.
    format: Option<FrameFormat>,
}

impl NativeClient {
    /// `str` / `bytes` data from Python as a payload in this client's format.
    fn payload(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<ceaseless::Payload> {
        payload(data_bytes(py, data)?, self.format).map_err(|e| to_pyerr(py, &e))
    }
}

#[pymethods]
impl NativeClient {
    #[new]
    #[pyo3(signature = (url, *, get_token=None, get_subscription_token=None, token=None, data=None,
        name=None, version=None, headers=None, format=None, transports=None, fallback_urls=None, timeout=None,
        reconnect_delay_min=None, reconnect_delay_max=None, max_server_ping_delay=None,
        refresh_ahead=None, max_message_size=None, offline_queue_limit=None, offline_queue_timeout=None,
        suspend_after=None, background_grace=None, position_store=None, tls_root_ca_pem=None,
        proxy=None))]
    #[allow(clippy::too_many_arguments)]
    fn new<'py>(
        py: Python<'py>,
        url: &str,
        get_token: Option<Py<PyAny>>,
        get_subscription_token: Option<Py<PyAny>>,
        token: Option<String>,
        data: Option<Bound<'py, PyAny>>,
        name: Option<String>,
        version: Option<String>,
        headers: Option<std::collections::BTreeMap<String, String>>,
        format: Option<String>,
        transports: Option<Vec<String>>,
        fallback_urls: Option<Vec<String>>,
        timeout: Option<f64>,
        reconnect_delay_min: Option<f64>,
        reconnect_delay_max: Option<f64>,
        max_server_ping_delay: Option<f64>,
        refresh_ahead: Option<f64>,
        max_message_size: Option<i64>,
        offline_queue_limit: Option<i64>,
        offline_queue_timeout: Option<f64>,
        suspend_after: Option<f64>,
        background_grace: Option<f64>,
        position_store: Option<Bound<'py, PyAny>>,
        tls_root_ca_pem: Option<Vec<String>>,
        proxy: Option<String>,
    ) -> PyResult<Self> {
        let _ = refresh_log_level(py);
        let options = client_options(
            py,
            ClientArgs {
                token,
                data,
                name,
                version,
                headers,
                format,
                transports,
                fallback_urls,
                timeout,
                reconnect_delay_min,
                reconnect_delay_max,
                max_server_ping_delay,
                refresh_ahead,
                max_message_size,
                offline_queue_limit,
                offline_queue_timeout,
                suspend_after,
                background_grace,
                position_store,
                tls_root_ca_pem,
                proxy,
            },
        )?;
        let format = options.format;
        let event_loop = LoopSlot::default();
        event_loop.capture(py);
        let _runtime = pyo3_async_runtimes::tokio::get_runtime().enter();
        let mut builder = options
            .builder_for(ceaseless_bridge::options::Binding::Python, url)
            .map_err(|e| to_pyerr(py, &e))?;
        if let Some(function) = get_token {
            builder = builder.token_provider(PyTokenProvider::new(function, event_loop.clone()));
        }
        if let Some(function) = get_subscription_token {
            builder = builder.subscription_token_provider(PyTokenProvider::new(function, event_loop.clone()));
        }
        let client = builder.build().map_err(|e| to_pyerr(py, &e))?;
        Ok(Self { client, event_loop, format })
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

    /// Awaitable: closes the client for good (every stream of it ends).
    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client.clone();
        awaitable(
            py,
            async move {
                client.close().await;
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
        ceaseless_bridge::names::client_state(self.client.state())
    }

    /// Replaces the connection token for the next connect attempt.
    fn set_token(&self, token: String) {
        self.client.set_token(token);
    }

    /// Replaces the emulated headers (the whole set) for the next connect.
    fn set_headers(&self, headers: std::collections::BTreeMap<String, String>) {
        self.client.set_headers(headers);
    }

    /// The OS says the network went away (`False`) or came back (`True`).
    fn network_changed(&self, available: bool) {
        self.client.network_changed(available);
    }

    /// `"foreground"` or `"background"`.
    fn set_app_state(&self, py: Python<'_>, state: String) -> PyResult<()> {
        let state = ceaseless_bridge::names::app_state(&state).map_err(|e| to_pyerr(py, &e))?;
        self.client.set_app_state(state);
        Ok(())
    }

    /// Awaitable: connects, catches up for at most `max_seconds`, and resolves to a `WakeReport`.
    fn wake<'py>(&self, py: Python<'py>, max_seconds: f64) -> PyResult<Bound<'py, PyAny>> {
        let max = seconds("max_seconds", max_seconds).map_err(|e| to_pyerr(py, &e))?;
        self.event_loop.capture(py);
        let client = self.client.clone();
        awaitable(py, async move { Ok(client.wake(max).await) }, |py, report| {
            Ok(Bound::new(py, WakeReport::build(py, &report)?)?.into_any())
        })
    }

    /// A stream of client events from now on (it ends after `Closed`).
    fn events(&self, py: Python<'_>) -> NativeStream {
        NativeStream::new(py, self.client.events().map(Item::Client), "")
    }

    /// Registers a subscription (not yet subscribed).
    #[pyo3(signature = (channel, *, get_token=None, token=None, data=None, positioned=None,
        recoverable=None, join_leave=None, delta=None, since=None, resubscribe_delay_min=None,
        resubscribe_delay_max=None, tags_filter=None, state_loader=None))]
    #[allow(clippy::too_many_arguments)]
    fn new_subscription<'py>(
        &self,
        py: Python<'py>,
        channel: &str,
        get_token: Option<Py<PyAny>>,
        token: Option<String>,
        data: Option<Bound<'py, PyAny>>,
        positioned: Option<bool>,
        recoverable: Option<bool>,
        join_leave: Option<bool>,
        delta: Option<bool>,
        since: Option<(u64, String)>,
        resubscribe_delay_min: Option<f64>,
        resubscribe_delay_max: Option<f64>,
        tags_filter: Option<String>,
        state_loader: Option<Py<PyAny>>,
    ) -> PyResult<NativeSubscription> {
        let state_loader = state_loader.map(|function| {
            let loader = PyStateLoader::new(function, self.event_loop.clone(), self.format);
            std::sync::Arc::new(loader) as std::sync::Arc<dyn ceaseless::state::StateLoader>
        });
        let options = subscription_options(
            py,
            SubscriptionArgs {
                token,
                data,
                positioned,
                recoverable,
                join_leave,
                delta,
                since,
                resubscribe_delay_min,
                resubscribe_delay_max,
                tags_filter,
                state_loader,
            },
        )?;
        let mut builder = options
            .apply(self.client.new_subscription(channel), self.format)
            .map_err(|e| to_pyerr(py, &e))?;
        if let Some(function) = get_token {
            builder = builder.token_provider(PyTokenProvider::new(function, self.event_loop.clone()));
        }
        let subscription = builder.build().map_err(|e| to_pyerr(py, &e))?;
        Ok(NativeSubscription::new(subscription))
    }

    /// Awaitable: publishes `data` (`str` or `bytes`: JSON, or any bytes with Protobuf) into `channel`.
    fn publish<'py>(
        &self,
        py: Python<'py>,
        channel: String,
        data: Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let payload = self.payload(py, &data)?;
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
        let since = since.map(|(offset, epoch)| ceaseless::StreamPosition { offset, epoch });
        let options = HistoryOptions { limit, since, reverse };
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
        let payload = self.payload(py, &data)?;
        let client = self.client.clone();
        awaitable(py, async move { client.rpc(&method, payload).await }, move |py, reply| {
            decode_opt(py, reply.as_ref(), raw)
        })
    }
}
