//! The binding's own result types and the JSON decoding of payloads.
//!
//! Payloads are decoded by Python's `json` module, straight from the received bytes: a batch of
//! payloads is joined into one JSON array text and decoded with a single `json.loads` call, which
//! keeps the per-publication cost to the C scanner's work (one copy of the bytes, no per-item
//! Python-level call). With `raw=True` the data is handed over as `bytes` instead.

use ceaseless::Payload;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn json_loads(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    JSON_LOADS.get_or_try_init(py, || Ok(py.import("json")?.getattr("loads")?.unbind())).map(|f| f.bind(py))
}

/// One payload as a Python value: `None` when absent, decoded JSON, or `bytes` (with `raw`, or when
/// the bytes are not JSON).
pub(crate) fn decode_one<'py>(py: Python<'py>, data: &[u8], raw: bool) -> PyResult<Bound<'py, PyAny>> {
    if raw {
        return Ok(PyBytes::new(py, data).into_any());
    }
    if data.is_empty() {
        return Ok(py.None().into_bound(py));
    }
    match std::str::from_utf8(data) {
        Ok(text) => match json_loads(py)?.call1((PyString::new(py, text),)) {
            Ok(value) => Ok(value),
            Err(_) => Ok(PyBytes::new(py, data).into_any()),
        },
        Err(_) => Ok(PyBytes::new(py, data).into_any()),
    }
}

/// An optional payload (e.g. `conn_info`) as a Python value.
pub(crate) fn decode_opt<'py>(
    py: Python<'py>,
    data: Option<&Payload>,
    raw: bool,
) -> PyResult<Bound<'py, PyAny>> {
    match data {
        Some(p) if !p.is_empty() => decode_one(py, p.as_bytes(), raw),
        _ => Ok(py.None().into_bound(py)),
    }
}

/// Many payloads at once, in order: one `json.loads` over `[p1,p2,...]`, falling back to one call per
/// payload if that fails.
pub(crate) fn decode_many<'py>(
    py: Python<'py>,
    payloads: &[&[u8]],
    raw: bool,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if raw || payloads.len() < 2 {
        return payloads.iter().map(|p| decode_one(py, p, raw)).collect();
    }
    let total: usize = payloads.iter().map(|p| p.len().max(4) + 1).sum();
    let mut text = String::with_capacity(total + 2);
    text.push('[');
    for (i, payload) in payloads.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        match std::str::from_utf8(payload) {
            Ok("") => text.push_str("null"),
            Ok(s) => text.push_str(s),
            Err(_) => return payloads.iter().map(|p| decode_one(py, p, raw)).collect(),
        }
    }
    text.push(']');
    let decoded = json_loads(py)?
        .call1((PyString::new(py, &text),))
        .ok()
        .and_then(|v| v.cast_into::<PyList>().ok())
        .filter(|list| list.len() == payloads.len());
    match decoded {
        Some(list) => Ok(list.iter().collect()),
        None => payloads.iter().map(|p| decode_one(py, p, raw)).collect(),
    }
}

/// A publication in a channel.
#[pyclass(frozen, module = "ceaseless")]
pub struct Publication {
    /// The channel.
    #[pyo3(get)]
    pub channel: Py<PyString>,
    /// The data: decoded JSON, or `bytes` when read with `raw=True`.
    #[pyo3(get)]
    pub data: Py<PyAny>,
    /// The offset in the channel's stream (0 when the channel keeps no history).
    #[pyo3(get)]
    pub offset: u64,
    /// Who published it, when it came from a client connection.
    #[pyo3(get)]
    pub info: Option<Py<ClientInfo>>,
    /// Tags set by the publisher; `None` stands for none (most publications), saving a dict each.
    tags: Option<Py<PyDict>>,
}

#[pymethods]
impl Publication {
    #[classattr]
    fn __match_args__() -> (&'static str, &'static str, &'static str, &'static str, &'static str) {
        ("channel", "data", "offset", "info", "tags")
    }

    /// Tags set by the publisher (an empty dict when none).
    #[getter]
    fn tags<'py>(&self, py: Python<'py>) -> Bound<'py, PyDict> {
        match &self.tags {
            Some(tags) => tags.bind(py).clone(),
            None => PyDict::new(py),
        }
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let this = slf.get();
        let py = slf.py();
        Ok(format!(
            "Publication(channel={}, offset={}, data={})",
            this.channel.bind(py).repr()?,
            this.offset,
            this.data.bind(py).repr()?
        ))
    }
}

impl Publication {
    /// Builds a publication from its already decoded data.
    pub(crate) fn build(
        py: Python<'_>,
        channel: &Bound<'_, PyString>,
        publication: &ceaseless::Publication,
        data: Bound<'_, PyAny>,
        raw: bool,
    ) -> PyResult<Py<Publication>> {
        let info = match &publication.info {
            Some(info) => Some(ClientInfo::build(py, info, raw)?),
            None => None,
        };
        let tags = if publication.tags.is_empty() {
            None
        } else {
            let tags = PyDict::new(py);
            for (k, v) in &publication.tags {
                tags.set_item(k, v)?;
            }
            Some(tags.unbind())
        };
        Py::new(
            py,
            Publication {
                channel: channel.clone().unbind(),
                data: data.unbind(),
                offset: publication.offset,
                info,
                tags,
            },
        )
    }
}

/// A client connection as presence, join/leave and publications describe it.
#[pyclass(frozen, get_all, module = "ceaseless")]
pub struct ClientInfo {
    /// The user id (`sub` of the connection token; empty for anonymous users).
    pub user: String,
    /// The client (connection) id.
    pub client: String,
    /// Connection info from the token, decoded (or `None`).
    pub conn_info: Py<PyAny>,
    /// Channel info from the subscription token, decoded (or `None`).
    pub chan_info: Py<PyAny>,
}

#[pymethods]
impl ClientInfo {
    fn __repr__(&self) -> String {
        format!("ClientInfo(user={:?}, client={:?})", self.user, self.client)
    }
}

impl ClientInfo {
    pub(crate) fn build(py: Python<'_>, info: &ceaseless::ClientInfo, raw: bool) -> PyResult<Py<ClientInfo>> {
        Py::new(
            py,
            ClientInfo {
                user: info.user.clone(),
                client: info.client.clone(),
                conn_info: decode_opt(py, info.conn_info.as_ref(), raw)?.unbind(),
                chan_info: decode_opt(py, info.chan_info.as_ref(), raw)?.unbind(),
            },
        )
    }
}

/// A page of a channel's history.
#[pyclass(frozen, get_all, module = "ceaseless")]
pub struct HistoryResult {
    /// The publications, oldest first (newest first with `reverse=True`).
    pub publications: Py<PyList>,
    /// The offset of the stream's newest publication.
    pub offset: u64,
    /// The stream's epoch (changes when the history is lost).
    pub epoch: String,
}

#[pymethods]
impl HistoryResult {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "HistoryResult(offset={}, epoch={:?}, publications=<{}>)",
            self.offset,
            self.epoch,
            self.publications.bind(py).len()
        )
    }
}

/// How many clients and users are subscribed to a channel.
#[pyclass(frozen, get_all, module = "ceaseless")]
pub struct PresenceStats {
    /// Connections subscribed.
    pub num_clients: u32,
    /// Distinct users subscribed.
    pub num_users: u32,
}

#[pymethods]
impl PresenceStats {
    fn __repr__(&self) -> String {
        format!("PresenceStats(num_clients={}, num_users={})", self.num_clients, self.num_users)
    }
}

/// Publications of one channel as a list of [`Publication`], decoding all data at once.
pub(crate) fn publication_list<'py>(
    py: Python<'py>,
    channel: &str,
    publications: &[ceaseless::Publication],
    raw: bool,
) -> PyResult<Bound<'py, PyList>> {
    let channel = PyString::new(py, channel);
    let payloads: Vec<&[u8]> = publications.iter().map(|p| p.data.as_bytes()).collect();
    let data = decode_many(py, &payloads, raw)?;
    let items = publications
        .iter()
        .zip(data)
        .map(|(p, d)| Publication::build(py, &channel, p, d, raw))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

/// What a push wake did (`await client.wake(max_seconds)`).
#[pyclass(frozen, get_all, module = "ceaseless")]
pub struct WakeReport {
    /// Connected with every subscription caught up before the time ran out.
    pub caught_up: bool,
    /// Publications delivered during the wake, per channel.
    pub publications: Py<PyDict>,
    /// How long the wake took, in seconds.
    pub elapsed: f64,
}

#[pymethods]
impl WakeReport {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "WakeReport(caught_up={}, publications={}, elapsed={:.3})",
            if self.caught_up { "True" } else { "False" },
            self.publications.bind(py).repr()?,
            self.elapsed
        ))
    }
}

impl WakeReport {
    pub(crate) fn build(py: Python<'_>, report: &ceaseless::WakeReport) -> PyResult<WakeReport> {
        let publications = PyDict::new(py);
        for (channel, count) in &report.publications {
            publications.set_item(channel, count)?;
        }
        Ok(WakeReport {
            caught_up: report.caught_up,
            publications: publications.unbind(),
            elapsed: report.elapsed.as_secs_f64(),
        })
    }
}
