#!/usr/bin/env bash
# The mobile libraries' checks, from a fresh Debian machine:
#   1. setup: Debian's JNA (and a JDK if there is no java), kotlinc 2.4.20 from npm into .tools/kotlin,
#      the pinned Centrifugo (scripts/install-centrifugo.sh);
#   2. the committed Swift bindings (bindings/swift) equal freshly generated ones, and the repository's
#      Package.swift points at them;
#   3. the Kotlin library (generated bindings + bindings/kotlin/src) and its tests are compiled with
#      kotlinc and run on this JVM against a real Centrifugo started here on a free port;
#   4. the delivery benchmark (Kotlin collector vs the Rust client alone) is printed, on a release build.
# Env: CEASELESS_SKIP_BENCH=1 skips step 4; CEASELESS_BENCH_COUNT sets its size (default 20000).
# The Rust tests of the FFI layer run with the workspace (`cargo test -p ceaseless-ffi`).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

KOTLIN_VERSION=2.4.20
kotlin_home="$root/.tools/kotlin/node_modules/kotlin-compiler"
jna=/usr/share/java/jna.jar
work="$root/target/ceaseless-kotlin"
locked=()
if [ -f Cargo.lock ]; then
  locked=(--locked)
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

echo "=== bindings: setup"
if [ ! -f "$jna" ] || ! command -v java >/dev/null; then
  packages=(libjna-java)
  command -v java >/dev/null || packages+=(default-jdk-headless)
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"
fi
if ! "$kotlin_home/bin/kotlinc" -version 2>&1 | grep -q "kotlinc-jvm $KOTLIN_VERSION"; then
  mkdir -p .tools/kotlin
  (cd .tools/kotlin && npm install --no-audit --no-fund --silent "kotlin-compiler@$KOTLIN_VERSION")
fi
scripts/install-centrifugo.sh

echo "=== bindings: Swift bindings are up to date"
bindings/generate.sh swift "$work/swift"
if ! diff -ru bindings/swift/Headers "$work/swift/Headers" ||
  ! diff -u bindings/swift/Sources/Ceaseless/Ceaseless.swift "$work/swift/Sources/Ceaseless/Ceaseless.swift"; then
  echo "bindings/swift is stale: run bindings/generate.sh swift bindings/swift and commit the result" >&2
  exit 1
fi
for path in $(grep -o '"bindings/swift/[^"]*"' Package.swift | tr -d '"'); do
  case "$path" in
    *.xcframework) ;; # built on a Mac by build-xcframework.sh, never committed
    *) [ -e "$path" ] || { echo "Package.swift names $path, which does not exist" >&2; exit 1; } ;;
  esac
done
echo "bindings/swift matches the exported interface; Package.swift points at it"

echo "=== bindings: Kotlin library and tests"
bindings/generate.sh kotlin "$work/generated"
classpath="$jna:$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar:$kotlin_home/lib/kotlin-stdlib.jar"
jar="$work/ceaseless-kotlin-tests.jar"
sources=("$work/generated" bindings/kotlin/src bindings/kotlin/tests)
if [ ! -f "$jar" ] || [ -n "$(find "${sources[@]}" -name '*.kt' -newer "$jar" | head -1)" ]; then
  "$kotlin_home/bin/kotlinc" -nowarn "${sources[@]}" -cp "$classpath" -d "$jar"
fi

echo "=== bindings: Centrifugo for the Kotlin tests"
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 30000))
}
port="$(free_port)"
server_dir="$(mktemp -d)"
# The config is in Centrifugo v6's nested layout; the listen address goes into http_server.
python3 - bindings/kotlin/tests/centrifugo.json "$server_dir/config.json" "$port" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["http_server"] = {"address": "127.0.0.1", "port": sys.argv[3]}
json.dump(config, open(sys.argv[2], "w"), indent=2)
PY
# CENTRIFUGO_* variables would change the server's settings: start it without them.
unset_centrifugo_env=()
for name in $(env | grep -o '^CENTRIFUGO_[A-Za-z0-9_]*' || true); do
  unset_centrifugo_env+=(-u "$name")
done
(cd "$server_dir" && exec env "${unset_centrifugo_env[@]}" "$root/.tools/bin/centrifugo" -c config.json \
  >centrifugo.log 2>&1) &
server_pid=$!
stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  rm -rf "$server_dir"
}
trap stop_server EXIT
for _ in $(seq 1 200); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$server_dir/centrifugo.log" >&2; exit 1; }
  sleep 0.05
done

# A setting of the test config by its dot-separated path (e.g. http_api.key).
config_value() {
  python3 -c "import json,sys,functools; print(functools.reduce(lambda v,k: v[k], sys.argv[2].split('.'), json.load(open(sys.argv[1]))))" \
    bindings/kotlin/tests/centrifugo.json "$1"
}
export CEASELESS_WS_URL="ws://127.0.0.1:$port/connection/websocket"
export CEASELESS_API_URL="http://127.0.0.1:$port/api"
CEASELESS_API_KEY="$(config_value http_api.key)"
CEASELESS_HMAC_SECRET="$(config_value client.token.hmac_secret_key)"
export CEASELESS_API_KEY CEASELESS_HMAC_SECRET

run_kotlin() {
  local library_dir="$1"
  shift
  java -Djna.library.path="$library_dir" -cp "$jar:$classpath" dev.ceaseless.tests.MainKt "$@"
}

status=0
run_kotlin "$root/target/debug" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- Centrifugo log (last 40 lines)"
  tail -40 "$server_dir/centrifugo.log"
  exit "$status"
fi

if [ "${CEASELESS_SKIP_BENCH:-0}" != "1" ]; then
  echo "=== bindings: benchmark (release build)"
  cargo build "${locked[@]}" -q --release -p ceaseless-ffi
  run_kotlin "$root/target/release" bench
fi
