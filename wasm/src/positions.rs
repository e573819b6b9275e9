//! Position stores of the page: [`LocalStoragePositionStore`] keeps stream positions in
//! `localStorage`, so a reloaded page resumes every recoverable channel where the previous page
//! stopped; [`JsPositionStore`] is the app's own `{load, save, flush?}` object.
//!
//! One key per channel, `<prefix><channel>`, holding `<offset>:<epoch>`. Saves are gathered in memory
//! and written at most every 250 ms (a busy stream would otherwise write storage per publication), and at
//! once on `pagehide` and when the client closes, so a normal reload or navigation loses nothing. After a
//! crash, up to 250 ms of progress may be redelivered on the next page.

use std::cell::RefCell;
use std::rc::Rc;

use ceaseless::StreamPosition;
use ceaseless::positions::PositionStore;
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::Storage;

use crate::js;

/// How long saves are gathered before one write.
const WRITE_DELAY_MS: f64 = 250.0;

struct State {
    storage: Storage,
    prefix: String,
    /// Saved since the last write; a short list (one entry per busy channel).
    pending: Vec<(String, StreamPosition)>,
    timer: Option<(JsValue, Closure<dyn FnMut()>)>,
}

impl State {
    fn write(&mut self) {
        if let Some((id, _callback)) = self.timer.take() {
            js::clear_timeout(&id);
        }
        for (channel, position) in std::mem::take(&mut self.pending) {
            let value = format!("{}:{}", position.offset, position.epoch);
            // A full or blocked storage only costs a redelivery after reload; nothing to do about it here.
            let _ = self.storage.set_item(&format!("{}{channel}", self.prefix), &value);
        }
    }
}

/// Positions in `localStorage` under a key prefix.
pub struct LocalStoragePositionStore {
    state: Rc<RefCell<State>>,
    on_page_hide: Option<Closure<dyn FnMut()>>,
}

impl LocalStoragePositionStore {
    /// A store over `window.localStorage`, or `None` where there is none (workers, blocked storage).
    pub fn new(prefix: &str) -> Option<Self> {
        let window = web_sys::window()?;
        let storage = window.local_storage().ok()??;
        let state = Rc::new(RefCell::new(State {
            storage,
            prefix: prefix.to_owned(),
            pending: Vec::new(),
            timer: None,
        }));
        let flush = state.clone();
        let on_page_hide = Closure::<dyn FnMut()>::new(move || flush.borrow_mut().write());
        let _ = window.add_event_listener_with_callback("pagehide", on_page_hide.as_ref().unchecked_ref());
        Some(Self { state, on_page_hide: Some(on_page_hide) })
    }
}

/// Parses `<offset>:<epoch>`.
pub fn parse_position(value: &str) -> Option<StreamPosition> {
    let (offset, epoch) = value.split_once(':')?;
    Some(StreamPosition { offset: offset.parse().ok()?, epoch: epoch.to_owned() })
}

impl PositionStore for LocalStoragePositionStore {
    fn load(&self, channel: &str) -> Option<StreamPosition> {
        let state = self.state.borrow();
        if let Some((_, position)) = state.pending.iter().find(|(c, _)| c == channel) {
            return Some(position.clone());
        }
        let value = state.storage.get_item(&format!("{}{channel}", state.prefix)).ok()??;
        parse_position(&value)
    }

    fn save(&self, channel: &str, position: &StreamPosition) {
        let mut state = self.state.borrow_mut();
        match state.pending.iter_mut().find(|(c, _)| c == channel) {
            Some((_, saved)) => *saved = position.clone(),
            None => state.pending.push((channel.to_owned(), position.clone())),
        }
        if state.timer.is_none() {
            let target = Rc::downgrade(&self.state);
            let callback = Closure::<dyn FnMut()>::new(move || {
                if let Some(state) = target.upgrade() {
                    let mut state = state.borrow_mut();
                    // The timer has fired: forget it without clearing, then write.
                    drop(state.timer.take());
                    state.write();
                }
            });
            let id = js::set_timeout(callback.as_ref(), WRITE_DELAY_MS);
            state.timer = Some((id, callback));
        }
    }

    fn flush(&self) {
        self.state.borrow_mut().write();
    }
}

impl Drop for LocalStoragePositionStore {
    fn drop(&mut self) {
        self.flush();
        if let (Some(window), Some(callback)) = (web_sys::window(), self.on_page_hide.take()) {
            let _ = window.remove_event_listener_with_callback("pagehide", callback.as_ref().unchecked_ref());
        }
    }
}

/// The app's own store: a JS object with `load(channel)` (returning `{offset, epoch}`, or nothing) and
/// `save(channel, {offset, epoch})`, and optionally `flush()`. A throwing method costs a redelivery
/// (a failed save) or a subscribe from the stream top (a failed load), never the client.
#[derive(Debug, Clone)]
pub struct JsPositionStore(Object);

impl JsPositionStore {
    /// Wraps `object`.
    ///
    /// # Errors
    /// A message when `load` or `save` is not a function.
    pub fn new(object: Object) -> Result<Self, String> {
        for name in ["load", "save"] {
            if method(&object, name).is_none() {
                return Err(format!("the position store has no {name}() method"));
            }
        }
        Ok(Self(object))
    }

    fn call(&self, name: &str, args: &[JsValue]) -> Option<JsValue> {
        let function = method(&self.0, name)?;
        let called = match args {
            [] => function.call0(&self.0),
            [a] => function.call1(&self.0, a),
            [a, b, ..] => function.call2(&self.0, a, b),
        };
        match called {
            Ok(value) => Some(value),
            Err(thrown) => {
                tracing::warn!(method = name, error = %js::message_of(&thrown, "thrown"), "position store failed");
                None
            }
        }
    }
}

fn method(object: &Object, name: &str) -> Option<Function> {
    Reflect::get(object, &JsValue::from_str(name)).ok()?.dyn_into::<Function>().ok()
}

impl PositionStore for JsPositionStore {
    fn load(&self, channel: &str) -> Option<StreamPosition> {
        let value = self.call("load", &[JsValue::from_str(channel)])?;
        let offset = Reflect::get(&value, &JsValue::from_str("offset")).ok()?.as_f64()?;
        let epoch = Reflect::get(&value, &JsValue::from_str("epoch")).ok()?.as_string()?;
        (offset >= 0.0 && offset.fract() == 0.0).then_some(StreamPosition { offset: offset as u64, epoch })
    }

    fn save(&self, channel: &str, position: &StreamPosition) {
        let value = Object::new();
        let _ =
            Reflect::set(&value, &JsValue::from_str("offset"), &JsValue::from_f64(position.offset as f64));
        let _ = Reflect::set(&value, &JsValue::from_str("epoch"), &JsValue::from_str(&position.epoch));
        self.call("save", &[JsValue::from_str(channel), value.into()]);
    }

    fn flush(&self) {
        self.call("flush", &[]);
    }
}
