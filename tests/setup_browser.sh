#!/bin/sh
# Browser tests use Debian's chromium; install it when missing (needs root or sudo).
set -e
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
[ "$(id -u)" = "0" ] || SUDO="sudo"
echo "Installing Debian's chromium for the browser tests..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
