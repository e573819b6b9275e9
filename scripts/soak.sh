#!/usr/bin/env bash
# The chaos soak on its own, for as long as you like: 24 clients on two Centrifugo nodes sharing a real
# Redis, a fault every 700 ms (cuts, blackholes, refused reconnects, latency, node restarts), then the
# table (sent, received, lost, duplicated, reconnects, recoveries, gaps, worst detection time, faults);
# fails unless lost = duplicated = 0. CI runs it for 60 s inside `cargo test --workspace`.
#
#   scripts/soak.sh                 # 1 minute
#   scripts/soak.sh --minutes 10    # the long mode
#   scripts/soak.sh --minutes 10 --seed 1234   # replays a fault schedule (the seed is printed)
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=1
seed=""
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="${2:?--minutes needs a number}"; shift 2 ;;
    --seed) seed="${2:?--seed needs a number}"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$minutes" in
  ''|*[!0-9]*) echo "soak.sh: --minutes wants a whole number, not $minutes" >&2; exit 2 ;;
esac

scripts/install-centrifugo.sh
scripts/install-redis.sh
export CEASELESS_SOAK_SECS=$((minutes * 60))
if [ -n "$seed" ]; then
  export CEASELESS_SOAK_SEED="$seed"
fi
locked=()
if [ -f Cargo.lock ]; then
  locked=(--locked)
fi
exec cargo test "${locked[@]}" -p ceaseless-tests --test continuity_soak -- --nocapture
