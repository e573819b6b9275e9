#!/usr/bin/env bash
# Builds a Centrifugo server from the Go module proxy into .tools/bin (git-ignored), once per version.
#
#   scripts/install-centrifugo.sh          the pinned server, v6.9.1: .tools/bin/centrifugo-6.9.1, and
#                                          .tools/bin/centrifugo (what every suite runs) pointing at it
#   scripts/install-centrifugo.sh 5.4.9    another version beside it (.tools/bin/centrifugo-5.4.9), for the
#                                          v5 compatibility run (CEASELESS_CENTRIFUGO=.tools/bin/centrifugo-5.4.9)
#
# A build takes about 2 minutes on 2 cores the first time. The version is stamped into the binary with
# -ldflags, so `centrifugo version` reports it (a plain source build would say 0.0.0).
set -euo pipefail
PINNED=6.9.1
VERSION="${1:-${CENTRIFUGO_VERSION:-$PINNED}}"
MAJOR="${VERSION%%.*}"
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
bin="$tools/bin/centrifugo-$VERSION"

link_pinned() {
  if [ "$VERSION" = "$PINNED" ]; then
    ln -sfn "centrifugo-$VERSION" "$tools/bin/centrifugo"
    rm -f "$tools/bin/centrifugo.version"
  fi
}

if [ -x "$bin" ] && "$bin" version 2>/dev/null | grep -q "^Centrifugo v$VERSION "; then
  link_pinned
  exit 0
fi
command -v go >/dev/null || { echo "install-centrifugo: Go is required (https://go.dev)" >&2; exit 1; }
build="$tools/centrifugo-build/$VERSION"
mkdir -p "$tools/bin" "$build"
cd "$build"
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
link_pinned
"$bin" version >&2
