//! The client fleet's bookkeeping: what each client's and subscription's event stream showed, the
//! tasks that record it, and which channels each client holds.

use std::sync::{Arc, Mutex, MutexGuard};

use ceaseless::{Client, ClientEvent, Subscription, SubscriptionEvent};
use ceaseless_tests::FaultProxy;
use futures::StreamExt;
use tokio::time::Instant;

use crate::CHANNELS;
use crate::common::n_of;

/// A lock that survives a panicking holder (the recorder tasks never panic, but a poisoned lock must
/// not hide the table).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What one client's event stream showed.
#[derive(Default)]
pub(crate) struct ClientLog {
    pub(crate) connected: Vec<Instant>,
    pub(crate) connecting: Vec<(Instant, u32)>,
    pub(crate) suspended: usize,
    pub(crate) disconnected: Vec<(u32, String)>,
}

/// What one subscription's event stream showed.
#[derive(Default)]
pub(crate) struct SubLog {
    pub(crate) received: Vec<u64>,
    pub(crate) subscribed: usize,
    pub(crate) recoveries: usize,
    pub(crate) unrecovered: usize,
    pub(crate) gaps: usize,
    pub(crate) unsubscribed: Vec<(u32, String)>,
}

pub(crate) struct SoakSub {
    pub(crate) channel: usize,
    pub(crate) sub: Subscription,
    pub(crate) log: Arc<Mutex<SubLog>>,
}

pub(crate) struct SoakClient {
    pub(crate) client: Client,
    /// `[to node A, to node B]`.
    pub(crate) proxies: Arc<[FaultProxy; 2]>,
    pub(crate) log: Arc<Mutex<ClientLog>>,
    pub(crate) subs: Vec<SoakSub>,
}

pub(crate) fn channel_name(run: &str, channel: usize) -> String {
    format!("soak:{run}-ch{channel}")
}

/// The two channels of client `i`: `i mod 6`, and another one that spreads the pairs around.
pub(crate) fn channels_of(i: usize) -> [usize; 2] {
    let first = i % CHANNELS;
    let second = (first + 1 + (i / CHANNELS) % (CHANNELS - 1)) % CHANNELS;
    [first, second]
}

pub(crate) fn spawn_client_recorder(client: &Client, log: Arc<Mutex<ClientLog>>) {
    let mut events = client.events();
    tokio::spawn(async move {
        while let Some(event) = events.next().await {
            let now = Instant::now();
            let mut log = lock(&log);
            match event {
                ClientEvent::Connected { .. } => log.connected.push(now),
                ClientEvent::Connecting { code, .. } => log.connecting.push((now, code)),
                ClientEvent::Suspended => log.suspended += 1,
                ClientEvent::Disconnected { code, reason } => log.disconnected.push((code, reason)),
                _ => {}
            }
        }
    });
}

pub(crate) fn spawn_sub_recorder(sub: &Subscription, log: Arc<Mutex<SubLog>>) {
    let mut events = sub.events();
    tokio::spawn(async move {
        while let Some(event) = events.next().await {
            let mut log = lock(&log);
            match event {
                SubscriptionEvent::Publication(p) => log.received.push(n_of(&p)),
                SubscriptionEvent::Subscribed(info) => {
                    log.subscribed += 1;
                    if info.was_recovering && info.recovered {
                        log.recoveries += 1;
                    } else if info.was_recovering {
                        log.unrecovered += 1;
                    }
                }
                SubscriptionEvent::Gap(_) => log.gaps += 1,
                SubscriptionEvent::Unsubscribed { code, reason } => log.unsubscribed.push((code, reason)),
                _ => {}
            }
        }
    });
}
