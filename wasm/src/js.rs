//! Globals bound without `window`, so the package also runs in workers, and small JS helpers.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `setTimeout(callback, ms)`; the id is a number in browsers and an object in Node.
    #[wasm_bindgen(js_name = setTimeout)]
    pub(crate) fn set_timeout(callback: &JsValue, ms: f64) -> JsValue;

    /// `clearTimeout(id)`.
    #[wasm_bindgen(js_name = clearTimeout)]
    pub(crate) fn clear_timeout(id: &JsValue);

    /// `fetch(url, init)`.
    #[wasm_bindgen(js_name = fetch)]
    pub(crate) fn fetch(url: &str, init: &web_sys::RequestInit) -> js_sys::Promise;
}

/// A human-readable message for a thrown JS value (an `Error`'s message, a string, or a fallback).
pub(crate) fn message_of(value: &JsValue, fallback: &str) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    value.as_string().unwrap_or_else(|| fallback.to_owned())
}
