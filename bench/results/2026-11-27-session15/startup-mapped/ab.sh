#!/bin/bash
# Session 15: start-up with the 1M list before (1c6638e, /tmp/s15/hearth-base.jar: the saved
# list is read into the heap) and after (/tmp/s15/hearth-mapped.jar: the saved list's table is
# mapped, and a list parsed at start is served from its saved file once written).
# The .deb's options and archive (packaged-cds), 3 cold + 3 warm starts per invocation, RSS 2 s
# after ready (as the harness reads it), alternated, the order swapped each round.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for round in ${ROUNDS:-1 2}; do
  order="base mapped"; [ $((round % 2)) = 0 ] && order="mapped base"
  for j in $order; do
    JAR=/tmp/s15/hearth-$j.jar OUT=$here/$j-$round CONFIGS=packaged-cds REPS=3 RSS_AFTER=2 \
      bash "$here/../../../startup.sh" > /dev/null 2>&1
    echo "$j-$round: $(awk -F'\t' 'NR>1{printf "%s %s %s; ", $2, $3, $5}' $here/$j-$round/runs.tsv)"
  done
done
