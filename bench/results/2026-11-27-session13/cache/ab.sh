#!/bin/bash
# Verdict-cache hit before (4a04aac, entry holds a name array, hash of the whole name) and after
# (aa698f7, name in the entry's words, multiply key), alternated; two rounds, the order swapped.
#   JARS: /tmp/bench-s13-old.jar (4a04aac) and /tmp/bench-s13-new.jar (aa698f7 + cachedHotFromPacket)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lookup=$here/../../../list-lookup.sh
for round in 1 2; do
  order="old new"; [ "$round" = 2 ] && order="new old"
  for j in $order; do
    b="baseline cachedHot"; [ "$j" = new ] && b="baseline cachedHot cachedHotFromPacket"
    JAR=/tmp/bench-s13-$j.jar OUT=$here/$j-$round BENCHES="$b" MODES="avgt sample" QUIET_PCT=10 bash "$lookup"
  done
done
