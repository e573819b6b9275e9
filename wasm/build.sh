#!/usr/bin/env bash
# Builds the npm package's generated part into wasm/npm/dist/: the size-optimized wasm (cargo profile
# `wasm-release`), its wasm-bindgen ES module glue (`--target web`), then `wasm-opt -Oz` from npm binaryen
# (Debian's binaryen 108 writes a broken table export).
#
# Needs: wasm-bindgen 0.2.130 on PATH (run-tests.sh installs it into .tools/wasm-bindgen) and
# `npm ci` done in wasm/ (for wasm-opt). Skips work when the outputs are newer than every input.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
dist="$here/npm/dist"
wasm="$root/target/wasm32-unknown-unknown/wasm-release/ceaseless_wasm.wasm"

cargo build --quiet -p ceaseless-wasm --target wasm32-unknown-unknown --profile wasm-release \
  --manifest-path "$root/Cargo.toml"

if [ -f "$dist/ceaseless_bg.wasm" ] && [ "$dist/ceaseless_bg.wasm" -nt "$wasm" ]; then
  exit 0
fi
rm -rf "$dist.tmp"
wasm-bindgen --target web --out-dir "$dist.tmp" --out-name ceaseless "$wasm"
"$here/node_modules/.bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-reference-types --enable-sign-ext --enable-mutable-globals --enable-multivalue \
  "$dist.tmp/ceaseless_bg.wasm" -o "$dist.tmp/ceaseless_bg.wasm"
rm -rf "$dist"
mv "$dist.tmp" "$dist"
echo "build: $(wc -c < "$dist/ceaseless_bg.wasm") bytes of wasm in npm/dist/" >&2
