#!/bin/bash
# Compile time of the 1M list in a fresh JVM (bench/list-footprint.sh, -Xmx256m) before
# (4a04aac, /tmp/bench-s13-old2.jar) and after hashing names without an offsets array
# (/tmp/bench-s13-new2.jar), alternated, the order swapped each round.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for round in 1 2 3 4; do
  order="old new"; [ $((round % 2)) = 0 ] && order="new old"
  for j in $order; do
    JAR=/tmp/bench-s13-${j}2.jar OUT=$here/$j-$round SIZES=1m XMX_1M=256m GC=-XX:+UseSerialGC \
      bash "$here/../../../list-footprint.sh" > /dev/null 2>&1
    echo "$j-$round: $(grep -hiE 'load|read' $here/$j-$round/*.txt | head -3 | tr '\n' ' ')"
  done
done
