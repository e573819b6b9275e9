#!/usr/bin/env bash
# Builds the pinned Centrifugo server into .tools/bin/centrifugo (git-ignored) from the Go module proxy.
# Reused when the pinned version is already there.
#
# Why v5.4.9 and not v6.9.1: Centrifugo v6.9.1 depends on the unreleased centrifuge library pseudo-version
# v0.38.1-0.20260711082514-84d40cc4dbf6, which the Go module proxy reachable from our machines refuses
# ("403 Forbidden: This module version is not available"), and no other v6 tag is served there. v5.4.9 is the
# newest Centrifugo whose whole dependency tree the proxy serves. It speaks the same client protocol v2.
set -euo pipefail
VERSION="${CENTRIFUGO_VERSION:-5.4.9}"
MAJOR="${VERSION%%.*}"
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
bin="$tools/bin/centrifugo"
stamp="$tools/bin/centrifugo.version"

if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi
command -v go >/dev/null || { echo "install-centrifugo: Go is required (https://go.dev)" >&2; exit 1; }
mkdir -p "$tools/bin" "$tools/centrifugo-build"
cd "$tools/centrifugo-build"
cat > go.mod <<MOD
module ceaseless.local/centrifugo-build

go 1.22

require github.com/centrifugal/centrifugo/v$MAJOR v$VERSION
MOD
rm -f go.sum
echo "install-centrifugo: building Centrifugo v$VERSION (first time only, a few minutes)" >&2
CGO_ENABLED=0 GOFLAGS=-mod=mod go build -o "$bin.tmp" \
  -ldflags "-X github.com/centrifugal/centrifugo/v$MAJOR/internal/build.Version=$VERSION" \
  "github.com/centrifugal/centrifugo/v$MAJOR"
mv "$bin.tmp" "$bin"
echo "$VERSION" > "$stamp"
"$bin" version >&2
