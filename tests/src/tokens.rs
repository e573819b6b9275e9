//! HS256 connection and subscription tokens, signed the way Centrifugo v5 verifies them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::config::non_empty_str;

/// The secrets the server verifies tokens with, read from its effective config.
#[derive(Debug, Clone)]
pub(crate) struct TokenSecrets {
    /// `token_hmac_secret_key`: connection tokens.
    connection: String,
    /// Subscription tokens: `client.subscription_token.hmac_secret_key` when
    /// `client.subscription_token.enabled` is on and it is set, else the connection secret.
    subscription: String,
}

impl TokenSecrets {
    /// The secrets of a server running `config`.
    pub(crate) fn from_config(config: &Value) -> Self {
        let connection = non_empty_str(config, "client.token.hmac_secret_key").unwrap_or_default().to_owned();
        let separate =
            config.pointer("/client/subscription_token/enabled").and_then(Value::as_bool) == Some(true);
        let subscription = match non_empty_str(config, "client.subscription_token.hmac_secret_key") {
            Some(secret) if separate => secret.to_owned(),
            _ => connection.clone(),
        };
        Self { connection, subscription }
    }

    /// A connection token with `sub: user` and, with a `ttl`, `exp` that far ahead.
    pub(crate) fn connection_token(&self, user: &str, ttl: Option<Duration>) -> String {
        let mut claims = json!({ "sub": user });
        if let Some(ttl) = ttl {
            claims["exp"] = json!(expiry(ttl));
        }
        sign(&self.connection, &claims)
    }

    /// A connection token carrying exactly `claims`.
    pub(crate) fn connection_token_with_claims(&self, claims: &Value) -> String {
        sign(&self.connection, claims)
    }

    /// A subscription token for `user` in `channel`, with `exp` when a `ttl` is given.
    pub(crate) fn subscription_token(&self, user: &str, channel: &str, ttl: Option<Duration>) -> String {
        let mut claims = json!({ "sub": user, "channel": channel });
        if let Some(ttl) = ttl {
            claims["exp"] = json!(expiry(ttl));
        }
        sign(&self.subscription, &claims)
    }

    /// A connection token for `user` signed with a key the server does not know.
    pub(crate) fn token_signed_with_wrong_key(&self, user: &str) -> String {
        let wrong = format!("wrong-{}", self.connection);
        sign(&wrong, &json!({ "sub": user }))
    }
}

/// Unix seconds `ttl` from now, rounded up so a token never lives shorter than asked.
fn expiry(ttl: Duration) -> u64 {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let at = since_epoch.saturating_add(ttl);
    at.as_secs() + u64::from(at.subsec_nanos() > 0)
}

/// Signs `claims` with HS256 and `secret`.
fn sign(secret: &str, claims: &Value) -> String {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.as_bytes()))
        // HMAC signing of an in-memory JSON value has no failure path; a failure here is a
        // broken jsonwebtoken build, not bad input.
        .expect("HS256 signing of JSON claims cannot fail")
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{DecodingKey, Validation};

    use super::*;

    fn secrets() -> TokenSecrets {
        TokenSecrets::from_config(&json!({ "client": { "token": { "hmac_secret_key": "s3cret" } } }))
    }

    fn decode(token: &str, secret: &str) -> jsonwebtoken::errors::Result<Value> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<Value>(token, &DecodingKey::from_secret(secret.as_bytes()), &validation)
            .map(|data| data.claims)
    }

    #[test]
    fn connection_token_has_sub_and_rounded_up_exp() {
        let before = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_secs();
        let token = secrets().connection_token("alice", Some(Duration::from_millis(1500)));
        let claims = decode(&token, "s3cret").expect("token verifies with the server secret");
        assert_eq!(claims["sub"], "alice");
        let exp = claims["exp"].as_u64().expect("exp is a number");
        assert!(exp >= before + 2 && exp <= before + 3, "exp {exp} vs now {before}");
    }

    #[test]
    fn token_without_ttl_has_no_exp() {
        let claims = decode(&secrets().connection_token("bob", None), "s3cret").expect("verifies");
        assert_eq!(claims, json!({ "sub": "bob" }));
    }

    #[test]
    fn subscription_token_names_the_channel() {
        let token = secrets().subscription_token("carol", "secure:room", None);
        let claims = decode(&token, "s3cret").expect("verifies");
        assert_eq!(claims, json!({ "sub": "carol", "channel": "secure:room" }));
    }

    #[test]
    fn separate_subscription_secret_is_honoured() {
        let secrets = TokenSecrets::from_config(&json!({
            "client": {
                "token": { "hmac_secret_key": "conn" },
                "subscription_token": { "enabled": true, "hmac_secret_key": "subs" },
            },
        }));
        let token = secrets.subscription_token("dave", "secure:x", None);
        assert!(decode(&token, "subs").is_ok());
        assert!(decode(&token, "conn").is_err());
    }

    #[test]
    fn wrong_key_token_does_not_verify() {
        let token = secrets().token_signed_with_wrong_key("eve");
        assert!(decode(&token, "s3cret").is_err());
    }
}
