//! Placeholder until the examples land.
