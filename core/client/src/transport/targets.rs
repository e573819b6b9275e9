//! Which URL each transport opens: one Centrifugo endpoint serves every transport under its own path.
//!
//! Apps give WebSocket URLs (`wss://host/connection/websocket`); the emulation transports derive theirs
//! from the same origin and prefix: `https://host/connection/http_stream`, `https://host/connection/sse`,
//! and `https://host/emulation` for the commands they POST.

use ceaseless_proto::Error;
pub use ceaseless_proto::TransportKind;

/// The URL a transport of `kind` opens for the endpoint `ws_url`, and, for emulation
/// transports, the URL of the emulation endpoint.
///
/// # Errors
/// [`Error::InvalidUrl`] when the URL cannot be turned into an HTTP URL.
pub fn endpoint_url(ws_url: &url::Url, kind: TransportKind) -> Result<(url::Url, Option<url::Url>), Error> {
    if kind == TransportKind::WebSocket {
        return Ok((ws_url.clone(), None));
    }
    let mut http = ws_url.clone();
    let scheme = if ws_url.scheme() == "wss" { "https" } else { "http" };
    http.set_scheme(scheme).map_err(|()| Error::InvalidUrl(format!("cannot derive an {scheme} URL")))?;
    http.set_query(None);
    let path = http.path().trim_end_matches('/').to_owned();
    let (prefix, last) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
    let (stream_path, emulation_path) = if last == "websocket" {
        let root = prefix.strip_suffix("/connection").unwrap_or(prefix);
        (format!("{prefix}/{}", kind.name()), format!("{root}/emulation"))
    } else {
        (format!("{path}/connection/{}", kind.name()), format!("{path}/emulation"))
    };
    let mut emulation = http.clone();
    http.set_path(&stream_path);
    emulation.set_path(&emulation_path);
    Ok((http, Some(emulation)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn derive(url: &str, transport: &str) -> (String, Option<String>) {
        let url = url::Url::parse(url).expect("test URL");
        let kind = TransportKind::from_name(transport).expect("a transport name");
        let (stream, emulation) = endpoint_url(&url, kind).expect("derivable");
        (stream.to_string(), emulation.map(|u| u.to_string()))
    }

    #[test]
    fn standard_paths() {
        let ws = "wss://rt.example.com/connection/websocket";
        assert_eq!(derive(ws, "websocket").0, ws);
        assert_eq!(
            derive(ws, "http_stream"),
            (
                "https://rt.example.com/connection/http_stream".to_owned(),
                Some("https://rt.example.com/emulation".to_owned())
            )
        );
        assert_eq!(
            derive("ws://127.0.0.1:8000/connection/websocket?x=1", "sse").0,
            "http://127.0.0.1:8000/connection/sse"
        );
    }

    #[test]
    fn prefixed_paths() {
        let (stream, emulation) = derive("wss://example.com/rt/connection/websocket", "http_stream");
        assert_eq!(stream, "https://example.com/rt/connection/http_stream");
        assert_eq!(emulation.as_deref(), Some("https://example.com/rt/emulation"));
    }
}
