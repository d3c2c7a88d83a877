#!/bin/bash
# Session 14: start-up with the 1M list before (a89c564, /tmp/hearth-s14-base.jar) and after
# saving the lists parsed at start-up only once the listeners are up (/tmp/hearth-s14-defer.jar,
# the placement kept after review; rounds 1-4: ROUNDS="1 2", then "3 4"), or only once the server
# is ready (/tmp/hearth-s14-defer2.jar, as in 3bd3cff; rounds 5-6: NEW=defer2 ROUNDS="5 6").
# The .deb's options and archive (packaged-cds), 3 cold + 3 warm starts per invocation,
# alternated, the order swapped each round.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for round in ${ROUNDS:-1 2}; do
  new=${NEW:-defer}
  order="base $new"; [ $((round % 2)) = 0 ] && order="$new base"
  for j in $order; do
    JAR=/tmp/hearth-s14-$j.jar OUT=$here/$j-$round CONFIGS=packaged-cds REPS=3 RSS_AFTER=2 \
      bash "$here/../../../startup.sh" > /dev/null 2>&1
    echo "$j-$round: $(awk -F'\t' 'NR>1{printf "%s %s; ", $2, $3}' $here/$j-$round/runs.tsv)"
  done
done
