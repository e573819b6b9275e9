//! Every option and lifecycle call, described once: the parity test checks each binding's surface
//! against these tables, and the README's option table is rendered from them.
//!
//! A name here is the canonical `snake_case` one. Each binding spells it by a fixed rule
//! ([`OptionSpec::python`], [`OptionSpec::js`], [`OptionSpec::uniffi_field`]), so nobody keeps a
//! per-language name list: adding an option here makes the parity test fail until every binding
//! that can have it does.

use ceaseless::proto::{Config, SubscriptionConfig};

/// What kind of value an option takes; each binding types it idiomatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Text.
    Text,
    /// A secret (a token): never logged.
    Secret,
    /// JSON text in JSON mode, bytes in Protobuf mode.
    Data,
    /// On or off.
    Flag,
    /// A whole number.
    Count,
    /// A duration: seconds in Python, milliseconds in JS (and `…Ms` in Kotlin and Swift).
    Duration,
    /// A duration, or "never" (`math.inf` in Python, `Infinity` in JS, an enum in Kotlin and Swift).
    Grace,
    /// A list of transports (`websocket`, `http_stream`, `sse`).
    Transports,
    /// `json` or `protobuf`.
    Format,
    /// A list of URLs.
    Urls,
    /// A stream position (offset and epoch).
    Position,
    /// A position store (a file, the app's own implementation, or `localStorage` in the browser).
    PositionStore,
    /// PEM text.
    Pem,
    /// A proxy URL.
    Proxy,
    /// A map of header names to values (a dict in Python, an object in JS, a map in Kotlin and
    /// Swift); the values are secrets, never logged.
    Headers,
    /// A publication tags filter: the wire `FilterNode` object (`op`, `key`, `cmp`, `val`, `vals`,
    /// `nodes`) as a dict / JS object, handed to the bridge as JSON text.
    TagsFilter,
    /// The app's async callback that loads a channel's state and the stream position it is current at.
    StateLoader,
}

/// Where an option exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// In every binding.
    Everywhere,
    /// Not in the browser, which does TLS and proxies itself.
    NativeOnly,
}

/// One option.
#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    /// The canonical name (`snake_case`).
    pub name: &'static str,
    /// Its kind.
    pub kind: ValueKind,
    /// Where it exists.
    pub reach: Reach,
    /// What it does, in one line.
    pub doc: &'static str,
    /// The core's default, for humans.
    pub default: fn() -> String,
}

impl OptionSpec {
    /// The Python keyword argument.
    pub fn python(&self) -> String {
        self.name.to_owned()
    }

    /// The JS / TypeScript property.
    pub fn js(&self) -> String {
        camel(self.name)
    }

    /// The field of the uniffi record (Kotlin and Swift see it in camelCase): durations end in `_ms`.
    pub fn uniffi_field(&self) -> String {
        match self.kind {
            ValueKind::Duration => format!("{}_ms", self.name),
            _ => self.name.to_owned(),
        }
    }

    /// Whether a browser build has it.
    pub fn in_browser(&self) -> bool {
        self.reach == Reach::Everywhere
    }
}

/// One lifecycle call every binding has on its client.
#[derive(Debug, Clone, Copy)]
pub struct MethodSpec {
    /// The canonical name (`snake_case`).
    pub name: &'static str,
    /// What it does, in one line.
    pub doc: &'static str,
}

impl MethodSpec {
    /// The Python method.
    pub fn python(&self) -> String {
        self.name.to_owned()
    }

    /// The JS method (and the Kotlin / Swift one).
    pub fn js(&self) -> String {
        camel(self.name)
    }
}

/// `snake_case` → `camelCase`.
pub fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn none() -> String {
    "none".to_owned()
}

fn ms(d: ceaseless::Duration) -> String {
    let ms = d.as_millis();
    if ms >= 1000 && ms.is_multiple_of(1000) { format!("{} s", ms / 1000) } else { format!("{ms} ms") }
}

macro_rules! option {
    ($name:literal, $kind:ident, $reach:ident, $doc:literal, $default:expr) => {
        OptionSpec { name: $name, kind: ValueKind::$kind, reach: Reach::$reach, doc: $doc, default: $default }
    };
}

/// The client options, in the order the README lists them.
pub const CLIENT_OPTIONS: &[OptionSpec] = &[
    option!("token", Secret, Everywhere, "initial connection token", none),
    option!("data", Data, Everywhere, "custom data sent with every connect", none),
    option!("name", Text, Everywhere, "client name reported to the server", || {
        "the binding's language".to_owned()
    }),
    option!("version", Text, Everywhere, "app version reported to the server", none),
    option!("headers", Headers, Everywhere, "emulated HTTP headers sent inside every connect", none),
    option!("format", Format, Everywhere, "wire encoding", || {
        format!("{:?}", Config::default().format).to_lowercase()
    }),
    option!("transports", Transports, Everywhere, "transports in fallback order", || {
        Config::default().transports.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")
    }),
    option!("fallback_urls", Urls, Everywhere, "more endpoints, rotated on failed attempts", none),
    option!("timeout", Duration, Everywhere, "connect, command and offline-wait timeout", || {
        ms(Config::default().timeout)
    }),
    option!("reconnect_delay_min", Duration, Everywhere, "reconnect backoff floor (full jitter)", || {
        ms(Config::default().reconnect.min)
    }),
    option!("reconnect_delay_max", Duration, Everywhere, "reconnect backoff ceiling", || {
        ms(Config::default().reconnect.max)
    }),
    option!("max_server_ping_delay", Duration, Everywhere, "grace past the server's ping interval", || {
        ms(Config::default().max_server_ping_delay)
    }),
    option!("refresh_ahead", Duration, Everywhere, "refresh tokens this long before expiry", || {
        ms(Config::default().refresh_ahead)
    }),
    option!("max_message_size", Count, Everywhere, "largest message the server accepts", || {
        Config::default().max_message_size.to_string()
    }),
    option!("offline_queue_limit", Count, Everywhere, "calls that may wait for the connection", || {
        Config::default().offline_queue_limit.to_string()
    }),
    option!("offline_queue_timeout", Duration, Everywhere, "how long each of them may wait", || {
        ms(Config::default().offline_queue_timeout)
    }),
    option!("suspend_after", Duration, Everywhere, "offline this long: suspended, slower retries", || {
        ms(Config::default().suspend_after)
    }),
    option!("background_grace", Grace, Everywhere, "time in the background before letting go", || {
        let native = Config::default().background_grace.map_or_else(|| "never".to_owned(), ms);
        let browser = match crate::options::BROWSER_BACKGROUND_GRACE {
            crate::options::Grace::Never => "never".to_owned(),
            crate::options::Grace::After(d) => ms(d),
        };
        format!("{native} (browser: {browser}, a hidden tab keeps its connection)")
    }),
    option!("position_store", PositionStore, Everywhere, "where positions survive restarts", || {
        "memory".to_owned()
    }),
    option!("tls_root_ca_pem", Pem, NativeOnly, "extra trusted root certificates", || {
        "system roots".to_owned()
    }),
    option!("proxy", Proxy, NativeOnly, "HTTP CONNECT proxy", || "direct".to_owned()),
];

/// The subscription options.
pub const SUBSCRIPTION_OPTIONS: &[OptionSpec] = &[
    option!("token", Secret, Everywhere, "initial subscription token", none),
    option!("data", Data, Everywhere, "custom data sent with every subscribe", none),
    option!("positioned", Flag, Everywhere, "ask the server to track positions", || {
        SubscriptionConfig::default().positioned.to_string()
    }),
    option!("recoverable", Flag, Everywhere, "ask for recovery after reconnects", || {
        SubscriptionConfig::default().recoverable.to_string()
    }),
    option!("join_leave", Flag, Everywhere, "join and leave events", || {
        SubscriptionConfig::default().join_leave.to_string()
    }),
    option!("delta", Flag, Everywhere, "fossil delta compression", || SubscriptionConfig::default()
        .delta
        .to_string()),
    option!("since", Position, Everywhere, "start after this position", none),
    option!("resubscribe_delay_min", Duration, Everywhere, "resubscribe backoff floor", || {
        ms(SubscriptionConfig::default().resubscribe.min)
    }),
    option!("resubscribe_delay_max", Duration, Everywhere, "resubscribe backoff ceiling", || {
        ms(SubscriptionConfig::default().resubscribe.max)
    }),
    option!(
        "tags_filter",
        TagsFilter,
        Everywhere,
        "only publications whose tags match (not with delta)",
        none
    ),
    option!("state_loader", StateLoader, Everywhere, "app-owned state: reload it instead of a gap", none),
];

/// The lifecycle calls.
pub const CLIENT_METHODS: &[MethodSpec] = &[
    MethodSpec { name: "network_changed", doc: "the OS says the network went away or came back" },
    MethodSpec { name: "set_app_state", doc: "foreground or background" },
    MethodSpec { name: "wake", doc: "push wake: connect, catch up, report, return to the previous state" },
    MethodSpec { name: "set_token", doc: "replace the connection token" },
    MethodSpec { name: "set_headers", doc: "replace the emulated headers (from the next connect)" },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_each_language_rule() {
        let spec = CLIENT_OPTIONS.iter().find(|o| o.name == "reconnect_delay_min").copied();
        let Some(spec) = spec else { panic!("reconnect_delay_min is described") };
        assert_eq!(spec.python(), "reconnect_delay_min");
        assert_eq!(spec.js(), "reconnectDelayMin");
        assert_eq!(spec.uniffi_field(), "reconnect_delay_min_ms");
        assert_eq!((CLIENT_METHODS[0].js()), "networkChanged");
    }

    #[test]
    fn defaults_come_from_the_core() {
        let timeout = CLIENT_OPTIONS.iter().find(|o| o.name == "timeout").map(|o| (o.default)());
        assert_eq!(timeout.as_deref(), Some("5 s"));
    }
}
