#!/usr/bin/env bash
# Runs the benchmarks PASSES times (5 by default), each pass running every
# contender one after the other, and writes ../BENCHMARKS.md from the
# medians, then the round-robin cross-check (TestPaired). Needs Redis on 127.0.0.1:6379 and MySQL/MariaDB on
# 127.0.0.1:3306 (root, no password, database "test"); without them those
# benchmarks are skipped and left out of the report.
#
#   bench/run.sh                      # the full run, about 6-8 minutes
#   PASSES=1 BENCHTIME=100ms bench/run.sh   # a quick look
#   BENCH='Memory|Floor' bench/run.sh      # a subset
set -euo pipefail
cd "$(dirname "$0")"

PASSES=${PASSES:-5}
BENCHTIME=${BENCHTIME:-300ms}
BENCH=${BENCH:-.}
OUT=${OUT:-../BENCHMARKS.md}
mkdir -p results
raw=results/raw.txt
meta=results/meta.txt

# One binary for every pass, so each pass measures the same code.
go test -c -o results/bench.test .

cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: ${cpu:-unknown CPU}, $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM"
	echo "cores: $(nproc)"
	echo "os: $(uname -sr)"
	echo "go: $(go version | cut -d' ' -f3-)"
	echo "redis: $(redis-cli -h 127.0.0.1 info server 2>/dev/null | tr -d '\r' | awk -F: '/^redis_version/ {print $2}' || true)"
	echo "mysql: $(mysql -uroot -h127.0.0.1 -N -e 'select version()' 2>/dev/null || true)"
	echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- .. 2>/dev/null || echo ' (working tree has uncommitted changes)')"
	echo "command: PASSES=$PASSES BENCHTIME=$BENCHTIME BENCH='$BENCH' bench/run.sh"
	echo "passes: $PASSES × -benchtime=$BENCHTIME, each pass a separate process (medians of $PASSES)"
	echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$meta"

: >"$raw"
start=$(date +%s)
for i in $(seq 1 "$PASSES"); do
	echo "pass $i of $PASSES" >&2
	./results/bench.test -test.run '^$' -test.bench "$BENCH" -test.benchtime "$BENCHTIME" \
		-test.count 1 -test.timeout 30m | tee -a "$raw" | grep -E '^(Benchmark|--- FAIL|FAIL|panic)' >&2 || true
done
# The round-robin cross-check (TestPaired), BENCH_PAIRED_TIME per store.
echo "round-robin cross-check" >&2
BENCH_PAIRED=1 BENCH_PAIRED_TIME=${BENCH_PAIRED_TIME:-8s} ./results/bench.test -test.run '^TestPaired$' -test.count 1 -test.timeout 30m \
	>results/paired.txt 2>&1 || { tail -20 results/paired.txt >&2; exit 1; }
{
	echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "duration: $(($(date +%s) - start)) s"
} >>"$meta"
rm -f results/bench.test
if grep -q -E '^(--- FAIL|FAIL|panic)' "$raw"; then
	echo "a benchmark failed; see $raw" >&2
	exit 1
fi

go run ./cmd/benchreport -in "$raw" -meta "$meta" -paired results/paired.txt -out "$OUT"
echo "wrote $OUT" >&2
