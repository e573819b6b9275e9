#!/usr/bin/env bash
# The project's test command (README and CI): every check, against real servers.
#   - builds the pinned Centrifugo v6.9.1 and v5.4.9 for the compatibility run (.tools/, reused) and
#     installs Redis if missing;
#   - cargo fmt, the protocol crate for wasm32, and `cargo test --workspace` (engine simulation tests, the
#     live integration and continuity tests including the soak, transports, CLI and FFI tests), then the
#     Rust live suite (ceaseless-tests) once more against Centrifugo v5.4.9, and the benchmark's smoke
#     run (every scenario, ceaseless only, tiny sizes: the bench keeps working; no numbers judged) and a
#     20 s fuzz run per target (scripts/fuzz.sh: decoders, fossil delta, stream decoders, the engine);
#   - the Python package (wheel, pytest, mypy --strict), the Kotlin/Swift bindings (Kotlin on the JVM,
#     Swift regeneration check) and the browser package (headless Chromium, Playwright, tsc).
# Each language's script installs what it needs on a fresh Debian machine (see its header).
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
section_started=$SECONDS
current=""

# Prints how long the current section took.
finish_section() {
  if [ -n "$current" ]; then
    echo "--- $current: $((SECONDS - section_started)) s"
  fi
}

# Starts a new section with a header.
section() {
  finish_section
  current="$*"
  section_started=$SECONDS
  echo
  echo "=== $current"
}

on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "!!! FAILED in \"$current\" (exit $rc) after $((SECONDS - started)) s" >&2
  fi
}
trap on_exit EXIT

# Reproducible dependency versions whenever the lock file is there (it is committed).
locked=()
if [ -f Cargo.lock ]; then
  locked=(--locked)
fi

section "Centrifugo servers (scripts/install-centrifugo.sh: v6.9.1 pinned, v5.4.9 for compatibility)"
scripts/install-centrifugo.sh
scripts/install-centrifugo.sh 5.4.9
.tools/bin/centrifugo version
.tools/bin/centrifugo-5.4.9 version

section "Redis server (scripts/install-redis.sh)"
scripts/install-redis.sh

section "Rust toolchain and the wasm32 target"
# The first cargo call makes rustup install the toolchain rust-toolchain.toml pins, if missing.
cargo --version
rustup target add wasm32-unknown-unknown

section "cargo fmt --check"
cargo fmt --all -- --check

section "ceaseless-proto for wasm32-unknown-unknown"
cargo build "${locked[@]}" -p ceaseless-proto --target wasm32-unknown-unknown

section "cargo test --workspace"
cargo test "${locked[@]}" --workspace

section "Rust live suite on Centrifugo v5.4.9 (compatibility run)"
CEASELESS_CENTRIFUGO="$PWD/.tools/bin/centrifugo-5.4.9" cargo test "${locked[@]}" -p ceaseless-tests

section "benchmark smoke run (bench/run.sh --smoke: ceaseless only, a few seconds per scenario)"
bench/run.sh --smoke

section "fuzz smoke run (scripts/fuzz.sh: 20 s per target on a pinned nightly, from the committed corpora)"
scripts/fuzz.sh 20

section "Python package (python/run-tests.sh: wheel, pytest, mypy --strict)"
python/run-tests.sh

section "Kotlin and Swift bindings (bindings/run-tests.sh: uniffi, Kotlin on the JVM, Swift regeneration check)"
CEASELESS_SKIP_BENCH=1 bindings/run-tests.sh

section "browser package (wasm/run-tests.sh: headless Chromium, Playwright, tsc)"
wasm/run-tests.sh

finish_section
echo
echo "=== all checks passed in $((SECONDS - started)) s"
