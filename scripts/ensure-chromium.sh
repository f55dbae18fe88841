#!/bin/sh
# Makes sure /usr/bin/chromium exists for the browser tests (report screenshot, status page).
exec sh "$(dirname "$0")/ensure-debian-package.sh" /usr/bin/chromium chromium
