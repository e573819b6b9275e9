//! Full-jitter exponential backoff.
//!
//! `delay(step) = min(max, min + uniform(0 ..= min(max, min · 2^step)))`, where `step` counts the attempts
//! since the last success. Spreading each delay uniformly over the whole window (rather than adding a
//! little noise to a fixed curve) is what keeps a thousand clients dropped at once from coming back in
//! lockstep.

use web_time::Duration;

/// Backoff bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The smallest delay (and the base of the exponent).
    pub min: Duration,
    /// The largest delay.
    pub max: Duration,
}

impl Backoff {
    /// Bounds from `min` and `max`. If `max < min`, `max` is raised to `min`.
    pub fn new(min: Duration, max: Duration) -> Self {
        Self { min, max: max.max(min) }
    }

    /// The delay before attempt number `step` (0 for the first retry), drawn from `rng`.
    pub fn delay(&self, step: u32, rng: &mut fastrand::Rng) -> Duration {
        let min = self.min.as_millis().min(u128::from(u64::MAX)) as u64;
        let max = self.max.as_millis().min(u128::from(u64::MAX)) as u64;
        let window = min.saturating_mul(1u64.checked_shl(step.min(31)).unwrap_or(u64::MAX)).min(max);
        let jitter = rng.u64(0..=window);
        Duration::from_millis(min.saturating_add(jitter).min(max))
    }
}

/// A backoff with its attempt counter.
#[derive(Debug, Clone)]
pub struct Attempts {
    bounds: Backoff,
    step: u32,
}

impl Attempts {
    /// A counter at zero.
    pub fn new(bounds: Backoff) -> Self {
        Self { bounds, step: 0 }
    }

    /// The next delay; advances the counter.
    pub fn next_delay(&mut self, rng: &mut fastrand::Rng) -> Duration {
        let delay = self.bounds.delay(self.step, rng);
        self.step = self.step.saturating_add(1);
        delay
    }

    /// Back to the first step (after a success, or an explicit `connect()`).
    pub fn reset(&mut self) {
        self.step = 0;
    }

    /// Attempts made since the last reset.
    pub fn step(&self) -> u32 {
        self.step
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn delays_stay_within_the_full_jitter_window() {
        let backoff = Backoff::new(ms(500), ms(20_000));
        let mut rng = fastrand::Rng::with_seed(7);
        for step in 0..40u32 {
            let window = (500u64 << step.min(31)).min(20_000);
            for _ in 0..200 {
                let d = backoff.delay(step, &mut rng);
                assert!(d >= ms(500), "step {step}: {d:?}");
                assert!(d <= ms((500 + window).min(20_000)), "step {step}: {d:?}");
            }
        }
    }

    #[test]
    fn jitter_covers_the_window() {
        let backoff = Backoff::new(ms(500), ms(20_000));
        let mut rng = fastrand::Rng::with_seed(1);
        let samples: Vec<_> = (0..2000).map(|_| backoff.delay(5, &mut rng)).collect();
        let lo = samples.iter().min().copied().unwrap_or_default();
        let hi = samples.iter().max().copied().unwrap_or_default();
        assert!(lo < ms(2_000), "low end not reached: {lo:?}");
        assert!(hi > ms(15_000), "high end not reached: {hi:?}");
    }

    #[test]
    fn same_seed_same_storm() {
        let backoff = Backoff::new(ms(500), ms(20_000));
        let run = |seed| {
            let mut rng = fastrand::Rng::with_seed(seed);
            (0..20).map(|s| backoff.delay(s, &mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
    }

    #[test]
    fn attempts_grow_and_reset() {
        let mut attempts = Attempts::new(Backoff::new(ms(100), ms(100_000)));
        let mut rng = fastrand::Rng::with_seed(3);
        for _ in 0..5 {
            attempts.next_delay(&mut rng);
        }
        assert_eq!(attempts.step(), 5);
        attempts.reset();
        assert_eq!(attempts.step(), 0);
        let first = attempts.next_delay(&mut rng);
        assert!(first >= ms(100) && first <= ms(200));
    }

    #[test]
    fn huge_steps_do_not_overflow() {
        let backoff = Backoff::new(ms(u64::MAX / 2), ms(u64::MAX));
        let mut rng = fastrand::Rng::with_seed(9);
        let _ = backoff.delay(u32::MAX, &mut rng);
        let inverted = Backoff::new(ms(1000), ms(10));
        assert_eq!(inverted.delay(3, &mut rng), ms(1000));
    }
}
