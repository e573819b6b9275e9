//! An async JS function as a subscription's state loader.
//!
//! The wrapper (`npm/index.js`) hands over a function `(channel) => Promise<{offset, epoch, state}>`
//! built around the app's `stateLoader`, with `state` already encoded as the client's format wants it:
//! JSON text (`''` or absent for none) with the JSON format, a `Uint8Array` with Protobuf. This side
//! reads those three fields and wraps the state as a payload (checked by the shared layer). A throw, a
//! rejection or a missing field is a [`StateLoadError`]: the client reports it as the subscription's
//! `error` event and retries with the resubscribe backoff.

use ceaseless::maybe_send::BoxFuture;
use ceaseless::state::StateLoader;
use ceaseless::transport::FrameFormat;
use ceaseless::{LoadedState, StateLoadError, StreamPosition};
use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::js;

/// A JS function `(channel) => Promise<{offset, epoch, state}>`.
#[derive(Debug, Clone)]
pub struct JsStateLoader {
    function: Function,
    format: Option<FrameFormat>,
}

impl JsStateLoader {
    /// Wraps `function`; `format` is the client's (how the state is checked).
    pub fn new(function: Function, format: Option<FrameFormat>) -> Self {
        Self { function, format }
    }
}

impl StateLoader for JsStateLoader {
    fn load_state(&self, channel: &str) -> BoxFuture<'static, Result<LoadedState, StateLoadError>> {
        let called = self.function.call1(&JsValue::UNDEFINED, &JsValue::from_str(channel));
        Box::pin(settle(called, self.format))
    }
}

fn failed(thrown: &JsValue) -> StateLoadError {
    StateLoadError(js::message_of(thrown, "the state loader failed"))
}

fn field(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Awaits the function's answer and reads the loaded state from it.
async fn settle(
    called: Result<JsValue, JsValue>,
    format: Option<FrameFormat>,
) -> Result<LoadedState, StateLoadError> {
    let value = called.map_err(|e| failed(&e))?;
    let value = JsFuture::from(Promise::resolve(&value)).await.map_err(|e| failed(&e))?;
    let shape =
        || StateLoadError("the state loader must resolve to {position: {offset, epoch}, state}".into());
    let offset = field(&value, "offset").as_f64().filter(|o| o.is_finite() && *o >= 0.0).ok_or_else(shape)?;
    let epoch = field(&value, "epoch").as_string().ok_or_else(shape)?;
    let state = field(&value, "state");
    let bytes = if let Some(array) = state.dyn_ref::<Uint8Array>() {
        Some(array.to_vec())
    } else {
        state.as_string().filter(|text| !text.is_empty()).map(String::into_bytes)
    };
    let state = bytes
        .map(|b| ceaseless_bridge::options::payload(b, format))
        .transpose()
        .map_err(|e| StateLoadError(e.to_string()))?;
    Ok(LoadedState { position: StreamPosition { offset: offset as u64, epoch }, state })
}
