# Sourced by run-tests.sh and bench.sh: installs what the browser package's build, tests and benchmarks
# need on a fresh Debian machine, reusing whatever is already there, and puts the tools on PATH.
#
# - Chromium + chromedriver (Debian packages; root, or sudo).
# - wasm-bindgen-cli 0.2.130 into .tools/wasm-bindgen (git-ignored). The same version as the pinned
#   `wasm-bindgen` crate, installed without --locked (its lockfile pins a crate this registry lacks).
# - the pinned npm devDependencies in wasm/ (binaryen's wasm-opt, playwright-core, typescript, vite for
#   the Vite app test, centrifuge and ably for the benchmark), via `npm ci`.
# - Centrifugo v6.9.1 into .tools/bin (scripts/install-centrifugo.sh).

wasm_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$wasm_dir/.." && pwd)"
wasm_bindgen_version=0.2.130
wasm_bindgen_root="$repo_root/.tools/wasm-bindgen"

# Runs a command as root (directly, or through sudo).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "setup: need root (or sudo) for: $*" >&2
    return 1
  fi
}

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "setup: installing chromium and chromium-driver" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if ! "$wasm_bindgen_root/bin/wasm-bindgen" --version 2>/dev/null | grep -q "$wasm_bindgen_version"; then
  echo "setup: installing wasm-bindgen-cli $wasm_bindgen_version into .tools/ (a few minutes, once)" >&2
  cargo install --quiet --root "$wasm_bindgen_root" wasm-bindgen-cli --version "$wasm_bindgen_version"
fi
export PATH="$wasm_bindgen_root/bin:$PATH"

# npm ci only when the lockfile changed since the last install.
if [ ! -f "$wasm_dir/node_modules/.package-lock.json" ] \
  || [ "$wasm_dir/package-lock.json" -nt "$wasm_dir/node_modules/.package-lock.json" ]; then
  echo "setup: npm ci in wasm/" >&2
  (cd "$wasm_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi

"$repo_root/scripts/install-centrifugo.sh"

# The wasm-bindgen test runner drives Chromium through chromedriver (settings in wasm/webdriver.json).
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}"
