//! Maps [`ceaseless::Error`] to the exception classes defined in `ceaseless.errors`.
//!
//! The classes are plain Python (so they can also derive from `ValueError` or `TimeoutError`); this
//! module picks one by the error's stable code and builds it with `(code, temporary, message)`.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;

static ERRORS_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The `ceaseless.errors` module, imported once.
fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    ERRORS_MODULE.get_or_try_init(py, || Ok(py.import("ceaseless.errors")?.unbind())).map(|m| m.bind(py))
}

/// The name of the class in `ceaseless.errors` for an error code.
fn class_name(code: u32) -> &'static str {
    match code {
        1 => "Timeout",
        2 => "TransportError",
        3 => "Disconnected",
        4 => "Closed",
        5 => "TokenError",
        6 => "Unauthorized",
        7 => "Unsubscribed",
        11 => "OutcomeUnknown",
        12 => "ConfigError",
        13 => "InvalidUrl",
        14 => "InvalidChannel",
        15 => "InvalidPayload",
        16 => "MessageTooLarge",
        17 => "DuplicateSubscription",
        18 => "ProtocolError",
        19 => "QueueFull",
        20 => "Suspended",
        100.. => "ServerError",
        _ => "CeaselessError",
    }
}

/// A Python exception instance for `err`.
pub(crate) fn exception<'py>(py: Python<'py>, err: &ceaseless::Error) -> PyResult<Bound<'py, PyAny>> {
    let code = err.code();
    let module = errors_module(py)?;
    let class = module.getattr(class_name(code)).or_else(|_| module.getattr("CeaselessError"))?;
    let message = match err {
        ceaseless::Error::Server { message, .. } => message.clone(),
        other => other.to_string(),
    };
    class.call1((code, err.is_temporary(), message))
}

/// A [`PyErr`] for `err`, to raise.
pub(crate) fn to_pyerr(py: Python<'_>, err: &ceaseless::Error) -> PyErr {
    match exception(py, err) {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}

/// Whether `err` is an instance of the class `name` in `ceaseless.errors`.
pub(crate) fn is_instance(py: Python<'_>, err: &PyErr, name: &str) -> bool {
    errors_module(py).and_then(|m| m.getattr(name)).is_ok_and(|class| err.is_instance(py, &class))
}
