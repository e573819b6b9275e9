//! The options the JS wrapper passes as JSON (functions and the app's own position store travel
//! separately), converted into the shared [`ceaseless_bridge::ClientOptions`] /
//! [`ceaseless_bridge::SubscriptionOptions`]: this file only translates JS names and milliseconds into
//! the bridge's types. Every default (and how an unset bound of a backoff is filled in) is the core's.

use std::collections::BTreeMap;
use std::sync::Arc;

use ceaseless::transport::{FrameFormat, Transport, TransportKind};
use ceaseless::{Client, Error, StreamPosition, SubscriptionBuilder};
use ceaseless_bridge::options::{BROWSER_BACKGROUND_GRACE, grace_millis, millis};
use ceaseless_bridge::{ClientOptions as Core, PositionStoreOption, SubscriptionOptions as CoreSub, names};
use serde::Deserialize;
use serde_json::value::RawValue;

use ceaseless::proto::emulation::{http_url, websocket_url};

use crate::emulation::EmulationTransport;
use crate::endpoints::{self, EndpointOption};
use crate::positions::{JsPositionStore, LocalStoragePositionStore};
use crate::runtime::JsRuntime;
use crate::state::JsStateLoader;
use crate::tokens::{JsConnectionToken, JsSubscriptionToken};
use crate::ws::WebSocketTransport;

/// Client options (see `ClientOptions` in `npm/index.d.ts`): the JS names, durations in milliseconds.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ClientOptions {
    /// The client URL (`ws(s)://`, or `http(s)://` which is read as the WebSocket URL of that server).
    pub url: Option<String>,
    /// Explicit per-transport URLs, overriding the ones derived from `url`.
    pub endpoints: Vec<EndpointOption>,
    /// Where emulation transports POST commands (default: derived from each stream URL).
    pub emulation_endpoint: Option<String>,
    /// The initial connection token.
    pub token: Option<String>,
    /// Custom connect data as JSON (JSON format).
    pub data: Option<Box<RawValue>>,
    /// Custom connect data as bytes (Protobuf format).
    pub data_bytes: Option<Vec<u8>>,
    /// Client name reported to the server.
    pub name: Option<String>,
    /// App version reported to the server.
    pub version: Option<String>,
    /// Emulated headers sent inside every connect (values are secrets).
    pub headers: BTreeMap<String, String>,
    /// `json` or `protobuf`.
    pub format: Option<String>,
    /// Transport names in fallback order.
    pub transports: Vec<String>,
    /// More endpoints, rotated through on failed attempts.
    pub fallback_urls: Vec<String>,
    /// Connect, command and offline-wait timeout.
    pub timeout: Option<f64>,
    /// Reconnect backoff floor.
    pub reconnect_delay_min: Option<f64>,
    /// Reconnect backoff ceiling.
    pub reconnect_delay_max: Option<f64>,
    /// Grace after the server's ping interval.
    pub max_server_ping_delay: Option<f64>,
    /// Token refresh lead time.
    pub refresh_ahead: Option<f64>,
    /// The largest message the server accepts, in bytes.
    pub max_message_size: Option<u64>,
    /// Calls that may wait for the connection.
    pub offline_queue_limit: Option<u64>,
    /// How long each of them may wait.
    pub offline_queue_timeout: Option<f64>,
    /// Offline this long: suspended.
    pub suspend_after: Option<f64>,
    /// Milliseconds in the background before letting go, or the word `"Infinity"` (never; JSON has
    /// no infinity). Raw, so that no untagged enum grows the bundle.
    pub background_grace: Option<Box<RawValue>>,
    /// `localStorage` key prefix for stream positions.
    pub position_store: Option<String>,
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("format", &self.format)
            .field("transports", &self.transports)
            .finish_non_exhaustive()
    }
}

/// Subscription options (see `SubscriptionOptions` in `npm/index.d.ts`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SubscriptionOptions {
    /// The initial subscription token.
    pub token: Option<String>,
    /// Custom subscribe data as JSON (JSON format).
    pub data: Option<Box<RawValue>>,
    /// Custom subscribe data as bytes (Protobuf format).
    pub data_bytes: Option<Vec<u8>>,
    /// Ask for positioning.
    pub positioned: Option<bool>,
    /// Ask for recovery.
    pub recoverable: Option<bool>,
    /// Ask for join and leave events.
    pub join_leave: Option<bool>,
    /// Ask for fossil delta compression.
    pub delta: Option<bool>,
    /// Start after this position.
    pub since: Option<PositionOption>,
    /// Resubscribe backoff floor.
    pub resubscribe_delay_min: Option<f64>,
    /// Resubscribe backoff ceiling.
    pub resubscribe_delay_max: Option<f64>,
    /// A publication tags filter (the `FilterNode` object), kept as JSON for the shared validator.
    pub tags_filter: Option<Box<RawValue>>,
}

/// A stream position from JS.
#[derive(Debug, Deserialize)]
pub struct PositionOption {
    /// The offset.
    pub offset: u64,
    /// The epoch.
    pub epoch: String,
}

/// The WebSocket URL of a client or fallback URL (`http(s)://` is read as that server's).
fn ws_url(url: &str) -> Result<String, Error> {
    websocket_url(url).map_err(|e| Error::InvalidUrl(e.to_string()))
}

fn duration(name: &str, ms: Option<f64>) -> Result<Option<ceaseless::Duration>, Error> {
    ms.map(|ms| millis(name, ms)).transpose()
}

fn data(json: Option<Box<RawValue>>, bytes: Option<Vec<u8>>) -> Option<Vec<u8>> {
    bytes.or_else(|| json.map(|raw| raw.get().as_bytes().to_vec()))
}

fn grace(value: Option<Box<RawValue>>) -> Result<ceaseless_bridge::Grace, Error> {
    let Some(raw) = value else { return Ok(BROWSER_BACKGROUND_GRACE) };
    match raw.get() {
        "\"Infinity\"" => grace_millis(f64::INFINITY),
        number => match serde_json::from_str::<f64>(number) {
            Ok(ms) => grace_millis(ms),
            Err(_) => {
                Err(Error::Config(format!("backgroundGrace must be milliseconds or Infinity, not {number}")))
            }
        },
    }
}

/// The browser transports in fallback order, and the client URL.
fn transports(
    options: &ClientOptions,
    kinds: &[TransportKind],
) -> Result<(String, Vec<Arc<dyn Transport>>), Error> {
    let emulation = options.emulation_endpoint.as_deref();
    let (base, explicit) = if options.endpoints.is_empty() {
        (None, Vec::new())
    } else {
        let (base, list) = endpoints::transports(&options.endpoints, emulation)?;
        (Some(base), list)
    };
    let explicit_ws = explicit.iter().any(|t| t.kind() == TransportKind::WebSocket);
    let url = match (&options.url, base) {
        (_, Some(base)) if explicit_ws => base,
        (Some(url), _) => ws_url(url)?,
        (None, Some(base)) => base,
        (None, None) => return Err(Error::Config("no client URL given".to_owned())),
    };
    let list = kinds
        .iter()
        .map(|kind| match explicit.iter().find(|t| t.kind() == *kind) {
            Some(given) => Ok(given.clone()),
            None => default_transport(*kind, emulation),
        })
        .collect::<Result<_, _>>()?;
    Ok((url, list))
}

/// A transport of `kind` on the URLs the core derives from the client URL (the emulation endpoint
/// overridden when the app gave one).
fn default_transport(kind: TransportKind, emulation: Option<&str>) -> Result<Arc<dyn Transport>, Error> {
    if kind == TransportKind::WebSocket {
        return Ok(Arc::new(WebSocketTransport));
    }
    let emulation = emulation.map(http_url).transpose().map_err(|e| Error::InvalidUrl(e.to_string()))?;
    Ok(Arc::new(EmulationTransport::new(kind, None, emulation)))
}

/// The options' format (for the client's `data` and the wrapper's choice of text or bytes).
pub fn format(options: &ClientOptions) -> Result<Option<FrameFormat>, Error> {
    options.format.as_deref().map(names::format).transpose()
}

/// Builds and starts a client on the browser runtime.
///
/// # Errors
/// [`Error::Config`] for unknown names or bad numbers, [`Error::InvalidUrl`], [`Error::InvalidPayload`]
/// for bad `data`, and the builder's own checks.
pub fn build_client(
    options: ClientOptions,
    token: Option<JsConnectionToken>,
    sub_token: Option<JsSubscriptionToken>,
    store: Option<JsPositionStore>,
) -> Result<Client, Error> {
    let format = format(&options)?;
    let mut kinds =
        options.transports.iter().map(|name| names::transport(name)).collect::<Result<Vec<_>, _>>()?;
    if kinds.is_empty() {
        for entry in &options.endpoints {
            kinds.push(names::transport(&entry.transport)?);
        }
    }
    if kinds.is_empty() {
        kinds.push(TransportKind::WebSocket);
    }
    let (url, list) = transports(&options, &kinds)?;
    let position_store = match (store, &options.position_store) {
        (Some(store), _) => Some(PositionStoreOption::Custom(shared(store))),
        (None, Some(prefix)) => {
            LocalStoragePositionStore::new(prefix).map(|s| PositionStoreOption::Custom(shared(s)))
        }
        (None, None) => None,
    };
    let core = Core {
        token: options.token,
        data: data(options.data, options.data_bytes),
        name: options.name,
        version: options.version,
        headers: options.headers,
        format,
        transports: kinds,
        fallback_urls: options.fallback_urls.iter().map(|u| ws_url(u)).collect::<Result<_, _>>()?,
        timeout: duration("timeout", options.timeout)?,
        reconnect_delay_min: duration("reconnectDelayMin", options.reconnect_delay_min)?,
        reconnect_delay_max: duration("reconnectDelayMax", options.reconnect_delay_max)?,
        max_server_ping_delay: duration("maxServerPingDelay", options.max_server_ping_delay)?,
        refresh_ahead: duration("refreshAhead", options.refresh_ahead)?,
        max_message_size: options.max_message_size,
        offline_queue_limit: options.offline_queue_limit,
        offline_queue_timeout: duration("offlineQueueTimeout", options.offline_queue_timeout)?,
        suspend_after: duration("suspendAfter", options.suspend_after)?,
        background_grace: Some(grace(options.background_grace)?),
        position_store,
        tls_root_ca_pem: Vec::new(),
        proxy: None,
    };
    let mut builder = core.builder_for(ceaseless_bridge::options::Binding::Browser, &url)?;
    if let Some(t) = token {
        builder = builder.token_provider(t);
    }
    if let Some(t) = sub_token {
        builder = builder.subscription_token_provider(t);
    }
    builder.build_with(JsRuntime, list)
}

/// A store the bridge can share. Single-threaded like everything in the page.
#[allow(clippy::arc_with_non_send_sync)]
fn shared(store: impl ceaseless::positions::PositionStore) -> Arc<dyn ceaseless::positions::PositionStore> {
    Arc::new(store)
}

/// A loader the bridge can share. Single-threaded like everything in the page.
#[allow(clippy::arc_with_non_send_sync)]
fn shared_loader(loader: JsStateLoader) -> Arc<dyn ceaseless::state::StateLoader> {
    Arc::new(loader)
}

/// Applies subscription options to a builder; `format` is the client's.
///
/// # Errors
/// [`Error::InvalidPayload`] for bad `data`, [`Error::Config`] for bad numbers,
/// [`Error::InvalidTagsFilter`] for a filter the shared validator refuses.
pub fn configure_subscription(
    builder: SubscriptionBuilder,
    options: SubscriptionOptions,
    format: Option<FrameFormat>,
    token: Option<JsSubscriptionToken>,
    state_loader: Option<JsStateLoader>,
) -> Result<SubscriptionBuilder, Error> {
    let core = CoreSub {
        token: options.token,
        data: data(options.data, options.data_bytes),
        positioned: options.positioned,
        recoverable: options.recoverable,
        join_leave: options.join_leave,
        delta: options.delta,
        since: options.since.map(|p| StreamPosition { offset: p.offset, epoch: p.epoch }),
        resubscribe_delay_min: duration("resubscribeDelayMin", options.resubscribe_delay_min)?,
        resubscribe_delay_max: duration("resubscribeDelayMax", options.resubscribe_delay_max)?,
        tags_filter: options.tags_filter.map(|raw| raw.get().to_owned()),
        state_loader: state_loader.map(shared_loader),
    };
    let mut builder = core.apply(builder, format)?;
    if let Some(t) = token {
        builder = builder.token_provider(t);
    }
    Ok(builder)
}
