//! What a reconnect storm should look like under full-jitter exponential backoff.
//!
//! Full jitter: before attempt `k` (0 first) a client sleeps `uniform(0, min(cap, base * 2^k))`. With
//! `clients` dropped at time 0 and the server down until `down_s`, attempts before `down_s` fail and
//! schedule the next one. The expected peak is the mean, over many simulated storms, of the largest
//! number of attempts in any 100 ms window (aligned to the drop, as the measurement is).

/// The reference SDKs' backoff base, s.
const BASE_S: f64 = 0.5;
/// Their cap, s.
const CAP_S: f64 = 20.0;
/// Simulated storms to average over.
const RUNS: u32 = 50;
/// The window, s.
const WINDOW_S: f64 = 0.1;

/// The expected peak attempts per 100 ms window for `clients` clients and a downtime of `down_s`.
pub fn expected_peak(clients: u64, down_s: f64) -> f64 {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut total = 0u64;
    for _ in 0..RUNS {
        let horizon = down_s + CAP_S * 2.0;
        let mut counts = vec![0u64; (horizon / WINDOW_S).ceil() as usize + 1];
        for _ in 0..clients {
            let (mut t, mut k) = (0.0f64, 0i32);
            loop {
                let window = (BASE_S * 2f64.powi(k)).min(CAP_S);
                t += rng.f64() * window;
                let slot = ((t / WINDOW_S) as usize).min(counts.len() - 1);
                counts[slot] += 1;
                if t >= down_s {
                    break;
                }
                k += 1;
            }
        }
        total += counts.iter().copied().max().unwrap_or(0);
    }
    total as f64 / f64::from(RUNS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thousand_clients_spread_over_the_first_window() {
        // Server back at once: the first attempts are spread over 0.5 s, 200 per 100 ms on average;
        // the peak of five windows is a little above that.
        let peak = expected_peak(1000, 0.0);
        assert!((200.0..260.0).contains(&peak), "{peak}");
    }
}
