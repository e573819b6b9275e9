#!/usr/bin/env bash
# The benchmark: ceaseless against peer SDKs, each measured in the same run against the same local
# Centrifugo on this machine. Prints one table (ratios to ceaseless), writes bench/results.md,
# bench/out/results.json (raw samples) and bench/plots/*.png.
#
#   bench/run.sh            # full run (a few minutes per peer), installs the peers first
#   bench/run.sh --smoke    # a few seconds, ceaseless only, debug build: checks that the driver works (CI)
#
# Peers are installed from their registries at run time, never vendored: tokio-centrifuge (crates.io),
# centrifuge 5.8.0 (npm, on Node with the `ws` package), centrifuge-python (PyPI, in bench/.venv),
# centrifuge-go (Go module proxy). A peer that cannot be installed is skipped with the reason printed.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=false
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=true ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

locked=()
if [ -f Cargo.lock ]; then
  locked=(--locked)
fi
# 1,000 clients, their server-side sockets and the proxy's: more descriptors than the default.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

scripts/install-centrifugo.sh

if $smoke; then
  cargo build "${locked[@]}" --quiet -p ceaseless-bench --bins
  exec target/debug/bench --smoke --out bench --peer "ceaseless=target/debug/bench-peer-ceaseless"
fi

echo "=== building ceaseless (release)"
cargo build "${locked[@]}" --quiet --release -p ceaseless-bench --bins

peers=(--peer "ceaseless (Rust)=target/release/bench-peer-ceaseless")
skipped=()
skip() {
  echo "=== skipping $1: $2" >&2
  skipped+=(--skipped "$1=$2")
}

echo "=== tokio-centrifuge (crates.io)"
if cargo build --quiet --release --manifest-path bench/peers/tokio-centrifuge/Cargo.toml; then
  peers+=(--peer "tokio-centrifuge 0.2.6 (Rust)=bench/peers/tokio-centrifuge/target/release/peer")
else
  skip "tokio-centrifuge" "cargo could not build it"
fi

echo "=== centrifuge 5.8.0 (npm, Node)"
if ! command -v node >/dev/null; then
  skip "centrifuge-js" "node is not installed"
elif (cd bench/peers/node && npm install --no-audit --no-fund --loglevel=error >/dev/null); then
  peers+=(--peer "centrifuge-js 5.8.0 (Node $(node --version))=node bench/peers/node/peer.mjs")
else
  skip "centrifuge-js" "npm install failed"
fi

echo "=== centrifuge-python (PyPI) and matplotlib, in bench/.venv"
python=bench/.venv/bin/python
if [ ! -x "$python" ]; then
  python3 -m venv bench/.venv || true
fi
plots=false
if [ -x "$python" ] && "$python" -m pip install --quiet --disable-pip-version-check centrifuge-python==0.7.0; then
  peers+=(--peer "centrifuge-python 0.7.0 ($("$python" --version))=$python bench/peers/python/peer.py")
else
  skip "centrifuge-python" "pip could not install centrifuge-python"
fi
if [ -x "$python" ] && "$python" -m pip install --quiet --disable-pip-version-check matplotlib; then
  plots=true
else
  echo "=== no matplotlib: the PNG plots are skipped" >&2
fi

echo "=== centrifuge-go (Go module proxy)"
if ! command -v go >/dev/null; then
  skip "centrifuge-go" "go is not installed"
elif ! versions=$(go list -m -versions github.com/centrifugal/centrifuge-go 2>&1); then
  skip "centrifuge-go" "the Go module proxy does not serve it here ($(echo "$versions" | grep -o '[0-9]\{3\} [A-Za-z ]*' | head -1))"
elif (cd bench/peers/go && go mod tidy >/dev/null 2>&1 && go build -o peer . ); then
  peers+=(--peer "centrifuge-go 0.12.1 (Go $(go env GOVERSION | sed 's/^go//'))=bench/peers/go/peer")
else
  skip "centrifuge-go" "go build failed"
fi

echo "=== measuring (logs in bench/out/logs/)"
status=0
target/release/bench --out bench "${peers[@]}" "${skipped[@]}" || status=$?

if $plots && [ -f bench/out/results.json ]; then
  "$python" bench/plot.py bench/out/results.json bench/plots
fi
exit "$status"
