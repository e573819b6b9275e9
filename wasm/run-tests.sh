#!/usr/bin/env bash
# Every test of the browser package, from a fresh Debian machine (setup.sh installs what is missing):
#
#   1. build the npm package (build.sh: size-optimized wasm, wasm-bindgen, wasm-opt -Oz);
#   2. type-check a TypeScript usage example against index.d.ts and the generated .d.ts
#      (tsc --noEmit --strict), in the background while 3 runs;
#   3. wasm-bindgen-test tests in headless Chromium against a real Centrifugo (test/harness.mjs starts
#      it): connect, subscribe/publish/history/presence, in-band token refresh, unauthorized tokens,
#      recovery after a server disconnect, HTTP-streaming, SSE, transport fallback, localStorage
#      positions, every option of the shared description (options.rs), and the emulation case table
#      that the native transports run too (emulation_cases.rs);
#   4. the chat demo end to end with Playwright: two pages, one cut off through a fault proxy, every
#      message shown once after the reconnect; then the JS API checked inside a page;
#   5. README.md's Quickstart run as written in a plain page (it must print what the README says), and
#      clients made before the wasm has loaded (test/readme.mjs, test/load-check.mjs);
#   6. the packed package in a Vite app without config (test/vite-app/): through the Vite dev server and
#      through `vite build` at the default target and es2020, served statically (test/vite.mjs).
#
# Reruns reuse the installed tools, incremental cargo builds and tsc's build info.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=setup.sh
source "$here/setup.sh"
cd "$here"

section() { echo; echo "=== wasm: $*"; }

section "build the npm package"
./build.sh

section "type-check (tsc --noEmit --strict, in the background)"
node_modules/.bin/tsc -p test/types/tsconfig.json --noEmit --strict > "$here/node_modules/.cache-tsc.log" 2>&1 &
tsc_pid=$!

section "wasm-bindgen-test in headless Chromium against Centrifugo"
node test/harness.mjs -- cargo test -p ceaseless-wasm --target wasm32-unknown-unknown --tests

section "type-check result"
if ! wait "$tsc_pid"; then
  cat "$here/node_modules/.cache-tsc.log"
  echo "wasm: the TypeScript usage example does not type-check" >&2
  exit 1
fi
echo "tsc: ok"

section "chat demo end to end (Playwright, fault proxy)"
node test/e2e.mjs

section "README quickstart as written, and clients made before the wasm loads"
node test/readme.mjs

section "Vite app: dev server, and vite build (default target, es2020)"
node test/vite.mjs
