//! [`JsRuntime`]: the driver's [`Runtime`] on the page's event loop.
//!
//! Tasks run on the microtask queue through `wasm_bindgen_futures::spawn_local`. A sleep is one
//! `setTimeout`, cleared when the driver drops the sleep (it does whenever the engine's deadline moves),
//! so a busy connection does not pile up timers. Time is `performance.now()` through `web_time`.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use ceaseless::maybe_send::BoxFuture;
use ceaseless::proto::Instant;
use ceaseless::runtime::Runtime;
use wasm_bindgen::prelude::*;

use crate::js;

/// The browser runtime. Stateless and free to copy.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsRuntime;

impl Runtime for JsRuntime {
    fn spawn(&self, fut: BoxFuture<'static, ()>) {
        wasm_bindgen_futures::spawn_local(fut);
    }

    fn sleep_until(&self, deadline: Instant) -> BoxFuture<'static, ()> {
        Box::pin(Sleep::until(deadline))
    }

    fn seed(&self) -> u64 {
        // Jitter only needs to differ between tabs, not to be secret: two draws of Math.random suffice.
        let draw = || (js_sys::Math::random() * 4_294_967_296.0) as u64;
        (draw() << 32) ^ draw()
    }
}

#[derive(Default)]
struct Shared {
    fired: bool,
    waker: Option<Waker>,
}

/// A future that resolves when its `setTimeout` fires; dropping it clears the timer.
pub struct Sleep {
    shared: Rc<RefCell<Shared>>,
    timer: Option<(JsValue, Closure<dyn FnMut()>)>,
}

impl Sleep {
    /// A sleep until `deadline` (ready at once if it has passed).
    pub fn until(deadline: Instant) -> Self {
        let shared = Rc::new(RefCell::new(Shared::default()));
        let millis = deadline.saturating_duration_since(Instant::now()).as_secs_f64() * 1000.0;
        if millis <= 0.0 {
            shared.borrow_mut().fired = true;
            return Self { shared, timer: None };
        }
        let target = shared.clone();
        let callback = Closure::<dyn FnMut()>::new(move || {
            let waker = {
                let mut state = target.borrow_mut();
                state.fired = true;
                state.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        });
        // Round up: waking a little late is harmless, waking early costs a second timer.
        let id = js::set_timeout(callback.as_ref(), millis.ceil());
        Self { shared, timer: Some((id, callback)) }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.shared.borrow_mut();
        if state.fired {
            return Poll::Ready(());
        }
        state.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some((id, _callback)) = self.timer.take()
            && !self.shared.borrow().fired
        {
            js::clear_timeout(&id);
        }
    }
}
