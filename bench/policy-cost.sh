#!/bin/bash
# What the policy costs on the cache-hit path (issue 4: at most 15 % of cache-hit throughput with
# 100,000 subscribers, 1,000 profiles and 1,000,000 listed domains loaded). Alternates two Hearth
# configurations, each started fresh, warmed up, then measured with dnsperf on the harness's
# cached workload (names not on any list, so every query takes the whole policy path and then
# hits the cache):
#   base:   no lists, no policy (the identification and policy stages have nothing to do);
#   policy: the 1M list (as category 'adult'), 100k subscribers, 1,000 profiles (bench/gen-policy.py),
#           dnsperf's source address a subscriber whose profile blocks 'adult' and has schedules.
# Server pinned to CPU 0 (one event-loop thread), dnsperf to CPU 1. Needs nsd and dnsperf, the
# harness data (/tmp/hearth-bench/data, see bench/run-dnsperf.sh) and packaging/target/hearth.jar.
#
#   bench/policy-cost.sh            # REPS=3 DURATION=15 WARM=8
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
data=${DATA:-/tmp/hearth-bench/data}
out=${OUT:-$here/results/$(date +%F)-policy-cost}
reps=${REPS:-3}; duration=${DURATION:-15}; warm=${WARM:-8}
up_ip=127.0.0.53; up_port=5300; listen=127.0.2.1; port=5331; client=127.0.3.1
mkdir -p "$out"
work=$(mktemp -d /tmp/hearth-policy-cost.XXXXXX)
cp "$repo/packaging/target/hearth.jar" "$work/hearth.jar"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

. "$here/lib/nsd-upstream.sh"
start_nsd_upstream "$data" "$work/nsd" 1 "$up_port" "$up_ip"
pids+=("$NSD_PID")
sleep 2

/usr/bin/python3 "$here/gen-policy.py" "$work/policy.yaml" "$data/blocklist.txt" "$client"
printf 'dns:\n  allow: [127.0.0.0/8]\n' > "$work/base.yaml"
echo "policy config: $(wc -l < "$work/policy.yaml") lines" | tee "$out/setup.txt"

run() {  # run NAME CONFIG REP
  local name=$1 cfg=$2 rep=$3 d="$work/$1"
  mkdir -p "$d"
  local t0; t0=$(date +%s.%N)
  taskset -c 0 java -XX:+UseSerialGC -Xms256m -Xmx1g -jar "$work/hearth.jar" serve \
      --config "$cfg" --dns "$listen:$port" --upstream "$up_ip:$up_port" --rate-limit 0 \
      --threads 1 --data-dir "$d/data" > "$d/log-$rep.txt" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || { echo "hearth ($name) exited:" >&2; tail -5 "$d/log-$rep.txt" >&2; exit 1; }
    dig +short +time=1 +tries=1 -p "$port" @"$listen" host000000.bench A > /dev/null 2>&1 && break
    sleep 0.2
  done
  local ready; ready=$(echo "$(date +%s.%N) - $t0" | bc)
  taskset -c 1 dnsperf -s "$listen" -p "$port" -a "$client" -d "$data/queries-cached.txt" \
      -c 10 -q 200 -t 2 -l "$warm" > /dev/null 2>&1
  taskset -c 1 dnsperf -s "$listen" -p "$port" -a "$client" -d "$data/queries-cached.txt" \
      -c 10 -q 200 -t 2 -l "$duration" > "$d/dnsperf-$rep.txt" 2>&1
  local qps; qps=$(awk '/Queries per second/ {print $4}' "$d/dnsperf-$rep.txt")
  local lost; lost=$(awk '/Queries lost/ {print $3}' "$d/dnsperf-$rep.txt")
  local rss; rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf '%s\t%s\t%s\t%s\t%.1f\t%s\n' "$name" "$rep" "$qps" "$lost" "$ready" "$((rss / 1024))" \
      | tee -a "$out/runs.tsv"
}

printf 'config\trep\tqps\tlost\tready_s\trss_mb\n' > "$out/runs.tsv"
# First start of 'policy' parses the 1M list; later starts read the saved version.
run policy "$work/policy.yaml" 0 > /dev/null
for rep in $(seq 1 "$reps"); do
  run base "$work/base.yaml" "$rep"
  run policy "$work/policy.yaml" "$rep"
done
/usr/bin/python3 - "$out/runs.tsv" <<'PY' | tee "$out/summary.txt"
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
med = {n: statistics.median(float(r[2]) for r in rows if r[0] == n) for n in ("base", "policy")}
print(f"median cached qps: base {med['base']:,.0f}, policy {med['policy']:,.0f}, "
      f"policy/base {med['policy'] / med['base']:.3f} (cost {100 * (1 - med['policy'] / med['base']):.1f} %)")
PY
lscpu | grep -E "Model name|^CPU\(s\)" > "$out/machine.txt"; java -version 2>> "$out/machine.txt"
