//! The code tables of the protocol, and the decisions they drive.
//!
//! Numbers come from the Centrifugo client protocol v2. Codes below 100 are client-side codes that the
//! server never sends; we use the same numbers as the reference SDKs so logs read the same everywhere.

/// Client `connecting` event codes (why the client is (re)connecting).
pub mod connecting {
    /// `connect()` was called.
    pub const CONNECT_CALLED: u32 = 0;
    /// The transport closed.
    pub const TRANSPORT_CLOSED: u32 = 1;
    /// No frame from the server within the ping window.
    pub const NO_PING: u32 = 2;
    /// A subscribe command timed out; client and server may disagree, so the client reconnects.
    pub const SUBSCRIBE_TIMEOUT: u32 = 3;
    /// An unsubscribe command failed or timed out.
    pub const UNSUBSCRIBE_ERROR: u32 = 4;
}

/// Client `disconnected` event codes (client-side ones; otherwise the server's code passes through).
pub mod disconnected {
    /// `disconnect()` was called.
    pub const DISCONNECT_CALLED: u32 = 0;
    /// The token provider said the user is unauthorized, or no valid token can be had.
    pub const UNAUTHORIZED: u32 = 1;
    /// The server sent something this client cannot understand.
    pub const BAD_PROTOCOL: u32 = 2;
    /// The server closed with 1009: a message exceeded its size limit.
    pub const MESSAGE_SIZE_LIMIT: u32 = 3;
    /// The app went to the background and the client let go of the connection; it reconnects when
    /// the app returns to the foreground.
    pub const BACKGROUNDED: u32 = 10;
}

/// Subscription `subscribing` event codes.
pub mod subscribing {
    /// `subscribe()` was called.
    pub const SUBSCRIBE_CALLED: u32 = 0;
    /// The connection was lost; the subscription resumes when it is back.
    pub const TRANSPORT_CLOSED: u32 = 1;
}

/// Subscription `unsubscribed` event codes (client-side ones; otherwise the server's code passes through).
pub mod unsubscribed {
    /// `unsubscribe()` was called.
    pub const UNSUBSCRIBE_CALLED: u32 = 0;
    /// The token provider said unauthorized.
    pub const UNAUTHORIZED: u32 = 1;
    /// The client was closed.
    pub const CLIENT_CLOSED: u32 = 2;
}

/// Server error codes that change client behaviour.
pub mod server_error {
    /// The token has expired: fetch a new one and retry.
    pub const TOKEN_EXPIRED: u32 = 109;
    /// Already subscribed.
    pub const ALREADY_SUBSCRIBED: u32 = 105;
    /// The position could not be recovered.
    pub const UNRECOVERABLE_POSITION: u32 = 112;
    /// Concurrent pagination (map subscriptions paging state in parallel): always temporary, retry.
    pub const CONCURRENT_PAGINATION: u32 = 113;
}

/// Server disconnect codes with special handling.
pub mod server_disconnect {
    /// Connection expired: the connection token is stale. With a token provider, a fresh token is
    /// fetched before the next attempt (instead of reconnecting with the stale one and hearing 109).
    pub const CONNECTION_EXPIRED: u32 = 3005;
    /// State invalidated: drop tokens and recovery state, then reconnect.
    pub const STATE_INVALIDATED: u32 = 3014;
}

/// Server unsubscribe codes with special handling.
pub mod server_unsubscribe {
    /// The subscription expired: resubscribe with a fresh token.
    pub const SUBSCRIPTION_EXPIRED: u32 = 2501;
    /// Subscription state invalidated: drop the token and recovery state, then resubscribe.
    pub const STATE_INVALIDATED: u32 = 2502;
}

/// Bits of `SubscribeRequest.flag` (Protobuf field 14, int64).
pub mod subscribe_flags {
    /// Channel compaction: the server may answer with a numeric `SubscribeResult.id` and then send
    /// `pub`/`join`/`leave` pushes with `Push.id` instead of the channel name.
    pub const CHANNEL_COMPACTION: i64 = 1;
    /// Reject unrecovered: when the requested position cannot be recovered, answer error 112 instead
    /// of a successful subscribe with `recovered: false` (set when the app loads its own state).
    pub const REJECT_UNRECOVERED: i64 = 2;
}

/// WebSocket close code for "message too big".
pub const WS_MESSAGE_TOO_BIG: u16 = 1009;

/// What to do after the server (or the transport) ended the connection with `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisconnectAction {
    /// Reconnect with backoff.
    Reconnect,
    /// Stop: go to `disconnected` and stay there.
    Stop,
}

/// Classifies a disconnect code (a WebSocket close code or a `disconnect` push code).
///
/// Reconnect for 3000–3499, 4000–4499 and ≥ 5000, and for transport-level codes below 3000 except 1009.
/// Stop for 3500–3999 and 4500–4999, and for 1009 (the server would refuse the same message again).
pub fn disconnect_action(code: u32) -> DisconnectAction {
    match code {
        c if c == u32::from(WS_MESSAGE_TOO_BIG) => DisconnectAction::Stop,
        0..=2999 => DisconnectAction::Reconnect,
        3000..=3499 | 4000..=4499 => DisconnectAction::Reconnect,
        3500..=3999 | 4500..=4999 => DisconnectAction::Stop,
        _ => DisconnectAction::Reconnect,
    }
}

/// Whether an error reply to `connect` is worth retrying (with backoff) rather than final.
///
/// Retry client-side codes (< 100), temporary errors and 109 (token expired: fetch a new token first).
pub fn connect_error_is_retryable(code: u32, temporary: bool) -> bool {
    code < 100 || temporary || code == server_error::TOKEN_EXPIRED
}

/// Whether an error reply to `subscribe` keeps the subscription trying (with backoff).
pub fn subscribe_error_is_retryable(code: u32, temporary: bool) -> bool {
    code < 100 || error_is_temporary(code, temporary) || code == server_error::TOKEN_EXPIRED
}

/// Whether a server error is temporary: what the server says, and 113 (concurrent pagination) always.
pub fn error_is_temporary(code: u32, temporary: bool) -> bool {
    temporary || code == server_error::CONCURRENT_PAGINATION
}

/// Whether an error reply to `refresh` / `sub_refresh` is worth retrying later.
pub fn refresh_error_is_retryable(code: u32, temporary: bool) -> bool {
    code < 100 || temporary
}

/// Whether a server `unsubscribe` push with `code` makes the subscription resubscribe (≥ 2500)
/// rather than end (< 2500).
pub fn unsubscribe_resubscribes(code: u32) -> bool {
    code >= 2500
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disconnect_code_ranges() {
        for code in [0, 1000, 1001, 1006, 2999, 3000, 3001, 3005, 3012, 3014, 3499, 4000, 4499, 5000, 65535] {
            assert_eq!(disconnect_action(code), DisconnectAction::Reconnect, "code {code}");
        }
        for code in [1009, 3500, 3501, 3502, 3503, 3999, 4500, 4999] {
            assert_eq!(disconnect_action(code), DisconnectAction::Stop, "code {code}");
        }
    }

    #[test]
    fn connect_errors() {
        assert!(connect_error_is_retryable(1, false));
        assert!(connect_error_is_retryable(100, true));
        assert!(connect_error_is_retryable(109, false));
        assert!(!connect_error_is_retryable(101, false));
        assert!(!connect_error_is_retryable(103, false));
        assert!(!connect_error_is_retryable(110, false));
    }

    #[test]
    fn subscribe_errors() {
        assert!(subscribe_error_is_retryable(109, false));
        assert!(subscribe_error_is_retryable(111, true));
        assert!(!subscribe_error_is_retryable(102, false));
        assert!(!subscribe_error_is_retryable(103, false));
        assert!(!subscribe_error_is_retryable(105, false));
        assert!(subscribe_error_is_retryable(113, false), "113 is temporary whatever the flag says");
        assert!(error_is_temporary(113, false));
        assert!(!error_is_temporary(112, false));
    }

    #[test]
    fn refresh_errors() {
        assert!(refresh_error_is_retryable(100, true));
        assert!(refresh_error_is_retryable(5, false));
        assert!(!refresh_error_is_retryable(109, false));
        assert!(!refresh_error_is_retryable(110, false));
    }

    #[test]
    fn unsubscribe_codes() {
        assert!(!unsubscribe_resubscribes(2000));
        assert!(!unsubscribe_resubscribes(2499));
        assert!(unsubscribe_resubscribes(2500));
        assert!(unsubscribe_resubscribes(2501));
        assert!(unsubscribe_resubscribes(2502));
    }
}
