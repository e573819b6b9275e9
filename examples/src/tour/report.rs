//! The verdict: what step 6 (recovery) found, and how it reads.

use std::collections::BTreeSet;
use std::fmt;

use ceaseless::{Publication, SubscribedInfo};

/// What step 6 found.
pub(crate) struct RecoveryReport {
    expected: usize,
    recovered: usize,
    duplicates: usize,
    unexpected: Vec<u64>,
    in_order: bool,
    was_recovering: bool,
    recovered_flag: bool,
    gap: bool,
}

impl RecoveryReport {
    pub(crate) fn new(expected: &[u64], received: &[Publication], info: &SubscribedInfo, gap: bool) -> Self {
        let wanted: BTreeSet<u64> = expected.iter().copied().collect();
        let mut seen = BTreeSet::new();
        let mut duplicates = 0;
        let mut unexpected = Vec::new();
        for publication in received {
            if !wanted.contains(&publication.offset) {
                unexpected.push(publication.offset);
            } else if !seen.insert(publication.offset) {
                duplicates += 1;
            }
        }
        Self {
            expected: wanted.len(),
            recovered: seen.len(),
            duplicates,
            unexpected,
            in_order: received.windows(2).all(|pair| pair[0].offset < pair[1].offset),
            was_recovering: info.was_recovering,
            recovered_flag: info.recovered,
            gap,
        }
    }

    /// Everything that went wrong; empty when recovery was perfect.
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.recovered < self.expected {
            problems.push(format!("{} missed publication(s) were lost", self.expected - self.recovered));
        }
        if self.duplicates > 0 {
            problems.push(format!("{} publication(s) were delivered twice", self.duplicates));
        }
        if !self.unexpected.is_empty() {
            problems.push(format!("unexpected publications at offsets {:?}", self.unexpected));
        }
        if !self.in_order {
            problems.push("publications were delivered out of order".to_owned());
        }
        if !(self.was_recovering && self.recovered_flag) {
            problems.push(format!(
                "the resubscribe reported was_recovering={} recovered={} (expected both true)",
                self.was_recovering, self.recovered_flag
            ));
        }
        if self.gap {
            problems.push("the client reported a gap (continuity lost)".to_owned());
        }
        problems
    }
}

impl fmt::Display for RecoveryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "recovered {}/{} missed publications, {} duplicates",
            self.recovered, self.expected, self.duplicates
        )
    }
}
