#!/bin/bash
# Load time, retained heap per name and ListStore write/read (restart) times of large lists, one
# JVM per list (dev.hearth.bench.TenMillionLoad):
#
#   bench/list-footprint.sh             # the harness's 1M list (-Xmx256m and -Xmx2g), then 10M (-Xmx2g)
#   SIZES=1m bench/list-footprint.sh    # only the 1M list
#   XMX_10M="2g 1g" bench/list-footprint.sh
#
# The 10M list is generated once (deterministic, seed 42) into $GEN_DIR (default
# /tmp/hearth-bench/gen; ~350 MB). Needs bench/target/benchmarks.jar
# (mvn -B -o -q package -DskipTests -pl bench -am). Output: $OUT (default
# bench/results/<date>-footprint): one .txt per run, gen.txt, machine.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
JAR=${JAR:-$here/target/benchmarks.jar}
LIST_1M=${LIST_1M:-/tmp/hearth-bench/data/blocklist.txt}
GEN_DIR=${GEN_DIR:-/tmp/hearth-bench/gen}
SIZES=${SIZES:-1m 10m}
XMX_1M=${XMX_1M:-256m 2g}
XMX_10M=${XMX_10M:-2g}
GC=${GC:-}            # e.g. GC=-XX:+UseSerialGC; default: the JVM's choice
OUT=${OUT:-$here/results/$(date +%F)-footprint}
mkdir -p "$OUT" "$GEN_DIR"
[ -f "$JAR" ] || { echo "no $JAR: mvn -B -o -q package -DskipTests -pl bench -am" >&2; exit 1; }
{ date -Is; echo "nproc: $(nproc)"; java -version 2>&1; free -m | head -2; } > "$OUT/machine.txt"

run() {  # name file xmx
  local name=$1 file=$2 xmx=$3 log
  log="$OUT/$name-xmx$xmx${GC:+-$(echo "$GC" | tr -dc 'A-Za-z0-9')}.txt"
  echo "== $name, -Xmx$xmx $GC" | tee "$log"
  local store; store=$(mktemp /tmp/hearth-footprint.XXXXXX.hbl)
  # /usr/bin/time gives the process's maximum RSS as well
  if /usr/bin/time -f "max RSS %M kB, wall %e s, user %U s, sys %S s" \
      java "-Xmx$xmx" $GC -cp "$JAR" dev.hearth.bench.TenMillionLoad load "$file" "$store" \
      >> "$log" 2>&1; then
    echo "exit 0" >> "$log"
  else
    echo "exit $? (FAILED)" >> "$log"
  fi
  rm -f "$store" "$store.tmp"
  cat "$log"
}

for s in $SIZES; do
  case $s in
    1m)
      [ -f "$LIST_1M" ] || { echo "no $LIST_1M: python3 ../shared/bench/gen/gen_data.py all --out $(dirname "$LIST_1M")" >&2; exit 1; }
      for x in $XMX_1M; do run 1m "$LIST_1M" "$x"; done ;;
    10m)
      f=$GEN_DIR/blocklist-10m.txt
      if [ ! -f "$f" ]; then
        java -Xmx256m -cp "$JAR" dev.hearth.bench.TenMillionLoad gen 10000000 "$f" | tee "$OUT/gen.txt"
      fi
      for x in $XMX_10M; do run 10m "$f" "$x"; done ;;
  esac
done
