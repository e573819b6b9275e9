//! The Centrifugo v5 server HTTP API: `POST /api/<method>` with an `X-API-Key` header.
//!
//! Every reply is HTTP 200 with either `{"result": {...}}` or `{"error": {"code", "message"}}`;
//! a wrong key gets an empty 401, an unknown method a 404 and an unreadable body a 400.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::HarnessError;

/// How long one API request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A position in a channel's history stream.
///
/// Both fields are zero/empty for channels without history (the server omits them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct StreamPos {
    /// The offset of the publication, counting from 1.
    #[serde(default)]
    pub offset: u64,
    /// The epoch of the stream; it changes when the history is lost.
    #[serde(default)]
    pub epoch: String,
}

/// A client for one server's HTTP API. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ServerApi {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT/api`, no trailing slash.
    base: String,
    key: String,
}

impl ServerApi {
    /// A client for the API under `base` (`http://host:port/api`) with the API key `key`.
    pub(crate) fn new(base: String, key: String) -> Self {
        // Building a client fails only when the TLS backend or system resolver cannot be set
        // up; reqwest here has no TLS, so fall back to the default client in that unlikely case.
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            // No idle keep-alive connection: Go's graceful shutdown waits seconds for one.
            .pool_max_idle_per_host(0)
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self { http, base, key }
    }

    /// Calls the API method `method` (e.g. `"broadcast"`, `"info"`) with `params` and returns
    /// the reply's `result` (an empty object when the server sends none). An `error` in the
    /// reply becomes [`HarnessError::Api`].
    pub async fn call(&self, method: &str, params: Value) -> Result<Value, HarnessError> {
        let url = format!("{}/{}", self.base, method);
        let http_error = |e: reqwest::Error| HarnessError::Http { url: url.clone(), message: e.to_string() };
        let response = self
            .http
            .post(&url)
            .header("X-API-Key", &self.key)
            .json(&params)
            .send()
            .await
            .map_err(http_error)?;
        let status = response.status();
        let body = response.text().await.map_err(http_error)?;
        if !status.is_success() {
            return Err(HarnessError::HttpStatus { url, status: status.as_u16(), body });
        }
        let mut reply: Value = serde_json::from_str(&body).map_err(|e| HarnessError::BadReply {
            method: method.to_owned(),
            message: format!("{e}: {body}"),
        })?;
        if let Some(error) = reply.get("error").filter(|error| !error.is_null()) {
            return Err(api_error(error));
        }
        Ok(reply.get_mut("result").map(Value::take).unwrap_or_else(|| json!({})))
    }

    /// Publishes `data` into `channel` and returns the publication's stream position.
    pub async fn publish(&self, channel: &str, data: Value) -> Result<StreamPos, HarnessError> {
        let result = self.call("publish", json!({ "channel": channel, "data": data })).await?;
        serde_json::from_value(result)
            .map_err(|e| HarnessError::BadReply { method: "publish".to_owned(), message: e.to_string() })
    }

    /// Disconnects every connection of `user` with the disconnect `code` and `reason`.
    pub async fn disconnect(&self, user: &str, code: u32, reason: &str) -> Result<(), HarnessError> {
        let params = json!({ "user": user, "disconnect": { "code": code, "reason": reason } });
        self.call("disconnect", params).await.map(drop)
    }

    /// Unsubscribes every connection of `user` from `channel` (the client sees code 2000).
    pub async fn unsubscribe(&self, user: &str, channel: &str) -> Result<(), HarnessError> {
        self.call("unsubscribe", json!({ "user": user, "channel": channel })).await.map(drop)
    }

    /// Subscribes every connection of `user` to `channel` on the server side.
    pub async fn subscribe(&self, user: &str, channel: &str) -> Result<(), HarnessError> {
        self.call("subscribe", json!({ "user": user, "channel": channel })).await.map(drop)
    }

    /// The history of `channel`: `{"publications": [...], "offset", "epoch"}`.
    ///
    /// `limit` 0 returns only the stream position, -1 every kept publication.
    pub async fn history(&self, channel: &str, limit: i32) -> Result<Value, HarnessError> {
        self.call("history", json!({ "channel": channel, "limit": limit })).await
    }

    /// `(num_clients, num_users)` present in `channel`.
    pub async fn presence_stats(&self, channel: &str) -> Result<(u32, u32), HarnessError> {
        let result = self.call("presence_stats", json!({ "channel": channel })).await?;
        let count = |key: &str| {
            let value = result.get(key).and_then(Value::as_u64).unwrap_or(0);
            u32::try_from(value).map_err(|_| HarnessError::BadReply {
                method: "presence_stats".to_owned(),
                message: format!("{key} out of range: {value}"),
            })
        };
        Ok((count("num_clients")?, count("num_users")?))
    }
}

/// Reads an API `error` object.
fn api_error(error: &Value) -> HarnessError {
    let code = error.get("code").and_then(Value::as_u64).unwrap_or(0);
    HarnessError::Api {
        code: u32::try_from(code).unwrap_or(u32::MAX),
        message: error.get("message").and_then(Value::as_str).unwrap_or_default().to_owned(),
    }
}
