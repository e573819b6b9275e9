//! Logging setup for tests.

use tracing_subscriber::EnvFilter;

/// Installs a `tracing` subscriber that writes through the test harness's capture (so output
/// shows only for failing tests, or with `--nocapture`) and honours `RUST_LOG` (default `warn`).
///
/// Safe to call from every test: only the first call installs anything.
pub fn init_tracing() {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
        // Another crate in the same test binary may have installed a global subscriber already;
        // that is fine, so the error is ignored.
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
    });
}
