#!/usr/bin/env bash
# Installs Debian's redis-server package for the Redis-engine tests (two Centrifugo nodes sharing one
# Redis). The tests start and stop their own redis-server on a free loopback port (no persistence), so the
# package's system service is not needed; on machines without systemd it is not started anyway.
# Does nothing when /usr/bin/redis-server is already there (or CEASELESS_REDIS_SERVER points at a binary).
set -euo pipefail

if [ -n "${CEASELESS_REDIS_SERVER:-}" ] && [ -x "$CEASELESS_REDIS_SERVER" ]; then
  exit 0
fi
if [ -x /usr/bin/redis-server ]; then
  exit 0
fi

command -v apt-get >/dev/null || {
  echo "install-redis: apt-get not found; install redis-server yourself or set CEASELESS_REDIS_SERVER" >&2
  exit 1
}
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-redis: not root and no sudo" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install-redis: installing Debian's redis-server package" >&2
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server
/usr/bin/redis-server --version >&2
