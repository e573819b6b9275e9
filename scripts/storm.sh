#!/usr/bin/env bash
# The dependability demo: starts a local Centrifugo (memory engine) and runs 16 ceaseless subscribers
# through a scripted storm (network cut, blackhole, latency, short-lived tokens renewed in band, server
# restart, clean close) while a publisher keeps publishing. One progress line per second, a table at the
# end; the exit code is non-zero if anything was lost or duplicated.
#
#   scripts/storm.sh            # one node, memory engine
#   scripts/storm.sh --redis    # two nodes sharing a Redis: rolling restart, publishing never stops
#
# Installs what it needs on a fresh machine: the pinned Centrifugo (built into .tools/), and for --redis
# Debian's redis-server. Other arguments go to the demo (`scripts/storm.sh --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-centrifugo.sh
for arg in "$@"; do
  if [ "$arg" = "--redis" ]; then
    if [ -x scripts/install-redis.sh ]; then
      scripts/install-redis.sh
    elif ! command -v redis-server >/dev/null; then
      apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server
    fi
  fi
done

locked=()
if [ -f Cargo.lock ]; then
  locked=(--locked)
fi
# The dev profile: it shares its build with `cargo test` and compiles in a fraction of a release build's
# time; 16 clients at 80 publications/s need no optimizer.
exec cargo run "${locked[@]}" --quiet -p ceaseless-bench --bin storm -- "$@"
