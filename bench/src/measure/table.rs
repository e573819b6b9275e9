//! The results as one markdown table, with ratios to the first peer (ceaseless).

use std::fmt::Write;

use super::{PeerResult, Sizes};

/// `value` with its ratio to `reference`.
fn cell(value: Option<f64>, reference: Option<f64>, digits: usize) -> String {
    match (value, reference) {
        // No ratio to a reference that shows as zero at this precision.
        (Some(v), Some(r)) if r >= 0.5 / 10f64.powi(digits as i32) => format!("{v:.digits$} ({:.2}x)", v / r),
        (Some(v), _) => format!("{v:.digits$}"),
        (None, _) => "n/a".to_owned(),
    }
}

/// The fleet outages of `r`, when they were measured.
fn outages(r: &PeerResult) -> Option<&super::outage::Outages> {
    r.fleet.as_ref().and_then(|f| f.outages.as_ref().ok())
}

/// The table; `skipped` lists peers that could not be installed, with the reason.
pub fn markdown(results: &[PeerResult], skipped: &[(String, String)], sizes: &Sizes) -> String {
    let reference = results.first();
    let pick = |r: Option<&PeerResult>, f: &dyn Fn(&PeerResult) -> Option<f64>| r.and_then(f);
    let cpu = |r: &PeerResult| r.throughput.as_ref().map(|t| t.cpu_us_per_pub);
    let rate = |r: &PeerResult| r.throughput.as_ref().map(|t| t.per_second);
    let p50 = |r: &PeerResult| r.latency.as_ref().map(|l| l.p50_ms);
    let p99 = |r: &PeerResult| r.latency.as_ref().map(|l| l.p99_ms);
    let conn = |r: &PeerResult| r.fleet.as_ref().map(|f| f.kib_per_connection);
    let sub = |r: &PeerResult| r.fleet.as_ref().map(|f| f.kib_per_subscription);
    let back = |r: &PeerResult| r.fleet.as_ref().and_then(|f| f.all_back_s);
    let catch = |r: &PeerResult| r.recovery.as_ref().and_then(|c| c.catch_up_ms);
    let restore = |r: &PeerResult| r.recovery.as_ref().and_then(|c| c.from_restore_ms).map(|ms| ms / 1e3);
    let out50 = |r: &PeerResult| outages(r).and_then(|o| o.median_s);
    let out95 = |r: &PeerResult| outages(r).and_then(|o| o.p95_s);

    let mut out = String::new();
    let _ = writeln!(
        out,
        "| SDK | CPU µs / publication (lower is better) | publications/s, 1 subscriber | latency p50 ms | latency p99 ms \
         | KiB / idle connection | KiB / subscription | reconnect storm: peak attempts / 100 ms (full-jitter expectation) \
         | storm: all back after (s) | recovery: catch-up of {} missed (ms) | recovery: from outage end (s) \
         | fleet outage: back after, median (s) | fleet outage: back after, p95 (s) |",
        sizes.missed
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in results {
        let storm = match &r.fleet {
            Some(f) => format!(
                "{} ({:.0}; {:.2}x)",
                f.peak_attempts_100ms,
                f.expected_peak_100ms,
                f.peak_attempts_100ms as f64 / f.expected_peak_100ms.max(1.0)
            ),
            None => "n/a".to_owned(),
        };
        let recovery = match &r.recovery {
            Some(c) if c.recovered < c.missed => {
                format!("incomplete: {} of {} recovered", c.recovered, c.missed)
            }
            Some(c) if c.duplicates > 0 => {
                format!("{} ({} duplicates)", cell(catch(r), pick(reference, &catch), 0), c.duplicates)
            }
            Some(_) => cell(catch(r), pick(reference, &catch), 0),
            None => "n/a".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            cell(cpu(r), pick(reference, &cpu), 2),
            cell(rate(r), pick(reference, &rate), 0),
            cell(p50(r), pick(reference, &p50), 3),
            cell(p99(r), pick(reference, &p99), 3),
            cell(conn(r), pick(reference, &conn), 1),
            cell(sub(r), pick(reference, &sub), 1),
            storm,
            cell(back(r), pick(reference, &back), 2),
            recovery,
            cell(restore(r), pick(reference, &restore), 2),
            cell(out50(r), pick(reference, &out50), 2),
            cell(out95(r), pick(reference, &out95), 2),
        );
    }
    for (name, reason) in skipped {
        let _ = writeln!(out, "| {name} | skipped: {reason} | | | | | | | | | | | |");
    }
    out
}

/// Notes under the table: what each column measured and anything that failed.
pub fn notes(results: &[PeerResult], sizes: &Sizes, server_version: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Ratios are to the first row (ceaseless). Measured in one run against one Centrifugo v{server_version} on this machine:"
    );
    let _ = writeln!(
        out,
        "- CPU and publications/s (median of {} run(s)): one subscriber, {} small JSON publications (~90 bytes); the peer process is paused (SIGSTOP) while they are published, so the server queues them all, then resumed: publications/s is how fast it drains that backlog (first to last receipt), CPU is its user+system time meanwhile divided by the count; every peer decodes each payload.",
        sizes.repeats, sizes.throughput
    );
    let _ = writeln!(
        out,
        "- Latency: {} publications at {}/s through the server HTTP API on loopback; receive time minus the send time stamped just before each API call.",
        sizes.latency, sizes.latency_rate
    );
    let _ = writeln!(
        out,
        "- Memory: resident set growth of one process holding {} clients (connected, idle), then one subscription each, divided by {}.",
        sizes.clients, sizes.clients
    );
    let _ = writeln!(
        out,
        "- Reconnect storm: the server is stopped (clients get `shutdown`), kept down 1 s and started again; connection attempts are counted at a TCP proxy in 100 ms windows from the stop; the expectation is full-jitter backoff with a 500 ms base and 20 s cap for the same downtime; each SDK uses its default backoff."
    );
    let _ = writeln!(
        out,
        "- Recovery: a {} s outage (connections reset, new ones refused) while {} publications are made into a channel with history; catch-up is from the first connection accepted after the outage to the last missed publication received; \"from outage end\" adds the SDK's reconnect backoff (one sample: it is random).",
        sizes.outage.as_secs(),
        sizes.missed
    );
    let _ = writeln!(
        out,
        "- Fleet outage: the {} clients of the memory run (one subscription each) lose their connections at once ({} s: connections reset, new ones refused), {} time(s); from the outage's end until half and 95 % of them have connected again (connections accepted by the proxy, read every 5 ms; the resubscribe that recovers each client's position follows within a millisecond on loopback); the median over the outages of each.",
        sizes.clients,
        sizes.outage.as_secs(),
        sizes.outage_runs
    );
    for r in results {
        if let Some(Err(e)) = r.fleet.as_ref().map(|f| &f.outages) {
            let _ = writeln!(out, "- {}: fleet outage not measured: {e}", r.name);
        }
        if let Some(Ok(o)) = r.fleet.as_ref().map(|f| &f.outages) {
            let each: Vec<String> = o
                .runs
                .iter()
                .map(|run| {
                    let s = |v: Option<f64>| v.map_or("never".to_owned(), |v| format!("{v:.2}"));
                    format!("{} / {} / {}", s(run.median_s), s(run.p95_s), s(run.all_s))
                })
                .collect();
            let _ =
                writeln!(out, "- {}: each outage, median / p95 / all back (s): {}", r.name, each.join("; "));
        }
        for e in &r.errors {
            let _ = writeln!(out, "- {}: {e}", r.name);
        }
    }
    out
}
