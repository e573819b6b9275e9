//! Tokens: fetching them through the driver, and refreshing them in band before they expire.
//!
//! Every fetch has a [`TokenRequestId`]; the engine remembers only the fetch it still wants. A refresh
//! belongs to the connection (or subscription) that started it: when that connection ends, the fetch is
//! forgotten, so an answer that arrives after a reconnect is discarded instead of being sent on a
//! connection that never asked for it.

use web_time::{Duration, Instant};

use super::commands::InflightKind;
use super::timers::TimerKey;
use super::{Engine, Output, TokenKind, TokenRequest, TokenRequestId};

use crate::codes;
use crate::error::{Error, TokenError};
use crate::event::{ClientEvent, ClientState, SubscriptionEvent, SubscriptionState};
use crate::wire::{CommandBody, ErrorReply, RefreshRequest, ReplyBody, SubRefreshRequest};

/// Why the client or a subscription stopped when the app's token provider said the user is unauthorized.
const UNAUTHORIZED_BY_PROVIDER: &str = "the token provider answered unauthorized";

/// Why the engine wants a connection token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ConnTokenPurpose {
    /// For the next connect attempt.
    Connect,
    /// To refresh the live connection.
    Refresh,
}

impl ConnTokenPurpose {
    pub(super) fn is_refresh(self) -> bool {
        self == ConnTokenPurpose::Refresh
    }
}

/// Why the engine wants a subscription token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SubTokenPurpose {
    /// For the next subscribe.
    Subscribe,
    /// To refresh the live subscription.
    Refresh,
}

/// The connection token fetch the engine is waiting for.
#[derive(Debug, Clone)]
pub(super) struct ConnTokenFetch {
    id: TokenRequestId,
    pub(super) purpose: ConnTokenPurpose,
}

/// When to refresh a token that lives `ttl`: `refresh_ahead` before expiry, but never earlier than half
/// its lifetime.
fn refresh_delay(ttl: Duration, ahead: Duration) -> Duration {
    ttl.saturating_sub(ahead.min(ttl / 2))
}

impl Engine {
    fn next_token_id(&mut self) -> TokenRequestId {
        self.next_token_request += 1;
        TokenRequestId(self.next_token_request)
    }

    pub(super) fn fetch_connection_token(&mut self, purpose: ConnTokenPurpose) {
        let id = self.next_token_id();
        self.conn_token_fetch = Some(ConnTokenFetch { id, purpose });
        self.emit(Output::FetchToken(TokenRequest { id, kind: TokenKind::Connection }));
    }

    pub(super) fn fetch_subscription_token(&mut self, channel: &str, purpose: SubTokenPurpose) {
        let id = self.next_token_id();
        let Some(sub) = self.subs.client.get_mut(channel) else {
            return;
        };
        sub.token_fetch = Some((id, purpose));
        let kind = TokenKind::Subscription { channel: channel.to_owned() };
        self.emit(Output::FetchToken(TokenRequest { id, kind }));
    }

    pub(super) fn on_token(&mut self, id: TokenRequestId, result: Result<String, TokenError>, now: Instant) {
        if let Some(fetch) = self.conn_token_fetch.as_ref().filter(|f| f.id == id) {
            let purpose = fetch.purpose;
            self.conn_token_fetch = None;
            self.on_connection_token(purpose, result, now);
            return;
        }
        let channel = self
            .subs
            .client
            .iter()
            .find(|(_, s)| s.token_fetch.is_some_and(|(fid, _)| fid == id))
            .map(|(c, _)| c.clone());
        match channel {
            Some(channel) => self.on_subscription_token(&channel, result, now),
            None => tracing::debug!(id = id.0, "discarding a token answer nobody waits for any more"),
        }
    }

    fn on_connection_token(
        &mut self,
        purpose: ConnTokenPurpose,
        result: Result<String, TokenError>,
        now: Instant,
    ) {
        let unauthorized = |engine: &mut Engine| {
            engine.go_disconnected(codes::disconnected::UNAUTHORIZED, UNAUTHORIZED_BY_PROVIDER, now);
        };
        match (purpose, result) {
            (_, Err(TokenError::Unauthorized)) => unauthorized(self),
            (ConnTokenPurpose::Connect, Ok(token)) => {
                if self.state != ClientState::Connecting {
                    return;
                }
                self.token = token;
                self.refresh_required = false;
                self.open_transport(now);
            }
            (ConnTokenPurpose::Connect, Err(TokenError::Failed(reason))) => {
                self.client_event(ClientEvent::Error(Error::Token(reason)));
                if self.state == ClientState::Connecting {
                    self.schedule_reconnect(now);
                }
            }
            (ConnTokenPurpose::Refresh, Ok(token)) if token.is_empty() => unauthorized(self),
            (ConnTokenPurpose::Refresh, Ok(token)) => {
                if self.state != ClientState::Connected {
                    return;
                }
                self.token = token.clone();
                self.send_command(CommandBody::Refresh(RefreshRequest { token }), InflightKind::Refresh, now);
            }
            (ConnTokenPurpose::Refresh, Err(TokenError::Failed(reason))) => {
                self.client_event(ClientEvent::Error(Error::Token(reason)));
                self.retry_refresh_later(now);
            }
        }
    }

    fn on_subscription_token(&mut self, channel: &str, result: Result<String, TokenError>, now: Instant) {
        let Some(sub) = self.subs.client.get_mut(channel) else {
            return;
        };
        let Some((_, purpose)) = sub.token_fetch.take() else {
            return;
        };
        match (purpose, result) {
            (_, Err(TokenError::Unauthorized)) => self.sub_unauthorized(channel, now),
            (_, Ok(token)) if token.is_empty() => self.sub_unauthorized(channel, now),
            (SubTokenPurpose::Subscribe, Ok(token)) => {
                sub.token = token;
                sub.token_required = false;
                self.try_subscribe(channel, now);
            }
            (SubTokenPurpose::Subscribe, Err(TokenError::Failed(reason))) => {
                let delay = sub.resubscribe.next_delay(&mut self.rng);
                self.timers.set(TimerKey::resubscribe(channel), now + delay);
                self.sub_event(channel, SubscriptionEvent::Error(Error::Token(reason)));
            }
            (SubTokenPurpose::Refresh, Ok(token)) => {
                if sub.state != SubscriptionState::Subscribed || self.state != ClientState::Connected {
                    return;
                }
                sub.token = token.clone();
                let body = CommandBody::SubRefresh(SubRefreshRequest { channel: channel.to_owned(), token });
                self.send_command(body, InflightKind::SubRefresh { channel: channel.to_owned() }, now);
            }
            (SubTokenPurpose::Refresh, Err(TokenError::Failed(reason))) => {
                self.sub_event(channel, SubscriptionEvent::Error(Error::Token(reason)));
                self.retry_sub_refresh_later(channel, now);
            }
        }
    }

    fn sub_unauthorized(&mut self, channel: &str, now: Instant) {
        self.end_subscription(
            channel,
            codes::unsubscribed::UNAUTHORIZED,
            UNAUTHORIZED_BY_PROVIDER,
            true,
            now,
        );
    }

    /// Arms (or, with `expires == false`, disarms) the connection refresh timer.
    pub(super) fn schedule_refresh(&mut self, expires: bool, ttl: u32, now: Instant) {
        let at = expires
            .then(|| now + refresh_delay(Duration::from_secs(u64::from(ttl)), self.config.refresh_ahead));
        self.timers.set_or_clear(TimerKey::Refresh, at);
    }

    pub(super) fn on_refresh_reply(&mut self, error: Option<ErrorReply>, body: ReplyBody, now: Instant) {
        match (error, body) {
            (Some(e), _) if codes::refresh_error_is_retryable(e.code, e.temporary) => {
                // The client retries it, so it is reported as temporary whatever the server said.
                self.client_event(ClientEvent::Error(Error::from(ErrorReply { temporary: true, ..e })));
                self.retry_refresh_later(now);
            }
            (Some(e), _) => self.go_disconnected(e.code, &e.message, now),
            (None, ReplyBody::Refresh(result)) => self.schedule_refresh(result.expires, result.ttl, now),
            (None, _) => self.protocol_violation("unexpected reply to refresh", now),
        }
    }

    /// A failed refresh is retried after 5–10 s (the server's grace period is longer).
    pub(super) fn retry_refresh_later(&mut self, now: Instant) {
        if self.state == ClientState::Connected {
            let delay = Duration::from_millis(self.rng.u64(5_000..=10_000));
            self.timers.set(TimerKey::Refresh, now + delay);
        }
    }

    pub(super) fn schedule_sub_refresh(&mut self, channel: &str, expires: bool, ttl: u32, now: Instant) {
        let ahead = self.config.refresh_ahead;
        if self.subs.client.contains_key(channel) {
            let at = expires.then(|| now + refresh_delay(Duration::from_secs(u64::from(ttl)), ahead));
            self.timers.set_or_clear(TimerKey::sub_refresh(channel), at);
        }
    }

    pub(super) fn on_sub_refresh_reply(
        &mut self,
        channel: &str,
        error: Option<ErrorReply>,
        body: ReplyBody,
        now: Instant,
    ) {
        match (error, body) {
            (Some(e), _) if codes::refresh_error_is_retryable(e.code, e.temporary) => {
                let err = Error::from(ErrorReply { temporary: true, ..e });
                self.sub_event(channel, SubscriptionEvent::Error(err));
                self.retry_sub_refresh_later(channel, now);
            }
            (Some(e), _) => self.end_subscription(channel, e.code, &e.message, true, now),
            (None, ReplyBody::SubRefresh(result)) => {
                self.schedule_sub_refresh(channel, result.expires, result.ttl, now)
            }
            (None, _) => self.protocol_violation("unexpected reply to sub_refresh", now),
        }
    }

    /// A failed subscription refresh is retried after 10–20 s.
    pub(super) fn retry_sub_refresh_later(&mut self, channel: &str, now: Instant) {
        let delay = Duration::from_millis(self.rng.u64(10_000..=20_000));
        if self.subs.client.get(channel).is_some_and(|s| s.state == SubscriptionState::Subscribed) {
            self.timers.set(TimerKey::sub_refresh(channel), now + delay);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_happens_ahead_of_expiry_but_not_too_early() {
        let ahead = Duration::from_secs(10);
        assert_eq!(refresh_delay(Duration::from_secs(600), ahead), Duration::from_secs(590));
        assert_eq!(refresh_delay(Duration::from_secs(4), ahead), Duration::from_secs(2));
        assert_eq!(refresh_delay(Duration::ZERO, ahead), Duration::ZERO);
    }
}
