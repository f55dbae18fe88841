#!/bin/sh
# Makes sure redis-server exists for the Redis state-backend tests (throwaway servers on loopback ports).
# Idempotent and quiet: does nothing when it is there; installs Debian's redis-server with apt-get only when
# running as root. Prints the path of the binary.
set -eu

find_redis() {
  for candidate in /usr/bin/redis-server "$(command -v redis-server 2>/dev/null || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if find_redis; then
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  echo "ensure-redis: redis-server is missing and this is not root; install it with: sudo apt-get install -y redis-server" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-redis: redis-server is missing and apt-get is not available; install it by hand" >&2
  exit 1
fi

# Several test files may ask at once: one installs, the others wait and then find it there.
exec 9>/tmp/hel-ensure-redis.lock
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
if find_redis; then
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
LOG=$(mktemp)
# The package's own service is not started in a container without an init system; tests start their own servers.
if ! { { apt-get install -y -qq --no-install-recommends redis-server || { apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server; }; }; } >"$LOG" 2>&1; then
  echo "ensure-redis: apt-get install redis-server failed:" >&2
  tail -n 20 "$LOG" >&2
  rm -f "$LOG"
  exit 1
fi
rm -f "$LOG"

if ! find_redis; then
  echo "ensure-redis: redis-server was installed but cannot be found" >&2
  exit 1
fi
