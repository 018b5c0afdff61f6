#!/usr/bin/env bash
# One command for every benchmark table: runs the in-process benchmarks
# PASSES times (5 by default; each pass runs every contender one after the
# other, then BenchmarkParallel at GOMAXPROCS=$PARALLEL_CPU), the growth
# benchmarks in the first GROWTH_PASSES passes, then the round-robin
# cross-check (TestPaired) and the end-to-end run through net/http
# (TestEndToEnd), and writes ../BENCHMARKS.md from the medians and the
# summary between the benchmark markers of ../README.md. Needs Redis on
# 127.0.0.1:6379 and MySQL/MariaDB on 127.0.0.1:3306 (root, no password,
# database "test"); without them those benchmarks are skipped and left out
# of the report.
#
#   bench/run.sh                              # everything, about 10 minutes
#   PASSES=1 BENCHTIME=100ms GROWTH_PASSES=1 E2E_TIME=500ms bench/run.sh   # a quick look
#   BENCH='Memory' GROWTH='Memory' bench/run.sh   # a subset
#   OUT=/tmp/B.md README= bench/run.sh        # write elsewhere, leave README.md alone
set -euo pipefail
cd "$(dirname "$0")"

PASSES=${PASSES:-5}
BENCHTIME=${BENCHTIME:-300ms}
BENCH=${BENCH:-Memory|Cookie|Redis|MySQL|File|Cached}
PARALLEL_CPU=${PARALLEL_CPU:-2}
GROWTH_PASSES=${GROWTH_PASSES:-3}
GROWTH_BENCHTIME=${GROWTH_BENCHTIME:-100ms}
GROWTH=${GROWTH:-.}
PAIRED_TIME=${BENCH_PAIRED_TIME:-8s}
E2E_TIME=${E2E_TIME:-2s}
OUT=${OUT:-../BENCHMARKS.md}
README=${README-../README.md}
mkdir -p results
raw=results/raw.txt
meta=results/meta.txt

# One binary for every pass, so each pass measures the same code.
go test -c -o results/bench.test .

cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: ${cpu:-unknown CPU}, $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM"
	echo "cores: $PARALLEL_CPU"
	echo "os: $(uname -sr)"
	echo "go: $(go version | cut -d' ' -f3-)"
	echo "redis: $(redis-cli -h 127.0.0.1 info server 2>/dev/null | tr -d '\r' | awk -F: '/^redis_version/ {print $2}' || true)"
	echo "mysql: $(mysql -uroot -h127.0.0.1 -N -e 'select version()' 2>/dev/null || true)"
	echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- .. 2>/dev/null || echo ' (working tree has uncommitted changes)')"
	echo "command: PASSES=$PASSES BENCHTIME=$BENCHTIME BENCH='$BENCH' GROWTH_PASSES=$GROWTH_PASSES GROWTH_BENCHTIME=$GROWTH_BENCHTIME E2E_TIME=$E2E_TIME bench/run.sh"
	echo "passes: $PASSES × -benchtime=$BENCHTIME (growth: $GROWTH_PASSES × $GROWTH_BENCHTIME), each pass a separate process (medians of the passes)"
	echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$meta"

bench() { # pattern benchtime [extra flags]
	./results/bench.test -test.run '^$' -test.bench "$1" -test.benchtime "$2" "${@:3}" \
		-test.count 1 -test.timeout 30m | tee -a "$raw" | grep -E '^(Benchmark|--- FAIL|FAIL|panic)' >&2 || true
}

: >"$raw"
start=$(date +%s)
for i in $(seq 1 "$PASSES"); do
	echo "pass $i of $PASSES" >&2
	bench "^Benchmark($BENCH)\$" "$BENCHTIME"
	bench '^BenchmarkParallel$' "$BENCHTIME" -test.cpu "$PARALLEL_CPU"
	if [ "$i" -le "$GROWTH_PASSES" ] && [ -n "$GROWTH" ]; then
		bench "^BenchmarkGrowth\$/$GROWTH" "$GROWTH_BENCHTIME"
	fi
done
# The round-robin cross-check (TestPaired), PAIRED_TIME per store.
echo "round-robin cross-check" >&2
BENCH_PAIRED=1 BENCH_PAIRED_TIME=$PAIRED_TIME ./results/bench.test -test.run '^TestPaired$' -test.count 1 -test.timeout 30m \
	>results/paired.txt 2>&1 || { tail -20 results/paired.txt >&2; exit 1; }
# End to end through net/http over loopback, E2E_TIME per contender and scenario.
echo "end to end" >&2
BENCH_E2E=1 BENCH_E2E_TIME=$E2E_TIME ./results/bench.test -test.run '^TestEndToEnd$' -test.count 1 -test.timeout 30m \
	>results/e2e.txt 2>&1 || { tail -20 results/e2e.txt >&2; exit 1; }
{
	echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "duration: $(($(date +%s) - start)) s"
} >>"$meta"
rm -f results/bench.test
if grep -q -E '^(--- FAIL|FAIL|panic)' "$raw"; then
	echo "a benchmark failed; see $raw" >&2
	exit 1
fi

go run ./cmd/benchreport -in "$raw" -meta "$meta" -paired results/paired.txt -e2e results/e2e.txt -out "$OUT" ${README:+-readme "$README"}
echo "wrote $OUT${README:+ and the summary in $README}" >&2
