//! Where each transport connects: the `{transport, endpoint}` list of the JS options becomes the core's
//! transport list and the client's endpoint.

use std::sync::Arc;

use ceaseless::Error;
use ceaseless::transport::{Transport, TransportKind};
use serde::Deserialize;

use crate::emulation::{EmulationTransport, StreamKind};
use crate::ws::WebSocketTransport;

/// One `{transport, endpoint}` entry.
#[derive(Debug, Deserialize)]
pub struct EndpointOption {
    /// `"websocket"`, `"http_stream"` or `"sse"`.
    pub transport: String,
    /// An absolute URL (the wrapper resolves relative ones against the page).
    pub endpoint: String,
}

/// `url` with the scheme swapped to `ws`/`wss` (`websocket`) or `http`/`https`, keeping TLS-ness.
pub fn with_scheme(url: &str, websocket: bool) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let secure = matches!(scheme, "wss" | "https");
    let scheme = match (websocket, secure) {
        (true, false) => "ws",
        (true, true) => "wss",
        (false, false) => "http",
        (false, true) => "https",
    };
    format!("{scheme}://{rest}")
}

/// The emulation endpoint next to a stream endpoint: `<prefix>/connection/<name>` gives
/// `<prefix>/emulation`; any other path gives `/emulation` on the same origin.
pub fn emulation_next_to(stream: &str) -> Option<String> {
    let mut url = url::Url::parse(stream).ok()?;
    let path = url.path().trim_end_matches('/').to_owned();
    let prefix = path.rsplit_once('/').map_or("", |(p, _)| p);
    let root = prefix.strip_suffix("/connection").unwrap_or("");
    url.set_query(None);
    url.set_path(&format!("{root}/emulation"));
    Some(url.to_string())
}

/// The core's transport list from the `{transport, endpoint}` entries, and the core's endpoint (the
/// WebSocket entry, else the first entry as `ws(s)://`). Emulation entries keep their own URLs.
pub fn transports(
    endpoints: &[EndpointOption],
    emulation_endpoint: Option<&str>,
) -> Result<(String, Vec<Arc<dyn Transport>>), Error> {
    let mut list: Vec<Arc<dyn Transport>> = Vec::with_capacity(endpoints.len());
    let mut base = None;
    for entry in endpoints {
        let kind = TransportKind::from_name(&entry.transport)
            .ok_or_else(|| Error::Config(format!("unknown transport {:?}", entry.transport)))?;
        if list.iter().any(|t| t.name() == kind.name()) {
            return Err(Error::Config(format!("transport {:?} is listed twice", entry.transport)));
        }
        let transport: Arc<dyn Transport> = match kind {
            TransportKind::WebSocket => {
                base = Some(with_scheme(&entry.endpoint, true));
                Arc::new(WebSocketTransport)
            }
            TransportKind::HttpStream | TransportKind::Sse => {
                let stream = with_scheme(&entry.endpoint, false);
                let emulation = match emulation_endpoint {
                    Some(url) => Some(with_scheme(url, false)),
                    None => emulation_next_to(&stream),
                };
                let stream_kind =
                    if kind == TransportKind::Sse { StreamKind::Sse } else { StreamKind::HttpStream };
                Arc::new(EmulationTransport::new(stream_kind, Some(stream), emulation))
            }
        };
        list.push(transport);
    }
    let first = endpoints.first().ok_or_else(|| Error::Config("no endpoint given".to_owned()))?;
    Ok((base.unwrap_or_else(|| with_scheme(&first.endpoint, true)), list))
}
