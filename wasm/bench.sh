#!/usr/bin/env bash
# Browser benchmarks, printed (not asserted): the gzipped download size of the package next to
# centrifuge-js 5.8.0 and ably, and the cost of receiving publications in headless Chromium against
# the same Centrifugo for ceaseless and centrifuge-js (test/bench.mjs explains the method).
#
#   wasm/bench.sh            # 20000 publications, best of 3 rounds
#   wasm/bench.sh --smoke    # 2000 publications, one round (a quick check that it all runs)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=setup.sh
source "$here/setup.sh"
cd "$here"
./build.sh
node test/bench.mjs "$@"
