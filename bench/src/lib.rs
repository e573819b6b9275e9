//! The storm demo (`scripts/storm.sh`, binary `storm`) and the benchmark driver (`bench/run.sh`, binaries
//! `bench` and `bench-peer-ceaseless`).
//!
//! Everything runs against local servers started by the `ceaseless-tests` harness: a Centrifugo v5 with
//! the memory engine, or two nodes sharing a Redis, behind fault-injection proxies.

pub mod measure;
pub mod storm;
pub mod tokens;
