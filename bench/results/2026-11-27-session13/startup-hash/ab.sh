#!/bin/bash
# Start-up with the 1M list before (4a04aac, /tmp/hearth-s13-old.jar) and after 163b1a7
# (/tmp/hearth-s13-new2.jar: names hashed without an offsets array; verdict-cache change),
# the .deb's options and archive (packaged-cds), alternated, the order swapped each round.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for round in ${ROUNDS:-1 2}; do
  order="old new2"; [ $((round % 2)) = 0 ] && order="new2 old"
  for j in $order; do
    JAR=/tmp/hearth-s13-$j.jar OUT=$here/$j-$round CONFIGS=packaged-cds REPS=3 RSS_AFTER=5 \
      bash "$here/../../../startup.sh" > /dev/null 2>&1
  done
done
