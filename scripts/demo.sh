#!/usr/bin/env bash
# Runs the guided tour example against a local Centrifugo (built on first use).
# Arguments are passed on to the tour, e.g. `scripts/demo.sh --help`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-centrifugo.sh
exec cargo run -p ceaseless-examples --bin tour -- "$@"
