//! Finding the Centrifugo binary to run.

use std::path::{Path, PathBuf};

use crate::HarnessError;

/// The environment variable that overrides the binary's path.
const BINARY_ENV: &str = "CEASELESS_CENTRIFUGO";

/// The workspace root: the parent of this crate's directory.
pub(crate) fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The Centrifugo binary: `$CEASELESS_CENTRIFUGO` if set and non-empty, else
/// `<workspace root>/.tools/bin/centrifugo`. Fails when that file does not exist.
pub(crate) fn centrifugo_binary() -> Result<PathBuf, HarnessError> {
    let path = match std::env::var_os(BINARY_ENV) {
        Some(value) if !value.is_empty() => PathBuf::from(value),
        _ => workspace_root().join(".tools").join("bin").join("centrifugo"),
    };
    if path.is_file() { Ok(path) } else { Err(HarnessError::BinaryMissing { path }) }
}
