#!/usr/bin/env bash
# staticcheck for .ci/run, from the Go module proxy, at a pinned version (idempotent).
set -euo pipefail
export PATH="/usr/local/go/bin:$PATH"
want="0.8.2"
bin="$(go env GOPATH)/bin/staticcheck"
if [ -x "$bin" ] && "$bin" -version 2>/dev/null | grep -q "($want)"; then
  exit 0
fi
go install "honnef.co/go/tools/cmd/staticcheck@v$want"
