//! ceaseless
pub mod maybe_send;
pub mod runtime;
pub mod tls;
pub mod transport;
