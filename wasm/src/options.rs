//! The options the JS wrapper passes as JSON (functions travel separately), and the client and
//! subscription builders they configure. Durations are milliseconds, as everywhere in JS.

use ceaseless::{Client, Duration, Error, Payload, StreamPosition, SubscriptionBuilder};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::endpoints::{EndpointOption, transports};
use crate::positions::LocalStoragePositionStore;
use crate::runtime::JsRuntime;
use crate::tokens::{JsConnectionToken, JsSubscriptionToken};

/// Client options (see `ClientOptions` in `npm/index.d.ts`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClientOptions {
    /// Transports in order of preference.
    pub endpoints: Vec<EndpointOption>,
    /// Where emulation transports POST commands (default: `/emulation` next to each stream endpoint).
    pub emulation_endpoint: Option<String>,
    /// The initial connection token.
    pub token: Option<String>,
    /// Custom connect data.
    pub data: Option<Box<RawValue>>,
    /// Client name reported to the server.
    pub name: Option<String>,
    /// App version reported to the server.
    pub version: Option<String>,
    /// Open, command and wait timeout.
    pub timeout: Option<f64>,
    /// Reconnect backoff lower bound.
    pub min_reconnect_delay: Option<f64>,
    /// Reconnect backoff upper bound.
    pub max_reconnect_delay: Option<f64>,
    /// Grace after the server's ping interval before the connection counts as dead.
    pub max_server_ping_delay: Option<f64>,
    /// How long a hidden page keeps its connection (`None`: for as long as it is open).
    pub hidden_grace: Option<f64>,
    /// `localStorage` key prefix for stream positions (`None`: keep them in memory).
    pub position_store: Option<String>,
}

/// Subscription options (see `SubscriptionOptions` in `npm/index.d.ts`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SubscriptionOptions {
    /// The initial subscription token.
    pub token: Option<String>,
    /// Custom subscribe data.
    pub data: Option<Box<RawValue>>,
    /// Ask for positioning.
    pub positioned: bool,
    /// Ask for recovery.
    pub recoverable: bool,
    /// Ask for join and leave events.
    pub join_leave: bool,
    /// Start after this position.
    pub since: Option<PositionOption>,
    /// Resubscribe backoff lower bound.
    pub min_resubscribe_delay: Option<f64>,
    /// Resubscribe backoff upper bound.
    pub max_resubscribe_delay: Option<f64>,
}

/// A stream position from JS.
#[derive(Debug, Deserialize)]
pub struct PositionOption {
    /// The offset.
    pub offset: u64,
    /// The epoch.
    pub epoch: String,
}

/// Milliseconds (finite, non-negative) as a duration.
pub fn millis(ms: f64) -> Result<Duration, Error> {
    if ms.is_finite() && ms >= 0.0 {
        Ok(Duration::from_secs_f64(ms / 1000.0))
    } else {
        Err(Error::Config("durations must be finite, non-negative milliseconds".to_owned()))
    }
}

fn payload(raw: &RawValue) -> Result<Payload, Error> {
    Payload::from_json_str(raw.get()).map_err(|e| Error::InvalidPayload(e.to_string()))
}

/// Builds and starts a client on the browser runtime.
///
/// # Errors
/// [`Error::Config`] for an unknown transport or bad numbers, [`Error::InvalidUrl`], and the builder's
/// own checks.
pub fn build_client(
    options: &ClientOptions,
    token: Option<JsConnectionToken>,
    sub_token: Option<JsSubscriptionToken>,
) -> Result<Client, Error> {
    let (endpoint, transports) = transports(&options.endpoints, options.emulation_endpoint.as_deref())?;
    let mut builder = Client::builder(&endpoint).name(options.name.as_deref().unwrap_or("js"));
    if let Some(t) = &options.token {
        builder = builder.token(t.as_str());
    }
    if let Some(v) = &options.version {
        builder = builder.version(v.as_str());
    }
    if let Some(d) = &options.data {
        builder = builder.data(payload(d)?);
    }
    if let Some(ms) = options.timeout {
        builder = builder.timeout(millis(ms)?);
    }
    let min = options.min_reconnect_delay.map(millis).transpose()?;
    let max = options.max_reconnect_delay.map(millis).transpose()?;
    if min.is_some() || max.is_some() {
        let min = min.unwrap_or(Duration::from_millis(500));
        builder = builder.reconnect_delay(min, max.unwrap_or(Duration::from_secs(20)).max(min));
    }
    if let Some(ms) = options.max_server_ping_delay {
        builder = builder.max_server_ping_delay(millis(ms)?);
    }
    builder = builder.background_grace(options.hidden_grace.map(millis).transpose()?);
    if let Some(store) = options.position_store.as_deref().and_then(LocalStoragePositionStore::new) {
        builder = builder.position_store(store);
    }
    if let Some(t) = token {
        builder = builder.token_provider(t);
    }
    if let Some(t) = sub_token {
        builder = builder.subscription_token_provider(t);
    }
    builder.build_with(JsRuntime, transports)
}

/// Applies subscription options to a builder.
///
/// # Errors
/// [`Error::InvalidPayload`] for bad `data`, [`Error::Config`] for bad numbers.
pub fn configure_subscription(
    mut builder: SubscriptionBuilder,
    options: &SubscriptionOptions,
    token: Option<JsSubscriptionToken>,
) -> Result<SubscriptionBuilder, Error> {
    if let Some(t) = &options.token {
        builder = builder.token(t.as_str());
    }
    if let Some(d) = &options.data {
        builder = builder.data(payload(d)?);
    }
    builder = builder
        .positioned(options.positioned)
        .recoverable(options.recoverable)
        .join_leave(options.join_leave);
    if let Some(p) = &options.since {
        builder = builder.since(StreamPosition { offset: p.offset, epoch: p.epoch.clone() });
    }
    let min = options.min_resubscribe_delay.map(millis).transpose()?;
    let max = options.max_resubscribe_delay.map(millis).transpose()?;
    if min.is_some() || max.is_some() {
        let min = min.unwrap_or(Duration::from_millis(500));
        builder = builder.resubscribe_delay(min, max.unwrap_or(Duration::from_secs(20)).max(min));
    }
    if let Some(t) = token {
        builder = builder.token_provider(t);
    }
    Ok(builder)
}
