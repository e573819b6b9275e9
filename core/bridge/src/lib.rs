//! # ceaseless-bridge: what every language binding shares
//!
//! The Rust client ([`ceaseless`]) is used directly by Rust apps. Every other language reaches it through
//! a binding: `ceaseless-py` (pyo3), `ceaseless-wasm` (wasm-bindgen) and `ceaseless-ffi` (uniffi, for
//! Kotlin and Swift). Those bindings used to restate the same plumbing each in their own way; this crate
//! holds it once, so a binding is only the last conversion step into its language's types:
//!
//! - [`options`]: the client and subscription settings every binding accepts, as plain Rust values
//!   whose unset fields mean "the core's default" (no binding restates a default), applied to the
//!   Rust builders in one place. [`spec`] describes each option once (name, kind, where it applies,
//!   the core's default) for the parity test and the README's option table.
//! - [`errors`]: the one table of error kinds, stable codes and `temporary` flags, including the server's
//!   own code and reason when there was one.
//! - [`batch`]: the one way events leave the core in batches: everything ready in one call, or wait
//!   (cancel-safe) until something is.
//! - [`logging`]: one `tracing` subscriber that formats events as `message key=value`, redacts secrets,
//!   and hands the line (with its level and target) to a binding-provided sink.
//! - [`names`]: the strings the dynamic languages use for states, app states, transports and formats.
//!
//! Invariant: a protocol rule, a default or an error code written in a binding is a bug; it belongs in
//! `ceaseless-proto` (rules, defaults, codes) or here (how the bindings see them).

pub mod batch;
pub mod errors;
pub mod logging;
pub mod names;
pub mod options;
pub mod spec;

pub use batch::{Batch, BatchStream};
pub use errors::{ErrorInfo, ErrorKind};
pub use options::{ClientOptions, Grace, PositionStoreOption, SubscriptionOptions};
