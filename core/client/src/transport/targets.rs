//! Which URL each transport opens: one Centrifugo endpoint serves every transport under its own path.
//!
//! Apps give WebSocket URLs (`wss://host/connection/websocket`); the emulation transports derive theirs
//! with `ceaseless_proto::emulation::emulation_urls`, the one rule the browser uses too:
//! `https://host/connection/http_stream`, `https://host/connection/sse`, and `https://host/emulation`
//! for the commands they POST (same origin and prefix, query dropped).

use ceaseless_proto::Error;
pub use ceaseless_proto::TransportKind;
use ceaseless_proto::emulation::emulation_urls;

/// The URL a transport of `kind` opens for the endpoint `ws_url`, and, for emulation
/// transports, the URL of the emulation endpoint.
///
/// # Errors
/// [`Error::InvalidUrl`] when the URL cannot be turned into an HTTP URL.
pub fn endpoint_url(ws_url: &url::Url, kind: TransportKind) -> Result<(url::Url, Option<url::Url>), Error> {
    if !kind.is_emulation() {
        return Ok((ws_url.clone(), None));
    }
    let urls = emulation_urls(ws_url.as_str(), kind).map_err(|err| Error::InvalidUrl(err.to_string()))?;
    let parse = |url: &str| {
        url::Url::parse(url).map_err(|err| Error::InvalidUrl(format!("cannot derive the {kind} URL: {err}")))
    };
    Ok((parse(&urls.stream)?, Some(parse(&urls.emulation)?)))
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

    /// The table the browser runs too, through `url::Url` as the driver hands URLs over.
    #[test]
    fn the_shared_url_cases_survive_url_parsing() {
        for case in ceaseless_proto::emulation::cases::urls() {
            let (Some(kind), Ok((stream, emulation))) = (case.kind, case.expect) else { continue };
            let Ok(url) = url::Url::parse(case.endpoint) else { continue };
            if !matches!(url.scheme(), "ws" | "wss") {
                continue;
            }
            assert_eq!(derive(url.as_str(), kind.name()), (stream.to_owned(), Some(emulation.to_owned())));
        }
    }
}
