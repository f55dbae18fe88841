#!/bin/sh
# Makes sure /usr/sbin/nats-server (Debian's nats-server package, JetStream with -js) exists for the NATS sink tests.
exec sh "$(dirname "$0")/ensure-debian-package.sh" /usr/sbin/nats-server nats-server
