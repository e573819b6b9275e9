//! Subscription settings, applied to the Rust subscription builder in one place.

use std::sync::Arc;

use ceaseless::proto::SubscriptionConfig;
use ceaseless::state::StateLoader;
use ceaseless::transport::FrameFormat;
use ceaseless::{Duration, Error, StreamPosition, SubscriptionBuilder, TagsFilter};

use super::payload;

/// Subscription settings. `Default` is "every default of the core".
#[derive(Clone, Default)]
pub struct SubscriptionOptions {
    /// The initial subscription token, for channels that need one.
    pub token: Option<String>,
    /// Custom data sent with every subscribe (checked against the client's format).
    pub data: Option<Vec<u8>>,
    /// Ask the server to track positions.
    pub positioned: Option<bool>,
    /// Ask the server for recovery.
    pub recoverable: Option<bool>,
    /// Ask for join and leave events.
    pub join_leave: Option<bool>,
    /// Ask for fossil delta compression (publications still reach the app whole).
    pub delta: Option<bool>,
    /// Start after this position (overrides the position store).
    pub since: Option<StreamPosition>,
    /// Resubscribe backoff floor.
    pub resubscribe_delay_min: Option<Duration>,
    /// Resubscribe backoff ceiling.
    pub resubscribe_delay_max: Option<Duration>,
    /// A publication tags filter in its JSON form (`{"key":"kind","cmp":"eq","val":"good"}`, nested
    /// with `op` and `nodes`): bindings serialize their dict / JS object; [`SubscriptionOptions::apply`]
    /// parses and validates it once for all of them.
    pub tags_filter: Option<String>,
    /// The app's state loader (the binding wraps its language's callback): the app owns the channel's
    /// state and is asked for it instead of hearing of a gap.
    pub state_loader: Option<Arc<dyn StateLoader>>,
}

impl std::fmt::Debug for SubscriptionOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubscriptionOptions")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("recoverable", &self.recoverable)
            .field("delta", &self.delta)
            .field("since", &self.since)
            .field("tags_filter", &self.tags_filter)
            .field("state_loader", &self.state_loader.is_some())
            .finish_non_exhaustive()
    }
}

impl SubscriptionOptions {
    /// Applies every setting to `builder`; `format` (the client's) decides how `data` is checked.
    ///
    /// # Errors
    /// [`Error::InvalidPayload`] for bad `data`, [`Error::InvalidTagsFilter`] for a `tags_filter` that
    /// is not a valid filter object (combining one with delta is refused when the subscription is built).
    pub fn apply(
        self,
        mut builder: SubscriptionBuilder,
        format: Option<FrameFormat>,
    ) -> Result<SubscriptionBuilder, Error> {
        let defaults = SubscriptionConfig::default();
        if let Some(token) = self.token {
            builder = builder.token(token);
        }
        if let Some(data) = self.data {
            builder = builder.data(payload(data, format)?);
        }
        builder = builder
            .positioned(self.positioned.unwrap_or(defaults.positioned))
            .recoverable(self.recoverable.unwrap_or(defaults.recoverable))
            .join_leave(self.join_leave.unwrap_or(defaults.join_leave))
            .delta(self.delta.unwrap_or(defaults.delta));
        if let Some(since) = self.since {
            builder = builder.since(since);
        }
        if self.resubscribe_delay_min.is_some() || self.resubscribe_delay_max.is_some() {
            let min = self.resubscribe_delay_min.unwrap_or(defaults.resubscribe.min);
            let max = self.resubscribe_delay_max.unwrap_or(defaults.resubscribe.max).max(min);
            builder = builder.resubscribe_delay(min, max);
        }
        if let Some(json) = self.tags_filter {
            builder = builder.tags_filter(TagsFilter::from_json(&json)?);
        }
        if let Some(loader) = self.state_loader {
            builder = builder.state_loader(SharedLoader(loader));
        }
        Ok(builder)
    }
}

/// A state loader shared with the binding (the builder wants a value it owns).
struct SharedLoader(Arc<dyn StateLoader>);

impl StateLoader for SharedLoader {
    fn load_state(
        &self,
        channel: &str,
    ) -> ceaseless::maybe_send::BoxFuture<'static, Result<ceaseless::LoadedState, ceaseless::StateLoadError>>
    {
        self.0.load_state(channel)
    }
}
