#!/usr/bin/env bash
# Builds CeaselessFFI.xcframework (the Rust library for iOS devices, the iOS simulator and macOS) here,
# where the repository's Package.swift looks for it, and zips it for a release:
#   CeaselessFFI.xcframework       used by Package.swift while no release is recorded (or when present)
#   CeaselessFFI.xcframework.zip   attach it to a GitHub release; put its URL and the checksum printed
#                                  last into releaseURL / releaseChecksum of Package.swift
# Needs a Mac with Xcode and the Rust targets below; not run in our Linux CI (no Apple toolchain there).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "${targets[@]}"
for target in "${targets[@]}"; do
  cargo build --manifest-path "$root/Cargo.toml" --locked --release -p ceaseless-ffi --target "$target"
done
lib() { echo "$root/target/$1/release/libceaseless_ffi.a"; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ios-sim" "$work/macos"
lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" -output "$work/ios-sim/libceaseless_ffi.a"
lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" -output "$work/macos/libceaseless_ffi.a"
rm -rf "$here/CeaselessFFI.xcframework" "$here/CeaselessFFI.xcframework.zip"
xcodebuild -create-xcframework \
  -library "$(lib aarch64-apple-ios)" -headers "$here/Headers" \
  -library "$work/ios-sim/libceaseless_ffi.a" -headers "$here/Headers" \
  -library "$work/macos/libceaseless_ffi.a" -headers "$here/Headers" \
  -output "$here/CeaselessFFI.xcframework"
(cd "$here" && ditto -c -k --sequesterRsrc --keepParent CeaselessFFI.xcframework CeaselessFFI.xcframework.zip)
echo "built $here/CeaselessFFI.xcframework and CeaselessFFI.xcframework.zip"
echo "releaseChecksum: $(cd "$root" && swift package compute-checksum "$here/CeaselessFFI.xcframework.zip")"
