//! The strings the dynamic languages (Python, JS) use for states, so both spell them alike.

use ceaseless::{ClientState, SubscriptionState};

/// `disconnected`, `connecting`, `connected` or `closed`.
pub fn client_state(state: ClientState) -> &'static str {
    match state {
        ClientState::Disconnected => "disconnected",
        ClientState::Connecting => "connecting",
        ClientState::Connected => "connected",
        ClientState::Closed => "closed",
    }
}

/// `unsubscribed`, `subscribing` or `subscribed`.
pub fn subscription_state(state: SubscriptionState) -> &'static str {
    match state {
        SubscriptionState::Unsubscribed => "unsubscribed",
        SubscriptionState::Subscribing => "subscribing",
        SubscriptionState::Subscribed => "subscribed",
    }
}

/// The transport named `name` (`websocket`, `http_stream`, `sse`), or a configuration error.
///
/// # Errors
/// [`ceaseless::Error::Config`] for an unknown name.
pub fn transport(name: &str) -> Result<ceaseless::transport::TransportKind, ceaseless::Error> {
    ceaseless::transport::TransportKind::from_name(name).ok_or_else(|| {
        ceaseless::Error::Config(format!(
            "unknown transport {name:?} (expected websocket, http_stream or sse)"
        ))
    })
}

/// The format named `name` (`json`, `protobuf`), or a configuration error.
///
/// # Errors
/// [`ceaseless::Error::Config`] for an unknown name.
pub fn format(name: &str) -> Result<ceaseless::transport::FrameFormat, ceaseless::Error> {
    match name {
        "json" => Ok(ceaseless::transport::FrameFormat::Json),
        "protobuf" => Ok(ceaseless::transport::FrameFormat::Protobuf),
        other => {
            Err(ceaseless::Error::Config(format!("unknown format {other:?} (expected json or protobuf)")))
        }
    }
}

/// The app state named `name` (`foreground`, `background`), or a configuration error.
///
/// # Errors
/// [`ceaseless::Error::Config`] for an unknown name.
pub fn app_state(name: &str) -> Result<ceaseless::AppState, ceaseless::Error> {
    match name {
        "foreground" => Ok(ceaseless::AppState::Foreground),
        "background" => Ok(ceaseless::AppState::Background),
        other => Err(ceaseless::Error::Config(format!(
            "unknown app state {other:?} (expected foreground or background)"
        ))),
    }
}
