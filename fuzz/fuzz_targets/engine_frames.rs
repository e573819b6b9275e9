//! The engine fed any sequence of frames, time steps, transport closes and app calls: it may refuse
//! what it reads (closing the transport, reporting an error), but never panics and never produces
//! output without end while no input arrives.
//!
//! Input: the first byte picks JSON or Protobuf; then steps, each an op byte and its operands:
//! - `0..=3` a frame: a little-endian `u16` length, then that many bytes, on the current transport;
//! - `4` time passes: the next byte × 50 ms, then the engine's timers run;
//! - `5` the transport closes with the code in the next two bytes (little endian);
//! - `6` the app calls `disconnect` then `connect`;
//! - `7` the app unsubscribes and subscribes the second channel again.
#![no_main]

use bytes::Bytes;
use ceaseless_proto::codec::Format;
use ceaseless_proto::{Config, Duration, Engine, Instant, Output, SubscriptionConfig, TransportId};
use libfuzzer_sys::fuzz_target;

/// Outputs drained per step before giving up: the engine must not talk forever without input.
const MAX_OUTPUTS: usize = 100_000;

struct Harness {
    engine: Engine,
    now: Instant,
    live: Option<TransportId>,
}

impl Harness {
    fn drain(&mut self) {
        for _ in 0..MAX_OUTPUTS {
            let Some(output) = self.engine.poll_output() else {
                return;
            };
            match output {
                Output::OpenTransport { id, .. } => {
                    self.live = Some(id);
                    self.engine.handle_opened(id, false, self.now);
                }
                Output::CloseTransport { id, .. } if self.live == Some(id) => self.live = None,
                _ => {}
            }
        }
        panic!("the engine produced {MAX_OUTPUTS} outputs without any input");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&format, mut rest)) = data.split_first() else {
        return;
    };
    let format = if format & 1 == 0 { Format::Json } else { Format::Protobuf };
    let now = Instant::now();
    let config = Config { format, ..Config::default() };
    let mut engine = Engine::new(config, 7, now);
    let recovering =
        SubscriptionConfig { positioned: true, recoverable: true, ..SubscriptionConfig::default() };
    let _ = engine.new_subscription("chat", recovering);
    let _ =
        engine.new_subscription("news", SubscriptionConfig { delta: true, ..SubscriptionConfig::default() });
    let _ = engine.subscribe("chat", now);
    let _ = engine.subscribe("news", now);
    engine.connect(now);
    let mut h = Harness { engine, now, live: None };
    h.drain();

    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        match op % 8 {
            0..=3 => {
                let Some((len, tail)) = rest.split_first_chunk::<2>() else {
                    return;
                };
                let len = usize::from(u16::from_le_bytes(*len)).min(tail.len());
                let (frame, tail) = tail.split_at(len);
                rest = tail;
                if let Some(id) = h.live {
                    h.engine.handle_frame(id, &Bytes::copy_from_slice(frame), h.now);
                }
            }
            4 => {
                let Some((&step, tail)) = rest.split_first() else {
                    return;
                };
                rest = tail;
                h.now += Duration::from_millis(u64::from(step) * 50);
                h.engine.handle_timeout(h.now);
            }
            5 => {
                let Some((code, tail)) = rest.split_first_chunk::<2>() else {
                    return;
                };
                rest = tail;
                if let Some(id) = h.live.take() {
                    h.engine.handle_closed(id, Some(u16::from_le_bytes(*code)), "fuzz", h.now);
                }
            }
            6 => {
                h.engine.disconnect(h.now);
                h.drain();
                h.engine.connect(h.now);
            }
            _ => {
                h.engine.unsubscribe("news", h.now);
                let _ = h.engine.subscribe("news", h.now);
            }
        }
        h.drain();
        // Whatever timer the engine asks for must be in the future or now, never in the past forever.
        if let Some(at) = h.engine.poll_timeout() {
            if at <= h.now {
                h.engine.handle_timeout(h.now);
                h.drain();
            }
        }
    }
});
