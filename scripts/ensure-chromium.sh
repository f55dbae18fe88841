#!/bin/sh
# Makes sure /usr/bin/chromium exists for the browser tests (report screenshot, status page). Idempotent and quiet:
# does nothing when Chromium is already there; installs it with apt-get only when running as root.
set -eu

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  echo "ensure-chromium: $CHROMIUM is missing and this is not root; install it with: sudo apt-get install -y chromium" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and apt-get is not available; install Chromium by hand" >&2
  exit 1
fi

# Several test files may ask at once: one installs, the others wait and then find it there.
exec 9>/tmp/hel-ensure-chromium.lock
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
if [ -x "$CHROMIUM" ]; then
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
LOG=$(mktemp)
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; } >"$LOG" 2>&1; then
  echo "ensure-chromium: apt-get install chromium failed:" >&2
  tail -n 20 "$LOG" >&2
  rm -f "$LOG"
  exit 1
fi
rm -f "$LOG"

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: chromium was installed but $CHROMIUM does not exist" >&2
  exit 1
fi
