#!/usr/bin/env bash
# The project's test command (README and CI): builds the pinned Centrifugo, checks formatting,
# builds the protocol crate for wasm32 and runs every workspace test against a real server.
#
# Needs only what a fresh Debian machine with rustup, Go, Node and Python has: Centrifugo is built
# from the Go module proxy into .tools/ (git-ignored) by scripts/install-centrifugo.sh, and the
# Rust toolchain is the one rust-toolchain.toml pins.
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

section "Centrifugo server (scripts/install-centrifugo.sh)"
scripts/install-centrifugo.sh
.tools/bin/centrifugo version

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

section "Python package (python/run-tests.sh: wheel, pytest, mypy --strict)"
python/run-tests.sh

section "Kotlin and Swift bindings (bindings/run-tests.sh: uniffi, Kotlin on the JVM, Swift regeneration check)"
CEASELESS_SKIP_BENCH=1 bindings/run-tests.sh

section "browser package (wasm/run-tests.sh: headless Chromium, Playwright, tsc)"
wasm/run-tests.sh

finish_section
echo
echo "=== all checks passed in $((SECONDS - started)) s"
