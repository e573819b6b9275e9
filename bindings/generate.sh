#!/usr/bin/env bash
# Generates the Kotlin and Swift bindings from the built library (uniffi library mode):
#   bindings/generate.sh kotlin OUT_DIR   the Kotlin file (not committed; built into the test jar)
#   bindings/generate.sh swift  OUT_DIR   the Swift files, in the layout of bindings/swift (committed)
# Builds ceaseless-ffi and the pinned uniffi-bindgen first. Always generates from a debug build of the
# host library: the generated code depends only on the exported interface, not on the target.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
language="${1:?usage: generate.sh kotlin|swift OUT_DIR}"
out="${2:?usage: generate.sh kotlin|swift OUT_DIR}"

locked=()
if [ -f Cargo.lock ]; then
  locked=(--locked)
fi
cargo build "${locked[@]}" -q -p ceaseless-ffi -p uniffi-bindgen
library="$root/target/debug/libceaseless_ffi.so"
bindgen=("$root/target/debug/uniffi-bindgen" generate --no-format --config "$root/bindings/uniffi.toml")

case "$language" in
  kotlin)
    # Replaced only when it changed, so an unchanged interface does not force a Kotlin recompile.
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    "${bindgen[@]}" --language kotlin --out-dir "$tmp" "$library"
    if ! diff -rq "$tmp" "$out" >/dev/null 2>&1; then
      rm -rf "$out"
      mkdir -p "$(dirname "$out")"
      cp -r "$tmp" "$out"
    fi
    ;;
  swift)
    # uniffi writes Ceaseless.swift, CeaselessFFI.h and CeaselessFFI.modulemap into one folder; the Swift
    # package wants the Swift file in its target, and the header plus module map go into the
    # XCFramework that build-xcframework.sh makes (its Headers folder).
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    "${bindgen[@]}" --language swift --out-dir "$tmp" "$library"
    mkdir -p "$out/Sources/Ceaseless" "$out/Headers"
    cp "$tmp/Ceaseless.swift" "$out/Sources/Ceaseless/Ceaseless.swift"
    cp "$tmp/CeaselessFFI.h" "$out/Headers/CeaselessFFI.h"
    cp "$tmp/CeaselessFFI.modulemap" "$out/Headers/module.modulemap"
    ;;
  *)
    echo "generate.sh: unknown language $language (kotlin or swift)" >&2
    exit 2
    ;;
esac
