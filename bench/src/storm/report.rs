//! The live progress line and the final table.

use std::fmt;
use std::sync::atomic::Ordering;

use tokio::task::JoinHandle;

use super::World;

/// Prints one progress line per second until aborted.
pub(crate) fn progress(world: &World) -> JoinHandle<()> {
    let counters = world.counters.clone();
    let publisher = world.publisher.clone();
    let phase = world.phase.clone();
    let started = world.started;
    let subscribers = world.options.subscribers as u64;
    let subscriptions = world.subscriptions();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        tick.tick().await;
        loop {
            tick.tick().await;
            let c = &counters;
            let phase = phase.lock().map(|p| short(&p)).unwrap_or_default();
            println!(
                "[{:>4.0}s] {:<16} sent {:>5}  received {:>6}/{:<6} dup {}  connected {:>2}/{}  subscribed {:>2}/{}  \
                 reconnects {:>3}  resumes {:>3}  gaps {:>2}  token refreshes {:>3}",
                started.elapsed().as_secs_f64(),
                phase,
                publisher.total_sent(),
                c.received.load(Ordering::SeqCst),
                publisher.total_sent() * subscribers,
                c.duplicates.load(Ordering::SeqCst),
                c.connected.load(Ordering::SeqCst),
                subscribers,
                c.subscribed.load(Ordering::SeqCst),
                subscriptions,
                c.reconnects.load(Ordering::SeqCst),
                c.resumes.load(Ordering::SeqCst),
                c.gaps.load(Ordering::SeqCst),
                c.refreshes.load(Ordering::SeqCst),
            );
        }
    })
}

/// A phase's short name for the progress line: up to the first colon or parenthesis.
fn short(phase: &str) -> String {
    phase.split([':', '(', ';']).next().unwrap_or_default().trim().to_owned()
}

/// The end tally.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Two nodes on Redis.
    pub redis: bool,
    /// Subscribers.
    pub subscribers: u64,
    /// Publications the server acknowledged.
    pub sent: u64,
    /// Deliveries owed (sent x subscribers).
    pub expected: u64,
    /// Distinct publications received.
    pub received: u64,
    /// Owed and deliverable, but never received.
    pub lost: u64,
    /// Received more than once.
    pub duplicated: u64,
    /// Received after a later one.
    pub out_of_order: u64,
    /// Owed but impossible to deliver: not yet delivered when a memory-engine server went down.
    pub undeliverable: u64,
    /// Publishes that failed (never counted as sent).
    pub publish_failures: u64,
    /// Connections re-established.
    pub reconnects: u64,
    /// Resubscribes that replayed everything missed.
    pub resumes: u64,
    /// Gap events.
    pub gaps: u64,
    /// Token renewals on the live connection.
    pub refreshes: u64,
    /// Disconnects for an expired token.
    pub expired: u64,
    /// Wall time of the whole demo.
    pub seconds: f64,
}

impl Report {
    /// Counts everything up.
    pub(crate) fn tally(world: &World) -> Report {
        let c = &world.counters;
        let tops: Vec<u64> = world.publisher.sent.iter().map(|s| s.load(Ordering::SeqCst)).collect();
        let skipped = world.publisher.skipped.lock().map(|s| s.clone()).unwrap_or_default();
        let owed: Vec<Vec<u64>> = tops
            .iter()
            .enumerate()
            .map(|(k, top)| {
                (1..=*top).filter(|seq| !skipped.get(k).is_some_and(|s| s.contains(seq))).collect()
            })
            .collect();
        let sent: u64 = owed.iter().map(|o| o.len() as u64).sum();
        let (mut lost, mut undeliverable) = (0, 0);
        for (index, subscriber) in world.subscribers.iter().enumerate() {
            let Ok(received) = subscriber.received.lock() else { continue };
            for (channel, seqs) in owed.iter().enumerate() {
                for seq in seqs {
                    if received.seen[channel].contains(seq) {
                        continue;
                    }
                    if world.undeliverable[index][channel].contains(seq) {
                        undeliverable += 1;
                    } else {
                        lost += 1;
                    }
                }
            }
        }
        let subscribers = world.options.subscribers as u64;
        Report {
            redis: world.options.redis,
            subscribers,
            sent,
            expected: sent * subscribers,
            received: c.received.load(Ordering::SeqCst),
            lost,
            duplicated: c.duplicates.load(Ordering::SeqCst),
            out_of_order: c.out_of_order.load(Ordering::SeqCst),
            undeliverable,
            publish_failures: world.publisher.failed.load(Ordering::SeqCst),
            reconnects: c.reconnects.load(Ordering::SeqCst),
            resumes: c.resumes.load(Ordering::SeqCst),
            gaps: c.gaps.load(Ordering::SeqCst),
            refreshes: c.refreshes.load(Ordering::SeqCst),
            expired: c.expired.load(Ordering::SeqCst),
            seconds: world.started.elapsed().as_secs_f64(),
        }
    }

    /// Whether the run kept every promise: nothing lost, duplicated or reordered.
    pub fn passed(&self) -> bool {
        self.lost == 0 && self.duplicated == 0 && self.out_of_order == 0 && self.sent > 0
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: Vec<(String, u64)> = vec![
            ("publications sent (acknowledged by the server)".into(), self.sent),
            (format!("deliveries owed (x {} subscribers)", self.subscribers), self.expected),
            ("received (distinct)".into(), self.received),
            ("LOST".into(), self.lost),
            ("DUPLICATED".into(), self.duplicated),
            ("out of order".into(), self.out_of_order),
            ("not deliverable (memory-engine restart)".into(), self.undeliverable),
            ("reconnects".into(), self.reconnects),
            ("resumes (missed publications replayed)".into(), self.resumes),
            ("gaps reported (continuity lost, app told)".into(), self.gaps),
            ("token refreshes without reconnect".into(), self.refreshes),
            ("disconnects for an expired token".into(), self.expired),
            ("publishes that failed (not counted as sent)".into(), self.publish_failures),
        ];
        let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        writeln!(f, "+-{}-+----------+", "-".repeat(width))?;
        for (key, value) in &rows {
            writeln!(f, "| {key:<width$} | {value:>8} |")?;
        }
        writeln!(f, "+-{}-+----------+", "-".repeat(width))?;
        if !self.redis && self.gaps > 0 {
            writeln!(
                f,
                "Gaps: the memory-engine restart gave every stream a new epoch, so each subscription reported one \
                 Gap. The publisher paused from just before the stop until every subscriber was back, and the \
                 subscribers had caught up first, so {} publication(s) were actually undeliverable.",
                self.undeliverable
            )?;
        }
        if self.redis {
            writeln!(
                f,
                "Redis: history outlives each node, so the rolling restart is recovered without gaps."
            )?;
        }
        write!(
            f,
            "{} in {:.0} s",
            if self.passed() { "PASS: nothing lost, nothing duplicated" } else { "FAIL" },
            self.seconds
        )
    }
}
