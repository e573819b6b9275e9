//! Input checks: what the app hands the engine is refused before anything is sent when it can never
//! succeed (a bad channel name, data the codec cannot carry, a tags filter the server would refuse).

use super::commands::encoded_len;
use crate::codec::{AnyCodec, Format};
use crate::config::Config;
use crate::error::Error;
use crate::wire::{Command, CommandBody, ConnectRequest, SubscribeRequest};

/// The longest channel name Centrifugo accepts, in bytes.
pub const MAX_CHANNEL_LEN: usize = 255;

/// Checks a client configuration before an engine runs with it: the connect data must encode.
///
/// # Errors
/// [`Error::InvalidPayload`] when `config.data` cannot be sent (for example non-JSON bytes built with
/// [`crate::Payload::from_raw`] on a JSON connection).
pub fn check_config(config: &Config) -> Result<(), Error> {
    if config.transports.is_empty() {
        return Err(Error::Config("at least one transport is needed".to_owned()));
    }
    for (i, kind) in config.transports.iter().enumerate() {
        if config.transports[..i].contains(kind) {
            return Err(Error::Config(format!("transport {kind} is listed twice")));
        }
        if !kind.carries(config.format) {
            return Err(Error::Config(format!(
                "{} carries JSON only; use http_stream with Protobuf",
                kind.label()
            )));
        }
    }
    if config.timeout.is_zero() {
        return Err(Error::Config("timeout must be greater than zero".to_owned()));
    }
    if config.max_message_size < 64 {
        return Err(Error::Config("max_message_size is too small".to_owned()));
    }
    let connect = ConnectRequest { data: config.data.clone(), ..Default::default() };
    encoded_len(&AnyCodec::new(config.format), &Command { id: 1, body: CommandBody::Connect(connect) })
        .map(drop)
        .map_err(|e| Error::InvalidPayload(format!("connect data: {e}")))
}

/// Checks a subscription before it is registered: a valid channel name, a valid tags filter that is not
/// combined with delta, and data that can be sent.
///
/// # Errors
/// [`Error::InvalidChannel`], [`Error::InvalidTagsFilter`] or [`Error::InvalidPayload`].
pub fn check_subscription(
    channel: &str,
    config: &crate::config::SubscriptionConfig,
    format: Format,
) -> Result<(), Error> {
    validate_channel(channel)?;
    if let Some(filter) = &config.tags_filter {
        filter.validate()?;
        if config.delta {
            return Err(Error::InvalidTagsFilter(
                "a tags filter cannot be combined with delta compression (the server would send \
                 non-matching publications as deltas)"
                    .to_owned(),
            ));
        }
    }
    let probe =
        SubscribeRequest { channel: channel.to_owned(), data: config.data.clone(), ..Default::default() };
    encoded_len(&AnyCodec::new(format), &Command { id: 1, body: CommandBody::Subscribe(probe) })
        .map(drop)
        .map_err(|e| Error::InvalidPayload(format!("subscription data: {e}")))
}

/// Checks a channel name before anything is sent.
pub fn validate_channel(channel: &str) -> Result<(), Error> {
    if channel.is_empty() {
        return Err(Error::InvalidChannel("the channel name is empty".to_owned()));
    }
    if channel.len() > MAX_CHANNEL_LEN {
        return Err(Error::InvalidChannel(format!(
            "the channel name is {} bytes long; the limit is {MAX_CHANNEL_LEN}",
            channel.len()
        )));
    }
    Ok(())
}
