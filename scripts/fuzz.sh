#!/usr/bin/env bash
# Runs every fuzz target of the module for SECONDS each (default 60), one
# after another, and prints a table of executions per target. A crash stops
# nothing: the failing input is saved by the go tool under the package's
# testdata/fuzz/<Target>/, where plain `go test` replays it from then on;
# commit it with the fix as a regression test. The script exits non-zero if
# any target failed.
#
#   scripts/fuzz.sh [SECONDS]            PARALLEL=2 TARGETS="FuzzLoads" scripts/fuzz.sh 300
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
SECONDS_PER_TARGET=${1:-60}
PARALLEL=${PARALLEL:-$(nproc)}
ALL="./:FuzzCookieHeader ./:FuzzJSONCodecRoundTrip ./:FuzzDjangoCodec ./:FuzzGetTyped ./stores:FuzzValidKey
./stores/filestore:FuzzKeyPath ./signing:FuzzLoads ./stores/cookiestore:FuzzOpen ./stores/cookiestore:FuzzOpenEncrypted
./auth:FuzzSafeNext ./internal/pickle:FuzzDecodeDict ./internal/pickle:FuzzParseISO
./stores/djangocache:FuzzZlibPickleDecode"
logdir=${LOGDIR:-$(mktemp -d)}
status=0
printf '%-40s %-22s %12s %8s %s\n' package target execs "execs/s" result
for entry in $ALL; do
  pkg=${entry%%:*}; target=${entry##*:}
  if [ -n "${TARGETS:-}" ] && ! grep -qw "$target" <<<"$TARGETS"; then continue; fi
  if ! grep -qs "^func $target(" "$pkg"/*_test.go; then
    printf '%-40s %-22s %12s %8s %s\n' "$pkg" "$target" - - "absent"; continue
  fi
  log="$logdir/$target.log"
  go test -run '^$' -fuzz "^$target\$" -fuzztime "${SECONDS_PER_TARGET}s" -parallel "$PARALLEL" "$pkg" >"$log" 2>&1
  rc=$?
  # The last progress line holds the total: "fuzz: elapsed: 1m0s, execs: 123456 (2057/sec), ..."
  last=$(grep -E '^fuzz: elapsed: .*execs: [0-9]+' "$log" | tail -1)
  execs=$(sed -E 's/.*execs: ([0-9]+).*/\1/' <<<"$last")
  rate=$(awk -v e="${execs:-0}" -v s="$SECONDS_PER_TARGET" 'BEGIN { printf "%d", e / s }')
  result=ok
  if [ $rc -ne 0 ]; then
    result="FAILED (see $log)"; status=1
    grep -E 'Failing input written to|--- FAIL' "$log" | head -3
  fi
  printf '%-40s %-22s %12s %8s %s\n' "$pkg" "$target" "${execs:-?}" "$rate" "$result"
done
echo "logs: $logdir"
exit $status
