#!/bin/bash
# The verdict cache's miss-heavy path (cachedChurn) and its hot path (cachedHot) before
# (4a04aac + this benchmark file, /tmp/bench-s13-old2.jar) and after (/tmp/bench-s13-new2.jar),
# alternated, the order swapped each round.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for round in 1 2 3; do
  order="old new"; [ $((round % 2)) = 0 ] && order="new old"
  for j in $order; do
    JAR=/tmp/bench-s13-${j}2.jar OUT=$here/$j-$round BENCHES="cachedChurn" MODES="avgt sample" \
      QUIET_PCT=10 bash "$here/../../../list-lookup.sh"
  done
done
