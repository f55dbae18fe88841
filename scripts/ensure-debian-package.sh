#!/bin/sh
# Usage: ensure-debian-package.sh BINARY PACKAGE
# Makes sure BINARY (an absolute path) exists, installing Debian's PACKAGE with apt-get when it is missing. Idempotent
# and quiet: does nothing when the binary is there; installs only when running as root; several test files may ask at
# once, so installs are serialised with flock and the check is repeated under the lock.
set -eu

if [ "$#" -ne 2 ]; then
  echo "usage: $0 BINARY PACKAGE" >&2
  exit 2
fi
BINARY=$1
PACKAGE=$2
NAME=ensure-$PACKAGE

if [ -x "$BINARY" ]; then
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  echo "$NAME: $BINARY is missing and this is not root; install it with: sudo apt-get install -y $PACKAGE" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "$NAME: $BINARY is missing and apt-get is not available; install $PACKAGE by hand" >&2
  exit 1
fi

# One lock for every package: dpkg allows one apt-get at a time anyway.
exec 9>/tmp/hel-ensure-debian-package.lock
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
if [ -x "$BINARY" ]; then
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
LOG=$(mktemp)
install() {
  apt-get install -y -qq --no-install-recommends "$PACKAGE" >>"$LOG" 2>&1
}
# The package lists are refreshed only when the package cannot be found (a fresh container has none).
if ! install; then
  if ! { apt-get update -qq >>"$LOG" 2>&1 && install; }; then
    echo "$NAME: apt-get install $PACKAGE failed:" >&2
    tail -n 20 "$LOG" >&2
    rm -f "$LOG"
    exit 1
  fi
fi
rm -f "$LOG"

if [ ! -x "$BINARY" ]; then
  echo "$NAME: $PACKAGE was installed but $BINARY does not exist" >&2
  exit 1
fi
