//! Picking free loopback ports.

use std::net::{Ipv4Addr, TcpListener};

use crate::HarnessError;

/// A loopback port that was free a moment ago: bind `127.0.0.1:0`, read the port, let go.
///
/// Another process may grab it before the server binds it; the server start retries with
/// new ports when that happens.
pub(crate) fn free_port() -> Result<u16, HarnessError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| HarnessError::Setup(format!("binding 127.0.0.1:0 to find a free port: {e}")))?;
    let port =
        listener.local_addr().map_err(|e| HarnessError::Setup(format!("reading the free port: {e}")))?.port();
    Ok(port)
}
