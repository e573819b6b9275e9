//! Where the emulation requests go, derived from the endpoint the app gives (on `&str`: this crate has
//! no URL parser, and needs none: only the scheme and the path change).
//!
//! **The rule**, the same natively and in the browser: one Centrifugo endpoint serves every transport
//! under its own path, on the same origin and prefix.
//!
//! - scheme: `ws` and `http` give `http`, `wss` and `https` give `https`;
//! - path: when its last segment names a transport (`<prefix>/websocket`, `/http_stream`, `/sse`), the
//!   stream is its sibling `<prefix>/<kind>` and the emulation endpoint is `<root>/emulation`, where
//!   `<root>` is `<prefix>` without a trailing `/connection`. Any other path is a prefix: the stream is
//!   `<path>/connection/<kind>` and the emulation endpoint `<path>/emulation`;
//! - the query string and the fragment are dropped (a token in a query must not travel further).
//!
//! So `wss://rt.example.com/connection/websocket` gives `https://rt.example.com/connection/http_stream`,
//! `https://rt.example.com/connection/sse` and `https://rt.example.com/emulation`.

use super::EmulationError;
use crate::transport::TransportKind;

/// The two URLs of an emulation connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulationUrls {
    /// Where the stream request goes (`/connection/http_stream` or `/connection/sse`).
    pub stream: String,
    /// Where later commands are POSTed (`/emulation`).
    pub emulation: String,
}

/// The URLs a transport of `kind` uses for the endpoint `endpoint` (see the module docs).
///
/// # Errors
/// [`EmulationError::NotEmulation`] for WebSocket, [`EmulationError::InvalidUrl`] for a URL that is not
/// absolute `ws`, `wss`, `http` or `https` with a host.
pub fn emulation_urls(endpoint: &str, kind: TransportKind) -> Result<EmulationUrls, EmulationError> {
    if !kind.is_emulation() {
        return Err(EmulationError::NotEmulation(kind));
    }
    let parts = Parts::parse(endpoint)?;
    let origin = format!("{}://{}", if parts.secure { "https" } else { "http" }, parts.authority);
    let path = parts.path.trim_end_matches('/');
    let (prefix, last) = path.rsplit_once('/').unwrap_or(("", path));
    let (stream, root) = if TransportKind::from_name(last).is_some() {
        (format!("{prefix}/{}", kind.name()), prefix.strip_suffix("/connection").unwrap_or(prefix))
    } else {
        (format!("{path}/connection/{}", kind.name()), path)
    };
    Ok(EmulationUrls { stream: format!("{origin}{stream}"), emulation: format!("{origin}{root}/emulation") })
}

/// `url` with an `http`/`https` scheme (keeping TLS-ness), everything else as given: an app-given
/// stream or emulation URL.
///
/// # Errors
/// [`EmulationError::InvalidUrl`], as [`emulation_urls`].
pub fn http_url(url: &str) -> Result<String, EmulationError> {
    let parts = Parts::parse(url)?;
    Ok(format!("{}://{}", if parts.secure { "https" } else { "http" }, parts.rest))
}

/// The WebSocket URL of the server an endpoint belongs to: `ws`/`wss`, and a last path segment naming a
/// transport becomes `websocket` (so `https://h/connection/sse` gives `wss://h/connection/websocket`).
/// The query string is kept (it is the app's).
///
/// # Errors
/// [`EmulationError::InvalidUrl`], as [`emulation_urls`].
pub fn websocket_url(endpoint: &str) -> Result<String, EmulationError> {
    let parts = Parts::parse(endpoint)?;
    let scheme = if parts.secure { "wss" } else { "ws" };
    let tail = &parts.rest[parts.authority.len() + parts.path.len()..];
    let path = match parts.path.trim_end_matches('/').rsplit_once('/') {
        Some((prefix, last)) if TransportKind::from_name(last).is_some() => format!("{prefix}/websocket"),
        _ => parts.path.to_owned(),
    };
    Ok(format!("{scheme}://{}{path}{tail}", parts.authority))
}

/// An absolute URL cut at its scheme, authority and path.
struct Parts<'a> {
    secure: bool,
    /// Everything after `://`.
    rest: &'a str,
    authority: &'a str,
    path: &'a str,
}

impl<'a> Parts<'a> {
    fn parse(url: &'a str) -> Result<Self, EmulationError> {
        let shown = url.split(['?', '#']).next().unwrap_or_default();
        let invalid = |why: &str| EmulationError::InvalidUrl(format!("{shown}: {why}"));
        let (scheme, rest) = url.split_once("://").ok_or_else(|| invalid("not an absolute URL"))?;
        let secure = match scheme.to_ascii_lowercase().as_str() {
            "ws" | "http" => false,
            "wss" | "https" => true,
            _ => return Err(invalid("the scheme must be ws, wss, http or https")),
        };
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        if host.is_empty() || host.starts_with(':') || authority.contains(char::is_whitespace) {
            return Err(invalid("no host"));
        }
        let after = &rest[authority_end..];
        let path_end = after.find(['?', '#']).unwrap_or(after.len());
        Ok(Self { secure, rest, authority, path: &after[..path_end] })
    }
}
