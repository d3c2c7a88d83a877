#!/bin/bash
# Runs ListLookupBenchmark one benchmark and mode at a time, each after waiting for a quiet machine
# (a shared 2-core VM: another job's build doubles every figure), and records the machine's busy %
# during each run. About 4-5 minutes when the machine is quiet.
#
#   bench/list-lookup.sh
#   BENCHES="matchUnlisted cachedHot" MODES=sample EXTRA="-p span=256" bench/list-lookup.sh
#
# Needs bench/target/benchmarks.jar (mvn -B -o -q package -DskipTests -pl bench -am) and the
# harness list (default /tmp/hearth-bench/data/blocklist.txt; -p list=FILE in EXTRA for another).
# Output: $OUT (default bench/results/<date>-lookup): <bench>-<mode>.txt/.json, busy.tsv.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
JAR=${JAR:-$here/target/benchmarks.jar}
OUT=${OUT:-$here/results/$(date +%F)-lookup}
BENCHES=${BENCHES:-baseline nameKey matchUnlisted matchListed decide80Unlisted decide80Listed listSet80Unlisted listSet80Listed cachedHot cachedHotArrayPrototype keyedUnlisted keyedListed}
MODES=${MODES:-avgt sample}
EXTRA=${EXTRA:-}
QUIET_PCT=${QUIET_PCT:-20}
QUIET_WAIT=${QUIET_WAIT:-180}
mkdir -p "$OUT"
work=$(mktemp -d /tmp/hearth-lookup.XXXXXX)
cp "$JAR" "$work/benchmarks.jar"   # a rebuild during the run must not change what is measured

busy_pct() {  # whole-machine busy % over $1 s
  local a1 a2 a3 a4 a5 a6 a7 b1 b2 b3 b4 b5 b6 b7
  read -r _ a1 a2 a3 a4 a5 a6 a7 _ < /proc/stat; sleep "${1:-2}"
  read -r _ b1 b2 b3 b4 b5 b6 b7 _ < /proc/stat
  local tot=$(( (b1+b2+b3+b4+b5+b6+b7) - (a1+a2+a3+a4+a5+a6+a7) ))
  echo $(( tot > 0 ? 100 * (tot - (b4+b5) + (a4+a5)) / tot : 0 ))
}
wait_quiet() {
  local t=0 p; p=$(busy_pct 2)
  while [ "$p" -gt "$QUIET_PCT" ] && [ "$t" -lt "$QUIET_WAIT" ]; do t=$((t + 2)); p=$(busy_pct 2); done
  echo "$p"
}
monitor() {  # samples busy % every 2 s into $1 until killed
  while true; do echo "$(busy_pct 2)" >> "$1"; done
}

{ date -Is; echo "nproc: $(nproc)"; java -version 2>&1; lscpu | grep -E "Model name|L2|L3"; } > "$OUT/machine.txt"
[ -f "$OUT/busy.tsv" ] || echo -e "bench\tmode\tbusy_before\tbusy_median_during\tbusy_max_during" > "$OUT/busy.tsv"
for b in $BENCHES; do
  for m in $MODES; do
    before=$(wait_quiet)
    : > "$work/busy"
    monitor "$work/busy" & mon=$!
    java -jar "$work/benchmarks.jar" "ListLookupBenchmark\.$b\$" -bm "$m" $EXTRA \
      -rf json -rff "$OUT/$b-$m.json" -o "$OUT/$b-$m.txt" || echo "$b $m FAILED" >&2
    kill "$mon"; wait "$mon" 2>/dev/null || true
    read -r med max < <(sort -n "$work/busy" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)], a[NR]}')
    echo -e "$b\t$m\t$before\t$med\t$max" | tee -a "$OUT/busy.tsv"
    grep -E "^ListLookupBenchmark\.$b( |:p0.50)" "$OUT/$b-$m.txt" || true
  done
done
rm -rf "$work"
