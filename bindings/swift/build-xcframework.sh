#!/usr/bin/env bash
# Builds CeaselessFFI.xcframework (the Rust library for iOS devices, the iOS simulator and macOS) next
# to Package.swift. Needs a Mac with Xcode and the Rust targets below; not run in our Linux CI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "${targets[@]}"
for target in "${targets[@]}"; do
  cargo build --manifest-path "$root/Cargo.toml" --release -p ceaseless-ffi --target "$target"
done
lib() { echo "$root/target/$1/release/libceaseless_ffi.a"; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ios-sim" "$work/macos"
lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" -output "$work/ios-sim/libceaseless_ffi.a"
lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" -output "$work/macos/libceaseless_ffi.a"
rm -rf "$here/CeaselessFFI.xcframework"
xcodebuild -create-xcframework \
  -library "$(lib aarch64-apple-ios)" -headers "$here/Headers" \
  -library "$work/ios-sim/libceaseless_ffi.a" -headers "$here/Headers" \
  -library "$work/macos/libceaseless_ffi.a" -headers "$here/Headers" \
  -output "$here/CeaselessFFI.xcframework"
