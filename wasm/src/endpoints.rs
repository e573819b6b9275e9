//! Where each transport connects: the `{transport, endpoint}` list of the JS options becomes the core's
//! transport list and the client's endpoint.
//!
//! The URL rules are the core's (`ceaseless::proto::emulation`), the same as natively: the client's
//! endpoint is the WebSocket entry (else the WebSocket URL of the first entry's server), and the core
//! derives every emulation URL from it. An emulation entry's own endpoint overrides the derived stream
//! URL (scheme normalized to `http`/`https`, path kept); its emulation endpoint is the `emulationEndpoint`
//! option, else the one the core's rule derives from that entry.

use std::sync::Arc;

use ceaseless::Error;
use ceaseless::proto::emulation::{EmulationError, emulation_urls, http_url, websocket_url};
use ceaseless::transport::{Transport, TransportKind};
use serde::Deserialize;

use crate::emulation::EmulationTransport;
use crate::ws::WebSocketTransport;

/// One `{transport, endpoint}` entry.
#[derive(Debug, Deserialize)]
pub struct EndpointOption {
    /// `"websocket"`, `"http_stream"` or `"sse"`.
    pub transport: String,
    /// An absolute URL (the wrapper resolves relative ones against the page).
    pub endpoint: String,
}

fn url_error(err: EmulationError) -> Error {
    match err {
        EmulationError::InvalidUrl(reason) => Error::InvalidUrl(reason),
        other => Error::Config(other.to_string()),
    }
}

/// The core's transport list from the `{transport, endpoint}` entries, and the core's endpoint.
///
/// # Errors
/// [`Error::Config`] for an unknown or repeated transport or an empty list, [`Error::InvalidUrl`] for
/// an endpoint that is not an absolute `ws`, `wss`, `http` or `https` URL.
pub fn transports(
    endpoints: &[EndpointOption],
    emulation_endpoint: Option<&str>,
) -> Result<(String, Vec<Arc<dyn Transport>>), Error> {
    let mut list: Vec<Arc<dyn Transport>> = Vec::with_capacity(endpoints.len());
    let mut base = None;
    for entry in endpoints {
        let kind = TransportKind::from_name(&entry.transport)
            .ok_or_else(|| Error::Config(format!("unknown transport {:?}", entry.transport)))?;
        if list.iter().any(|t| t.kind() == kind) {
            return Err(Error::Config(format!("transport {:?} is listed twice", entry.transport)));
        }
        let transport: Arc<dyn Transport> = match kind {
            TransportKind::WebSocket => {
                base = Some(websocket_url(&entry.endpoint).map_err(url_error)?);
                Arc::new(WebSocketTransport)
            }
            TransportKind::HttpStream | TransportKind::Sse => {
                let stream = http_url(&entry.endpoint).map_err(url_error)?;
                let emulation = match emulation_endpoint {
                    Some(url) => http_url(url),
                    None => emulation_urls(&entry.endpoint, kind).map(|urls| urls.emulation),
                }
                .map_err(url_error)?;
                Arc::new(EmulationTransport::new(kind, Some(stream), Some(emulation)))
            }
        };
        list.push(transport);
    }
    let first = endpoints.first().ok_or_else(|| Error::Config("no endpoint given".to_owned()))?;
    let base = match base {
        Some(base) => base,
        None => websocket_url(&first.endpoint).map_err(url_error)?,
    };
    Ok((base, list))
}
