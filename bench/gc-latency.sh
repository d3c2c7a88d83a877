#!/bin/bash
# GC / tail-latency probe: start Hearth pinned to CPU 0 with the given JVM options, warm the
# cache, grow it with three mix runs, then three fixed-rate (10k qps) cached runs; prints mix
# and cached qps, RSS and p50/p99/p99.9 per latency run. Uses the shared harness's data
# (generate it once with ../shared/bench/gen/gen_data.py all --out $DATA) and an NSD upstream
# on 127.0.0.53:5300 (start one as run-anchors.sh does, or with `run-anchors.sh serve canned`).
#
#   bench/gc-latency.sh serial                     # JVM defaults
#   bench/gc-latency.sh parallel -XX:+UseParallelGC -Xlog:gc:file=/tmp/gc.log
set -euo pipefail
label=$1; shift
repo=$(cd "$(dirname "$0")/.." && pwd)
data=${DATA:-/tmp/hearth-bench/data}
lib=${HARNESS:-$repo/../shared/bench}
work=$(mktemp -d)
taskset -c 0 java "$@" -jar "$repo/packaging/target/hearth.jar" serve --dns 127.0.2.1:5330 \
  --upstream 127.0.0.53:5300 --rate-limit 0 --threads 1 --data-dir "$work/data" > "$work/hearth.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
sleep 3
perf() { taskset -c 1 dnsperf -s 127.0.2.1 -p 5330 -c 10 -q 200 -t 2 "$@"; }
perf -d "$data/queries-cached.txt" -l 20 > /dev/null 2>&1
mix=""
for i in 1 2 3; do
  python3 "$lib/gen/gen_data.py" mix --out "$work" --salt "$label$i$RANDOM" > /dev/null
  mix="$mix $(perf -d "$work/queries-mix.txt" -l 15 2>&1 | awk '/Queries per second/{printf "%d", $4}')"
done
cached=$(perf -d "$data/queries-cached.txt" -l 10 2>&1 | awk '/Queries per second/{printf "%d", $4}')
lat=""
for i in 1 2 3; do
  perf -d "$data/queries-cached.txt" -l 5 -Q 10000 -v > "$work/lat$i.txt" 2>&1
  lat="$lat | $(python3 "$lib/lib/latency_pct.py" "$work/lat$i.txt" | cut -f2,4,5 | tr '\t' ' ')"
done
echo "$label: mix=$mix cached=$cached rssMB=$(( $(ps -o rss= -p $pid) / 1024 )) p50/p99/p99.9:$lat"
