//! Printing: the narrator of the tour and how publications and subscriptions are described.

use std::fmt;

use ceaseless::{Publication, SubscribedInfo};

/// Prints the tour, or nothing but the summary with `--quiet`.
pub(crate) struct Narrator {
    pub(crate) quiet: bool,
}

impl Narrator {
    pub(crate) fn heading(&self, title: &str) {
        if !self.quiet {
            println!("\n== {title} ==");
        }
    }

    pub(crate) fn step(&self, number: u32, title: &str) {
        self.heading(&format!("Step {number} of 7: {title}"));
    }

    pub(crate) fn explain(&self, text: &str) {
        if !self.quiet {
            for line in text.lines() {
                println!("   {line}");
            }
        }
    }

    pub(crate) fn result(&self, line: impl fmt::Display) {
        if !self.quiet {
            println!("   -> {line}");
        }
    }

    pub(crate) fn event(&self, line: impl fmt::Display) {
        if !self.quiet {
            println!("   <- {line}");
        }
    }

    pub(crate) fn detail(&self, line: impl fmt::Display) {
        if !self.quiet {
            println!("        {line}");
        }
    }

    pub(crate) fn say(&self, line: impl fmt::Display) {
        if !self.quiet {
            println!("{line}");
        }
    }

    pub(crate) fn blank(&self) {
        if !self.quiet {
            println!();
        }
    }
}

/// `offset  1  {"text":"hi"}  (from user alice)`.
pub(crate) fn describe_publication(publication: &Publication) -> String {
    let data = publication.data.as_str().unwrap_or("<binary>");
    let from = publication.info.as_ref().map(|who| format!("  (from user {})", who.user)).unwrap_or_default();
    format!("offset {:>2}  {data}{from}", publication.offset)
}

/// The fields of a `Subscribed` event that matter for continuity.
pub(crate) fn describe_info(info: &SubscribedInfo) -> String {
    let position = info
        .position
        .as_ref()
        .map_or_else(|| "none".to_owned(), |p| format!("offset {} epoch {:?}", p.offset, p.epoch));
    format!(
        "recoverable={} positioned={} position=({position}) was_recovering={} recovered={}",
        info.recoverable, info.positioned, info.was_recovering, info.recovered
    )
}
