#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests in e2e/ (browser_test.go,
# redirecttest_test.go), which fail under CI=true without it.
# Quick when /usr/bin/chromium is already there.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
