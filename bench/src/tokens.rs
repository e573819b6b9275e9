//! HS256 connection tokens for the local servers the demo and the benchmarks start.
//!
//! They are signed with the harness's test secret ([`ceaseless_tests::HMAC_SECRET`]), so any server the
//! harness starts accepts them. A real app gets its tokens from its own backend.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

/// A connection token for `user`, valid for `ttl` when given (rounded up to whole seconds).
pub fn connection_token(user: &str, ttl: Option<Duration>) -> String {
    let mut claims = json!({ "sub": user });
    if let Some(ttl) = ttl {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let at = now.saturating_add(ttl);
        claims["exp"] = json!(at.as_secs() + u64::from(at.subsec_nanos() > 0));
    }
    let key = EncodingKey::from_secret(ceaseless_tests::HMAC_SECRET.as_bytes());
    // Signing JSON claims with HMAC has no failure path; an empty token would be refused loudly.
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).unwrap_or_default()
}
