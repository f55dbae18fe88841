#!/bin/sh
# Makes sure PostgreSQL 15's server binaries exist for the state-backend tests (throwaway clusters made with
# initdb). Idempotent and quiet: does nothing when they are there; installs Debian's postgresql-15 with apt-get
# only when running as root. Prints the binary directory.
set -eu

BIN=/usr/lib/postgresql/15/bin

if [ -x "$BIN/postgres" ] && [ -x "$BIN/initdb" ]; then
  echo "$BIN"
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  echo "ensure-postgres: $BIN/postgres is missing and this is not root; install it with: sudo apt-get install -y postgresql-15" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-postgres: $BIN/postgres is missing and apt-get is not available; install PostgreSQL 15 by hand" >&2
  exit 1
fi

# Several test files may ask at once: one installs, the others wait and then find it there.
exec 9>/tmp/hel-ensure-postgres.lock
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
if [ -x "$BIN/postgres" ] && [ -x "$BIN/initdb" ]; then
  echo "$BIN"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
LOG=$(mktemp)
# Only the binaries: the package's own cluster is not wanted (tests make their own).
if ! { { apt-get install -y -qq --no-install-recommends postgresql-15 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql-15; }; }; } >"$LOG" 2>&1; then
  echo "ensure-postgres: apt-get install postgresql-15 failed:" >&2
  tail -n 20 "$LOG" >&2
  rm -f "$LOG"
  exit 1
fi
rm -f "$LOG"

if [ ! -x "$BIN/postgres" ]; then
  echo "ensure-postgres: postgresql-15 was installed but $BIN/postgres does not exist" >&2
  exit 1
fi
echo "$BIN"
