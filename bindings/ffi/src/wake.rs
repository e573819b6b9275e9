//! [`WakeReport`]: what `Client.wake` achieved, mapped from `ceaseless::WakeReport`.

use std::collections::HashMap;

/// The outcome of a push wake.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WakeReport {
    /// Connected with every subscription subscribed and its missed publications delivered before the
    /// time budget ran out.
    pub caught_up: bool,
    /// Publications delivered during the wake, per channel (channels with none are absent).
    pub publications: HashMap<String, u64>,
    /// How long the wake took, in milliseconds.
    pub elapsed_ms: u64,
}

impl From<ceaseless::WakeReport> for WakeReport {
    fn from(r: ceaseless::WakeReport) -> Self {
        Self {
            caught_up: r.caught_up,
            publications: r.publications.into_iter().collect(),
            elapsed_ms: u64::try_from(r.elapsed.as_millis()).unwrap_or(u64::MAX),
        }
    }
}
