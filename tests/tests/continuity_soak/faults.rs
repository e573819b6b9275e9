//! The fault schedule: a seeded generator, the fault kinds, and the injector that applies them.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ceaseless::{Client, ClientState};
use ceaseless_tests::FaultProxy;
use tokio::task::JoinHandle;
use tokio::time::{Instant, interval, sleep};

use crate::fleet::lock;
use crate::{BLACKHOLE_FOR, FAULT_EVERY, LATENCY, LATENCY_FOR, PATH_BLACKHOLE_FOR, REFUSE_FOR};

/// xorshift64*: a small deterministic generator for the fault schedule.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A fault the injector applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    CutReset,
    CutClean,
    Blackhole,
    PathBlackhole,
    Refuse,
    Latency,
}

pub(crate) const FAULTS: [Fault; 6] =
    [Fault::CutReset, Fault::CutClean, Fault::Blackhole, Fault::PathBlackhole, Fault::Refuse, Fault::Latency];

/// What the injector did.
#[derive(Default)]
pub(crate) struct FaultLog {
    pub(crate) applied: Vec<(Fault, usize, Instant)>,
    /// Blackholes on clients that were connected when it started: `(client, start)`.
    pub(crate) watched_blackholes: Vec<(usize, Instant)>,
}

/// Every [`FAULT_EVERY`], applies a random fault to a random client that has none running, until
/// `until`; then waits for every timed fault to be lifted.
pub(crate) async fn inject_faults(
    targets: Vec<(Client, Arc<[FaultProxy; 2]>)>,
    until: Instant,
    mut rng: Rng,
    log: Arc<Mutex<FaultLog>>,
) {
    let mut busy_until = vec![Instant::now(); targets.len()];
    let mut lifts: Vec<JoinHandle<()>> = Vec::new();
    let mut ticker = interval(FAULT_EVERY);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        let now = Instant::now();
        if now >= until {
            break;
        }
        let Some(i) = (0..8).map(|_| rng.below(targets.len())).find(|&i| busy_until[i] <= now) else {
            continue;
        };
        let fault = FAULTS[rng.below(FAULTS.len())];
        let (client, proxies) = &targets[i];
        let settle = Duration::from_secs(2);
        match fault {
            Fault::CutReset | Fault::CutClean => {
                for proxy in proxies.iter() {
                    proxy.cut(fault == Fault::CutReset);
                }
                busy_until[i] = now + settle;
            }
            Fault::Blackhole => {
                if client.state() == ClientState::Connected {
                    lock(&log).watched_blackholes.push((i, now));
                }
                for proxy in proxies.iter() {
                    proxy.blackhole(true);
                }
                let proxies = proxies.clone();
                lifts.push(tokio::spawn(async move {
                    sleep(BLACKHOLE_FOR).await;
                    for proxy in proxies.iter() {
                        proxy.blackhole(false);
                    }
                }));
                busy_until[i] = now + BLACKHOLE_FOR + settle;
            }
            Fault::PathBlackhole => {
                let path = rng.below(2);
                proxies[path].blackhole(true);
                let proxies = proxies.clone();
                lifts.push(tokio::spawn(async move {
                    sleep(PATH_BLACKHOLE_FOR).await;
                    proxies[path].blackhole(false);
                }));
                busy_until[i] = now + PATH_BLACKHOLE_FOR + settle;
            }
            Fault::Refuse => {
                for proxy in proxies.iter() {
                    proxy.refuse(true);
                    proxy.cut(true);
                }
                let proxies = proxies.clone();
                lifts.push(tokio::spawn(async move {
                    sleep(REFUSE_FOR).await;
                    for proxy in proxies.iter() {
                        proxy.refuse(false);
                    }
                }));
                busy_until[i] = now + REFUSE_FOR + settle;
            }
            Fault::Latency => {
                for proxy in proxies.iter() {
                    proxy.set_latency(LATENCY);
                }
                let proxies = proxies.clone();
                lifts.push(tokio::spawn(async move {
                    sleep(LATENCY_FOR).await;
                    for proxy in proxies.iter() {
                        proxy.set_latency(Duration::ZERO);
                    }
                }));
                busy_until[i] = now + LATENCY_FOR + settle;
            }
        }
        lock(&log).applied.push((fault, i, now));
    }
    for lift in lifts {
        let _ = lift.await;
    }
}
