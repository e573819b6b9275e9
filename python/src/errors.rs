//! Turns a [`ceaseless::Error`] into an instance of the exception classes of `ceaseless.errors`.
//!
//! The classes are plain Python (so they can also derive from `ValueError` or `TimeoutError`). The kind,
//! code, `temporary` flag and message come from [`ceaseless_bridge::ErrorInfo`]; this module only picks
//! the class for each [`ErrorKind`], with an exhaustive `match`, so a new kind fails to compile here until
//! it has a class. [`error_table`] hands the codes and flags to `ceaseless.errors`, which uses them when
//! the app raises an exception itself (`raise ceaseless.Unauthorized("banned")`).

use ceaseless_bridge::{ErrorInfo, ErrorKind};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};

static ERRORS_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The `ceaseless.errors` module, imported once.
fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    ERRORS_MODULE.get_or_try_init(py, || Ok(py.import("ceaseless.errors")?.unbind())).map(|m| m.bind(py))
}

/// The class in `ceaseless.errors` of each kind.
pub(crate) fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Timeout => "Timeout",
        ErrorKind::Transport => "TransportError",
        ErrorKind::Disconnected => "Disconnected",
        ErrorKind::Closed => "Closed",
        ErrorKind::Token => "TokenError",
        ErrorKind::Unauthorized => "Unauthorized",
        ErrorKind::Unsubscribed => "Unsubscribed",
        ErrorKind::OutcomeUnknown => "OutcomeUnknown",
        ErrorKind::Config => "ConfigError",
        ErrorKind::InvalidUrl => "InvalidUrl",
        ErrorKind::InvalidChannel => "InvalidChannel",
        ErrorKind::InvalidPayload => "InvalidPayload",
        ErrorKind::MessageTooLarge => "MessageTooLarge",
        ErrorKind::DuplicateSubscription => "DuplicateSubscription",
        ErrorKind::Protocol => "ProtocolError",
        ErrorKind::QueueFull => "QueueFull",
        ErrorKind::Suspended => "Suspended",
        ErrorKind::Callback => "CallbackError",
        ErrorKind::Internal => "InternalError",
        ErrorKind::InvalidTagsFilter => "InvalidTagsFilter",
        ErrorKind::Server => "ServerError",
    }
}

/// A Python exception instance for `err`.
pub(crate) fn exception<'py>(py: Python<'py>, err: &ceaseless::Error) -> PyResult<Bound<'py, PyAny>> {
    let info = ErrorInfo::from(err);
    let module = errors_module(py)?;
    let class = module.getattr(class_name(info.kind)).or_else(|_| module.getattr("CeaselessError"))?;
    class.call1((info.code, info.temporary, info.message))
}

/// A [`PyErr`] for `err`, to raise.
pub(crate) fn to_pyerr(py: Python<'_>, err: &ceaseless::Error) -> PyErr {
    match exception(py, err) {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}

/// A `ConfigError` with `message`, to raise.
pub(crate) fn config_error(py: Python<'_>, message: impl Into<String>) -> PyErr {
    to_pyerr(py, &ceaseless::Error::Config(message.into()))
}

/// Whether `err` is an instance of the class `name` in `ceaseless.errors`.
pub(crate) fn is_instance(py: Python<'_>, err: &PyErr, name: &str) -> bool {
    errors_module(py).and_then(|m| m.getattr(name)).is_ok_and(|class| err.is_instance(py, &class))
}

/// `{class name: (code, temporary)}` for every kind with a fixed code (not `ServerError`), from the
/// core, for the defaults of exceptions the app creates itself.
#[pyfunction]
pub(crate) fn error_table(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let table = PyDict::new(py);
    for kind in ErrorKind::ALL {
        if let (Some(code), Some(temporary)) = (kind.code(), kind.temporary()) {
            table.set_item(class_name(kind), (code, temporary))?;
        }
    }
    Ok(table)
}
