//! Finding the Centrifugo binary to run, and which major version it is.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::HarnessError;

/// The environment variable that overrides the binary's path.
const BINARY_ENV: &str = "CEASELESS_CENTRIFUGO";

/// The binary and its major version, which decides the config layout.
#[derive(Debug, Clone)]
pub(crate) struct ServerBinary {
    pub(crate) path: PathBuf,
    /// The version it reports, e.g. `6.9.1`.
    pub(crate) version: String,
    pub(crate) major: u32,
}

/// The workspace root: the parent of this crate's directory.
pub(crate) fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The Centrifugo binary: `$CEASELESS_CENTRIFUGO` if set and non-empty, else
/// `<workspace root>/.tools/bin/centrifugo`. Fails when that file does not exist or does not
/// say its version. The version is asked once per path and process.
pub(crate) fn centrifugo_binary() -> Result<ServerBinary, HarnessError> {
    static KNOWN: Mutex<Vec<ServerBinary>> = Mutex::new(Vec::new());
    let path = match std::env::var_os(BINARY_ENV) {
        Some(value) if !value.is_empty() => PathBuf::from(value),
        _ => workspace_root().join(".tools").join("bin").join("centrifugo"),
    };
    if !path.is_file() {
        return Err(HarnessError::BinaryMissing { path });
    }
    let mut known = KNOWN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(binary) = known.iter().find(|binary| binary.path == path) {
        return Ok(binary.clone());
    }
    let output = std::process::Command::new(&path)
        .arg("version")
        .output()
        .map_err(|e| HarnessError::Setup(format!("running {} version: {e}", path.display())))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let (version, major) = parse_version(&text).ok_or_else(|| {
        HarnessError::Setup(format!("{} version said {text:?}, not \"Centrifugo vN...\"", path.display()))
    })?;
    let binary = ServerBinary { path, version, major };
    known.push(binary.clone());
    Ok(binary)
}

/// The version and its major number in `centrifugo version`'s output
/// (`"Centrifugo v6.9.1 (Go version: ...)"`).
fn parse_version(output: &str) -> Option<(String, u32)> {
    let version = output.trim().strip_prefix("Centrifugo v")?.split_whitespace().next()?;
    let major = version.split('.').next()?.parse().ok()?;
    Some((version.to_owned(), major))
}

#[cfg(test)]
mod tests {
    use super::parse_version;

    #[test]
    fn reads_the_version() {
        assert_eq!(parse_version("Centrifugo v6.9.1 (Go version: go1.26.8)\n"), Some(("6.9.1".into(), 6)));
        assert_eq!(parse_version("Centrifugo v5.4.9 (Go version: go1.23)"), Some(("5.4.9".into(), 5)));
        assert_eq!(parse_version("something else"), None);
    }
}
