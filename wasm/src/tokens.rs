//! Async JS functions as token providers.
//!
//! The function is called with no argument (connection tokens) or with the channel (subscription
//! tokens) and may return a string or a Promise of one. Throwing (or rejecting with) an error whose
//! `name` is `"UnauthorizedError"` answers [`TokenError::Unauthorized`]: the client, or the subscription,
//! stops for good. Anything else is a temporary failure, retried with backoff.

use ceaseless::maybe_send::BoxFuture;
use ceaseless::{ConnectionTokenProvider, SubscriptionTokenProvider, TokenError};
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::js;

/// A JS function `() => Promise<string>` for connection tokens.
#[derive(Debug, Clone)]
pub struct JsConnectionToken(pub Function);

/// A JS function `(channel) => Promise<string>` for subscription tokens.
#[derive(Debug, Clone)]
pub struct JsSubscriptionToken(pub Function);

impl ConnectionTokenProvider for JsConnectionToken {
    fn connection_token(&self) -> BoxFuture<'static, Result<String, TokenError>> {
        let called = self.0.call0(&JsValue::UNDEFINED);
        Box::pin(settle(called))
    }
}

impl SubscriptionTokenProvider for JsSubscriptionToken {
    fn subscription_token(&self, channel: &str) -> BoxFuture<'static, Result<String, TokenError>> {
        let called = self.0.call1(&JsValue::UNDEFINED, &JsValue::from_str(channel));
        Box::pin(settle(called))
    }
}

/// Awaits what the function returned (a value or a Promise) and reads a token from it.
async fn settle(called: Result<JsValue, JsValue>) -> Result<String, TokenError> {
    let value = called.map_err(|e| token_error(&e))?;
    let value = JsFuture::from(Promise::resolve(&value)).await.map_err(|e| token_error(&e))?;
    value.as_string().ok_or_else(|| TokenError::Failed("the token function must return a string".to_owned()))
}

/// Maps a thrown value: `UnauthorizedError` stops, anything else is retried.
fn token_error(thrown: &JsValue) -> TokenError {
    let name = Reflect::get(thrown, &JsValue::from_str("name")).ok().and_then(|n| n.as_string());
    if name.as_deref() == Some("UnauthorizedError") {
        return TokenError::Unauthorized;
    }
    TokenError::Failed(js::message_of(thrown, "the token function failed"))
}
