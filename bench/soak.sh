#!/bin/bash
# Soak (issue 9): Hearth at a steady fraction of its peak for a long time, with the 1M-domain
# block list reloaded every minute and a policy change every 10 seconds. It shows no errors, no
# heap growth after warm-up and a stable p99.
#
#   RATE=57000 MINUTES=30 bench/soak.sh        # RATE: 70 % of the peak from bench/overload.sh
#
# The setup is as in bench/overload.sh: NSD (harness bench. zone) and dnsperf on CPU 1, Hearth
# pinned to CPU 0 with one worker thread and the packaged JVM options (-Xmx512m here). The
# workload is the harness's cached names (every query still passes the policy stage and the
# 1M-name list), or WORKLOAD=mix. Each minute, dnsperf runs for 60 s,
# and that minute's answered rate, losses, rcodes and latency percentiles become one row of
# $OUT/minutes.tsv. Meanwhile:
# - every 60 s the list file is swapped between two versions of the 1M list (one name
#   apart), and a refresh is asked for over the API;
# - every 10 s a profile is changed over the API.
# Then the script reads /metrics: `jvm_gc_live_data_size_bytes` (the old generation after the
# last full GC) and `hearth_policy_version`. Needs nsd, dnsperf, curl, python3, the harness
# data ($DATA) and a built jar.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
data=${DATA:-/tmp/hearth-bench/data}
out=${OUT:-/tmp/hearth-soak}
rate=${RATE:?RATE=queries per second (70 % of the peak from bench/overload.sh)}
minutes=${MINUTES:-30}
workload=${WORKLOAD:-cached}   # the harness's queries-$WORKLOAD.txt: cached, blocked or mix
mkdir -p "$out/nsd"
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
cp "$repo/packaging/target/hearth.jar" "$out/hearth.jar"
. "$here/lib/nsd-upstream.sh"
start_nsd_upstream "$data" "$out/nsd" 1
pids+=("$NSD_PID")
# Two versions of the list, one name apart, swapped in by rename as a sync job would.
cp "$data/blocklist.txt" "$out/list-a.txt"
sed '$d' "$data/blocklist.txt" >"$out/list-b.txt"
cp "$out/list-a.txt" "$out/blocklist.txt"
cat >"$out/hearth.yaml" <<CONF
lists:
  sources:
    - {id: soak, path: $out/blocklist.txt, category: adult}
policy:
  organisation: Soak test
CONF
rm -rf "$out/data"
mkdir -p "$out/data"
taskset -c 0 java -XX:+UseSerialGC -Xms64m -Xmx512m -XX:+ExitOnOutOfMemoryError \
  -jar "$out/hearth.jar" serve --config "$out/hearth.yaml" --dns 127.0.0.1:5330 \
  --upstream 127.0.0.1:5399 --rate-limit 0 --threads 1 --http 127.0.0.1:5380 \
  --data-dir "$out/data" >"$out/hearth.log" 2>&1 &
hearth=$!
pids+=($hearth)
for _ in $(seq 1 300); do
  curl -fs http://127.0.0.1:5380/readyz >/dev/null 2>&1 && break
  sleep 0.2
done
token=$(java -jar "$out/hearth.jar" admin create-token --data-dir "$out/data" --name soak \
  --role administrator | grep '^hth_')
api() { curl -fs -o /dev/null -w '%{http_code}' -X "$1" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' ${3:+--data "$3"} "http://127.0.0.1:5380$2"; }
metric() { curl -fs http://127.0.0.1:5380/metrics | awk -v m="$1" '
  index($0, m) == 1 && $0 !~ /^#/ { s += $NF } END { printf "%.0f", s }'; }

# Background churn: a policy change every 10 s, a list swap and refresh every 60 s.
( i=0
  while kill -0 "$hearth" 2>/dev/null; do
    sleep 10
    i=$((i + 1))
    code=$(api PUT /api/v1/profiles/soak "{\"preset\": \"young-child\", \"block\": [\"x$i.example\"]}" || true)
    printf '%s\tpolicy\t%s\n' "$(date +%s)" "$code"
    if [ $((i % 6)) = 0 ]; then
      if [ $((i / 6 % 2)) = 1 ]; then v=b; else v=a; fi
      cp "$out/list-$v.txt" "$out/blocklist.next" && mv "$out/blocklist.next" "$out/blocklist.txt"
      printf '%s\tlist-%s\t%s\n' "$(date +%s)" "$v" "$(api POST /api/v1/lists/refresh || true)"
    fi
  done ) >"$out/churn.tsv" 2>&1 & pids+=($!)

# Warm-up: the cache and the JIT.
taskset -c 1 timeout 90 dnsperf -s 127.0.0.1 -p 5330 -d "$data/queries-$workload.txt" -c 8 -q 500 \
  -l 30 >/dev/null 2>&1 || true

printf 'minute\tanswered_qps\tlost\tnoerror\tnxdomain\tservfail\tp50_ms\tp99_ms\tp99.9_ms\tgc_live_mb\trss_mb\tpolicy_version\n' \
  | tee "$out/minutes.tsv"
for m in $(seq 1 "$minutes"); do
  taskset -c 1 timeout 120 dnsperf -s 127.0.0.1 -p 5330 -d "$data/queries-$workload.txt" -c 8 \
    -q 2000 -t 2 -Q "$rate" -l 60 -v >"$out/minute.txt" 2>&1 || true
  stats=$(awk '$1 == ">" && $2 != "T" { print $NF * 1000 }' "$out/minute.txt" | sort -n | awk '
    { v[NR] = $1 } END { if (NR == 0) { print "-\t-\t-"; exit }
      printf "%.2f\t%.2f\t%.2f", v[int(NR*0.5)+1], v[int(NR*0.99)+1], v[int(NR*0.999)+1] }')
  rc() { awk -v c="$1" '$1 == ">" && $2 == c { n++ } END { printf "%d", n }' "$out/minute.txt"; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m" \
    "$(awk '/Queries per second:/ {printf "%d", $4}' "$out/minute.txt")" \
    "$(awk '/Queries lost:/ {print $3}' "$out/minute.txt")" \
    "$(rc NOERROR)" "$(rc NXDOMAIN)" "$(rc SERVFAIL)" "$stats" \
    "$(( $(metric jvm_gc_live_data_size_bytes) / 1048576 ))" \
    "$(( $(awk '/^VmRSS/ {print $2}' /proc/$hearth/status) / 1024 ))" \
    "$(metric hearth_policy_version)" | tee -a "$out/minutes.tsv"
done
rm -f "$out/minute.txt"
echo "# churn: $(grep -c policy "$out/churn.tsv") policy changes ($(awk '$2 == "policy" && $3 != "200" && $3 != "201"' "$out/churn.tsv" | wc -l) not 2xx)," \
  "$(grep -c list- "$out/churn.tsv") list swaps; errors in the log:" \
  "$(grep -c -E ' ERROR |Exception' "$out/hearth.log" || true); list updates applied:" \
  "$(grep -c 'soak' "$out/hearth.log" || true) log lines naming the list"
uptime
